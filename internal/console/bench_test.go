package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/console"
	"github.com/amplifybackendd/amplifybackendd/internal/control"
	"github.com/amplifybackendd/amplifybackendd/internal/httpapi"
	"github.com/amplifybackendd/amplifybackendd/internal/schema"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
	"github.com/amplifybackendd/amplifybackendd/internal/testenv"
	"github.com/amplifybackendd/amplifybackendd/internal/wireconfig"
)

// TestMain seals the tests from the machine's AWS_* variables and HOME (internal/testenv).
func TestMain(m *testing.M) { testenv.Main(m) }

// The console's pages at the scale of issue 18: 1,000 apps in one account and region, each
// with an environment, and 100,000 jobs: half of them in one environment (the jobs page of
// the busiest app) and the rest spread over the other apps. The goal is under 50 ms of
// server time per page; every page reads bounded pages of the store (docs/benchmarks.md).
const (
	benchApps = 1000
	benchJobs = 100_000
)

var benchScope = amplify.Scope{Account: "000000000000", Region: "us-east-1"}

func seed(b *testing.B, store amplify.Store) {
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err := store.Update(ctx, func(tx amplify.Tx) error {
		for i := range benchApps {
			key := amplify.AppKey{Scope: benchScope, AppID: fmt.Sprintf("app%04d", i)}
			if err := tx.PutApp(&amplify.App{AppKey: key, Name: "App " + key.AppID, CreatedAt: base}); err != nil {
				return err
			}
			env := &amplify.Environment{EnvKey: amplify.EnvKey{AppKey: key, Env: "dev"}, CreatedAt: base, StackSuffix: "123456", StackUUID: "00000000-0000-4000-8000-000000000000"}
			if err := tx.PutEnvironment(env); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	statuses := []string{amplify.StatusCompleted, amplify.StatusCompleted, amplify.StatusCompleted, amplify.StatusFailed}
	for start := 0; start < benchJobs; start += 10_000 {
		err := store.Update(ctx, func(tx amplify.Tx) error {
			for i := start; i < start+10_000; i++ {
				app := "app0000"
				if i%2 == 1 {
					app = fmt.Sprintf("app%04d", i%benchApps)
				}
				t := base.Add(time.Duration(i) * time.Second)
				job := &amplify.Job{
					JobKey: amplify.JobKey{AppKey: amplify.AppKey{Scope: benchScope, AppID: app}, JobID: fmt.Sprintf("job-%06d", i)},
					Env:    "dev", Operation: amplify.OpCreateBackendAuth, Status: statuses[i%len(statuses)],
					CreatedAt: t, UpdatedAt: t, Action: amplify.OpCreateBackendAuth, Payload: []byte(`{}`), RunAt: t,
				}
				if job.Status == amplify.StatusFailed {
					job.Error = "the user pool name is taken"
				}
				if err := tx.InsertJob(job); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPages(b *testing.B) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	seed(b, store)
	svc := &amplify.Service{Configs: wireconfig.Configs{}, Store: store, CheckSchema: func(_ context.Context, src string) error { return schema.Check(src) }}
	journal := control.NewJournal(control.DefaultJournalSize)
	for i := range control.DefaultJournalSize {
		journal.Record(httpapi.Record{Call: httpapi.Call{Operation: "GetBackendJob", Account: benchScope.Account, Region: benchScope.Region, AppID: fmt.Sprintf("app%04d", i%benchApps)},
			Time: time.Now(), RequestID: fmt.Sprint(i), Status: 200})
	}
	newHandler := func(countsTTL time.Duration) *console.Handler {
		h, err := console.New(console.Config{Service: svc, Faults: control.NewFaults(nil), Journal: journal,
			CheckSchema: schema.Check, Region: benchScope.Region, Auth: "any", StoreKind: "sqlite", StartedAt: time.Now(),
			CountsTTL: countsTTL})
		if err != nil {
			b.Fatal(err)
		}
		return h
	}
	// "overview" counts every job on every render (as the first render after CountsTTL
	// does); the others reuse the totals as an open console does.
	cold, h := newHandler(-1), newHandler(0)
	// The busiest app's jobs page, past its first page: the NextToken of page one.
	firstPage, err := svc.ListJobs(ctx, amplify.EnvKey{AppKey: amplify.AppKey{Scope: benchScope, AppID: "app0000"}, Env: "dev"}, amplify.JobFilter{}, 25, "")
	if err != nil {
		b.Fatal(err)
	}
	q := "?account=000000000000&region=us-east-1"
	pages := []struct {
		name, path string
		h          *console.Handler
	}{
		{"overview", "/", cold},
		{"overview-totals-reused", "/", h},
		{"overview-last-apps", "/" + q + "&after=app0974", h},
		{"app", "/apps/app0000", h},
		{"environment", "/apps/app0000/envs/dev", h},
		{"model", "/apps/app0000/envs/dev/model", h},
		{"jobs", "/apps/app0000/jobs", h},
		{"jobs-page2", "/apps/app0000/jobs" + q + "&env=dev&next=" + firstPage.NextToken, h},
		{"jobs-failed", "/apps/app0000/jobs" + q + "&env=dev&status=FAILED", h},
		{"testing", "/testing", h},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				p.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, console.Prefix+p.path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", p.path, rec.Code, rec.Body.String())
				}
			}
		})
	}
}
