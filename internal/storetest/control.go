package storetest

import (
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/snapshot"
)

// The primitives of the test control plane: DeleteState, DumpState, LoadState, Counts,
// JobByID, PendingJobs, ReleaseJobs and CheckWrite.

// fillState writes every kind of data into three scopes that share ids: apps with
// environments, resources of each kind (models included), configs, tokens, jobs pending and
// ended (one with an injected error), an app that only its jobs remember, and buckets with
// and without an owner.
func fillState(t *testing.T, s amplify.Store) {
	t.Helper()
	update(t, s, func(tx amplify.Tx) error {
		for i, sc := range []amplify.Scope{scope1, scope2, scope3} {
			for _, app := range []string{"app1", "app2"} {
				ak := appKey(sc, app)
				check(t, "PutApp", tx.PutApp(&amplify.App{AppKey: ak, Name: app + "-name", CreatedAt: at(time.Duration(i) * time.Second)}))
				for _, env := range []string{"dev", "prod"} {
					ek := envKey(sc, app, env)
					check(t, "PutEnvironment", tx.PutEnvironment(newEnv(ek, "12345"+env[:1])))
					for _, kind := range []amplify.ResourceKind{amplify.KindAPI, amplify.KindAuth, amplify.KindStorage} {
						check(t, "PutResource", tx.PutResource(ek, newResource(kind, string(kind)+env, kind == amplify.KindAPI)))
					}
				}
				check(t, "PutConfig", tx.PutConfig(newConfig(ak, app)))
				check(t, "PutToken", tx.PutToken(newToken(ak, "s1", "code1")))
				check(t, "PutToken", tx.PutToken(newToken(ak, "s2", "code2")))
				done := newJob(envKey(sc, app, "dev"), sc.Account+sc.Region+app+"-done", false, 0)
				check(t, "InsertJob", tx.InsertJob(done))
				pending := newJob(envKey(sc, app, "dev"), sc.Account+sc.Region+app+"-pending", true, time.Minute)
				pending.InjectedError = "injected failure"
				check(t, "InsertJob", tx.InsertJob(pending))
				wide := newJob(envKey(sc, app, ""), sc.Account+sc.Region+app+"-wide", false, 0)
				wide.Status, wide.Error = amplify.StatusFailed, "it failed"
				check(t, "InsertJob", tx.InsertJob(wide))
			}
			// An app removed with CleanAmplifyApp: only its jobs remain.
			check(t, "InsertJob", tx.InsertJob(newJob(envKey(sc, "gone", "dev"), sc.Account+sc.Region+"gone-done", false, 0)))
			check(t, "InsertBucket", tx.InsertBucket(&amplify.Bucket{Scope: sc, Name: "owned-" + sc.Account + "-" + sc.Region + "-app1",
				CreatedAt: base, Owner: sc.Account + "/" + sc.Region + "/app1/dev/storage"}))
			check(t, "InsertBucket", tx.InsertBucket(&amplify.Bucket{Scope: sc, Name: "owned-" + sc.Account + "-" + sc.Region + "-app2",
				CreatedAt: base, Owner: sc.Account + "/" + sc.Region + "/app2/dev/storage"}))
			check(t, "InsertBucket", tx.InsertBucket(&amplify.Bucket{Scope: sc, Name: "configured-" + sc.Account + "-" + sc.Region, CreatedAt: base}))
		}
		return nil
	})
}

func dump(t *testing.T, s amplify.Store, scope amplify.StateScope) *amplify.State {
	t.Helper()
	var st *amplify.State
	view(t, s, func(tx amplify.Tx) error {
		var err error
		st, err = tx.DumpState(scope)
		return err
	})
	// Seq is the store's own numbering, not state.
	for i := range st.Apps {
		for j := range st.Apps[i].Jobs {
			st.Apps[i].Jobs[j].Seq = 0
		}
	}
	return st
}

