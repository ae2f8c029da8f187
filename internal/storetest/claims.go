package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// claimOne claims at most one job.
func claimOne(ctx context.Context, s amplify.Store, now time.Time, lease amplify.Lease) (*amplify.Job, error) {
	jobs, err := s.ClaimJobs(ctx, now, lease, 1)
	if err != nil || len(jobs) == 0 {
		return nil, err
	}
	return jobs[0], nil
}

func claim(t *testing.T, s amplify.Store, now time.Time, owner string, until time.Time) *amplify.Job {
	t.Helper()
	job, err := claimOne(t.Context(), s, now, amplify.Lease{Owner: owner, Until: until})
	if err != nil {
		t.Fatalf("ClaimJob at %v by %s: %v", now.Sub(base), owner, err)
	}
	return job
}

// finish closes a job as its lease holder does.
func finish(t *testing.T, s amplify.Store, job *amplify.Job, owner string, now time.Time) {
	t.Helper()
	j := *job
	j.Pending, j.Status, j.UpdatedAt = false, amplify.StatusCompleted, now
	update(t, s, func(tx amplify.Tx) error { return tx.UpdateJob(&j, &amplify.Lease{Owner: owner}) })
}

func testClaimJob(t *testing.T, s amplify.Store) {
	if job := claim(t, s, base, "w1", at(30*time.Second)); job != nil {
		t.Fatalf("ClaimJob of an empty store: %+v", job)
	}
	due := newJob(envKey(scope1, "app1", "dev"), "due", true, 0)
	later := newJob(envKey(scope1, "app2", "dev"), "later", true, time.Minute)
	done := newJob(envKey(scope1, "app3", "dev"), "done", false, -time.Minute)
	insertJobs(t, s, due, later, done)

	if job := claim(t, s, at(-time.Millisecond), "w1", at(30*time.Second)); job != nil {
		t.Fatalf("ClaimJob before any job is due: %+v", job)
	}
	// A job is due when its RunAt is not after now.
	job := claim(t, s, base, "w1", at(30*time.Second))
	if job == nil {
		t.Fatal("ClaimJob at the due job's RunAt: nothing")
	}
	wantEqual(t, "claimed job", job, due)
	// The lease holds until it expires: nothing else is due.
	if job := claim(t, s, at(10*time.Second), "w2", at(40*time.Second)); job != nil {
		t.Fatalf("ClaimJob while the only due job is leased: %+v", job)
	}
	// After the lease expires another worker takes the job over; the first loses it.
	job = claim(t, s, at(31*time.Second), "w2", at(61*time.Second))
	if job == nil || job.JobID != "due" {
		t.Fatalf("ClaimJob after the lease expired: %+v, want job due", job)
	}
	j := *due
	j.Pending, j.Status = false, amplify.StatusCompleted
	err := s.Update(t.Context(), func(tx amplify.Tx) error { return tx.UpdateJob(&j, &amplify.Lease{Owner: "w1"}) })
	if !errors.Is(err, amplify.ErrLeaseLost) {
		t.Errorf("UpdateJob with a lease taken over: got %v, want ErrLeaseLost", err)
	}
	wantEqual(t, "job after a lost lease's UpdateJob", getJob(t, s, due.JobKey), due)

	// At a minute the later job is due; the first is still leased by w2.
	job = claim(t, s, at(time.Minute), "w3", at(90*time.Second))
	if job == nil || job.JobID != "later" {
		t.Fatalf("ClaimJob at a minute: %+v, want job later", job)
	}
	if job := claim(t, s, at(time.Minute), "w4", at(90*time.Second)); job != nil {
		t.Fatalf("ClaimJob with every due job leased: %+v", job)
	}
	finish(t, s, due, "w2", at(time.Minute))
	finish(t, s, later, "w3", at(time.Minute))
	// Jobs no longer pending are never claimed, leases expired or not.
	if job := claim(t, s, at(time.Hour), "w5", at(2*time.Hour)); job != nil {
		t.Fatalf("ClaimJob with no pending job: %+v", job)
	}
}

// testClaimJobAcrossScopes checks that a runner claims the due jobs of every scope.
func testClaimJobAcrossScopes(t *testing.T, s amplify.Store) {
	want := map[amplify.Scope]bool{}
	for _, sc := range []amplify.Scope{scope1, scope2, scope3} {
		insertJobs(t, s, newJob(envKey(sc, "app1", "dev"), "job1", true, 0))
		want[sc] = true
	}
	for range 3 {
		job := claim(t, s, at(time.Second), "w1", at(time.Minute))
		if job == nil {
			t.Fatal("ClaimJob: nothing, want a job of each scope")
		}
		if !want[job.Scope] {
			t.Errorf("ClaimJob: job of %+v claimed twice", job.Scope)
		}
		delete(want, job.Scope)
	}
	if job := claim(t, s, at(time.Second), "w1", at(time.Minute)); job != nil {
		t.Errorf("ClaimJob after every job was claimed: %+v", job)
	}
}

