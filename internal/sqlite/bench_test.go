package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
	"github.com/google/uuid"
)

// The store's reads by key and by page, at two table sizes: their cost must not grow with the
// number of jobs stored. bench/run.sh measures the same over the wire up to 1,000,000 jobs.

var benchEnv = amplify.EnvKey{
	AppKey: amplify.AppKey{Scope: amplify.Scope{Account: "123456789012", Region: "us-east-1"}, AppID: "benchapp"},
	Env:    "prod",
}

// seedJobs stores n jobs of benchEnv (90% COMPLETED, 7% FAILED, 3% IN_PROGRESS, none
// pending) in transactions of 10,000 and returns their ids.
func seedJobs(b *testing.B, store *sqlite.DB, n int) []string {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 7, 7, 15, 4, 5, 0, time.UTC)
	ids := make([]string, 0, n)
	for len(ids) < n {
		batch := make([]amplify.Job, min(10000, n-len(ids)))
		for i := range batch {
			j := amplify.Job{
				JobKey: amplify.JobKey{AppKey: benchEnv.AppKey, JobID: uuid.NewString()},
				Env:    benchEnv.Env, Operation: amplify.OpUpdateBackendAuth, Action: amplify.OpUpdateBackendAuth,
				Status: amplify.StatusCompleted, CreatedAt: now, UpdatedAt: now, RunAt: now,
				Payload: json.RawMessage(`{"resourceName":"benchapp","resourceConfig":{}}`),
			}
			switch r := rng.Float64(); {
			case r < 0.07:
				j.Status, j.Error = amplify.StatusFailed, "The backend environment prod was modified by another job."
			case r < 0.10:
				j.Status = amplify.StatusInProgress
			}
			batch[i] = j
			ids = append(ids, j.JobID)
		}
		err := store.Update(context.Background(), func(tx amplify.Tx) error {
			for i := range batch {
				if err := tx.InsertJob(&batch[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return ids
}

// BenchmarkStore reads one job by key (GetBackendJob's read) and one page of 25 jobs, of
// every status or filtered by one, below a random position (ListBackendJobs with a NextToken), each in its own
// read transaction, with 1,000 and 100,000 jobs stored.
func BenchmarkStore(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("jobs=%d", n), func(b *testing.B) {
			store, err := sqlite.Open(ctx, b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			ids := seedJobs(b, store, n)
			rng := rand.New(rand.NewPCG(3, 4))

			b.Run("JobByKey", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					key := amplify.JobKey{AppKey: benchEnv.AppKey, JobID: ids[rng.IntN(len(ids))]}
					err := store.View(ctx, func(tx amplify.Tx) error {
						_, err := tx.Job(key)
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
			for _, status := range []string{"", amplify.StatusCompleted, amplify.StatusFailed} {
				b.Run("ListJobs/status="+status, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						q := amplify.JobQuery{
							EnvKey:    benchEnv,
							JobFilter: amplify.JobFilter{Status: status},
							Before:    1 + rng.Int64N(int64(n)),
							Limit:     amplify.MaxJobsPage + 1,
						}
						err := store.View(ctx, func(tx amplify.Tx) error {
							_, err := tx.ListJobs(q)
							return err
						})
						if err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkUpdateInsertJob is one durable Update inserting one pending job (a fresh
// environment each time, so no two conflict): serial (one commit each) and from 64
// goroutines, whose Updates the store groups into shared commits. bench/sqlitebase is the
// same insert without grouping (one commit per insert).
func BenchmarkUpdateInsertJob(b *testing.B) {
	ctx := context.Background()
	insert := func(b *testing.B, store *sqlite.DB, app string, n int64) {
		now := time.Now()
		job := &amplify.Job{
			JobKey: amplify.JobKey{AppKey: amplify.AppKey{Scope: benchEnv.Scope, AppID: app}, JobID: uuid.NewString()},
			Env:    fmt.Sprintf("e%d", n), Operation: amplify.OpCreateBackend, Action: amplify.OpCreateBackend,
			Status: amplify.StatusInProgress, CreatedAt: now, UpdatedAt: now, RunAt: now, Pending: true,
			Payload: json.RawMessage(`{"appName":"` + app + `"}`),
		}
		if err := store.Update(ctx, func(tx amplify.Tx) error { return tx.InsertJob(job) }); err != nil {
			b.Fatal(err)
		}
	}
	open := func(b *testing.B) *sqlite.DB {
		store, err := sqlite.Open(ctx, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { store.Close() })
		return store
	}
	b.Run("serial", func(b *testing.B) {
		store := open(b)
		b.ReportAllocs()
		var n int64
		for b.Loop() {
			n++
			insert(b, store, "benchapp", n)
		}
	})
	b.Run("parallel=64", func(b *testing.B) {
		store := open(b)
		var worker, n atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			app := fmt.Sprintf("benchapp%d", worker.Add(1))
			for pb.Next() {
				insert(b, store, app, n.Add(1))
			}
		})
	})
}
