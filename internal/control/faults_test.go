package control

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/httpapi"
)

func ptr[T any](v T) *T { return &v }

func TestFaultRuleValidation(t *testing.T) {
	e503 := &ErrorEffect{Status: 503}
	tests := []struct {
		name string
		in   Rule
		want string // "" for valid; else a part of the message
	}{
		{"error only", Rule{Error: e503}, ""},
		{"latency only", Rule{Latency: "250ms"}, ""},
		{"jobError only", Rule{JobError: "boom"}, ""},
		{"jobError on a job operation", Rule{Operation: "CreateBackendAuth", JobError: "boom"}, ""},
		{"all matchers", Rule{Operation: "GetBackend", AccountID: "123456789012", Region: "eu-west-1", AppID: "d1", Error: e503}, ""},
		{"probability 0", Rule{Probability: ptr(0.0), Error: e503}, ""},
		{"probability 1", Rule{Probability: ptr(1.0), Error: e503}, ""},
		{"no effect", Rule{Operation: "GetBackend"}, "at least one effect"},
		{"unknown operation", Rule{Operation: "GetBackends", Error: e503}, "not an operation"},
		{"account not 12 digits", Rule{AccountID: "12345", Error: e503}, "12 digits"},
		{"region with slash", Rule{Region: "us/east", Error: e503}, "region"},
		{"probability above 1", Rule{Probability: ptr(1.5), Error: e503}, "between 0 and 1"},
		{"probability below 0", Rule{Probability: ptr(-0.1), Error: e503}, "between 0 and 1"},
		{"negative times", Rule{Times: -1, Error: e503}, "times"},
		{"too many times", Rule{Times: MaxTimes + 1, Error: e503}, "times"},
		{"status 399", Rule{Error: &ErrorEffect{Status: 399}}, "between 400 and 599"},
		{"status 600", Rule{Error: &ErrorEffect{Status: 600}}, "between 400 and 599"},
		{"status missing", Rule{Error: &ErrorEffect{Code: "X"}}, "between 400 and 599"},
		{"bad code", Rule{Error: &ErrorEffect{Status: 500, Code: "Bad Code\n"}}, "error.code"},
		{"long message", Rule{Error: &ErrorEffect{Status: 500, Message: strings.Repeat("x", maxText+1)}}, "error.message"},
		{"bad latency", Rule{Latency: "fast"}, "not a duration"},
		{"zero latency", Rule{Latency: "0s"}, "positive"},
		{"negative latency", Rule{Latency: "-1s"}, "positive"},
		{"latency too long", Rule{Latency: "10m"}, "at most"},
		{"error with jobError", Rule{Error: e503, JobError: "x"}, "exclude each other"},
		{"jobError on a sync operation", Rule{Operation: "GetBackend", JobError: "x"}, "does not start a job"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFaults(nil)
			got, err := f.Add(tt.in)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Add: %v", err)
				}
				if got.ID == "" || len(f.List()) != 1 || !f.Active() {
					t.Fatalf("rule not in force: %+v, list %+v", got, f.List())
				}
				return
			}
			if err == nil {
				t.Fatalf("Add accepted %+v; want an error about %q", tt.in, tt.want)
			}
			if amplify.ErrorCode(err) != amplify.BadRequest || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v; want BadRequest about %q", err, tt.want)
			}
			if f.Active() || len(f.List()) != 0 {
				t.Fatalf("a refused rule is in force: %+v", f.List())
			}
		})
	}
}

