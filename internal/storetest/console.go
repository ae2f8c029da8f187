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
