package control

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/httpapi"
	"github.com/amplifybackendd/amplifybackendd/internal/jobs"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
	"github.com/amplifybackendd/amplifybackendd/internal/wireconfig"
)

// BenchmarkGetBackendJobHooks measures what the control plane costs the AWS hot path: one
// GetBackendJob through the whole handler (SQLite, job cache) with the control plane absent
// (no hooks), present but unused (no fault rule, no journal), with the journal recording, and
// with a fault rule that matches another operation (every request scans it).
func BenchmarkGetBackendJobHooks(b *testing.B) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cases := []struct {
		name  string
		setup func(cfg *httpapi.Config)
	}{
		{"absent", func(cfg *httpapi.Config) {}},
		{"unused", func(cfg *httpapi.Config) {
			f := NewFaults(nil)
			cfg.Faults = f
			cfg.Control = New(Config{Service: cfg.Service, Faults: f})
		}},
		{"journal", func(cfg *httpapi.Config) {
			f := NewFaults(nil)
			cfg.Faults, cfg.Journal = f, NewJournal(DefaultJournalSize)
		}},
		{"journal+rule-other-op", func(cfg *httpapi.Config) {
			f := NewFaults(nil)
			if _, err := f.Add(Rule{Operation: "CreateBackend", Latency: "1s"}); err != nil {
				b.Fatal(err)
			}
			cfg.Faults, cfg.Journal = f, NewJournal(DefaultJournalSize)
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			store, err := sqlite.Open(context.Background(), b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { store.Close() })
			svc := &amplify.Service{Configs: wireconfig.Configs{}, Store: store}
			cfg := httpapi.Config{Service: svc, Logger: quiet}
			c.setup(&cfg)
			srv := httpapi.New(cfg)
			jobID := benchJob(b, srv, store, svc)
			req := benchRequest("GET", "/backend/benchapp/job/prod/"+jobID, "")
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("GetBackendJob: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

func benchRequest(method, target, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=123456789012/20260707/us-east-1/amplifybackend/aws4_request, "+
		"SignedHeaders=host;x-amz-date, Signature=b7b75165fc66befbd1680b947e6a2c9b5bb0af60114835cc582d0f8bc6d57f42")
	r.Header.Set("X-Amz-Date", "20260707T150405Z")
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

// benchJob creates a backend and runs its job: the job GetBackendJob reads.
func benchJob(b *testing.B, srv http.Handler, store *sqlite.DB, svc *amplify.Service) string {
	b.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, benchRequest("POST", "/backend", `{"appId":"benchapp","appName":"benchapp","backendEnvironmentName":"prod"}`))
	var out struct{ JobID string }
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil || out.JobID == "" {
		b.Fatalf("CreateBackend: %d %s", rec.Code, rec.Body)
	}
	runner := &jobs.Runner{Store: store, Executor: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if n, err := runner.RunDue(context.Background()); err != nil || n != 1 {
		b.Fatalf("run the job: ran %d, %v", n, err)
	}
	return out.JobID
}