// testLeases checks UpdateJob with a lease: it writes only for the lease's owner, and a
// refused write leaves the job as it was.
func testLeases(t *testing.T, s amplify.Store) {
	job := newJob(envKey(scope1, "app1", "dev"), "job1", true, 0)
	insertJobs(t, s, job)
	closed := *job
	closed.Pending, closed.Status, closed.UpdatedAt = false, amplify.StatusCompleted, at(time.Second)
	updateAs := func(owner string) error {
		return s.Update(t.Context(), func(tx amplify.Tx) error {
			return tx.UpdateJob(&closed, &amplify.Lease{Owner: owner, Until: at(time.Minute)})
		})
	}
	if err := updateAs("w1"); !errors.Is(err, amplify.ErrLeaseLost) {
		t.Errorf("UpdateJob with a lease of a job never claimed: got %v, want ErrLeaseLost", err)
	}
	if got := claim(t, s, base, "w1", at(time.Minute)); got == nil {
		t.Fatal("ClaimJob: nothing")
	}
	if err := updateAs("w2"); !errors.Is(err, amplify.ErrLeaseLost) {
		t.Errorf("UpdateJob with another owner's lease: got %v, want ErrLeaseLost", err)
	}
	wantEqual(t, "job after a refused UpdateJob", getJob(t, s, job.JobKey), job)
	// A client relabels the claimed job: the runner's write keeps the client's label.
	relabelled := *job
	relabelled.Operation = "Relabelled"
	if err := s.Update(t.Context(), func(tx amplify.Tx) error { return tx.UpdateJob(&relabelled, nil) }); err != nil {
		t.Fatal(err)
	}
	if err := updateAs("w1"); err != nil {
		t.Fatalf("UpdateJob by the lease's owner: %v", err)
	}
	closed.Operation = "Relabelled"
	wantEqual(t, "job after UpdateJob by the lease's owner", getJob(t, s, job.JobKey), &closed)
	// Once the job is no longer pending, the lease writes nothing.
	if err := updateAs("w1"); !errors.Is(err, amplify.ErrLeaseLost) {
		t.Errorf("UpdateJob with a lease of a job no longer pending: got %v, want ErrLeaseLost", err)
	}
	// A client may still close or rename a leased job (no lease given).
	other := newJob(envKey(scope1, "app1", "dev"), "job2", true, 0)
	insertJobs(t, s, other)
	if got := claim(t, s, base, "w1", at(time.Minute)); got == nil || got.JobID != "job2" {
		t.Fatalf("ClaimJob: %+v, want job2", got)
	}
	renamed := *other
	renamed.Operation = "Renamed"
	update(t, s, func(tx amplify.Tx) error { return tx.UpdateJob(&renamed, nil) })
	wantEqual(t, "leased job renamed by a client", getJob(t, s, other.JobKey), &renamed)
}

func testNextRunAt(t *testing.T, s amplify.Store) {
	next := func() time.Time {
		t.Helper()
		at, err := s.NextRunAt(t.Context())
		if err != nil {
			t.Fatalf("NextRunAt: %v", err)
		}
		return at
	}
	if got := next(); !got.IsZero() {
		t.Errorf("NextRunAt of an empty store: %v, want the zero time", got)
	}
	early := newJob(envKey(scope2, "app1", "dev"), "early", true, 2*time.Minute)
	late := newJob(envKey(scope1, "app1", "dev"), "late", true, 5*time.Minute)
	insertJobs(t, s, late, newJob(envKey(scope1, "app2", "dev"), "done", false, time.Minute), early)
	if got := next(); !got.Equal(early.RunAt) {
		t.Errorf("NextRunAt: %v, want the earliest pending RunAt %v", got, early.RunAt)
	}
	update(t, s, func(tx amplify.Tx) error {
		j := *early
		j.Pending, j.Status = false, amplify.StatusFailed
		return tx.UpdateJob(&j, nil)
	})
	if got := next(); !got.Equal(late.RunAt) {
		t.Errorf("NextRunAt after the earliest job closed: %v, want %v", got, late.RunAt)
	}
	update(t, s, func(tx amplify.Tx) error {
		j := *late
		j.Pending, j.Status = false, amplify.StatusCompleted
		return tx.UpdateJob(&j, nil)
	})
	if got := next(); !got.IsZero() {
		t.Errorf("NextRunAt with no pending job: %v, want the zero time", got)
	}
}

