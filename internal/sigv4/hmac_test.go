package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// TestSignPadded checks the verifier's allocation-free HMAC against crypto/hmac, for keys
// shorter than, as long as and longer than a block (signing keys are 32 bytes) and messages
// around the block size.
func TestSignPadded(t *testing.T) {
	for _, keyLen := range []int{0, 1, 32, 63, 64, 65, 200} {
		for _, msgLen := range []int{0, 1, 55, 56, 63, 64, 65, 300} {
			key := bytes.Repeat([]byte{byte(keyLen + 1)}, keyLen)
			msg := strings.Repeat(string(rune('a'+msgLen%26)), msgLen)
			m := hmac.New(sha256.New, key)
			m.Write([]byte(msg))
			want := m.Sum(nil)
			padded := append(make([]byte, hmacBlock), msg...)
			if got := signPadded(key, padded); !bytes.Equal(got[:], want) {
				t.Errorf("key %d bytes, message %d bytes: got %x, want %x", keyLen, msgLen, got, want)
			}
			if got := Signature(key, msg); !bytes.Equal(got, want) {
				t.Errorf("Signature, key %d bytes, message %d bytes: got %x, want %x", keyLen, msgLen, got, want)
			}
		}
	}
}

func TestEmptyPayloadHash(t *testing.T) {
	sum := sha256.Sum256(nil)
	if want := hex.EncodeToString(sum[:]); emptyPayloadHash != want || PayloadHash(nil) != want || PayloadHash([]byte{}) != want {
		t.Errorf("emptyPayloadHash = %s, PayloadHash(nil) = %s, want %s", emptyPayloadHash, PayloadHash(nil), want)
	}
}

// TestSigningKeyChain checks SigningKey against the HMAC chain computed with crypto/hmac,
// including a region longer than SigningKey's stack buffer.
func TestSigningKeyChain(t *testing.T) {
	mac := func(key []byte, data string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(data))
		return m.Sum(nil)
	}
	for _, region := range []string{"us-east-1", strings.Repeat("r", 100)} {
		want := mac(mac(mac(mac([]byte("AWS4"+testSecret), "20260707"), region), ServiceName), "aws4_request")
		if got := SigningKey(testSecret, "20260707", region, ServiceName); !bytes.Equal(got, want) {
			t.Errorf("SigningKey(region %.12s...) = %x, want %x", region, got, want)
		}
	}
}
