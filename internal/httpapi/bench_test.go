package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/api"
	"github.com/amplifybackendd/amplifybackendd/internal/jobs"
	"github.com/amplifybackendd/amplifybackendd/internal/logging"
	"github.com/amplifybackendd/amplifybackendd/internal/sigv4"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
	"github.com/amplifybackendd/amplifybackendd/internal/wireconfig"
	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
)

// The benchmarks of the full request path: routing, authentication (mode any), decoding and
// validation, the domain, the SQLite store (a real database in b.TempDir(), fsynced commits)
// and encoding, as bench/run.sh measures them over the wire. bench/run.sh runs them with
// -benchmem and -cpuprofile; docs/benchmarks.md has the figures.

// benchAuth is an Authorization header as aws-sdk-go sends it (auth mode any reads only its
// credential scope).
const benchAuth = "AWS4-HMAC-SHA256 Credential=123456789012/20260707/us-east-1/amplifybackend/aws4_request, " +
	"SignedHeaders=host;x-amz-date, Signature=b7b75165fc66befbd1680b947e6a2c9b5bb0af60114835cc582d0f8bc6d57f42"

// benchLoggers are the access-log settings compared: the default (info: one line per
// request, here formatted into io.Discard by the program's handler, internal/logging), off
// (warn), and slog's own TextHandler, which the program used before.
var benchLoggers = []struct {
	name   string
	logger *slog.Logger
}{
	{"log=info", slog.New(logging.New(io.Discard, logging.Options{}))},
	{"log=warn", slog.New(logging.New(io.Discard, logging.Options{Level: slog.LevelWarn}))},
	{"log=info,slog.TextHandler", slog.New(slog.NewTextHandler(io.Discard, nil))},
}

type benchServer struct {
	*Server
	svc   *amplify.Service
	store *sqlite.DB
}

func newBenchServer(b *testing.B, logger *slog.Logger) *benchServer {
	b.Helper()
	store, err := sqlite.Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	svc := &amplify.Service{Configs: wireconfig.Configs{}, Store: store}
	return &benchServer{Server: New(Config{Service: svc, Logger: logger}), svc: svc, store: store}
}

func benchRequest(method, target, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Authorization", benchAuth)
	r.Header.Set("X-Amz-Date", "20260707T150405Z")
	r.Header.Set("User-Agent", "aws-sdk-go/1.55.8 (go1.26; linux; amd64)")
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

// completedJob creates a backend and runs its job: the job GetBackendJob reads.
func (s *benchServer) completedJob(b *testing.B) string {
	b.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, benchRequest("POST", "/backend", `{"appId":"benchapp","appName":"benchapp","backendEnvironmentName":"prod"}`))
	if rec.Code != http.StatusOK {
		b.Fatalf("CreateBackend: %d %s", rec.Code, rec.Body)
	}
	var out struct{ JobID string }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.JobID == "" {
		b.Fatalf("CreateBackend answer %s: %v", rec.Body, err)
	}
	runner := &jobs.Runner{Store: s.store, Executor: s.svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if n, err := runner.RunDue(context.Background()); err != nil || n != 1 {
		b.Fatalf("run the job: ran %d, %v", n, err)
	}
	return out.JobID
}

// BenchmarkGetBackendJob is one GetBackendJob through the whole handler.
func BenchmarkGetBackendJob(b *testing.B) {
	for _, l := range benchLoggers {
		b.Run(l.name, func(b *testing.B) {
			s := newBenchServer(b, l.logger)
			req := benchRequest("GET", "/backend/benchapp/job/prod/"+s.completedJob(b), "")
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("GetBackendJob: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkCreateBackend is one job-creating request, acknowledged after its durable commit:
// serial (one fsync each) and from 64 goroutines (commits shared).
func BenchmarkCreateBackend(b *testing.B) {
	create := func(b *testing.B, s *benchServer, app string, n int64) {
		body := fmt.Sprintf(`{"appId":%q,"appName":%q,"backendEnvironmentName":"e%d"}`, app, app, n)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, benchRequest("POST", "/backend", body))
		if rec.Code != http.StatusOK {
			b.Fatalf("CreateBackend: %d %s", rec.Code, rec.Body)
		}
	}
	b.Run("serial", func(b *testing.B) {
		s := newBenchServer(b, benchLoggers[0].logger)
		b.ReportAllocs()
		var n int64
		for b.Loop() {
			n++
			create(b, s, "benchapp", n)
		}
	})
	b.Run("parallel=64", func(b *testing.B) {
		s := newBenchServer(b, benchLoggers[0].logger)
		var worker, n atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0))) // 64 goroutines in all
		b.RunParallel(func(pb *testing.PB) {
			app := fmt.Sprintf("benchapp%d", worker.Add(1))
			for pb.Next() {
				create(b, s, app, n.Add(1))
			}
		})
	})
	// The same with the job runner executing every job as soon as it is due
	// (--job-duration 0s), as the server runs: the runner's transactions share the writer with
	// the requests'. ran/op is the fraction of the created jobs the runner completed by the
	// end of the run (1 when it keeps up).
	b.Run("parallel=64,runner", func(b *testing.B) {
		s := newBenchServer(b, benchLoggers[0].logger)
		exec := &countingExecutor{Executor: s.svc}
		runner := &jobs.Runner{Store: s.store, Executor: exec, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		s.svc.JobAdded = func(time.Time) { runner.Wake() }
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); runner.Run(ctx) }()
		defer func() { cancel(); <-done }()
		var worker, n atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			app := fmt.Sprintf("benchapp%d", worker.Add(1))
			for pb.Next() {
				create(b, s, app, n.Add(1))
			}
		})
		b.ReportMetric(float64(exec.ran.Load())/float64(n.Load()), "ran/op")
	})
}

