package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

func testJobs(t *testing.T, s amplify.Store) {
	dev := envKey(scope1, "app1", "dev")
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.Job(amplify.JobKey{AppKey: dev.AppKey, JobID: "job1"})
		wantNotFound(t, "Job before InsertJob", err, amplify.ResourceJob)
		return nil
	})
	jobs := []*amplify.Job{
		newJob(dev, "job1", false, 0),
		newJob(envKey(scope2, "app1", "dev"), "job1", false, 0),
		newJob(envKey(scope1, "app1", ""), "job2", true, time.Second),
		newJob(envKey(scope1, "app2", "prod"), "job3", true, 0),
		newJob(dev, "job4", false, 0),
	}
	var last int64
	for _, j := range jobs {
		j.Seq = 0
		update(t, s, func(tx amplify.Tx) error { return tx.InsertJob(j) })
		if j.Seq <= last {
			t.Errorf("InsertJob %s: Seq %d after %d, want increasing", j.JobID, j.Seq, last)
		}
		last = j.Seq
	}
	// Several jobs in one transaction get increasing Seqs too.
	batch := []*amplify.Job{newJob(dev, "job5", false, 0), newJob(dev, "job6", false, 0)}
	update(t, s, func(tx amplify.Tx) error {
		for _, j := range batch {
			check(t, "InsertJob", tx.InsertJob(j))
		}
		return nil
	})
	if batch[0].Seq <= last || batch[1].Seq <= batch[0].Seq {
		t.Errorf("InsertJob in one transaction: Seqs %d, %d after %d", batch[0].Seq, batch[1].Seq, last)
	}
	view(t, s, func(tx amplify.Tx) error {
		for _, want := range append(jobs, batch...) {
			got, err := tx.Job(want.JobKey)
			check(t, "Job", err)
			wantEqual(t, "Job "+want.JobID, got, want)
		}
		// A job is found by its app and id, whatever its environment.
		_, err := tx.Job(amplify.JobKey{AppKey: dev.AppKey, JobID: "job3"})
		wantNotFound(t, "Job of another app", err, amplify.ResourceJob)
		_, err = tx.Job(amplify.JobKey{AppKey: appKey(scope3, "app1"), JobID: "job1"})
		wantNotFound(t, "Job of another scope", err, amplify.ResourceJob)
		return nil
	})
}

func testUpdateJob(t *testing.T, s amplify.Store) {
	key := envKey(scope1, "app1", "dev")
	job := newJob(key, "job1", true, time.Minute)
	insertJobs(t, s, job)

	changed := *job
	changed.Operation = "SomethingElse"
	changed.Status = amplify.StatusFailed
	changed.Error = "it failed"
	changed.Pending = false
	changed.UpdatedAt = at(5 * time.Second)
	// UpdateJob writes only the client-visible fields, Pending and UpdatedAt.
	ignored := changed
	ignored.Action = "Other"
	ignored.Payload = []byte(`{"other":true}`)
	ignored.RunAt = at(time.Hour)
	ignored.CreatedAt = at(time.Hour)
	ignored.Env = "prod"
	update(t, s, func(tx amplify.Tx) error { return tx.UpdateJob(&ignored, nil) })
	wantEqual(t, "Job after UpdateJob", getJob(t, s, job.JobKey), &changed)

	missing := newJob(key, "missing", false, 0)
	err := s.Update(t.Context(), func(tx amplify.Tx) error { return tx.UpdateJob(missing, nil) })
	wantNotFound(t, "UpdateJob of a missing job", err, amplify.ResourceJob)
}

