package httpapi

import (
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// RateLimit is the per-account request rate: RPS requests per second on average, up to Burst
// at once. The zero value is off.
type RateLimit struct {
	RPS   float64
	Burst int
}

// limiters holds one token bucket per account. Buckets that have refilled are dropped from
// time to time, so a stream of distinct account ids cannot grow memory without bound: a full
// bucket is the same as a new one. The limit is per process; replicas each apply it.
type limiters struct {
	limit   RateLimit
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	swept   time.Time
}

// sweepEvery bounds how often idle buckets are dropped; maxIdle is how many buckets may
// accumulate before a sweep runs anyway.
const (
	sweepEvery = time.Minute
	maxIdle    = 10000
)

func newLimiters(limit RateLimit, now func() time.Time) *limiters {
	if limit.RPS <= 0 {
		return nil
	}
	if limit.Burst <= 0 {
		limit.Burst = max(1, int(limit.RPS))
	}
	return &limiters{limit: limit, now: now, buckets: map[string]*rate.Limiter{}}
}

// allow takes a token from the account's bucket; a TooManyRequests error when it is empty.
func (l *limiters) allow(account string) error {
	if l == nil {
		return nil
	}
	now := l.now()
	l.mu.Lock()
	b, ok := l.buckets[account]
	if !ok {
		if len(l.buckets) >= maxIdle || now.Sub(l.swept) > sweepEvery {
			l.sweep(now)
		}
		b = rate.NewLimiter(rate.Limit(l.limit.RPS), l.limit.Burst)
		l.buckets[account] = b
	}
	l.mu.Unlock()
	if b.AllowN(now, 1) {
		return nil
	}
	return &amplify.Error{
		Code:      amplify.TooManyRequests,
		Message:   "Rate exceeded: this account may send " + formatRate(l.limit) + ".",
		LimitType: "RequestsPerSecond",
	}
}

// sweep drops the buckets that have refilled; l.mu is held.
func (l *limiters) sweep(now time.Time) {
	for account, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.limit.Burst) {
			delete(l.buckets, account)
		}
	}
	l.swept = now
}

func formatRate(r RateLimit) string {
	return strconv.FormatFloat(r.RPS, 'f', -1, 64) + " requests per second (bursts of " + strconv.Itoa(r.Burst) + ")"
}