func testPendingJobs(t *testing.T, s amplify.Store) {
	pending := func() (int, time.Time) {
		t.Helper()
		n, earliest, err := s.PendingJobs(t.Context())
		if err != nil {
			t.Fatalf("PendingJobs: %v", err)
		}
		return n, earliest
	}
	if n, earliest := pending(); n != 0 || !earliest.IsZero() {
		t.Errorf("PendingJobs of an empty store: %d, %v; want 0 and the zero time", n, earliest)
	}
	early := newJob(envKey(scope2, "app1", "dev"), "early", true, 2*time.Minute)
	late := newJob(envKey(scope1, "app1", "dev"), "late", true, 5*time.Minute)
	insertJobs(t, s, late, newJob(envKey(scope1, "app2", "dev"), "done", false, time.Minute), early)
	if n, earliest := pending(); n != 2 || !earliest.Equal(early.RunAt) {
		t.Errorf("PendingJobs: %d, %v; want 2 (the finished job not counted) and %v", n, earliest, early.RunAt)
	}
	update(t, s, func(tx amplify.Tx) error {
		j := *early
		j.Pending, j.Status = false, amplify.StatusFailed
		return tx.UpdateJob(&j, nil)
	})
	if n, earliest := pending(); n != 1 || !earliest.Equal(late.RunAt) {
		t.Errorf("PendingJobs after the earliest job closed: %d, %v; want 1 and %v", n, earliest, late.RunAt)
	}
}

// race runs fn in n goroutines released together and returns their errors.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// insertRacing inserts a pending job in its own transaction, first looking for a pending job
// as the domain does: the check does not see the others' uncommitted jobs, so only the store's
// own enforcement can refuse the losers.
func insertRacing(t *testing.T, s amplify.Store, job *amplify.Job) error {
	return s.Update(t.Context(), func(tx amplify.Tx) error {
		if _, err := tx.PendingJob(amplify.EnvKey{AppKey: job.AppKey, Env: job.Env}); err != nil {
			return err
		}
		return tx.InsertJob(job)
	})
}

// testConcurrentPendingSameEnv races transactions that insert pending jobs for one
// environment: exactly one wins, the others get ErrPendingJob.
func testConcurrentPendingSameEnv(t *testing.T, s amplify.Store) {
	const rounds, racers = 5, 16
	for r := range rounds {
		key := envKey(scope1, fmt.Sprintf("race%d", r), "dev")
		errs := race(racers, func(i int) error {
			return insertRacing(t, s, newJob(key, fmt.Sprintf("job%d", i), true, 0))
		})
		wins := 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, amplify.ErrPendingJob):
				t.Errorf("round %d, racer %d: got %v, want nil or ErrPendingJob", r, i, err)
			}
		}
		if wins != 1 {
			t.Errorf("round %d: %d racers inserted a pending job, want exactly 1", r, wins)
		}
		view(t, s, func(tx amplify.Tx) error {
			jobs, err := tx.ListJobs(amplify.JobQuery{EnvKey: key, Limit: 100})
			check(t, "ListJobs", err)
			if len(jobs) != 1 || !jobs[0].Pending {
				t.Errorf("round %d: stored jobs %v, want one pending", r, jobIDs(jobs))
			}
			return nil
		})
	}
}

