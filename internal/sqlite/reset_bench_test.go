package sqlite_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
	"github.com/amplifybackendd/amplifybackendd/internal/wireconfig"
)

// BenchmarkReset10k measures POST /_amplifybackend/reset's domain call over 10,000 apps,
// each with an environment, an auth resource, a token and two jobs (one pending), on the file
// store (every commit fsynced). The goal is under a second per reset.
func BenchmarkReset10k(b *testing.B) {
	store, err := sqlite.Open(b.Context(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	svc := &amplify.Service{Configs: wireconfig.Configs{}, Store: store}
	for range b.N {
		b.StopTimer()
		fillApps(b, store, 10000)
		b.StartTimer()
		removed, err := svc.Reset(b.Context(), amplify.StateScope{})
		if err != nil {
			b.Fatal(err)
		}
		if removed.Apps != 10000 || removed.Jobs != 20000 {
			b.Fatalf("Reset removed %+v", removed)
		}
	}
}

// fillApps stores n apps with their environment, resource, token and jobs, 1,000 apps per
// transaction.
func fillApps(b *testing.B, store *sqlite.DB, n int) {
	b.Helper()
	now := time.Date(2026, 7, 7, 15, 4, 5, 0, time.UTC)
	scope := amplify.Scope{Account: "123456789012", Region: "us-east-1"}
	for start := 0; start < n; start += 1000 {
		err := store.Update(b.Context(), func(tx amplify.Tx) error {
			for i := start; i < min(start+1000, n); i++ {
				app := amplify.AppKey{Scope: scope, AppID: fmt.Sprintf("app%05d", i)}
				env := amplify.EnvKey{AppKey: app, Env: "dev"}
				steps := []func() error{
					func() error { return tx.PutApp(&amplify.App{AppKey: app, Name: app.AppID, CreatedAt: now}) },
					func() error {
						return tx.PutEnvironment(&amplify.Environment{EnvKey: env, CreatedAt: now, StackSuffix: "123456", StackUUID: "u"})
					},
					func() error {
						return tx.PutResource(env, &amplify.Resource{Kind: amplify.KindAuth, Name: "auth", Config: json.RawMessage(`{}`), UpdatedAt: now})
					},
					func() error {
						return tx.PutToken(&amplify.Token{AppKey: app, SessionID: "s", ChallengeCode: "c", Expires: now})
					},
				}
				for k, pending := range []bool{false, true} {
					job := &amplify.Job{JobKey: amplify.JobKey{AppKey: app, JobID: fmt.Sprintf("%s-%d", app.AppID, k)}, Env: "dev",
						Operation: amplify.OpCreateBackendAuth, Action: amplify.OpCreateBackendAuth, Status: amplify.StatusInProgress,
						CreatedAt: now, UpdatedAt: now, RunAt: amplify.HeldRunAt, Payload: json.RawMessage(`{}`), Pending: pending}
					steps = append(steps, func() error { return tx.InsertJob(job) })
				}
				for _, step := range steps {
					if err := step(); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExportImport10k measures ExportState and ImportState (what GET and PUT
// /_amplifybackend/state do, less the JSON) over the 10,000 apps of BenchmarkReset10k.
func BenchmarkExportImport10k(b *testing.B) {
	store, err := sqlite.Open(b.Context(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	svc := &amplify.Service{Configs: wireconfig.Configs{}, Store: store}
	fillApps(b, store, 10000)
	b.Run("export", func(b *testing.B) {
		for range b.N {
			st, err := svc.ExportState(b.Context(), amplify.StateScope{})
			if err != nil || len(st.Apps) != 10000 {
				b.Fatalf("ExportState: %v", err)
			}
		}
	})
	st, err := svc.ExportState(b.Context(), amplify.StateScope{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("import", func(b *testing.B) {
		for range b.N {
			if err := svc.ImportState(b.Context(), st); err != nil {
				b.Fatal(err)
			}
		}
	})
}
