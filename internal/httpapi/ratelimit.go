package httpapi

import (
	"container/list"
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
	// MaxAccounts bounds how many accounts' buckets are held (DefaultMaxAccounts when 0).
	MaxAccounts int
}

// DefaultMaxAccounts is how many accounts the rate limiter keeps a bucket for by default:
// about 2.5 MB.
const DefaultMaxAccounts = 10000

// limiters holds one token bucket per account, in the order of their last request, and never
// more than the limit's MaxAccounts: memory stays bounded however many distinct account ids
// arrive. Each request costs O(1): it moves its bucket to the front, and drops from the back
// at most two buckets that have refilled (a full bucket is the same as a new one) or, at the
// cap, the bucket idle the longest. Dropping a bucket that has not refilled forgives its
// account what it used of its burst; that happens only to the least recently seen account
// when more than MaxAccounts accounts sent requests within one refill time. The limit is per
// process; replicas each apply it.
type limiters struct {
	limit   RateLimit
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*list.Element // of *bucket
	lru     list.List                // front: the most recent request
}

type bucket struct {
	account string
	tokens  *rate.Limiter
}

func newLimiters(limit RateLimit, now func() time.Time) *limiters {
	if limit.RPS <= 0 {
		return nil
	}
	if limit.Burst <= 0 {
		limit.Burst = max(1, int(limit.RPS))
	}
	if limit.MaxAccounts <= 0 {
		limit.MaxAccounts = DefaultMaxAccounts
	}
	return &limiters{limit: limit, now: now, buckets: map[string]*list.Element{}}
}

// allow takes a token from the account's bucket; a TooManyRequests error when it is empty.
func (l *limiters) allow(account string) error {
	if l == nil {
		return nil
	}
	now := l.now()
	l.mu.Lock()
	el, ok := l.buckets[account]
	if ok {
		l.lru.MoveToFront(el)
	} else {
		el = l.lru.PushFront(&bucket{account: account, tokens: rate.NewLimiter(rate.Limit(l.limit.RPS), l.limit.Burst)})
		l.buckets[account] = el
	}
	l.trim(now, el)
	b := el.Value.(*bucket)
	l.mu.Unlock()
	if b.tokens.AllowN(now, 1) {
		return nil
	}
	return &amplify.Error{
		Code:      amplify.TooManyRequests,
		Message:   "Rate exceeded: this account may send " + formatRate(l.limit) + ".",
		LimitType: "RequestsPerSecond",
	}
}

// trim drops the least recent bucket while there are more than MaxAccounts, and up to two
// least recent buckets that have refilled; never the bucket of the request at hand. l.mu is held.
func (l *limiters) trim(now time.Time, keep *list.Element) {
	for len(l.buckets) > l.limit.MaxAccounts {
		l.drop(l.lru.Back())
	}
	for range 2 {
		back := l.lru.Back()
		if back == nil || back == keep || back.Value.(*bucket).tokens.TokensAt(now) < float64(l.limit.Burst) {
			return
		}
		l.drop(back)
	}
}

func (l *limiters) drop(el *list.Element) {
	l.lru.Remove(el)
	delete(l.buckets, el.Value.(*bucket).account)
}

func formatRate(r RateLimit) string {
	return strconv.FormatFloat(r.RPS, 'f', -1, 64) + " requests per second (bursts of " + strconv.Itoa(r.Burst) + ")"
}
