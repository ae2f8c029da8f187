package console_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
)

// ListTokens, the app page's list: live tokens only (an expired one answers NotFound to
// GetToken, so it is not listed either), in pages that end.
func TestListTokens(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	svc := &amplify.Service{Store: store, TokenTTL: time.Minute, Now: func() time.Time { return now }}
	key := amplify.AppKey{Scope: amplify.Scope{Account: "000000000000", Region: "us-east-1"}, AppID: "app1"}
	if _, err := svc.ListTokens(ctx, key, "", 10); amplify.ErrorCode(err) != amplify.NotFound {
		t.Fatalf("ListTokens of a missing app = %v, want NotFound", err)
	}
	if err := store.Update(ctx, func(tx amplify.Tx) error { return tx.PutApp(&amplify.App{AppKey: key, Name: "one", CreatedAt: now}) }); err != nil {
		t.Fatal(err)
	}
	var old, live []string
	for i := range 5 {
		tok, err := svc.CreateToken(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			old = append(old, tok.SessionID)
		} else {
			live = append(live, tok.SessionID)
		}
		if i == 1 {
			now = now.Add(50 * time.Second) // the first two expire 10 s after this
		}
	}
	now = now.Add(15 * time.Second)
	slices.Sort(live)
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("ListTokens does not end")
		}
		page, err := svc.ListTokens(ctx, key, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range page.Tokens {
			if !now.Before(tok.Expires) || tok.ChallengeCode == "" {
				t.Errorf("ListTokens answered %+v at %v", tok, now)
			}
			got = append(got, tok.SessionID)
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if !slices.Equal(got, live) {
		t.Errorf("ListTokens = %v, want the live %v (expired: %v)", got, live, old)
	}
}