// testPendingRule checks that at most one job of an app and environment is pending, and that
// a pending job of the whole app excludes every other.
func testPendingRule(t *testing.T, s amplify.Store) {
	type insert struct {
		app, env string
		pending  bool
		// closeFirst marks the earlier pending jobs done (UpdateJob) before inserting.
		closeFirst bool
	}
	tests := []struct {
		name    string
		inserts []insert
		want    []error // per insert
	}{
		{"same environment", []insert{{"a", "dev", true, false}, {"a", "dev", true, false}}, []error{nil, amplify.ErrPendingJob}},
		{"environment then app", []insert{{"a", "dev", true, false}, {"a", "", true, false}}, []error{nil, amplify.ErrPendingJob}},
		{"app then environment", []insert{{"a", "", true, false}, {"a", "dev", true, false}}, []error{nil, amplify.ErrPendingJob}},
		{"app then app", []insert{{"a", "", true, false}, {"a", "", true, false}}, []error{nil, amplify.ErrPendingJob}},
		{"two environments", []insert{{"a", "dev", true, false}, {"a", "prod", true, false}, {"a", "test", true, false}}, []error{nil, nil, nil}},
		{"two environments then app", []insert{{"a", "dev", true, false}, {"a", "prod", true, false}, {"a", "", true, false}}, []error{nil, nil, amplify.ErrPendingJob}},
		{"other app", []insert{{"a", "dev", true, false}, {"b", "dev", true, false}, {"c", "", true, false}}, []error{nil, nil, nil}},
		{"done then pending", []insert{{"a", "dev", false, false}, {"a", "", false, false}, {"a", "dev", true, false}}, []error{nil, nil, nil}},
		{"pending then done", []insert{{"a", "dev", true, false}, {"a", "dev", false, false}, {"a", "", false, false}}, []error{nil, nil, nil}},
		{"app pending then done in environment", []insert{{"a", "", true, false}, {"a", "dev", false, false}}, []error{nil, nil}},
		{"after close, environment", []insert{{"a", "dev", true, false}, {"a", "dev", true, true}}, []error{nil, nil}},
		{"after close, app", []insert{{"a", "dev", true, false}, {"a", "prod", true, false}, {"a", "", true, true}}, []error{nil, nil, nil}},
		{"after close of app, environment", []insert{{"a", "", true, false}, {"a", "dev", true, true}, {"a", "", true, false}}, []error{nil, nil, amplify.ErrPendingJob}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Each case has apps of its own in the one store.
			prefix := fmt.Sprintf("case%d-", i)
			var inserted []*amplify.Job
			for n, in := range tc.inserts {
				key := envKey(scope1, prefix+in.app, in.env)
				if in.closeFirst {
					for _, j := range inserted {
						if !j.Pending {
							continue
						}
						j.Pending, j.Status, j.UpdatedAt = false, amplify.StatusCompleted, at(time.Second)
						update(t, s, func(tx amplify.Tx) error { return tx.UpdateJob(j, nil) })
					}
				}
				job := newJob(key, fmt.Sprintf("job%d", n), in.pending, 0)
				err := s.Update(t.Context(), func(tx amplify.Tx) error { return tx.InsertJob(job) })
				if !errors.Is(err, tc.want[n]) {
					t.Fatalf("insert %d (%+v): got %v, want %v", n, in, err, tc.want[n])
				}
				if err == nil {
					inserted = append(inserted, job)
				} else {
					view(t, s, func(tx amplify.Tx) error {
						_, err := tx.Job(job.JobKey)
						wantNotFound(t, "refused job", err, amplify.ResourceJob)
						return nil
					})
				}
			}
		})
	}
}

