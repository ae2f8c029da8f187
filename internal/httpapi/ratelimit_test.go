package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
	"github.com/amplifybackendd/amplifybackendd/internal/wireconfig"
)

func TestLimiters(t *testing.T) {
	now := time.Date(2026, 7, 7, 0, 0, 0, 0, time.UTC)
	l := newLimiters(RateLimit{RPS: 2, Burst: 3}, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if err := l.allow("111111111111"); err != nil {
			t.Fatalf("request %d within the burst: %v", i, err)
		}
	}
	err := l.allow("111111111111")
	var e *amplify.Error
	if !errors.As(err, &e) || e.Code != amplify.TooManyRequests || e.LimitType == "" {
		t.Fatalf("over the burst: %v", err)
	}
	if err := l.allow("222222222222"); err != nil {
		t.Errorf("another account was limited: %v", err)
	}
	now = now.Add(500 * time.Millisecond)
	if err := l.allow("111111111111"); err != nil {
		t.Errorf("a token should have refilled after 500ms at 2/s: %v", err)
	}
	if err := l.allow("111111111111"); err == nil {
		t.Error("only one token refilled")
	}
	if newLimiters(RateLimit{}, time.Now).allow("x") != nil {
		t.Error("the zero RateLimit limits")
	}
}

// TestLimitersStayBounded sends one request from each of 100,000 distinct accounts while
// the clock stands still, so that no bucket refills: the limiter holds at most MaxAccounts
// buckets, and an account that keeps sending keeps its bucket (it is still limited).
func TestLimitersStayBounded(t *testing.T) {
	now := time.Date(2026, 7, 7, 0, 0, 0, 0, time.UTC)
	const maxAccounts = 1000
	l := newLimiters(RateLimit{RPS: 1, Burst: 2, MaxAccounts: maxAccounts}, func() time.Time { return now })
	const busy = "999999999999"
	l.allow(busy)
	l.allow(busy) // its burst is used up
	for i := range 100000 {
		l.allow(fmt.Sprintf("%012d", i))
		if i%100 == 0 && l.allow(busy) == nil {
			t.Fatalf("after %d other accounts, the busy account's bucket was dropped: its request went through", i)
		}
		if n := len(l.buckets); n > maxAccounts {
			t.Fatalf("after %d accounts: %d buckets held; want at most %d", i+1, n, maxAccounts)
		}
	}
	if n := l.lru.Len(); n != len(l.buckets) {
		t.Errorf("%d buckets in the recency list, %d in the map", n, len(l.buckets))
	}
}

// TestLimitersDropRefilled: buckets that have refilled are dropped as requests come, two per
// request, without waiting for the cap.
func TestLimitersDropRefilled(t *testing.T) {
	now := time.Date(2026, 7, 7, 0, 0, 0, 0, time.UTC)
	l := newLimiters(RateLimit{RPS: 10, Burst: 1}, func() time.Time { return now })
	for i := range 100 {
		l.allow(fmt.Sprintf("%012d", i))
	}
	now = now.Add(time.Second) // every bucket has refilled
	for i := range 50 {
		if err := l.allow("111111111111"); err != nil && i == 0 {
			t.Fatal(err)
		}
		now = now.Add(100 * time.Millisecond)
	}
	if n := len(l.buckets); n != 1 {
		t.Errorf("%d buckets held after 50 requests of one account; want 1 (the 100 refilled ones dropped, 2 per request)", n)
	}
}

// BenchmarkLimiterDistinctAccounts sends requests from n distinct accounts in turn, with the
// clock standing still (nothing refills: the worst case), and reports the heap the limiter
// retains afterwards and how many buckets it holds: flat however many accounts there are.
func BenchmarkLimiterDistinctAccounts(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000, 1000000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			ids := make([]string, n)
			for i := range ids {
				ids[i] = fmt.Sprintf("%012d", i)
			}
			now := time.Date(2026, 7, 7, 0, 0, 0, 0, time.UTC)
			l := newLimiters(RateLimit{RPS: 1, Burst: 5}, func() time.Time { return now })
			b.ResetTimer()
			for i := range b.N {
				l.allow(ids[i%n])
			}
			b.StopTimer()
			// At least every account once, so that the figure is for n accounts.
			for i := b.N; i < n; i++ {
				l.allow(ids[i])
			}
			// What the limiter retains: the live heap with it, less the live heap without it.
			var with, without runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&with)
			buckets := len(l.buckets)
			runtime.KeepAlive(l)
			l = nil
			runtime.GC()
			runtime.ReadMemStats(&without)
			b.ReportMetric(float64(int64(with.HeapAlloc)-int64(without.HeapAlloc))/(1<<20), "retained-MB")
			b.ReportMetric(float64(buckets), "buckets")
			runtime.KeepAlive(ids)
		})
	}
}

// BenchmarkServerDistinctAccounts sends n requests, each from a distinct account, through the
// whole handler with the rate limit on (GetBackend of an app that does not exist: routing,
// authentication, the limiter, a read of the SQLite store, a NotFound), and reports the live
// Go heap after a GC and how much the process's resident memory grew (VmRSS, which also counts
// SQLite's memory, outside the Go heap), and the limiter's buckets: flat however many
// accounts call. One op is all n requests: run it with -benchtime 1x.
func BenchmarkServerDistinctAccounts(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			auth := make([]string, n)
			for i := range auth {
				auth[i] = fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%012d/20260707/us-east-1/amplifybackend/aws4_request, SignedHeaders=host, Signature=0", i)
			}
			rss0 := vmRSS(b)
			store, err := sqlite.Open(context.Background(), b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			srv := New(Config{Service: &amplify.Service{Configs: wireconfig.Configs{}, Store: store}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
				RateLimit: RateLimit{RPS: 10, Burst: 20}})
			b.ResetTimer()
			for range b.N {
				for i := range n {
					r := httptest.NewRequest("POST", "/backend/noapp/details", strings.NewReader(`{}`))
					r.Header.Set("Authorization", auth[i])
					r.Header.Set("Content-Type", "application/json")
					rec := httptest.NewRecorder()
					srv.ServeHTTP(rec, r)
					if rec.Code != http.StatusNotFound {
						b.Fatalf("GetBackend: %d %s", rec.Code, rec.Body)
					}
				}
			}
			b.StopTimer()
			var after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.HeapAlloc)/(1<<20), "live-heap-MB")
			b.ReportMetric(float64(vmRSS(b)-rss0)/1024, "rss-growth-MB")
			b.ReportMetric(float64(len(srv.limiters.buckets)), "buckets")
			runtime.KeepAlive(srv)
		})
	}
}

// vmRSS returns the process's resident memory in KiB.
func vmRSS(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skipf("resident memory is read from /proc/self/status (Linux): %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				b.Fatalf("VmRSS: %q", line)
			}
			return kb
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}
