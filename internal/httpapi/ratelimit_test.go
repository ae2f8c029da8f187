package httpapi

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
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

func TestLimitersStayBounded(t *testing.T) {
	now := time.Date(2026, 7, 7, 0, 0, 0, 0, time.UTC)
	l := newLimiters(RateLimit{RPS: 100, Burst: 1}, func() time.Time { return now })
	for i := 0; i < 5*maxIdle; i++ {
		l.allow(fmt.Sprintf("%012d", i))
		now = now.Add(time.Millisecond) // each bucket refills 10ms later
	}
	if n := len(l.buckets); n > maxIdle+1 {
		t.Errorf("%d buckets held; want at most %d", n, maxIdle+1)
	}
}
