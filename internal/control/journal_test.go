package control

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/httpapi"
)

func rec(i int, op, app string) httpapi.Record {
	return httpapi.Record{Call: httpapi.Call{Operation: op, AppID: app}, RequestID: fmt.Sprint(i), Status: 200}
}

func ids(rs []httpapi.Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.RequestID
	}
	return out
}

func TestJournalRing(t *testing.T) {
	j := NewJournal(3)
	if got := j.Records(JournalFilter{}); len(got) != 0 {
		t.Fatalf("empty journal: %v", ids(got))
	}
	for i := 1; i <= 5; i++ {
		j.Record(rec(i, "GetBackend", "a"))
	}
	if got := fmt.Sprint(ids(j.Records(JournalFilter{}))); got != "[5 4 3]" {
		t.Fatalf("records = %s; want the last 3, newest first", got)
	}
	if got := fmt.Sprint(ids(j.Records(JournalFilter{Limit: 2}))); got != "[5 4]" {
		t.Fatalf("limit 2 = %s", got)
	}
	if n := j.Clear(); n != 3 {
		t.Fatalf("Clear = %d; want 3", n)
	}
	if got := j.Records(JournalFilter{}); len(got) != 0 {
		t.Fatalf("after Clear: %v", ids(got))
	}
	j.Record(rec(6, "GetBackend", "a"))
	if got := fmt.Sprint(ids(j.Records(JournalFilter{}))); got != "[6]" {
		t.Fatalf("after Clear and one record: %s", got)
	}
}

func TestJournalFilters(t *testing.T) {
	j := NewJournal(10)
	j.Record(rec(1, "GetBackend", "a"))
	j.Record(rec(2, "CreateBackend", "b"))
	j.Record(rec(3, "GetBackend", "b"))
	j.Record(rec(4, "GetBackendJob", "a"))
	tests := []struct {
		f    JournalFilter
		want string
	}{
		{JournalFilter{Operation: "GetBackend"}, "[3 1]"},
		{JournalFilter{AppID: "b"}, "[3 2]"},
		{JournalFilter{Operation: "GetBackend", AppID: "a"}, "[1]"},
		{JournalFilter{AppID: "a", Limit: 1}, "[4]"},
		{JournalFilter{Operation: "DeleteToken"}, "[]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(ids(j.Records(tt.f))); got != tt.want {
			t.Errorf("Records(%+v) = %s; want %s", tt.f, got, tt.want)
		}
	}
}

// Concurrent writers and readers: every record read is whole (its fields belong together),
// and the ring never holds more than its size. Run with -race.
func TestJournalConcurrent(t *testing.T) {
	j := NewJournal(64)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				id := fmt.Sprintf("%d-%d", w, i)
				j.Record(httpapi.Record{Call: httpapi.Call{Operation: "GetBackend", AppID: id}, RequestID: id})
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i++ {
			for _, r := range j.Records(JournalFilter{}) {
				if r.RequestID != r.AppID {
					t.Errorf("torn record: %+v", r)
					return
				}
			}
		}
	}()
	wg.Wait()
	if n := len(j.Records(JournalFilter{})); n != 64 {
		t.Fatalf("journal holds %d; want 64", n)
	}
}

// Recording allocates nothing.
func TestJournalRecordAllocs(t *testing.T) {
	j := NewJournal(100)
	r := rec(1, "GetBackend", "a")
	if n := testing.AllocsPerRun(1000, func() { j.Record(r) }); n != 0 {
		t.Fatalf("Record allocates %v times; want 0", n)
	}
}

// BenchmarkJournalRecord measures one record, in parallel as requests record, and reports
// the heap after a million records: the ring's, not growing with the load.
func BenchmarkJournalRecord(b *testing.B) {
	j := NewJournal(DefaultJournalSize)
	r := rec(1, "GetBackendJob", "d1abc")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			j.Record(r)
		}
	})
	b.StopTimer()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/1024, "heap-KiB")
}
