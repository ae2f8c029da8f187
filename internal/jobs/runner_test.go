package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
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
