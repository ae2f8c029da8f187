package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
)

// claimCounter is a Store that counts ClaimJobs calls and lets a test wait for one.
type claimCounter struct {
	amplify.Store
	mu      sync.Mutex
	claims  int
	changed chan struct{} // closed at the next claim
}

func newClaimCounter(s amplify.Store) *claimCounter {
	return &claimCounter{Store: s, changed: make(chan struct{})}
}

func (c *claimCounter) ClaimJobs(ctx context.Context, now time.Time, lease amplify.Lease, limit int) ([]*amplify.Job, error) {
	jobs, err := c.Store.ClaimJobs(ctx, now, lease, limit)
	c.mu.Lock()
	c.claims++
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
	return jobs, err
}

// waitClaims waits until n claims were made, for at most 10 s.
func (c *claimCounter) waitClaims(n int) error {
	deadline := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		got, changed := c.claims, c.changed
		c.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-changed:
		case <-deadline:
			return fmt.Errorf("%d claims after 10 s; want %d", got, n)
		}
	}
}

// recorder is an Executor that records what it ran, in order, completes the jobs in the
// store as the domain does, and fails the jobs it is told to. Batch k (from 1) runs only
// once the runner has made its next claim (claim k+1): the runner claims the next batch while
// one runs, and the test holds it to that instead of hoping a sleep makes them overlap.
type recorder struct {
	store   *claimCounter
	mu      sync.Mutex
	ran     map[string][]string // app -> job ids in the order run
	batches int
	fail    map[string]bool
	errs    []error // what went wrong inside RunJobs
}

func (r *recorder) RunJobs(ctx context.Context, jobs []*amplify.Job, lease amplify.Lease) []error {
	r.mu.Lock()
	r.batches++
	batch := r.batches
	r.mu.Unlock()
	if err := r.store.waitClaims(batch + 1); err != nil {
		r.mu.Lock()
		r.errs = append(r.errs, fmt.Errorf("batch %d ran without the next claim overlapping it: %w", batch, err))
		r.mu.Unlock()
	}
	errs := make([]error, len(jobs))
	for i, job := range jobs {
		r.mu.Lock()
		failed := r.fail[job.JobID]
		if !failed {
			r.ran[job.AppID] = append(r.ran[job.AppID], job.JobID)
		}
		r.mu.Unlock()
		if failed {
			errs[i] = errors.New("store unavailable")
			continue
		}
		errs[i] = r.store.Update(ctx, func(tx amplify.Tx) error {
			j := *job
			j.Pending, j.Status = false, amplify.StatusCompleted
			return tx.UpdateJob(&j, &lease)
		})
	}
	return errs
}

func TestRunDueOrdersJobs(t *testing.T) {
	// Batch 1 and 2 split app a's jobs over several claims, each made while the batch
	// before it runs: the order must hold across batches too.
	for _, batch := range []int{0, 1, 2} {
		t.Run(fmt.Sprintf("batch=%d", batch), func(t *testing.T) { testRunDueOrder(t, batch) })
	}
}

func testRunDueOrder(t *testing.T, batch int) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Date(2026, 7, 7, 0, 0, 0, 0, time.UTC)
	scope := amplify.Scope{Account: "000000000000", Region: "us-east-1"}
	insert := func(app, env, id string, runAt time.Time) {
		job := &amplify.Job{
			JobKey: amplify.JobKey{AppKey: amplify.AppKey{Scope: scope, AppID: app}, JobID: id}, Env: env,
			Operation: "CreateBackend", Status: amplify.StatusInProgress, CreatedAt: now, UpdatedAt: now,
			Action: "CreateBackend", Payload: []byte("{}"), Pending: true, RunAt: runAt,
		}
		if err := store.Update(ctx, func(tx amplify.Tx) error { return tx.InsertJob(job) }); err != nil {
			t.Fatal(err)
		}
	}
	// App a has three jobs in different environments, due in the order c, b, a; apps x and y
	// one each; z's job fails to run.
	insert("a", "e1", "a-third", now.Add(3*time.Second))
	insert("a", "e2", "a-second", now.Add(2*time.Second))
	insert("a", "e3", "a-first", now.Add(1*time.Second))
	for _, app := range []string{"x", "y", "z"} {
		insert(app, "dev", app+"-only", now.Add(time.Second))
	}
	insert("a", "late", "a-not-due", now.Add(time.Hour))

	counted := newClaimCounter(store)
	rec := &recorder{store: counted, ran: map[string][]string{}, fail: map[string]bool{"z-only": true}}
	r := &Runner{Store: counted, Executor: rec, Now: func() time.Time { return now.Add(time.Minute) }, Batch: batch,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	n, err := r.RunDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("ran %d jobs; want 5 (the failing one does not count)", n)
	}
	for _, err := range rec.errs {
		t.Error(err)
	}
	if got := fmt.Sprint(rec.ran["a"]); got != "[a-first a-second a-third]" {
		t.Errorf("app a ran %s; want its jobs in the order they became due", got)
	}
	if want := (6 + batch - 1) / max(batch, 1); batch > 0 && rec.batches != want {
		t.Errorf("ran %d batches of at most %d; want %d", rec.batches, batch, want)
	}
	// The failed job is still leased, so it is not claimed again until the lease expires.
	if jobs, _ := store.ClaimJobs(ctx, now.Add(time.Minute), amplify.Lease{Owner: "other", Until: now.Add(2 * time.Minute)}, 10); len(jobs) != 0 {
		t.Errorf("claimable right after the run: %d jobs", len(jobs))
	}
	later := now.Add(time.Minute + r.Lease + time.Second)
	jobs, err := store.ClaimJobs(ctx, later, amplify.Lease{Owner: "other", Until: later.Add(time.Minute)}, 10)
	if err != nil || len(jobs) != 1 || jobs[0].JobID != "z-only" {
		t.Errorf("after the lease expired: %v, %v; want z-only again", jobs, err)
	}
}

