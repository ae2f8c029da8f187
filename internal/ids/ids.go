// Package ids is the deterministic source of ids behind --id-seed: a ChaCha8 stream seeded
// from a number and a stream name, safe for concurrent use. Separate streams (request ids,
// the domain's ids) keep one kind of id from shifting another: a client that polls a job
// more or less often draws more or fewer request ids, and the domain's ids stay the same.
package ids

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"sync"

	"github.com/google/uuid"
)

// Source is a deterministic random stream. It implements io.Reader (the domain's Rand).
type Source struct {
	mu sync.Mutex
	r  *rand.ChaCha8
}

// New returns the stream named name of seed: the same seed and name give the same bytes.
func New(seed uint64, name string) *Source {
	h := sha256.New()
	h.Write(binary.BigEndian.AppendUint64(nil, seed))
	h.Write([]byte(name))
	var key [32]byte
	copy(key[:], h.Sum(nil))
	return &Source{r: rand.NewChaCha8(key)}
}

// Read fills p with the stream's next bytes; it never fails.
func (s *Source) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.Read(p)
}

// UUID returns a version 4 UUID drawn from the stream.
func (s *Source) UUID() string {
	id, err := uuid.NewRandomFromReader(s)
	if err != nil {
		panic("ids: " + err.Error()) // Read never fails
	}
	return id.String()
}
