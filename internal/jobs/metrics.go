package jobs

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// Metrics are the jobs' Prometheus metrics: the runner moves them (and Runner.Added counts
// the jobs the service creates), and the pending-job gauges are read from the store at each
// scrape, so every replica sharing a store reports the same backlog. Labels are the job's
// action, one of the job-creating operations, never an id.
type Metrics struct {
	store amplify.Store
	now   func() time.Time

	created, started, completed, failed, retried *prometheus.CounterVec
	run                                          *prometheus.HistogramVec
	pending, pendingAge                          *prometheus.Desc
}

// NewMetrics returns the jobs' metrics, reading the backlog from store (now is the clock,
// time.Now when nil). Register it with a prometheus.Registerer.
func NewMetrics(store amplify.Store, now func() time.Time) *Metrics {
	if now == nil {
		now = time.Now
	}
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"operation"})
	}
	m := &Metrics{
		store:     store,
		now:       now,
		created:   counter("amplifybackend_jobs_created_total", "Jobs created (committed), by the operation that created them."),
		started:   counter("amplifybackend_jobs_started_total", "Jobs this process claimed and began to run."),
		completed: counter("amplifybackend_jobs_completed_total", "Jobs this process ran to COMPLETED."),
		failed:    counter("amplifybackend_jobs_failed_total", "Jobs this process ran to FAILED (their effect refused, e.g. a precondition no longer held)."),
		retried:   counter("amplifybackend_jobs_errors_total", "Jobs that hit an internal error and stay pending, to run again when their lease expires."),
		run: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "amplifybackend_job_run_seconds",
			Help: "Time from a job's claim to its outcome; jobs run in batches, and a job's time is its batch's.",
			// 1 ms (a batch of trivial jobs) to 60 s (model generation of a huge schema).
			Buckets: prometheus.ExponentialBucketsRange(0.001, 60, 16),
		}, []string{"operation"}),
		pending:    prometheus.NewDesc("amplifybackend_jobs_pending", "Jobs pending in the store (waiting for their time, or due and not yet run), all processes.", nil, nil),
		pendingAge: prometheus.NewDesc("amplifybackend_jobs_pending_overdue_seconds", "How long the earliest pending job has been due (0 when none is due): grows when no runner keeps up.", nil, nil),
	}
	// Every series exists from the start, at 0: a rate over a series that appears with its
	// first event misses that event, and an alert cannot tell "none" from "not exported".
	for _, action := range amplify.JobActions() {
		for _, c := range []*prometheus.CounterVec{m.created, m.started, m.completed, m.failed, m.retried} {
			c.WithLabelValues(action)
		}
		m.run.WithLabelValues(action)
	}
	return m
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range m.collectors() {
		c.Describe(ch)
	}
	ch <- m.pending
	ch <- m.pendingAge
}

// Collect implements prometheus.Collector. The backlog is read with one indexed query; when
// the store does not answer, the gauges are left out of this scrape (an alert on absent
// data, or on the store's errors, sees it).
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	for _, c := range m.collectors() {
		c.Collect(ch)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, earliest, err := m.store.PendingJobs(ctx)
	if err != nil {
		return
	}
	overdue := 0.0
	if !earliest.IsZero() {
		overdue = max(0, m.now().Sub(earliest).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(m.pending, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(m.pendingAge, prometheus.GaugeValue, overdue)
}

func (m *Metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.created, m.started, m.completed, m.failed, m.retried, m.run}
}

// jobCreated counts a job the service committed.
func (m *Metrics) jobCreated(job *amplify.Job) {
	if m != nil {
		m.created.WithLabelValues(job.Action).Inc()
	}
}

// batchStarted counts the jobs of a claimed batch.
func (m *Metrics) batchStarted(batch []*amplify.Job) {
	if m == nil {
		return
	}
	for _, job := range batch {
		m.started.WithLabelValues(job.Action).Inc()
	}
}

// batchDone counts the outcome of each job of a batch that ran for d: the Executor sets the
// Status of the jobs it completed or failed; an error leaves the job pending.
func (m *Metrics) batchDone(batch []*amplify.Job, errs []error, d time.Duration) {
	if m == nil {
		return
	}
	for i, job := range batch {
		m.run.WithLabelValues(job.Action).Observe(d.Seconds())
		switch {
		case i < len(errs) && errs[i] != nil:
			m.retried.WithLabelValues(job.Action).Inc()
		case job.Status == amplify.StatusCompleted:
			m.completed.WithLabelValues(job.Action).Inc()
		case job.Status == amplify.StatusFailed:
			m.failed.WithLabelValues(job.Action).Inc()
		}
	}
}
