package httpapi

import (
	"testing"

	"github.com/google/uuid"
)

// TestNewRequestID checks that request ids are random version 4 UUIDs in canonical text form,
// as uuid.NewString draws them.
func TestNewRequestID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newRequestID()
		u, err := uuid.Parse(id)
		if err != nil {
			t.Fatalf("newRequestID() = %q: %v", id, err)
		}
		if u.Version() != 4 || u.Variant() != uuid.RFC4122 || u.String() != id {
			t.Fatalf("newRequestID() = %q: version %d, variant %v, canonical %q", id, u.Version(), u.Variant(), u.String())
		}
		if seen[id] {
			t.Fatalf("newRequestID() repeated %q", id)
		}
		seen[id] = true
	}
}
