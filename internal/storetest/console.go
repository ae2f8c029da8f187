package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// The listing primitives of the console: pages of apps, the scopes that hold apps, the newest
// jobs of a scope.

func testAppPages(t *testing.T, s amplify.Store) {
	var want []string
	update(t, s, func(tx amplify.Tx) error {
		for i := range 7 {
			id := fmt.Sprintf("app%02d", 6-i) // inserted out of order
			want = append(want, id)
			if err := tx.PutApp(&amplify.App{AppKey: appKey(scope1, id), Name: "name " + id, CreatedAt: time.UnixMilli(1_700_000_000_000)}); err != nil {
				return err
			}
		}
		// Other scopes' apps are never listed.
		if err := tx.PutApp(&amplify.App{AppKey: appKey(scope2, "app03x")}); err != nil {
			return err
		}
		return tx.PutApp(&amplify.App{AppKey: appKey(scope3, "app00")})
	})
	slices.Sort(want)
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("Apps does not end")
		}
		var page []amplify.App
		view(t, s, func(tx amplify.Tx) error {
			var err error
			page, err = tx.Apps(scope1, after, 3)
			return err
		})
		if len(page) > 3 {
			t.Fatalf("Apps answered %d apps, limit 3", len(page))
		}
		for _, a := range page {
			if a.Scope != scope1 || a.Name != "name "+a.AppID || a.CreatedAt.IsZero() {
				t.Errorf("Apps answered %+v", a)
			}
			got = append(got, a.AppID)
		}
		if len(page) < 3 {
			break
		}
		after = page[len(page)-1].AppID
	}
	if !slices.Equal(got, want) {
		t.Errorf("Apps pages = %v, want %v", got, want)
	}
}

func testScopeList(t *testing.T, s amplify.Store) {
	var got []amplify.Scope
	view(t, s, func(tx amplify.Tx) error {
		var err error
		got, err = tx.Scopes()
		return err
	})
	if len(got) != 0 {
		t.Fatalf("Scopes of an empty store = %v", got)
	}
	update(t, s, func(tx amplify.Tx) error {
		for _, k := range []amplify.AppKey{appKey(scope2, "a"), appKey(scope1, "a"), appKey(scope1, "b"), appKey(scope3, "z")} {
			if err := tx.PutApp(&amplify.App{AppKey: k}); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx amplify.Tx) error {
		var err error
		got, err = tx.Scopes()
		return err
	})
	want := []amplify.Scope{scope3, scope1, scope2} // by account, then region
	if !slices.Equal(got, want) {
		t.Errorf("Scopes = %v, want %v", got, want)
	}
}

func testRecentJobs(t *testing.T, s amplify.Store) {
	jobs := []*amplify.Job{
		newJob(envKey(scope1, "app1", "dev"), "j1", false, 0),
		newJob(envKey(scope1, "app2", "dev"), "j2", false, 0),
		newJob(envKey(scope2, "app1", "dev"), "other", false, 0),
		newJob(envKey(scope1, "app1", ""), "j3", false, 0),
		newJob(envKey(scope1, "app1", "prod"), "j4", true, 0),
	}
	insertJobs(t, s, jobs...)
	var got []amplify.Job
	view(t, s, func(tx amplify.Tx) error {
		var err error
		got, err = tx.RecentJobs(scope1, 3)
		return err
	})
	var ids []string
	for _, j := range got {
		ids = append(ids, j.JobID)
	}
	if want := []string{"j4", "j3", "j2"}; !slices.Equal(ids, want) {
		t.Errorf("RecentJobs(scope1, 3) = %v, want %v", ids, want)
	}
	if len(got) > 0 && (got[0].Env != "prod" || !got[0].Pending) {
		t.Errorf("RecentJobs answered %+v", got[0])
	}
}

func testTokenPages(t *testing.T, s amplify.Store) {
	key := appKey(scope1, "app1")
	var want []string
	update(t, s, func(tx amplify.Tx) error {
		for _, k := range []amplify.AppKey{key, appKey(scope1, "app2"), appKey(scope2, "app1")} {
			if err := tx.PutApp(&amplify.App{AppKey: k}); err != nil {
				return err
			}
		}
		for i := range 7 {
			id := fmt.Sprintf("session-%02d", 6-i) // inserted out of order
			want = append(want, id)
			// Expired or not, every stored token is listed.
			tok := &amplify.Token{AppKey: key, SessionID: id, ChallengeCode: "CODE" + id, Expires: at(time.Duration(i-3) * time.Minute)}
			if err := tx.PutToken(tok); err != nil {
				return err
			}
		}
		// Another app's tokens, or the same app id's in another scope, are never listed.
		if err := tx.PutToken(&amplify.Token{AppKey: appKey(scope1, "app2"), SessionID: "session-03x", ChallengeCode: "X", Expires: at(time.Hour)}); err != nil {
			return err
		}
		return tx.PutToken(&amplify.Token{AppKey: appKey(scope2, "app1"), SessionID: "session-00", ChallengeCode: "Y", Expires: at(time.Hour)})
	})
	slices.Sort(want)
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("Tokens does not end")
		}
		var page []amplify.Token
		view(t, s, func(tx amplify.Tx) error {
			var err error
			page, err = tx.Tokens(key, after, 3)
			return err
		})
		if len(page) > 3 {
			t.Fatalf("Tokens answered %d tokens, limit 3", len(page))
		}
		for _, tok := range page {
			stored := tok
			view(t, s, func(tx amplify.Tx) error {
				one, err := tx.Token(key, tok.SessionID)
				if err == nil {
					stored = *one
				}
				return err
			})
			if tok.AppKey != key || tok.ChallengeCode != "CODE"+tok.SessionID || !tok.Expires.Equal(stored.Expires) {
				t.Errorf("Tokens answered %+v, Token answers %+v", tok, stored)
			}
			got = append(got, tok.SessionID)
		}
		if len(page) < 3 {
			break
		}
		after = page[len(page)-1].SessionID
	}
	if !slices.Equal(got, want) {
		t.Errorf("Tokens pages = %v, want %v", got, want)
	}
	update(t, s, func(tx amplify.Tx) error { return tx.DeleteToken(key, "session-03") })
	view(t, s, func(tx amplify.Tx) error {
		page, err := tx.Tokens(key, "session-02", 2)
		if err == nil && (len(page) != 2 || page[0].SessionID != "session-04" || page[1].SessionID != "session-05") {
			t.Errorf("Tokens after a delete = %+v, want session-04 and session-05", page)
		}
		return err
	})
}
