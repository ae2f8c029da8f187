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
	// Workers is how many heavy jobs (amplify.Job.Heavy) run at once, each on its own, beside
	// the batches of the others (1 when 0). Accounts take turns: a queued job of an account
	// with no heavy job running goes first.
	Workers int
	// Metrics, when set, counts the jobs created (Created), started and finished.
	Metrics *Metrics
	// RetryMin and RetryMax bound the wait after the store failed: it starts at RetryMin
	// and doubles with each failure in a row up to RetryMax, each wait drawn between half
	// the bound and the bound, so that replicas do not retry in step (10ms and 5s when 0).
	RetryMin, RetryMax time.Duration

	once sync.Once
	wake chan struct{}

	outage   sync.Mutex // guards failures and since
	failures int        // store failures in a row
	since    time.Time  // when the first of them happened

	mu       sync.Mutex
	queues   map[string][]heavyJob // queued heavy jobs by account
	turns    []string              // the accounts with queued jobs, in the order of their turns
	busy     map[string]int        // running heavy jobs by account
	running  int
	known    map[amplify.JobKey]bool // heavy jobs queued or running
	finished chan struct{}           // signalled when a heavy job ends
	heavy    sync.WaitGroup
	ran      int // heavy jobs completed or failed, not yet counted by RunDue
}

// heavyJob is a claimed heavy job waiting for a worker.
type heavyJob struct {
	job   *amplify.Job
	lease amplify.Lease
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
		if r.Workers <= 0 {
			r.Workers = 1
		}
		r.queues, r.busy, r.known = map[string][]heavyJob{}, map[string]int{}, map[amplify.JobKey]bool{}
		r.finished = make(chan struct{}, 1)
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

// Run runs due jobs until ctx ends; it returns once the heavy jobs it started have stopped.
// While the store fails, it waits longer after each failure (RetryMin, doubling up to
// RetryMax) and logs when the failures begin and when they end, not at each attempt; a Wake
// (a job was just submitted, so the store took a write) ends the wait early.
func (r *Runner) Run(ctx context.Context) {
	r.init()
	defer r.stopHeavy()
	for {
		_, err := r.runDue(ctx)
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
//
// Heavy jobs are queued for the workers; RunDue waits until every heavy job has ended.
//
// A failure of the store (a claim, or a batch's commit: amplify.Unavailable) is returned and
// counted for Run's backoff; it is logged when a series of failures begins, and the jobs it
// left pending run again once their lease expires.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	r.init()
	n, err := r.runDue(ctx)
	for {
		r.mu.Lock()
		idle := r.running == 0 && len(r.turns) == 0
		n += r.ran
		r.ran = 0
		r.mu.Unlock()
		if idle {
			break
		}
		if ctx.Err() != nil {
			r.stopHeavy()
			break
		}
		select {
		case <-r.finished:
		case <-ctx.Done():
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	return n, err
}

// runDue runs the due jobs that are not heavy, queues the heavy ones and returns without
// waiting for them.
func (r *Runner) runDue(ctx context.Context) (int, error) {
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
		claimed = r.queueHeavy(ctx, claimed, lease)
		if len(claimed) == 0 {
			continue
		}
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

// queueHeavy queues the heavy jobs of a claimed batch for the workers and returns the others.
// A heavy job already queued or running is not queued again: the claim that returned it (its
// lease had expired while it waited) has renewed its lease.
func (r *Runner) queueHeavy(ctx context.Context, claimed []*amplify.Job, lease amplify.Lease) []*amplify.Job {
	light := claimed[:0:0]
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, job := range claimed {
		if !job.Heavy() {
			light = append(light, job)
			continue
		}
		if r.known[job.JobKey] {
			continue
		}
		r.known[job.JobKey] = true
		if len(r.queues[job.Account]) == 0 {
			r.turns = append(r.turns, job.Account)
		}
		r.queues[job.Account] = append(r.queues[job.Account], heavyJob{job, lease})
	}
	r.dispatch(ctx)
	return light
}

// stopHeavy waits for the heavy jobs running (their context has ended) and forgets the
// queued ones: their leases expire, and they run again, here or elsewhere.
func (r *Runner) stopHeavy() {
	r.heavy.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, q := range r.queues {
		for _, h := range q {
			delete(r.known, h.job.JobKey)
		}
	}
	r.queues, r.turns = map[string][]heavyJob{}, nil
}

// dispatch starts queued heavy jobs while workers are free; r.mu is held.
func (r *Runner) dispatch(ctx context.Context) {
	for r.running < r.Workers {
		h, ok := r.nextHeavy()
		if !ok {
			return
		}
		r.running++
		r.busy[h.job.Account]++
		r.heavy.Add(1)
		go func() {
			defer r.heavy.Done()
			one := []*amplify.Job{h.job}
			r.Metrics.batchStarted(one)
			start := time.Now()
			errs := r.Executor.RunJobs(ctx, one, h.lease)
			r.Metrics.batchDone(one, errs, time.Since(start))
			err := errs[0]
			r.mu.Lock()
			defer r.mu.Unlock()
			r.running--
			if r.busy[h.job.Account]--; r.busy[h.job.Account] == 0 {
				delete(r.busy, h.job.Account)
			}
			delete(r.known, h.job.JobKey)
			switch {
			case err == nil:
				r.ran++
			case ctx.Err() != nil:
			case amplify.ErrorCode(err) == amplify.Unavailable:
				r.failed(err) // logged once for the outage, not once per job
			default:
				r.Logger.Error("job failed to run; it will be retried", "jobId", h.job.JobID, "operation", h.job.Action, "err", err)
			}
			select {
			case r.finished <- struct{}{}:
			default:
			}
			if ctx.Err() == nil {
				r.dispatch(ctx)
			}
		}()
	}
}

// nextHeavy takes the next queued heavy job: the first in turn of an account with no heavy
// job running, else the first in turn. The account goes to the end of the turns.
func (r *Runner) nextHeavy() (heavyJob, bool) {
	for pass := range 2 {
		for i, account := range r.turns {
			if pass == 0 && r.busy[account] > 0 {
				continue
			}
			q := r.queues[account]
			h := q[0]
			r.turns = append(r.turns[:i:i], r.turns[i+1:]...)
			if len(q) > 1 {
				r.queues[account] = q[1:]
				r.turns = append(r.turns, account)
			} else {
				delete(r.queues, account)
			}
			return h, true
		}
	}
	return heavyJob{}, false
}

// failed records a failure of the store; the first of a series is logged.
func (r *Runner) failed(err error) {
	r.outage.Lock()
	defer r.outage.Unlock()
	r.failures++
	if r.failures == 1 {
		r.since = time.Now()
		r.Logger.Error("job runner: the store fails; retrying with backoff, logged again when it recovers", "err", err)
	}
}

// recovered ends a series of store failures, logging it.
func (r *Runner) recovered() {
	r.outage.Lock()
	defer r.outage.Unlock()
	if r.failures > 0 {
		r.Logger.Info("job runner: the store works again", "failures", r.failures, "after", time.Since(r.since).Round(time.Millisecond).String())
		r.failures = 0
	}
}

// backoff returns how long to wait after the latest failure: RetryMin doubled for each
// failure before it, at most RetryMax, of which a random half is taken off (jitter).
func (r *Runner) backoff() time.Duration {
	r.outage.Lock()
	n := r.failures
	r.outage.Unlock()
	d := r.RetryMax
	if n <= 30 {
		d = min(r.RetryMin<<max(n-1, 0), r.RetryMax)
	}
	return d/2 + rand.N(d/2+1)
}
