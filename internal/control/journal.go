package control

import (
	"sync"
	"sync/atomic"

	"github.com/amplifybackendd/amplifybackendd/internal/httpapi"
)

// DefaultJournalSize is how many requests the journal keeps by default.
const DefaultJournalSize = 1000

// Journal is a bounded ring of the last AWS requests' outcomes, newest first. It implements
// httpapi.Journal. Recording is O(1) and allocates nothing: a request takes the next
// sequence number with one atomic add and writes its slot under the slot's own lock, so
// concurrent requests do not queue on one lock, and the memory held is the ring's.
type Journal struct {
	slots []journalSlot
	next  atomic.Uint64 // sequence number of the last record (1-based; 0: none yet)
	floor atomic.Uint64 // records with a sequence number at or below it were cleared
}

type journalSlot struct {
	mu  sync.Mutex
	seq uint64 // the sequence number of rec; 0 when empty
	rec httpapi.Record
}

var _ httpapi.Journal = (*Journal)(nil)

// NewJournal returns a journal that keeps the last size records (size > 0).
func NewJournal(size int) *Journal {
	if size <= 0 {
		panic("control: journal size must be positive")
	}
	return &Journal{slots: make([]journalSlot, size)}
}

// Size is how many records the journal keeps.
func (j *Journal) Size() int { return len(j.slots) }

// Record keeps r, overwriting the oldest record when the ring is full.
func (j *Journal) Record(r httpapi.Record) {
	n := j.next.Add(1)
	s := &j.slots[(n-1)%uint64(len(j.slots))]
	s.mu.Lock()
	if s.seq < n { // a writer that lapped this one already holds the slot
		s.seq, s.rec = n, r
	}
	s.mu.Unlock()
}

// JournalFilter selects records; empty fields match everything.
type JournalFilter struct {
	Operation string
	AppID     string
	// Limit is the most records answered (0: all the journal holds).
	Limit int
}

// Records answers the records that match f, newest first.
func (j *Journal) Records(f JournalFilter) []httpapi.Record {
	hi, lo := j.next.Load(), j.floor.Load()
	size := uint64(len(j.slots))
	if hi > size && hi-size > lo {
		lo = hi - size
	}
	limit := f.Limit
	if limit <= 0 || limit > len(j.slots) {
		limit = len(j.slots)
	}
	out := make([]httpapi.Record, 0, min(limit, int(hi-lo)))
	for n := hi; n > lo && len(out) < limit; n-- {
		s := &j.slots[(n-1)%size]
		s.mu.Lock()
		r, ok := s.rec, s.seq == n
		s.mu.Unlock()
		// A record not yet written (its request is between taking n and writing) or
		// already overwritten is passed over.
		if !ok || (f.Operation != "" && r.Operation != f.Operation) || (f.AppID != "" && r.AppID != f.AppID) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// Clear forgets every record so far and answers how many the journal held.
func (j *Journal) Clear() int {
	hi := j.next.Load()
	for {
		lo := j.floor.Load()
		if hi <= lo {
			return 0 // cleared meanwhile
		}
		if j.floor.CompareAndSwap(lo, hi) {
			return int(min(hi-lo, uint64(len(j.slots))))
		}
	}
}
