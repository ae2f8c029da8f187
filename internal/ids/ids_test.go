package ids

import (
	"sync"
	"testing"
)

func TestSameSeedSameIDs(t *testing.T) {
	a, b, other, stream := New(42, "request"), New(42, "request"), New(43, "request"), New(42, "domain")
	for i := range 100 {
		x, y := a.UUID(), b.UUID()
		if x != y {
			t.Fatalf("id %d: %s != %s with the same seed and stream", i, x, y)
		}
		if x == other.UUID() || x == stream.UUID() {
			t.Fatalf("id %d: %s repeats in another seed or stream", i, x)
		}
		if x[14] != '4' {
			t.Fatalf("%s is not a version 4 UUID", x)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	s := New(1, "x")
	seen := sync.Map{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				if _, dup := seen.LoadOrStore(s.UUID(), true); dup {
					t.Error("the same id drawn twice")
				}
			}
		}()
	}
	wg.Wait()
}