func testStateRoundTrip(t *testing.T, s amplify.Store) {
	fillState(t, s)
	all := dump(t, s, amplify.StateScope{})
	if got, want := len(all.Apps), 9; got != want { // 3 scopes x (2 apps + 1 gone)
		t.Fatalf("DumpState: %d apps, want %d", got, want)
	}
	if got, want := len(all.Buckets), 9; got != want {
		t.Fatalf("DumpState: %d buckets, want %d", got, want)
	}
	// Apps by account, region, id: 111111111111/eu-west-1 comes first.
	if k := all.Apps[0].AppKey; k != appKey(scope3, "app1") {
		t.Errorf("DumpState: first app %v, want %v", k, appKey(scope3, "app1"))
	}
	a := all.Apps[3]
	if a.AppKey != appKey(scope1, "app1") || a.Gone || a.Name != "app1-name" || len(a.Environments) != 2 ||
		len(a.Environments[0].Resources) != 3 || a.Config == nil || len(a.Tokens) != 2 || len(a.Jobs) != 3 {
		t.Fatalf("DumpState: first app %+v", a)
	}
	if a.Environments[0].Env != "dev" || a.Environments[0].Resources[0].Kind != amplify.KindAPI || a.Environments[0].Resources[0].Models == nil {
		t.Errorf("DumpState: environments or resources out of order: %+v", a.Environments[0])
	}
	if ids := jobIDs(a.Jobs); ids[0] != "111111111111us-east-1app1-done" || ids[2] != "111111111111us-east-1app1-wide" {
		t.Errorf("DumpState: jobs not in creation order: %v", ids)
	}
	if a.Jobs[1].InjectedError != "injected failure" || !a.Jobs[1].Pending {
		t.Errorf("DumpState: pending job %+v", a.Jobs[1])
	}
	if g := all.Apps[5]; g.AppKey != appKey(scope1, "gone") || !g.Gone || len(g.Jobs) != 1 || g.Name != "" {
		t.Errorf("DumpState: app only jobs remember: %+v", g)
	}

	// Load into an emptied store: the dump is the same.
	var removed amplify.Removed
	update(t, s, func(tx amplify.Tx) error {
		var err error
		removed, err = tx.DeleteState(amplify.StateScope{})
		return err
	})
	wantEqual(t, "DeleteState(all)", removed, amplify.Removed{Apps: 6, Environments: 12, Jobs: 21, Tokens: 12, Buckets: 6})
	empty := dump(t, s, amplify.StateScope{})
	if len(empty.Apps) != 0 || len(empty.Buckets) != 3 {
		t.Fatalf("after DeleteState(all): %d apps, %d buckets; want 0 and the 3 without owner", len(empty.Apps), len(empty.Buckets))
	}
	update(t, s, func(tx amplify.Tx) error {
		for _, b := range empty.Buckets {
			check(t, "DeleteBucket", tx.DeleteBucket(b.Name))
		}
		return tx.LoadState(all)
	})
	again := dump(t, s, amplify.StateScope{})
	wantEqual(t, "DumpState after LoadState", again, all)

	// A loaded job is a job like any other: found by key, the pending rule holds.
	var err error
	job := getJob(t, s, amplify.JobKey{AppKey: appKey(scope2, "app2"), JobID: "222222222222us-east-1app2-pending"})
	if !job.Pending || job.InjectedError != "injected failure" {
		t.Errorf("loaded job: %+v", job)
	}
	err = s.Update(t.Context(), func(tx amplify.Tx) error {
		return tx.InsertJob(newJob(envKey(scope2, "app2", "dev"), "another", true, 0))
	})
	if err != amplify.ErrPendingJob {
		t.Errorf("InsertJob after LoadState: %v, want ErrPendingJob", err)
	}

	// Through the snapshot document: export, import, export gives the same bytes.
	doc, err := snapshot.Encode(dump(t, s, amplify.StateScope{}), base)
	check(t, "Encode", err)
	decoded, err := snapshot.Decode(doc)
	check(t, "Decode", err)
	update(t, s, func(tx amplify.Tx) error {
		if _, err := tx.DeleteState(amplify.StateScope{}); err != nil {
			return err
		}
		for _, b := range decoded.Buckets { // the ones without owner stayed
			check(t, "DeleteBucket", tx.DeleteBucket(b.Name))
		}
		return tx.LoadState(decoded)
	})
	again2, err := snapshot.Encode(dump(t, s, amplify.StateScope{}), base)
	check(t, "Encode", err)
	if string(again2) != string(doc) {
		t.Errorf("export, import, export: the documents differ:\n%s\n---\n%s", doc, again2)
	}

	// Scoped dumps.
	one := dump(t, s, amplify.StateScope{Account: scope1.Account})
	if len(one.Apps) != 6 || len(one.Buckets) != 6 {
		t.Errorf("DumpState(account): %d apps, %d buckets; want 6 and 6", len(one.Apps), len(one.Buckets))
	}
	app := dump(t, s, amplify.StateScope{Account: scope3.Account, Region: scope3.Region, AppID: "app2"})
	if len(app.Apps) != 1 || app.Apps[0].AppKey != appKey(scope3, "app2") || len(app.Buckets) != 1 || app.Buckets[0].Name != "owned-111111111111-eu-west-1-app2" {
		t.Errorf("DumpState(app): %+v", app)
	}
}

