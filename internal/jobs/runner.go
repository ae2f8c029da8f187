// Package jobs runs asynchronous jobs: it claims due jobs from the store with a lease and has
// the domain apply them. Claims are made in the database, so any number of runners, in one
// process or several, share the work and a job runs once; a runner that dies loses its leases
// when they expire and another finishes its jobs.
package jobs

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/google/uuid"
)

// Executor applies claimed jobs, in the order given: amplify.Service. The result holds, per
// job, nil once the job is completed or failed, or the error that left it pending.
type Executor interface {
	RunJobs(ctx context.Context, jobs []*amplify.Job, lease amplify.Lease) []error
}

// Runner claims and runs due jobs until its context ends.
type Runner struct {
	Store    amplify.Store
	Executor Executor
	Logger   *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Owner names this runner in leases (a random id when empty).
	Owner string
	// Lease is how long a claim lasts before another runner may take the job (30s when 0).
	Lease time.Duration
	// Poll bounds how long the runner sleeps without a wake-up, so that it sees jobs that
	// other processes submit (1s when 0).
	Poll time.Duration
	// Batch is how many due jobs the runner claims at once and runs in one transaction
	// (128 when 0).
	Batch int
	// Metrics, when set, counts the jobs created (Created), started and finished.
	Metrics *Metrics
	// RetryMin and RetryMax bound the wait after the store failed: it starts at RetryMin
	// and doubles with each failure in a row up to RetryMax, each wait drawn between half
	// the bound and the bound, so that replicas do not retry in step (10ms and 5s when 0).
	RetryMin, RetryMax time.Duration

	once sync.Once
	wake chan struct{}

	mu       sync.Mutex
	failures int       // store failures in a row
	since    time.Time // when the first of them happened
}

func (r *Runner) init() {
	r.once.Do(func() {
		r.wake = make(chan struct{}, 1)
		if r.Owner == "" {
			r.Owner = uuid.NewString()
		}
		if r.Lease <= 0 {
			r.Lease = 30 * time.Second
		}
		if r.Poll <= 0 {
			r.Poll = time.Second
		}
		if r.Batch <= 0 {
			r.Batch = 128
		}
		if r.RetryMin <= 0 {
			r.RetryMin = 10 * time.Millisecond
		}
		if r.RetryMax <= 0 {
			r.RetryMax = 5 * time.Second
		}
		r.RetryMax = max(r.RetryMax, r.RetryMin)
		if r.Logger == nil {
			r.Logger = slog.Default()
		}
	})
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Wake tells the runner a job was submitted; it never blocks.
func (r *Runner) Wake() {
	r.init()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Created counts a job the service committed (amplify.Service.JobCreated).
func (r *Runner) Created(job *amplify.Job) {
	r.Metrics.jobCreated(job)
}

// Run runs due jobs until ctx ends. While the store fails, it waits longer after each
// failure (RetryMin, doubling up to RetryMax) and logs when the failures begin and when they
// end, not at each attempt; a Wake (a job was just submitted, so the store took a write)
// ends the wait early.
func (r *Runner) Run(ctx context.Context) {
	r.init()
	for {
		_, err := r.RunDue(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := r.Poll
		if err != nil {
			wait = r.backoff()
		} else if next, err := r.Store.NextRunAt(ctx); err == nil && !next.IsZero() {
			if d := next.Sub(r.now()); d < wait {
				wait = max(d, time.Millisecond)
			}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-r.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// RunDue runs every job that is due now and returns how many it ran.
//
// Each claimed batch runs in one call of the Executor (one transaction, one commit), the
// jobs in the order they became due, so jobs of one app that depend on each other (a clone
// and a create racing for one environment name) apply in order. The next batch is claimed
// while one runs, so that the claim shares a commit with the running batch instead of
// costing a commit round of its own; it starts once the batch before it is done.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	r.init()
	n := 0
	var running chan []error // the result of the batch in flight, or nil
	var inFlight []*amplify.Job
	var storeErr error // a store failure that left jobs of a batch pending
	finish := func() {
		for i, err := range <-running {
			if err != nil {
				if ctx.Err() != nil {
					continue // shutting down: the job runs again after the restart
				}
				// The job stays pending; it runs again once the lease expires.
				if amplify.ErrorCode(err) == amplify.Unavailable {
					storeErr = err // logged once for the outage, not once per job
					continue
				}
				job := inFlight[i]
				r.Logger.Error("job failed to run; it will be retried", "jobId", job.JobID, "operation", job.Action, "err", err)
				continue
			}
			n++
		}
		running = nil
	}
	var err error
	for ctx.Err() == nil {
		now := r.now()
		lease := amplify.Lease{Owner: r.Owner, Until: now.Add(r.Lease)}
		var claimed []*amplify.Job
		claimed, err = r.Store.ClaimJobs(ctx, now, lease, r.Batch)
		if err != nil || len(claimed) == 0 {
			break
		}
		// A claim is a committed write: whatever failed before works again.
		r.recovered()
		if running != nil {
			finish()
		}
		done := make(chan []error, 1)
		running, inFlight = done, claimed
		r.Metrics.batchStarted(claimed)
		go func() {
			start := time.Now()
			errs := r.Executor.RunJobs(ctx, claimed, lease)
			r.Metrics.batchDone(claimed, errs, time.Since(start))
			done <- errs
		}()
	}
	if running != nil {
		finish()
	}
	if err == nil {
		err = storeErr
	}
	if err == nil {
		err = ctx.Err()
	} else if ctx.Err() == nil {
		r.failed(err)
	}
	return n, err
}

// failed records a failure of the store; the first of a series is logged.
func (r *Runner) failed(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures++
	if r.failures == 1 {
		r.since = time.Now()
		r.Logger.Error("job runner: the store fails; retrying with backoff, logged again when it recovers", "err", err)
	}
}

// recovered ends a series of store failures, logging it.
func (r *Runner) recovered() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failures > 0 {
		r.Logger.Info("job runner: the store works again", "failures", r.failures, "after", time.Since(r.since).Round(time.Millisecond).String())
		r.failures = 0
	}
}

// backoff returns how long to wait after the latest failure: RetryMin doubled for each
// failure before it, at most RetryMax, of which a random half is taken off (jitter).
func (r *Runner) backoff() time.Duration {
	r.mu.Lock()
	n := r.failures
	r.mu.Unlock()
	d := r.RetryMax
	if n <= 30 {
		d = min(r.RetryMin<<max(n-1, 0), r.RetryMax)
	}
	return d/2 + rand.N(d/2+1)
}
