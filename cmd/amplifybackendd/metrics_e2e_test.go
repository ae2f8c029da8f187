package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape is one parse of /metrics.
type scrape map[string]*dto.MetricFamily

// scrapeMetrics GETs url (a /metrics endpoint), parses it with Prometheus's text parser and
// lints it as `promtool check metrics` does.
func scrapeMetrics(t *testing.T, url string) scrape {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v\n%s", url, resp.StatusCode, err, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	problems, err := promlint.New(bytes.NewReader(body)).Lint()
	if err != nil {
		t.Fatalf("lint: %v", err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "amplifybackend_") {
			t.Errorf("promlint: %s: %s", p.Metric, p.Text)
		}
	}
	return families
}

// value is the counter, gauge or histogram count of name whose labels include want; 0
// when there is no such series.
func (s scrape) value(name string, want ...string) float64 {
	f := s[name]
	if f == nil {
		return 0
	}
	var sum float64
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for i := 0; i+1 < len(want); i += 2 {
			if labels[want[i]] != want[i+1] {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

// /metrics moves with the requests and jobs it describes: requests by operation and status,
// latency, jobs created, started and completed, the pending backlog and how overdue it is,
// store transactions; Go and process metrics are there; no label carries an id.
func TestMetricsMoveWithRequests(t *testing.T) {
	s := startServer(t)
	url := s.URL() + "/metrics"
	before := scrapeMetrics(t, url)
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "amplifybackend_jobs_pending"} {
		if before[name] == nil {
			t.Errorf("%s missing from /metrics", name)
		}
	}

	out, err := s.client.CreateBackend(&amplifybackend.CreateBackendInput{
		AppId: aws.String("metricsapp"), AppName: aws.String("metricsapp"), BackendEnvironmentName: aws.String("dev"),
	})
	if err != nil {
		t.Fatalf("CreateBackend: %v", err)
	}
	s.clock.Advance(90 * time.Second) // the job has been due for 90 s
	mid := scrapeMetrics(t, url)
	if got := mid.value("amplifybackend_jobs_created_total", "operation", "CreateBackend"); got != 1 {
		t.Errorf("jobs created = %v, want 1", got)
	}
	if got := mid.value("amplifybackend_jobs_pending"); got != 1 {
		t.Errorf("jobs pending = %v, want 1", got)
	}
	if got := mid.value("amplifybackend_jobs_pending_overdue_seconds"); got != 90 {
		t.Errorf("pending overdue = %v s, want 90", got)
	}

	s.runJobs()
	const gets = 3
	for range gets {
		if _, err := s.client.GetBackendJob(&amplifybackend.GetBackendJobInput{
			AppId: aws.String("metricsapp"), BackendEnvironmentName: aws.String("dev"), JobId: out.JobId,
		}); err != nil {
			t.Fatalf("GetBackendJob: %v", err)
		}
	}
	_, err = s.client.GetBackendJob(&amplifybackend.GetBackendJobInput{
		AppId: aws.String("metricsapp"), BackendEnvironmentName: aws.String("dev"), JobId: aws.String("no-such-job"),
	})
	wantCode(t, err, "NotFoundException")

	after := scrapeMetrics(t, url)
	diff := func(name string, labels ...string) float64 {
		return after.value(name, labels...) - before.value(name, labels...)
	}
	checks := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"amplifybackend_http_requests_total", []string{"operation", "GetBackendJob", "code", "200"}, gets},
		{"amplifybackend_http_requests_total", []string{"operation", "GetBackendJob", "code", "404"}, 1},
		{"amplifybackend_http_requests_total", []string{"operation", "CreateBackend", "code", "200"}, 1},
		{"amplifybackend_http_request_duration_seconds", []string{"operation", "GetBackendJob"}, gets + 1},
		{"amplifybackend_jobs_started_total", []string{"operation", "CreateBackend"}, 1},
		{"amplifybackend_jobs_completed_total", []string{"operation", "CreateBackend"}, 1},
		{"amplifybackend_jobs_failed_total", nil, 0},
		{"amplifybackend_job_run_seconds", []string{"operation", "CreateBackend"}, 1},
		{"amplifybackend_jobs_pending", nil, 0},
		{"amplifybackend_store_errors_total", nil, 0},
	}
	for _, c := range checks {
		if got := diff(c.name, c.labels...); got != c.want {
			t.Errorf("%s%v moved by %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if got := after.value("amplifybackend_jobs_pending_overdue_seconds"); got != 0 {
		t.Errorf("pending overdue with nothing pending = %v, want 0", got)
	}
	if got := diff("amplifybackend_store_transaction_seconds", "kind", "update"); got < 2 {
		t.Errorf("store updates observed: %v, want at least the create and the job's run", got)
	}
	for name, f := range after {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.Contains(l.GetValue(), "metricsapp") || strings.Contains(l.GetValue(), "/backend") || l.GetValue() == "000000000000" {
					t.Errorf("%s has an unbounded label %s=%q", name, l.GetName(), l.GetValue())
				}
			}
		}
	}
}

// Requests the rate limit refuses are counted.
func TestMetricsRateLimited(t *testing.T) {
	s := startServer(t, func(m *Main) { m.Config.RateLimit, m.Config.RateBurst = 1, 1 })
	list := func() error {
		_, err := s.client.ListS3Buckets(&amplifybackend.ListS3BucketsInput{})
		return err
	}
	if err := list(); err != nil {
		t.Fatalf("first request: %v", err)
	}
	wantCode(t, list(), "TooManyRequestsException") // the fake clock stands still: no refill
	m := scrapeMetrics(t, s.URL()+"/metrics")
	if got := m.value("amplifybackend_rate_limited_requests_total", "operation", "ListS3Buckets"); got != 1 {
		t.Errorf("rate-limited requests = %v, want 1", got)
	}
	if got := m.value("amplifybackend_http_requests_total", "operation", "ListS3Buckets", "code", "429"); got != 1 {
		t.Errorf("429 answers = %v, want 1", got)
	}
}

