// Package storemetrics measures an amplify.Store as the service uses it: how long its
// transactions take, as their callers see it (a SQLite Update waits for the batch it shares
// a commit with, a PostgreSQL one includes its retries), and how many fail because the store
// could not serve (amplify.Unavailable: disk full, read-only, down, timeout), by cause.
package storemetrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// Buckets resolve 100 µs to 10 s: a cached read, an fsynced commit, a batch stuck behind a
// checkpoint or a lock.
var Buckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// causes are the label values of the store failures each store classifies its driver's
// errors into (amplify.FailureKind).
var causes = map[amplify.StoreFailure]string{
	amplify.StoreDiskFull: "disk_full",
	amplify.StoreReadOnly: "read_only",
	amplify.StoreDown:     "down",
	amplify.StoreTimeout:  "timeout",
}

// Store is an amplify.Store that measures the one it wraps; it is also the
// prometheus.Collector of those measures.
type Store struct {
	amplify.Store
	seconds *prometheus.HistogramVec
	errors  *prometheus.CounterVec

	// The observers of the three kinds, resolved once: the label lookup is off the hot path.
	update, view, claim prometheus.Observer
	// peeker is the wrapped store as an amplify.JobPeeker, or nil.
	peeker amplify.JobPeeker
}

var _ amplify.Store = (*Store)(nil)

// Wrap returns store measured.
func Wrap(store amplify.Store) *Store {
	s := &Store{
		Store: store,
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "amplifybackend_store_transaction_seconds",
			Help:    "Store transactions as their callers see them, by kind: update (until durably committed), view (read-only), claim (the job runner's claims).",
			Buckets: Buckets,
		}, []string{"kind"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amplifybackend_store_errors_total",
			Help: "Store transactions that failed because the store could not serve (answered 503 ServiceUnavailableException), by kind and cause: disk_full, read_only, down, timeout.",
		}, []string{"kind", "cause"}),
	}
	for _, kind := range []string{"update", "view", "claim"} {
		for _, cause := range causes {
			s.errors.WithLabelValues(kind, cause) // every series from the start, at 0
		}
	}
	s.peeker, _ = store.(amplify.JobPeeker)
	s.update = s.seconds.WithLabelValues("update")
	s.view = s.seconds.WithLabelValues("view")
	s.claim = s.seconds.WithLabelValues("claim")
	return s
}

// Describe implements prometheus.Collector.
func (s *Store) Describe(ch chan<- *prometheus.Desc) {
	s.seconds.Describe(ch)
	s.errors.Describe(ch)
}

// Collect implements prometheus.Collector.
func (s *Store) Collect(ch chan<- prometheus.Metric) {
	s.seconds.Collect(ch)
	s.errors.Collect(ch)
}

// Update implements amplify.Store.
func (s *Store) Update(ctx context.Context, fn func(amplify.Tx) error) error {
	start := time.Now()
	err := s.Store.Update(ctx, fn)
	s.update.Observe(time.Since(start).Seconds())
	s.count("update", err)
	return err
}

// View implements amplify.Store.
func (s *Store) View(ctx context.Context, fn func(amplify.Tx) error) error {
	start := time.Now()
	err := s.Store.View(ctx, fn)
	s.view.Observe(time.Since(start).Seconds())
	s.count("view", err)
	return err
}

// PeekJob implements amplify.JobPeeker when the wrapped store does. A job answered from
// memory is no transaction: it is not measured.
func (s *Store) PeekJob(key amplify.JobKey) (*amplify.Job, bool) {
	if s.peeker == nil {
		return nil, false
	}
	return s.peeker.PeekJob(key)
}

// ClaimJobs implements amplify.Store.
func (s *Store) ClaimJobs(ctx context.Context, now time.Time, lease amplify.Lease, limit int) ([]*amplify.Job, error) {
	start := time.Now()
	jobs, err := s.Store.ClaimJobs(ctx, now, lease, limit)
	s.claim.Observe(time.Since(start).Seconds())
	s.count("claim", err)
	return jobs, err
}

func (s *Store) count(kind string, err error) {
	if err == nil {
		return
	}
	failure := amplify.FailureKind(err)
	if failure == "" {
		return // the domain's refusal, a canceled request: not the store's failure
	}
	cause, ok := causes[failure]
	if !ok {
		cause = "other" // a kind added to amplify but not here
	}
	s.errors.WithLabelValues(kind, cause).Inc()
}