// countingExecutor counts the jobs its Executor ran.
type countingExecutor struct {
	jobs.Executor
	ran atomic.Int64
}

func (e *countingExecutor) RunJobs(ctx context.Context, jobs []*amplify.Job, lease amplify.Lease) []error {
	errs := e.Executor.RunJobs(ctx, jobs, lease)
	for _, err := range errs {
		if err == nil {
			e.ran.Add(1)
		}
	}
	return errs
}

// BenchmarkRouter is matching a request path to its operation and checking its parameters.
func BenchmarkRouter(b *testing.B) {
	r := newRouter(api.OperationList())
	for _, c := range []struct{ name, method, path string }{
		{"GetBackendJob", "GET", "/backend/benchapp/job/prod/8b0c62fb-54b0-4a5c-8e3e-2f0d7d5c3a11"},
		{"CreateBackend", "POST", "/backend"},
		{"unknown", "GET", "/no/such/operation/here"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _, _, err := r.match(c.method, c.path)
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGetBackendJobSigV4 is BenchmarkGetBackendJob in auth mode sigv4: the request
// signed by aws-sdk-go v1's signer, its signature verified on every call (a keyring that
// remembers derived signing keys, as the server's does).
func BenchmarkGetBackendJobSigV4(b *testing.B) {
	const key, secret = "AKIABENCH0000000000", "benchSecretKey0000000000000000000000000000"
	kr, err := sigv4.NewKeyring([]sigv4.Key{{AccessKeyID: key, SecretAccessKey: secret, AccountID: "123456789012"}})
	if err != nil {
		b.Fatal(err)
	}
	s := newBenchServer(b, benchLoggers[0].logger)
	jobID := s.completedJob(b) // created in auth mode any, in account 123456789012
	signedAt := time.Date(2026, 7, 7, 15, 4, 5, 0, time.UTC)
	signed := New(Config{Service: s.svc, Logger: benchLoggers[0].logger,
		Auth: SigV4Auth{Keys: kr, Now: func() time.Time { return signedAt.Add(time.Minute) }}})
	req := httptest.NewRequest("GET", "http://127.0.0.1:4580/backend/benchapp/job/prod/"+jobID, nil)
	req.Header.Set("User-Agent", "aws-sdk-go/1.55.8 (go1.26; linux; amd64)")
	signer := v4.NewSigner(credentials.NewStaticCredentials(key, secret, ""))
	if _, err := signer.Sign(req, nil, sigv4.ServiceName, "us-east-1", signedAt); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		signed.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GetBackendJob: %d %s", rec.Code, rec.Body)
		}
	}
}