// In auth mode sigv4 the API listener answers /metrics as a path of no operation; the
// metrics and the profiler are on --debug-addr only, which is off by default.
func TestMetricsDebugAddr(t *testing.T) {
	plain := startServer(t)
	if plain.DebugURL() != "" {
		t.Errorf("a debug listener runs without --debug-addr: %s", plain.DebugURL())
	}

	s, _ := startSigV4Server(t, []func(*Main){func(m *Main) { m.Config.DebugAddr = "127.0.0.1:0" }}, sigAlpha)
	resp, body := s.raw("GET", "/metrics", "", nil)
	if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "amplifybackend_") {
		t.Errorf("/metrics on the API listener in mode sigv4: %d %.200s; want the API's 404 and no metrics", resp.StatusCode, body)
	}
	m := scrapeMetrics(t, s.DebugURL()+"/metrics")
	if got := m.value("amplifybackend_http_requests_total", "operation", "unknown", "code", "404"); got != 1 {
		t.Errorf("the refused /metrics request is not counted: %v", got)
	}
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap?debug=1", "/debug/pprof/cmdline"} {
		r, err := http.Get(s.DebugURL() + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 200 || len(b) == 0 {
			t.Errorf("GET %s on the debug listener: %d, %d bytes", path, r.StatusCode, len(b))
		}
	}
}

// The Grafana dashboard and the alert rules in docs/ name only metrics the server exports.
func TestMetricsDocsNameRealMetrics(t *testing.T) {
	s := startServer(t)
	// Histograms show up in queries by their series' names.
	exported := map[string]bool{}
	for name, f := range scrapeMetrics(t, s.URL()+"/metrics") {
		exported[name] = true
		if f.GetType() == dto.MetricType_HISTOGRAM {
			for _, suffix := range []string{"_bucket", "_count", "_sum"} {
				exported[name+suffix] = true
			}
		}
	}
	named := regexp.MustCompile(`\b(amplifybackend|go|process)_[a-z0-9_]+`)
	for _, doc := range []string{"../../docs/grafana-dashboard.json", "../../docs/prometheus-rules.yml"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(doc, ".json") && !json.Valid(b) {
			t.Errorf("%s is not valid JSON", doc)
		}
		found := 0
		for _, name := range named.FindAllString(string(b), -1) {
			found++
			if !exported[name] {
				t.Errorf("%s names %s, which /metrics does not export", doc, name)
			}
		}
		if found == 0 {
			t.Errorf("%s names no metric", doc)
		}
	}
}

// Faults a control-plane rule injects are counted by operation and kind, apart from the
// server's own errors.
func TestMetricsFaultsInjected(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "d5faultmx", "faults", "dev")
	resp, body := s.raw("POST", "/_amplifybackend/faults",
		`{"operation":"GetBackend","appId":"d5faultmx","times":1,"error":{"status":503,"code":"ServiceUnavailableException","message":"try again"}}`, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("add a fault rule: %d %s", resp.StatusCode, body)
	}
	for range 2 { // the first answer is the fault, the second the real one
		s.raw("POST", "/backend/d5faultmx/details", "", nil)
	}
	m := scrapeMetrics(t, s.URL()+"/metrics")
	if got := m.value("amplifybackend_faults_injected_total", "operation", "GetBackend", "kind", "error"); got != 1 {
		t.Errorf("faults injected = %v, want 1", got)
	}
	if got := m.value("amplifybackend_http_requests_total", "operation", "GetBackend", "code", "503"); got != 1 {
		t.Errorf("503 answers = %v, want 1", got)
	}
	if got := m.value("amplifybackend_http_requests_total", "operation", "control", "code", "200"); got != 1 {
		t.Errorf("control-plane requests = %v, want 1", got)
	}

	// A job a rule makes fail is counted as failed when it runs, not completed.
	resp, body = s.raw("POST", "/_amplifybackend/faults", `{"operation":"CreateBackend","jobError":"Resource limit exceeded","times":1}`, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("add a jobError rule: %d %s", resp.StatusCode, body)
	}
	out, err := s.client.CreateBackend(&amplifybackend.CreateBackendInput{
		AppId: aws.String("d5faultmx"), AppName: aws.String("faults"), BackendEnvironmentName: aws.String("prod"),
	})
	if err != nil {
		t.Fatalf("CreateBackend: %v", err)
	}
	if st := s.finish(s.client, "d5faultmx", "prod", out.JobId); aws.StringValue(st.Status) != "FAILED" {
		t.Fatalf("the job with an injected error: %s", aws.StringValue(st.Status))
	}
	after := scrapeMetrics(t, s.URL()+"/metrics")
	if got := after.value("amplifybackend_jobs_failed_total", "operation", "CreateBackend"); got != 1 {
		t.Errorf("jobs failed = %v, want 1", got)
	}
	if got := after.value("amplifybackend_jobs_completed_total", "operation", "CreateBackend"); got != 1 {
		t.Errorf("jobs completed = %v, want 1 (the first backend's)", got)
	}
	if got := after.value("amplifybackend_faults_injected_total", "operation", "CreateBackend", "kind", "job_error"); got != 1 {
		t.Errorf("job_error faults = %v, want 1", got)
	}
}