func TestFaultDefaults(t *testing.T) {
	f := NewFaults(nil)
	r, err := f.Add(Rule{Error: &ErrorEffect{Status: 503}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Error.Code != "ServiceUnavailableException" || r.Error.Message == "" || *r.Probability != 1 {
		t.Fatalf("defaults = %+v, error %+v", r, r.Error)
	}
	r, _ = f.Add(Rule{Error: &ErrorEffect{Status: 418}})
	if r.Error.Code != "InjectedFault" {
		t.Fatalf("code for 418 = %q", r.Error.Code)
	}
}

func TestFaultMatching(t *testing.T) {
	f := NewFaults(nil)
	mustAdd(t, f, Rule{Operation: "GetBackend", AccountID: "111111111111", Region: "us-east-1", AppID: "d1", Error: &ErrorEffect{Status: 404}})
	mustAdd(t, f, Rule{Operation: "CreateBackend", Latency: "1ms"})
	mustAdd(t, f, Rule{JobError: "deploy failed"})
	tests := []struct {
		name string
		call httpapi.Call
		want string // rule id or ""
	}{
		{"all match", httpapi.Call{Operation: "GetBackend", Account: "111111111111", Region: "us-east-1", AppID: "d1"}, "fault-1"},
		{"other account", httpapi.Call{Operation: "GetBackend", Account: "222222222222", Region: "us-east-1", AppID: "d1"}, ""},
		{"other region", httpapi.Call{Operation: "GetBackend", Account: "111111111111", Region: "eu-west-1", AppID: "d1"}, ""},
		{"other app", httpapi.Call{Operation: "GetBackend", Account: "111111111111", Region: "us-east-1", AppID: "d2"}, ""},
		{"first added wins", httpapi.Call{Operation: "CreateBackend", Account: "1", Region: "r", AppID: "a"}, "fault-2"},
		{"jobError matches a job operation", httpapi.Call{Operation: "CreateBackendAuth"}, "fault-3"},
		{"jobError skips a sync operation", httpapi.Call{Operation: "GetBackendJob"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := f.Match(tt.call)
			if got.Rule != tt.want || ok != (tt.want != "") {
				t.Fatalf("Match(%+v) = %+v, %v; want rule %q", tt.call, got, ok, tt.want)
			}
		})
	}
	got, _ := f.Match(httpapi.Call{Operation: "GetBackend", Account: "111111111111", Region: "us-east-1", AppID: "d1"})
	if got.Status != 404 || got.Code != amplify.NotFound {
		t.Fatalf("error effect = %+v", got)
	}
	got, _ = f.Match(httpapi.Call{Operation: "CreateBackend"})
	if got.Latency != time.Millisecond || got.Status != 0 {
		t.Fatalf("latency effect = %+v", got)
	}
}

func mustAdd(t *testing.T, f *Faults, r Rule) Rule {
	t.Helper()
	out, err := f.Add(r)
	if err != nil {
		t.Fatalf("Add(%+v): %v", r, err)
	}
	return out
}

// The probability is drawn from the injected source: a draw below it fires, one at or above
// it does not.
func TestFaultProbability(t *testing.T) {
	var draw atomic.Uint64 // the next draw, in thousandths
	f := NewFaults(func() float64 { return float64(draw.Load()) / 1000 })
	mustAdd(t, f, Rule{Probability: ptr(0.25), Error: &ErrorEffect{Status: 500}})
	for _, tt := range []struct {
		draw uint64
		fire bool
	}{{0, true}, {249, true}, {250, false}, {999, false}} {
		draw.Store(tt.draw)
		if _, ok := f.Match(httpapi.Call{Operation: "GetBackend"}); ok != tt.fire {
			t.Errorf("draw %d/1000: fired %v; want %v", tt.draw, ok, tt.fire)
		}
	}
	f.Clear()
	mustAdd(t, f, Rule{Probability: ptr(0.0), Error: &ErrorEffect{Status: 500}})
	draw.Store(0)
	if _, ok := f.Match(httpapi.Call{Operation: "GetBackend"}); ok {
		t.Error("probability 0 fired")
	}
}

// A rule with times n fires exactly n times however many requests race for it, and is gone
// afterwards.
func TestFaultTimesUnderParallelLoad(t *testing.T) {
	const times, workers, perWorker = 50, 16, 200
	f := NewFaults(nil)
	mustAdd(t, f, Rule{Times: times, Error: &ErrorEffect{Status: 503}})
	var fired atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := 0; i < perWorker; i++ {
				if _, ok := f.Match(httpapi.Call{Operation: "GetBackend"}); ok {
					fired.Add(1)
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	if fired.Load() != times {
		t.Fatalf("fired %d times; want exactly %d", fired.Load(), times)
	}
	if f.Active() || len(f.List()) != 0 {
		t.Fatalf("a used-up rule is still in force: %+v", f.List())
	}
}

func TestFaultDeleteAndClear(t *testing.T) {
	f := NewFaults(nil)
	a := mustAdd(t, f, Rule{Latency: "1ms"})
	b := mustAdd(t, f, Rule{Latency: "2ms"})
	if !f.Delete(a.ID) || f.Delete(a.ID) {
		t.Fatal("Delete: first true, then false expected")
	}
	if l := f.List(); len(l) != 1 || l[0].ID != b.ID {
		t.Fatalf("after delete: %+v", l)
	}
	mustAdd(t, f, Rule{Latency: "3ms"})
	if n := f.Clear(); n != 2 || f.Active() {
		t.Fatalf("Clear = %d, active %v", n, f.Active())
	}
	for i := 0; i < MaxFaults; i++ {
		mustAdd(t, f, Rule{Latency: "1ms"})
	}
	if _, err := f.Add(Rule{Latency: "1ms"}); err == nil || !strings.Contains(err.Error(), "already") {
		t.Fatalf("rule %d accepted: %v", MaxFaults+1, err)
	}
}

// Fired counts the fires a rule has had, and List shows it.
func TestFaultFiredCount(t *testing.T) {
	f := NewFaults(nil)
	r := mustAdd(t, f, Rule{Operation: "GetBackend", Latency: "1ms"})
	for i := 0; i < 3; i++ {
		f.Match(httpapi.Call{Operation: "GetBackend"})
	}
	f.Match(httpapi.Call{Operation: "GetBackendJob"})
	if l := f.List(); l[0].ID != r.ID || l[0].Fired != 3 {
		t.Fatalf("list = %+v; want fired 3", l)
	}
	f.Clear()
	if f.Fired() != 3 {
		t.Fatalf("Fired() = %d after Clear; want 3 (monotonic)", f.Fired())
	}
}

// BenchmarkFaultsMatch is the rule check of one request: no rule, a rule for another
// operation, and a rule that fires.
func BenchmarkFaultsMatch(b *testing.B) {
	call := httpapi.Call{Operation: "GetBackendJob", Account: "123456789012", Region: "us-east-1", AppID: "d1"}
	for _, c := range []struct {
		name string
		rule *Rule
	}{
		{"none", nil},
		{"other-operation", &Rule{Operation: "CreateBackend", Latency: "1s"}},
		{"fires", &Rule{Operation: "GetBackendJob", Error: &ErrorEffect{Status: 503}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			f := NewFaults(nil)
			if c.rule != nil {
				if _, err := f.Add(*c.rule); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if f.Active() {
					f.Match(call)
				}
			}
		})
	}
}