// testConcurrentPendingMixed races pending jobs of the whole app and of two environments:
// whoever wins, no two pending jobs conflict.
func testConcurrentPendingMixed(t *testing.T, s amplify.Store) {
	const rounds, racers = 6, 18
	envs := []string{"", "dev", "prod"}
	for r := range rounds {
		app := appKey(scope1, fmt.Sprintf("race%d", r))
		// Alternate which kind of job is first in line.
		order := envs[r%3:]
		order = append(order, envs[:r%3]...)
		errs := race(racers, func(i int) error {
			key := amplify.EnvKey{AppKey: app, Env: order[i%3]}
			return insertRacing(t, s, newJob(key, fmt.Sprintf("job%d", i), true, 0))
		})
		won := map[string]int{}
		for i, err := range errs {
			switch {
			case err == nil:
				won[order[i%3]]++
			case !errors.Is(err, amplify.ErrPendingJob):
				t.Errorf("round %d, racer %d: got %v, want nil or ErrPendingJob", r, i, err)
			}
		}
		switch {
		case won[""] > 0 && (won[""] != 1 || won["dev"]+won["prod"] != 0):
			t.Errorf("round %d: winners %v: a pending app job must be the only pending job", r, won)
		case won["dev"] > 1 || won["prod"] > 1:
			t.Errorf("round %d: winners %v: at most one pending job per environment", r, won)
		case len(won) == 0:
			t.Errorf("round %d: no racer won", r)
		}
		// What is stored agrees with what the racers were told.
		stored := map[string]bool{}
		view(t, s, func(tx amplify.Tx) error {
			for _, env := range []string{"dev", "prod"} {
				jobs, err := tx.ListJobs(amplify.JobQuery{EnvKey: amplify.EnvKey{AppKey: app, Env: env}, Limit: 100})
				check(t, "ListJobs", err)
				for _, j := range jobs {
					stored[j.JobID] = true
				}
			}
			return nil
		})
		if n := won[""] + won["dev"] + won["prod"]; len(stored) != n {
			t.Errorf("round %d: %d jobs stored, %d racers told they won", r, len(stored), n)
		}
	}
}

// testConcurrentClaims races claimers over many due jobs: every job is claimed exactly once.
func testConcurrentClaims(t *testing.T, s amplify.Store) {
	const jobs, claimers = 24, 6
	for i := range jobs {
		insertJobs(t, s, newJob(envKey(scope1, fmt.Sprintf("app%d", i), "dev"), "job", true, time.Duration(i)*time.Millisecond))
	}
	var mu sync.Mutex
	claimed := map[string]string{}
	errs := race(claimers, func(i int) error {
		owner := fmt.Sprintf("w%d", i)
		for {
			job, err := claimOne(t.Context(), s, at(time.Hour), amplify.Lease{Owner: owner, Until: at(2 * time.Hour)})
			if err != nil || job == nil {
				return err
			}
			mu.Lock()
			if prev, ok := claimed[job.AppID]; ok {
				t.Errorf("job of %s claimed by %s and by %s", job.AppID, prev, owner)
			}
			claimed[job.AppID] = owner
			mu.Unlock()
		}
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("claimer %d: %v", i, err)
		}
	}
	if len(claimed) != jobs {
		t.Errorf("%d jobs claimed, want %d", len(claimed), jobs)
	}
	// Each claim holds: its owner, and only its owner, may update the job.
	for app, owner := range claimed {
		job := newJob(envKey(scope1, app, "dev"), "job", false, 0)
		err := s.Update(t.Context(), func(tx amplify.Tx) error { return tx.UpdateJob(job, &amplify.Lease{Owner: owner + "-not"}) })
		if !errors.Is(err, amplify.ErrLeaseLost) {
			t.Errorf("UpdateJob of %s's job by another owner: got %v, want ErrLeaseLost", owner, err)
		}
		update(t, s, func(tx amplify.Tx) error { return tx.UpdateJob(job, &amplify.Lease{Owner: owner}) })
	}
}

// testClaimJobsBatch checks that a batch claim takes the earliest due jobs, up to the limit,
// and leaves the rest to the next claim.
func testClaimJobsBatch(t *testing.T, s amplify.Store) {
	scope := amplify.Scope{Account: "000000000000", Region: "us-east-1"}
	for i := 0; i < 8; i++ {
		job := newJob(envKey(scope, fmt.Sprintf("app%d", i), "dev"), fmt.Sprintf("job%d", i), true, time.Duration(8-i)*time.Second)
		update(t, s, func(tx amplify.Tx) error { return tx.InsertJob(job) })
	}
	lease := amplify.Lease{Owner: "w", Until: at(time.Hour)}
	first, err := s.ClaimJobs(t.Context(), at(time.Minute), lease, 5)
	if err != nil || len(first) != 5 {
		t.Fatalf("ClaimJobs(5) of 8 due: %d jobs, %v", len(first), err)
	}
	for i, job := range first {
		if want := fmt.Sprintf("job%d", 7-i); job.JobID != want {
			t.Errorf("claim %d = %s; want %s (earliest RunAt first)", i, job.JobID, want)
		}
	}
	rest, err := s.ClaimJobs(t.Context(), at(time.Minute), lease, 5)
	if err != nil || len(rest) != 3 {
		t.Fatalf("second ClaimJobs: %d jobs, %v; want the 3 left", len(rest), err)
	}
	if none, err := s.ClaimJobs(t.Context(), at(time.Minute), lease, 5); err != nil || len(none) != 0 {
		t.Errorf("third ClaimJobs: %d jobs, %v", len(none), err)
	}
}
