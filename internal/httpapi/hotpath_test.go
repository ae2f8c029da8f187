package httpapi

import (
	"net/url"
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

// TestEscapedPath holds escapedPath to url.URL.EscapedPath for paths parsed from request
// targets, plain and escaped.
func TestEscapedPath(t *testing.T) {
	for _, target := range []string{
		"/backend/app/job/prod/8b0c62fb-54b0-4a5c-8e3e-2f0d7d5c3a11", "/", "/prod/backend", "/a.b~c_d",
		"/backend/a%2Fb/details", "/backend/a%41", "/backend/a b", "/backend/%C3%A9", "/backend/a+b",
		"/backend/a:b@c", "/backend/a;b=c", "/backend/a!b", "/backend/a$b&c", "/backend/a'b(c)*", "*",
	} {
		u, err := url.ParseRequestURI(target)
		if err != nil {
			continue
		}
		if got, want := escapedPath(u), u.EscapedPath(); got != want {
			t.Errorf("escapedPath(%q) = %q, want %q", target, got, want)
		}
	}
}
