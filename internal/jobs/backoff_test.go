package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
)

// flakyStore is a real store that refuses, as a full disk would, its next failClaims
// ClaimJobs and its next failUpdates Updates, and records when each claim was tried.
type flakyStore struct {
	amplify.Store
	mu          sync.Mutex
	failClaims  int
	failUpdates int
	claims      []time.Time // every ClaimJobs call
	failedAt    []time.Time // the refused ones
}

var errDiskFull = amplify.StoreUnavailable(amplify.StoreDiskFull, errors.New("simulated: no space left on device"))

func (f *flakyStore) ClaimJobs(ctx context.Context, now time.Time, lease amplify.Lease, limit int) ([]*amplify.Job, error) {
	f.mu.Lock()
	f.claims = append(f.claims, time.Now())
	fail := f.failClaims > 0
	if fail {
		f.failClaims--
		f.failedAt = append(f.failedAt, time.Now())
	}
	f.mu.Unlock()
	if fail {
		return nil, errDiskFull
	}
	return f.Store.ClaimJobs(ctx, now, lease, limit)
}

func (f *flakyStore) Update(ctx context.Context, fn func(amplify.Tx) error) error {
	f.mu.Lock()
	fail := f.failUpdates > 0
	if fail {
		f.failUpdates--
		f.failedAt = append(f.failedAt, time.Now())
	}
	f.mu.Unlock()
	if fail {
		return errDiskFull
	}
	return f.Store.Update(ctx, fn)
}

// completer is an Executor that completes each job in the store, as the domain does, and
// counts the completions that committed.
type completer struct {
	store     amplify.Store
	mu        sync.Mutex
	completed map[string]int
}

func (c *completer) RunJobs(ctx context.Context, jobs []*amplify.Job, lease amplify.Lease) []error {
	errs := make([]error, len(jobs))
	for i, job := range jobs {
		errs[i] = c.store.Update(ctx, func(tx amplify.Tx) error {
			j := *job
			j.Pending, j.Status = false, amplify.StatusCompleted
			return tx.UpdateJob(&j, &lease)
		})
		if errs[i] == nil {
			c.mu.Lock()
			c.completed[job.JobID]++
			c.mu.Unlock()
		}
	}
	return errs
}

// syncBuffer is a log destination safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestRunnerBacksOffWhileTheStoreFails: while the store refuses writes, the runner waits
// longer after each failure instead of retrying every millisecond, logs the outage once when
// it begins and once when it ends, and runs each job exactly once when the store is back.
func TestRunnerBacksOffWhileTheStoreFails(t *testing.T) {
	tests := []struct {
		name                    string
		failClaims, failUpdates int
	}{
		// The store fails before the claim: every claim is refused.
		{name: "claims refused", failClaims: 6},
		// The store fails after the claim: the batch's commits are refused and the jobs
		// stay pending under the runner's lease until it expires.
		{name: "completions refused", failUpdates: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			store, err := sqlite.Open(ctx, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			flaky := &flakyStore{Store: store, failClaims: tt.failClaims, failUpdates: tt.failUpdates}
			scope := amplify.Scope{Account: "000000000000", Region: "us-east-1"}
			var ids []string
			for i := range 3 {
				now := time.Now()
				job := &amplify.Job{
					JobKey: amplify.JobKey{AppKey: amplify.AppKey{Scope: scope, AppID: "app"}, JobID: fmt.Sprintf("job-%d", i)},
					Env:    fmt.Sprintf("env%d", i), Operation: "CreateBackend", Status: amplify.StatusInProgress,
					CreatedAt: now, UpdatedAt: now, Action: "CreateBackend", Payload: []byte("{}"), Pending: true, RunAt: now,
				}
				if err := store.Update(ctx, func(tx amplify.Tx) error { return tx.InsertJob(job) }); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, job.JobID)
			}

			logs := &syncBuffer{}
			exec := &completer{store: flaky, completed: map[string]int{}}
			const retryMin = 16 * time.Millisecond
			// The lease outlasts any batch, also on a loaded machine: the runner claims the
			// next batch while one runs, so a batch slower than its lease (50 ms was, under
			// load) had its jobs claimed again, and its completions failed with "job lease
			// lost", logged as errors. It is short enough that the jobs the second case leaves
			// pending run again soon.
			r := &Runner{Store: flaky, Executor: exec, Logger: slog.New(slog.NewTextHandler(logs, nil)),
				Lease: time.Second, Poll: 20 * time.Millisecond, RetryMin: retryMin, RetryMax: 64 * time.Millisecond}
			runCtx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { defer close(done); r.Run(runCtx) }()

			allDone := func() bool {
				exec.mu.Lock()
				defer exec.mu.Unlock()
				return len(exec.completed) == len(ids)
			}
			for deadline := time.Now().Add(20 * time.Second); !allDone(); {
				if time.Now().After(deadline) {
					cancel()
					<-done
					t.Fatalf("jobs not completed within 20s: %v; log:\n%s", exec.completed, logs)
				}
				time.Sleep(5 * time.Millisecond) // polling a condition, with the deadline above
			}
			cancel()
			<-done

			for _, id := range ids {
				if n := exec.completed[id]; n != 1 {
					t.Errorf("job %s completed %d times; want once", id, n)
				}
				err := store.View(ctx, func(tx amplify.Tx) error {
					job, err := tx.Job(amplify.JobKey{AppKey: amplify.AppKey{Scope: scope, AppID: "app"}, JobID: id})
					if err == nil && (job.Pending || job.Status != amplify.StatusCompleted) {
						err = fmt.Errorf("pending %v, status %s", job.Pending, job.Status)
					}
					return err
				})
				if err != nil {
					t.Errorf("job %s: %v", id, err)
				}
			}
			flaky.mu.Lock()
			failedAt := flaky.failedAt
			flaky.mu.Unlock()
			if want := tt.failClaims + tt.failUpdates; len(failedAt) != want {
				t.Errorf("%d refused store calls; want %d", len(failedAt), want)
			}
			// Each wait after the k-th failure in a row lasts at least half of
			// retryMin·2^(k-1): a runner that retries at once shows gaps of microseconds.
			if tt.failClaims > 0 {
				for k := 1; k < len(failedAt); k++ {
					floor := min(retryMin<<(k-1), r.RetryMax) / 2
					if gap := failedAt[k].Sub(failedAt[k-1]); gap < floor {
						t.Errorf("retry %d came %v after the failure before it; want at least %v", k, gap, floor)
					}
				}
			}
			text := logs.String()
			if n := strings.Count(text, "the store fails"); n != 1 {
				t.Errorf("the outage was logged %d times; want once. Log:\n%s", n, text)
			}
			if n := strings.Count(text, "the store works again"); n != 1 {
				t.Errorf("the recovery was logged %d times; want once. Log:\n%s", n, text)
			}
			if n := strings.Count(text, "\n"); n != 2 {
				t.Errorf("%d log lines; want 2 (failure and recovery). Log:\n%s", n, text)
			}
		})
	}
}