// testPendingRuleKeepsTransaction checks that ErrPendingJob is an answer, not a failure of
// the transaction: the transaction goes on and commits what else it did.
func testPendingRuleKeepsTransaction(t *testing.T, s amplify.Store) {
	dev := envKey(scope1, "app1", "dev")
	first, second, third := newJob(dev, "job1", true, 0), newJob(dev, "job2", true, 0), newJob(envKey(scope1, "app1", ""), "job3", true, 0)
	update(t, s, func(tx amplify.Tx) error {
		check(t, "InsertJob", tx.InsertJob(first))
		if err := tx.InsertJob(second); !errors.Is(err, amplify.ErrPendingJob) {
			t.Errorf("second pending job in one transaction: got %v, want ErrPendingJob", err)
		}
		if err := tx.InsertJob(third); !errors.Is(err, amplify.ErrPendingJob) {
			t.Errorf("pending app job in the same transaction: got %v, want ErrPendingJob", err)
		}
		p, err := tx.PendingJob(dev)
		check(t, "PendingJob after ErrPendingJob", err)
		if p == nil || p.JobID != first.JobID {
			t.Errorf("PendingJob after ErrPendingJob: %+v", p)
		}
		return tx.PutApp(&amplify.App{AppKey: dev.AppKey, Name: "after", CreatedAt: base})
	})
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.App(dev.AppKey)
		check(t, "App written after ErrPendingJob", err)
		_, err = tx.Job(first.JobKey)
		check(t, "first Job", err)
		_, err = tx.Job(second.JobKey)
		wantNotFound(t, "refused Job", err, amplify.ResourceJob)
		_, err = tx.Job(third.JobKey)
		wantNotFound(t, "refused Job", err, amplify.ResourceJob)
		return nil
	})
}

func testPendingJob(t *testing.T, s amplify.Store) {
	pendingOf := func(key amplify.EnvKey) *amplify.Job {
		t.Helper()
		var job *amplify.Job
		view(t, s, func(tx amplify.Tx) error {
			var err error
			job, err = tx.PendingJob(key)
			return err
		})
		return job
	}
	dev, prod := envKey(scope1, "app1", "dev"), envKey(scope1, "app1", "prod")
	if p := pendingOf(dev); p != nil {
		t.Errorf("PendingJob of an empty store: %+v", p)
	}
	done := newJob(dev, "done", false, 0)
	devJob := newJob(dev, "pending", true, 0)
	insertJobs(t, s, done, devJob, newJob(envKey(scope2, "app1", ""), "other-scope", true, 0))
	wantEqual(t, "PendingJob(dev)", pendingOf(dev), devJob)
	if p := pendingOf(prod); p != nil {
		t.Errorf("PendingJob(prod) with a pending job of dev: %+v", p)
	}
	// A job of the whole app is blocked by any pending job of the app.
	wantEqual(t, "PendingJob(app)", pendingOf(envKey(scope1, "app1", "")), devJob)
	if p := pendingOf(envKey(scope1, "app2", "dev")); p != nil {
		t.Errorf("PendingJob of another app: %+v", p)
	}

	// A pending job of the whole app blocks every environment.
	appJob := newJob(envKey(scope1, "app2", ""), "app-wide", true, 0)
	insertJobs(t, s, appJob)
	for _, env := range []string{"dev", "prod", ""} {
		wantEqual(t, "PendingJob(app2 "+env+")", pendingOf(envKey(scope1, "app2", env)), appJob)
	}
	// Closing the job unblocks.
	devJob.Pending, devJob.Status = false, amplify.StatusCompleted
	update(t, s, func(tx amplify.Tx) error { return tx.UpdateJob(devJob, nil) })
	if p := pendingOf(dev); p != nil {
		t.Errorf("PendingJob(dev) after the job was closed: %+v", p)
	}
}

