package httpapi

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/amplifybackendd/amplifybackendd/internal/api"
)

// Metrics are the HTTP server's Prometheus metrics: requests by operation and status code,
// their latency by operation, the requests the rate limit refused and the faults the control
// plane's rules injected. The operation label is one of the model's operation names,
// "healthz", "OPTIONS", "control" (the test control plane) or "unknown" (no route matched):
// never a path, an app id, an account or a rule id.
type Metrics struct {
	requests    *prometheus.CounterVec
	seconds     *prometheus.HistogramVec
	rateLimited *prometheus.CounterVec
	faults      *prometheus.CounterVec
	inFlight    prometheus.Gauge

	// ops holds each known operation's series, resolved once, so that a request costs no
	// label lookup; read-only after NewMetrics.
	ops map[string]*opMetrics
}

type opMetrics struct {
	seconds prometheus.Observer
	ok      prometheus.Counter // code 200, by far the most common
}

// LatencyBuckets resolve 100 µs (a cached GetBackendJob) to 10 s.
var LatencyBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// opUnknown is the operation label of a request no route matched.
const opUnknown = "unknown"

// NewMetrics returns the server's metrics. Register it with a prometheus.Registerer and pass
// it in Config.Metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amplifybackend_http_requests_total",
			Help: "Requests answered, by operation and HTTP status code (499: the client went away first).",
		}, []string{"operation", "code"}),
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "amplifybackend_http_request_duration_seconds",
			Help:    "Time from a request's headers read to its answer written, by operation.",
			Buckets: LatencyBuckets,
		}, []string{"operation"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amplifybackend_rate_limited_requests_total",
			Help: "Requests refused with TooManyRequestsException by the per-account rate limit (--rate-limit), by operation.",
		}, []string{"operation"}),
		faults: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amplifybackend_faults_injected_total",
			Help: "Faults the test control plane's rules injected into AWS requests, by operation and kind: latency, error (an answer of the rule's status), job_error (the job it starts fails).",
		}, []string{"operation", "kind"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "amplifybackend_http_requests_in_flight",
			Help: "Requests being served.",
		}),
		ops: map[string]*opMetrics{},
	}
	names := []string{"healthz", "OPTIONS", "control", opUnknown}
	for _, op := range api.OperationList() {
		names = append(names, op.Name)
		for _, kind := range faultKinds {
			m.faults.WithLabelValues(op.Name, kind)
		}
	}
	for _, name := range names {
		m.rateLimited.WithLabelValues(name) // every series from the start, at 0
		m.ops[name] = &opMetrics{
			seconds: m.seconds.WithLabelValues(name),
			ok:      m.requests.WithLabelValues(name, "200"),
		}
	}
	return m
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	m.requests.Describe(ch)
	m.seconds.Describe(ch)
	m.rateLimited.Describe(ch)
	m.faults.Describe(ch)
	m.inFlight.Describe(ch)
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.requests.Collect(ch)
	m.seconds.Collect(ch)
	m.rateLimited.Collect(ch)
	m.faults.Collect(ch)
	m.inFlight.Collect(ch)
}

// begin counts a request in flight; nil-safe, as are the other methods.
func (m *Metrics) begin() {
	if m != nil {
		m.inFlight.Inc()
	}
}

// observe counts an answered request.
func (m *Metrics) observe(operation string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.inFlight.Dec()
	if operation == "" {
		operation = opUnknown
	}
	om := m.ops[operation]
	if om == nil { // every name the server sets is known: this is a safety net
		om = &opMetrics{seconds: m.seconds.WithLabelValues(opUnknown), ok: m.requests.WithLabelValues(opUnknown, "200")}
		operation = opUnknown
	}
	om.seconds.Observe(d.Seconds())
	if status == 200 {
		om.ok.Inc()
		return
	}
	m.requests.WithLabelValues(operation, strconv.Itoa(status)).Inc()
}

// limited counts a request the rate limit refused.
func (m *Metrics) limited(operation string) {
	if m != nil {
		m.rateLimited.WithLabelValues(operation).Inc()
	}
}

// faultKinds are the kind label's values: what a fault rule does to a request.
var faultKinds = []string{"latency", "error", "job_error"}

// faultInjected counts what the fault f does to a request of operation (a rule may add
// latency and then answer an error: both are counted).
func (m *Metrics) faultInjected(operation string, f Fault) {
	if m == nil {
		return
	}
	if f.Latency > 0 {
		m.faults.WithLabelValues(operation, "latency").Inc()
	}
	if f.Status != 0 {
		m.faults.WithLabelValues(operation, "error").Inc()
	}
	if f.JobError != "" {
		m.faults.WithLabelValues(operation, "job_error").Inc()
	}
}
