// Package jobs runs asynchronous jobs: it claims due jobs from the store with a lease and has
// the domain apply them. Claims are made in the database, so any number of runners, in one
// process or several, share the work and a job runs once; a runner that dies loses its leases
// when they expire and another finishes its jobs.
package jobs

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/google/uuid"
)

// Executor applies a claimed job: amplify.Service.
type Executor interface {
	RunJob(ctx context.Context, job *amplify.Job, lease amplify.Lease) error
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
	// Batch is how many due jobs the runner claims at once (64 when 0); up to two batches
	// run side by side, and their completions share the store's commits.
	Batch int

	once sync.Once
	wake chan struct{}
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
			r.Batch = 64
		}
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

// Run runs due jobs until ctx ends.
func (r *Runner) Run(ctx context.Context) {
	r.init()
	for {
		if _, err := r.RunDue(ctx); err != nil && ctx.Err() == nil {
			r.Logger.Error("running jobs", "err", err)
		}
		wait := r.Poll
		if next, err := r.Store.NextRunAt(ctx); err == nil && !next.IsZero() {
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
// Claims are pipelined: while one batch runs, the next is claimed, so that a claim shares
// its commit with the running jobs' completions instead of costing a commit round of its
// own. At most two batches are in flight. Jobs of different environments of one app can
// depend on each other (a clone and a create may race for one environment name), so an
// app's jobs run one after another in the order they were claimed, across batches; jobs of
// different apps run side by side.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	r.init()
	var (
		ran   atomic.Int64
		wg    sync.WaitGroup
		slots = make(chan struct{}, 2*r.Batch) // one per job in flight
		// tails holds, per app, a channel closed when the app's last claimed jobs are done.
		// Only this goroutine touches the map.
		tails = map[amplify.AppKey]chan struct{}{}
		err   error
	)
	for ctx.Err() == nil {
		// Wait until a whole batch fits.
		for range r.Batch {
			slots <- struct{}{}
		}
		now := r.now()
		lease := amplify.Lease{Owner: r.Owner, Until: now.Add(r.Lease)}
		var claimed []*amplify.Job
		claimed, err = r.Store.ClaimJobs(ctx, now, lease, r.Batch)
		for range r.Batch - len(claimed) {
			<-slots
		}
		if err != nil || len(claimed) == 0 {
			break
		}
		byApp := map[amplify.AppKey][]*amplify.Job{}
		var order []amplify.AppKey
		for _, job := range claimed {
			if _, ok := byApp[job.AppKey]; !ok {
				order = append(order, job.AppKey)
			}
			byApp[job.AppKey] = append(byApp[job.AppKey], job)
		}
		for _, app := range order {
			prev, done := tails[app], make(chan struct{})
			tails[app] = done
			wg.Add(1)
			go func(jobs []*amplify.Job) {
				defer wg.Done()
				defer close(done)
				if prev != nil {
					<-prev
				}
				for _, job := range jobs {
					if err := r.Executor.RunJob(ctx, job, lease); err != nil {
						// The job stays pending; it runs again once the lease expires.
						r.Logger.Error("job failed to run; it will be retried", "jobId", job.JobID, "operation", job.Action, "err", err)
					} else {
						ran.Add(1)
					}
					<-slots
				}
			}(byApp[app])
		}
		// Forget the apps whose jobs are all done, so the map stays as small as what is in
		// flight.
		for app, done := range tails {
			select {
			case <-done:
				delete(tails, app)
			default:
			}
		}
	}
	wg.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return int(ran.Load()), err
}