// testListJobs lists an environment's jobs (with the app-wide ones), newest first, through
// the cursor, filters and limit.
func testListJobs(t *testing.T, s amplify.Store) {
	dev := envKey(scope1, "app1", "dev")
	mk := func(env amplify.EnvKey, id, op, status string) *amplify.Job {
		j := newJob(env, id, false, 0)
		j.Operation, j.Status = op, status
		return j
	}
	const (
		create = amplify.OpCreateBackend
		auth   = amplify.OpCreateBackendAuth
		remove = amplify.OpRemoveAllBackends
		done   = amplify.StatusCompleted
		failed = amplify.StatusFailed
	)
	all := []*amplify.Job{
		mk(dev, "d1", create, amplify.StatusInProgress), // every status is among the listed
		mk(envKey(scope1, "app1", "prod"), "p1", create, done),
		mk(envKey(scope1, "app1", ""), "a1", remove, failed),
		mk(dev, "d2", auth, failed),
		mk(envKey(scope1, "app2", "dev"), "x1", create, done),
		mk(envKey(scope2, "app1", "dev"), "y1", create, done),
		mk(envKey(scope2, "app1", ""), "y2", remove, done),
		mk(dev, "d3", auth, done),
		mk(envKey(scope1, "app1", ""), "a2", remove, done),
		mk(dev, "d4", create, failed),
		mk(envKey(scope1, "app1", "prod"), "p2", auth, done),
	}
	insertJobs(t, s, all...)
	seq := map[string]int64{}
	for _, j := range all {
		seq[j.JobID] = j.Seq
	}
	tests := []struct {
		name   string
		q      amplify.JobQuery
		wantID []string
	}{
		{"all", amplify.JobQuery{EnvKey: dev, Limit: 100}, []string{"d4", "a2", "d3", "d2", "a1", "d1"}},
		{"limit", amplify.JobQuery{EnvKey: dev, Limit: 3}, []string{"d4", "a2", "d3"}},
		{"before", amplify.JobQuery{EnvKey: dev, Before: seq["d3"], Limit: 3}, []string{"d2", "a1", "d1"}},
		{"before app job", amplify.JobQuery{EnvKey: dev, Before: seq["a2"], Limit: 2}, []string{"d3", "d2"}},
		{"before the oldest", amplify.JobQuery{EnvKey: dev, Before: seq["d1"], Limit: 10}, nil},
		{"another environment", amplify.JobQuery{EnvKey: envKey(scope1, "app1", "prod"), Limit: 10}, []string{"p2", "a2", "a1", "p1"}},
		{"environment without jobs", amplify.JobQuery{EnvKey: envKey(scope1, "app1", "test"), Limit: 10}, []string{"a2", "a1"}},
		{"another app", amplify.JobQuery{EnvKey: envKey(scope1, "app2", "dev"), Limit: 10}, []string{"x1"}},
		{"another scope", amplify.JobQuery{EnvKey: envKey(scope2, "app1", "dev"), Limit: 10}, []string{"y2", "y1"}},
		{"no such app", amplify.JobQuery{EnvKey: envKey(scope3, "app1", "dev"), Limit: 10}, nil},
		{"job id", amplify.JobQuery{EnvKey: dev, JobFilter: amplify.JobFilter{JobID: "d2"}, Limit: 10}, []string{"d2"}},
		{"job id of the app", amplify.JobQuery{EnvKey: dev, JobFilter: amplify.JobFilter{JobID: "a1"}, Limit: 10}, []string{"a1"}},
		{"job id of another environment", amplify.JobQuery{EnvKey: dev, JobFilter: amplify.JobFilter{JobID: "p1"}, Limit: 10}, nil},
		{"operation", amplify.JobQuery{EnvKey: dev, JobFilter: amplify.JobFilter{Operation: auth}, Limit: 10}, []string{"d3", "d2"}},
		{"status", amplify.JobQuery{EnvKey: dev, JobFilter: amplify.JobFilter{Status: failed}, Limit: 10}, []string{"d4", "d2", "a1"}},
		{"operation and status", amplify.JobQuery{EnvKey: dev, JobFilter: amplify.JobFilter{Operation: create, Status: failed}, Limit: 10}, []string{"d4"}},
		{"operation and status of the app", amplify.JobQuery{EnvKey: dev, JobFilter: amplify.JobFilter{Operation: remove, Status: done}, Limit: 10}, []string{"a2"}},
		{"status, before, limit", amplify.JobQuery{EnvKey: dev, JobFilter: amplify.JobFilter{Status: done}, Before: seq["a2"], Limit: 1}, []string{"d3"}},
		{"all filters", amplify.JobQuery{EnvKey: dev, JobFilter: amplify.JobFilter{JobID: "d3", Operation: auth, Status: done}, Limit: 10}, []string{"d3"}},
		{"all filters, one off", amplify.JobQuery{EnvKey: dev, JobFilter: amplify.JobFilter{JobID: "d3", Operation: auth, Status: failed}, Limit: 10}, nil},
		{"no match", amplify.JobQuery{EnvKey: dev, JobFilter: amplify.JobFilter{Operation: "Nothing"}, Limit: 10}, nil},
	}
	view(t, s, func(tx amplify.Tx) error {
		for _, tc := range tests {
			got, err := tx.ListJobs(tc.q)
			check(t, tc.name, err)
			if ids := jobIDs(got); !slices.Equal(ids, tc.wantID) {
				t.Errorf("%s: got %v, want %v", tc.name, ids, tc.wantID)
			}
		}
		// Listed jobs are whole.
		got, err := tx.ListJobs(amplify.JobQuery{EnvKey: dev, JobFilter: amplify.JobFilter{JobID: "d2"}, Limit: 1})
		check(t, "ListJobs", err)
		if len(got) == 1 {
			wantEqual(t, "listed job", &got[0], all[3])
		}
		return nil
	})

	// Paging with Before from each page's last Seq sees every job once, newest first.
	var pages []string
	before := int64(0)
	for range 10 {
		var page []amplify.Job
		view(t, s, func(tx amplify.Tx) error {
			var err error
			page, err = tx.ListJobs(amplify.JobQuery{EnvKey: dev, Before: before, Limit: 4})
			return err
		})
		if len(page) == 0 {
			break
		}
		pages = append(pages, jobIDs(page)...)
		before = page[len(page)-1].Seq
	}
	wantEqual(t, "pages", pages, []string{"d4", "a2", "d3", "d2", "a1", "d1"})
}