// gate is an Executor whose heavy jobs wait until the test opens the gate; it completes
// every job in the store as the domain does and reports each heavy job it starts.
type gate struct {
	store   amplify.Store
	open    chan struct{}
	started chan string // heavy job ids, as they start
}

func (g *gate) RunJobs(ctx context.Context, jobs []*amplify.Job, lease amplify.Lease) []error {
	errs := make([]error, len(jobs))
	for i, job := range jobs {
		if job.Heavy() {
			g.started <- job.JobID
			select {
			case <-g.open:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				continue
			}
		}
		errs[i] = g.store.Update(ctx, func(tx amplify.Tx) error {
			j := *job
			j.Pending, j.Status = false, amplify.StatusCompleted
			return tx.UpdateJob(&j, &lease)
		})
	}
	return errs
}

// TestHeavyJobsDoNotHoldOthersBack runs heavy jobs (model generation) that do not finish
// until the test lets them: the other jobs, due after them, complete meanwhile, and a second
// account's heavy job gets a worker before the first account's second one.
func TestHeavyJobsDoNotHoldOthersBack(t *testing.T) {
	ctx := t.Context()
	store, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Date(2026, 7, 7, 0, 0, 0, 0, time.UTC)
	insert := func(account, app, env, id, action string, due time.Duration) {
		job := &amplify.Job{
			JobKey: amplify.JobKey{AppKey: amplify.AppKey{Scope: amplify.Scope{Account: account, Region: "us-east-1"}, AppID: app}, JobID: id}, Env: env,
			Operation: action, Status: amplify.StatusInProgress, CreatedAt: now, UpdatedAt: now,
			Action: action, Payload: []byte("{}"), Pending: true, RunAt: now.Add(due),
		}
		if err := store.Update(ctx, func(tx amplify.Tx) error { return tx.InsertJob(job) }); err != nil {
			t.Fatal(err)
		}
	}
	insert("111111111111", "a", "dev", "a-heavy-1", amplify.OpGenerateBackendAPIModels, 1*time.Second)
	insert("111111111111", "a", "prod", "a-heavy-2", amplify.OpUpdateBackendAPI, 2*time.Second)
	insert("222222222222", "b", "dev", "b-light", amplify.OpCreateBackendAuth, 3*time.Second)
	insert("333333333333", "c", "dev", "c-heavy", amplify.OpCreateBackendAPI, 4*time.Second)

	g := &gate{store: store, open: make(chan struct{}), started: make(chan string, 3)}
	var opened sync.Once
	defer opened.Do(func() { close(g.open) })
	r := &Runner{Store: store, Executor: g, Now: func() time.Time { return now.Add(time.Minute) }, Workers: 2,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(runCtx)
	}()
	defer func() { stop(); <-done }()

	// The light job completes while both workers hold heavy jobs.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var job *amplify.Job
		err := store.View(ctx, func(tx amplify.Tx) error {
			var err error
			job, err = tx.Job(amplify.JobKey{AppKey: amplify.AppKey{Scope: amplify.Scope{Account: "222222222222", Region: "us-east-1"}, AppID: "b"}, JobID: "b-light"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if job.Status == amplify.StatusCompleted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the light job of another account did not complete within 10s while heavy jobs ran")
		}
	}
	var started []string
	for len(started) < 2 {
		select {
		case id := <-g.started:
			started = append(started, id)
		case <-time.After(10 * time.Second):
			t.Fatalf("heavy jobs started: %v; want two at once", started)
		}
	}
	slices.Sort(started)
	if fmt.Sprint(started) != "[a-heavy-1 c-heavy]" {
		t.Errorf("the two workers run %v; want a-heavy-1 and c-heavy (account c before account a's second job)", started)
	}
	opened.Do(func() { close(g.open) })
	// Then every job completes, account a's second heavy job too.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		next, err := store.NextRunAt(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if next.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("jobs still pending 10s after the heavy jobs were let go")
		}
	}
}