func testDeleteStateScoped(t *testing.T, s amplify.Store) {
	fillState(t, s)
	before := dump(t, s, amplify.StateScope{})
	var removed amplify.Removed
	update(t, s, func(tx amplify.Tx) error {
		var err error
		removed, err = tx.DeleteState(amplify.StateScope{Account: scope1.Account, Region: scope1.Region, AppID: "app1"})
		return err
	})
	wantEqual(t, "DeleteState(app)", removed, amplify.Removed{Apps: 1, Environments: 2, Jobs: 3, Tokens: 2, Buckets: 1})
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.App(appKey(scope1, "app1"))
		wantNotFound(t, "App after reset", err, amplify.ResourceApp)
		_, err = tx.Resource(envKey(scope1, "app1", "dev"), amplify.KindAuth)
		wantNotFound(t, "Resource after reset", err, amplify.ResourceAuth)
		_, err = tx.Config(appKey(scope1, "app1"))
		wantNotFound(t, "Config after reset", err, amplify.ResourceConfig)
		_, err = tx.Job(amplify.JobKey{AppKey: appKey(scope1, "app1"), JobID: "111111111111us-east-1app1-pending"})
		wantNotFound(t, "Job after reset", err, amplify.ResourceJob)
		_, err = tx.Bucket("owned-111111111111-us-east-1-app1")
		wantNotFound(t, "owned bucket after reset", err, amplify.ResourceBucket)
		for _, name := range []string{"owned-111111111111-us-east-1-app2", "configured-111111111111-us-east-1"} {
			_, err = tx.Bucket(name)
			check(t, "bucket outside the reset "+name, err)
		}
		for _, k := range []amplify.AppKey{appKey(scope1, "app2"), appKey(scope2, "app1"), appKey(scope3, "app1")} {
			_, err = tx.App(k)
			check(t, "app outside the reset", err)
		}
		return nil
	})
	// A region: what it holds goes, its configured bucket stays.
	update(t, s, func(tx amplify.Tx) error {
		var err error
		removed, err = tx.DeleteState(amplify.StateScope{Region: "eu-west-1"})
		return err
	})
	wantEqual(t, "DeleteState(region)", removed, amplify.Removed{Apps: 2, Environments: 4, Jobs: 7, Tokens: 4, Buckets: 2})
	after := dump(t, s, amplify.StateScope{Region: "eu-west-1"})
	if len(after.Apps) != 0 || len(after.Buckets) != 1 || after.Buckets[0].Owner != "" {
		t.Errorf("after DeleteState(region): %+v", after)
	}
	if n := len(dump(t, s, amplify.StateScope{Account: scope2.Account}).Apps); n != 3 {
		t.Errorf("account 2 after resets elsewhere: %d apps, want 3 (of %d before)", n, len(before.Apps))
	}
}

func testCounts(t *testing.T, s amplify.Store) {
	var c *amplify.Counts
	view(t, s, func(tx amplify.Tx) error {
		var err error
		c, err = tx.Counts()
		return err
	})
	wantEqual(t, "Counts(empty)", c, &amplify.Counts{Jobs: map[string]int{}})
	fillState(t, s)
	view(t, s, func(tx amplify.Tx) error {
		var err error
		c, err = tx.Counts()
		return err
	})
	wantEqual(t, "Counts", c, &amplify.Counts{Accounts: 2, Apps: 6, Environments: 12,
		Jobs: map[string]int{amplify.StatusCompleted: 9, amplify.StatusInProgress: 6, amplify.StatusFailed: 6}})
}

