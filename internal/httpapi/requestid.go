package httpapi

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
)

// newRequestID returns a random (version 4) UUID in its text form, what uuid.NewString
// returns, with one allocation (the string) in place of two: it is drawn for every request.
// The bits come from math/rand/v2's global generator (ChaCha8, seeded by the runtime, one
// state per thread) rather than crypto/rand: a request id must be unique, not secret, and
// it is drawn for every request.
func newRequestID() string {
	var u [16]byte
	binary.LittleEndian.PutUint64(u[0:8], rand.Uint64())
	binary.LittleEndian.PutUint64(u[8:16], rand.Uint64())
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // variant RFC 9562
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
	return string(b[:])
}