// testPeekJob checks a store's in-memory answer (amplify.JobPeeker), when it has one: it is
// the job as a View reads it, never an older version, whatever wrote it last.
func testPeekJob(t *testing.T, s amplify.Store) {
	p, ok := s.(amplify.JobPeeker)
	if !ok {
		return // the store has no memory of jobs: View answers every read
	}
	key := envKey(scope1, "app1", "dev")
	job := newJob(key, "job1", true, time.Minute)
	insertJobs(t, s, job)
	peek := func(what string, want *amplify.Job) {
		t.Helper()
		got, ok := p.PeekJob(job.JobKey)
		if !ok {
			return // not in memory: the caller reads it with View
		}
		if want == nil {
			t.Fatalf("PeekJob %s: got %+v, want none", what, got)
		}
		wantEqual(t, "PeekJob "+what, got, want)
	}
	peek("after InsertJob", job)
	// A View, which may keep it in memory, then one that may read it from there. The job a
	// View returns is the caller's: changing it changes neither what the next View reads nor
	// the job in memory.
	getJob(t, s, job.JobKey)
	viewed := getJob(t, s, job.JobKey)
	viewed.Status = amplify.StatusFailed
	peek("after a View", job)
	wantEqual(t, "a View after the last one's job was changed", getJob(t, s, job.JobKey), job)
	changed := *job
	changed.Status, changed.Pending, changed.UpdatedAt = amplify.StatusCompleted, false, at(5*time.Second)
	update(t, s, func(tx amplify.Tx) error { return tx.UpdateJob(&changed, nil) })
	peek("after UpdateJob", &changed)
	getJob(t, s, job.JobKey)
	peek("after UpdateJob and a View", &changed)
	update(t, s, func(tx amplify.Tx) error {
		_, err := tx.DeleteState(amplify.StateScope{Account: key.Account, Region: key.Region, AppID: key.AppID})
		return err
	})
	peek("after DeleteState", nil)
	if _, ok := p.PeekJob(amplify.JobKey{AppKey: key.AppKey, JobID: "never"}); ok {
		t.Error("PeekJob of a job never written: found")
	}
}