func testJobByID(t *testing.T, s amplify.Store) {
	fillState(t, s)
	var job *amplify.Job
	update(t, s, func(tx amplify.Tx) error {
		var err error
		job, err = tx.JobByID("222222222222us-east-1app1-pending")
		check(t, "JobByID", err)
		_, err = tx.JobByID("no-such-job")
		wantNotFound(t, "JobByID(unknown)", err, amplify.ResourceJob)
		return nil
	})
	if job.AppKey != appKey(scope2, "app1") || job.Env != "dev" || !job.Pending || job.InjectedError != "injected failure" {
		t.Errorf("JobByID: %+v", job)
	}
	var pending []amplify.Job
	view(t, s, func(tx amplify.Tx) error {
		var err error
		pending, err = tx.PendingJobs(amplify.StateScope{Account: scope1.Account})
		return err
	})
	wantEqual(t, "PendingJobs(account)", jobIDs(pending), []string{
		"111111111111us-east-1app1-pending", "111111111111us-east-1app2-pending",
		"111111111111eu-west-1app1-pending", "111111111111eu-west-1app2-pending"})
	view(t, s, func(tx amplify.Tx) error {
		var err error
		pending, err = tx.PendingJobs(amplify.StateScope{Account: scope3.Account, Region: scope3.Region, AppID: "app2"})
		return err
	})
	wantEqual(t, "PendingJobs(app)", jobIDs(pending), []string{"111111111111eu-west-1app2-pending"})
}

func testReleaseJobs(t *testing.T, s amplify.Store) {
	held := func(app, op string) *amplify.Job {
		j := newJob(envKey(scope1, app, "dev"), app+"-"+op, true, 0)
		j.Action, j.RunAt = op, amplify.HeldRunAt
		return j
	}
	insertJobs(t, s, held("a1", amplify.OpCreateBackendAuth), held("a2", amplify.OpCreateBackendAPI), held("a3", amplify.OpCreateBackendAuth))
	due := newJob(envKey(scope1, "a4", "dev"), "a4-due", true, time.Second)
	due.Action = amplify.OpCreateBackendAuth
	insertJobs(t, s, due)
	var n int
	update(t, s, func(tx amplify.Tx) error {
		var err error
		n, err = tx.ReleaseJobs(amplify.HeldRunAt, []string{amplify.OpCreateBackendAuth, amplify.OpDeleteBackend}, at(time.Hour))
		return err
	})
	if n != 2 {
		t.Errorf("ReleaseJobs: %d, want 2", n)
	}
	for id, want := range map[string]time.Time{"a1-" + amplify.OpCreateBackendAuth: at(time.Hour), "a3-" + amplify.OpCreateBackendAuth: at(time.Hour),
		"a2-" + amplify.OpCreateBackendAPI: amplify.HeldRunAt, "a4-due": at(time.Second)} {
		var job *amplify.Job
		view(t, s, func(tx amplify.Tx) error {
			var err error
			job, err = tx.JobByID(id)
			return err
		})
		if !job.RunAt.Equal(want) {
			t.Errorf("%s: RunAt %v, want %v", id, job.RunAt, want)
		}
	}
	next, err := s.NextRunAt(t.Context())
	check(t, "NextRunAt", err)
	if !next.Equal(at(time.Second)) {
		t.Errorf("NextRunAt: %v, want %v", next, at(time.Second))
	}
}

func testCheckWrite(t *testing.T, s amplify.Store) {
	for range 3 {
		check(t, "CheckWrite", s.CheckWrite(t.Context()))
	}
	// The health row is no state: it shows in no dump or count.
	if st := dump(t, s, amplify.StateScope{}); len(st.Apps) != 0 || len(st.Buckets) != 0 {
		t.Errorf("state after CheckWrite: %+v", st)
	}
}
