// Command seed adds jobs to one backend environment of an amplifybackendd data directory,
// through the product's own store (internal/sqlite), in large transactions, so that the
// scale benchmarks run against a realistic jobs table. The server must not be running on the
// directory (the store's lock file keeps it out). Run it repeatedly to grow the table.
//
// The jobs are mostly COMPLETED, some FAILED, some IN_PROGRESS; none is pending (at most one
// job per environment may be, and a pending job would make the runner work during the
// benchmark). It prints one JSON line: {"added":..., "seconds":..., "rate":...}.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
	"github.com/google/uuid"
)

// operations recorded on the seeded jobs, as clients see them.
var operations = []string{
	amplify.OpCreateBackendAuth, amplify.OpUpdateBackendAuth, amplify.OpCreateBackendAPI,
	amplify.OpUpdateBackendAPI, amplify.OpGenerateBackendAPIModels, amplify.OpCreateBackendStorage,
	amplify.OpUpdateBackendStorage, amplify.OpImportBackendAuth,
}

func main() {
	dir := flag.String("data-dir", "", "data directory of amplifybackendd (required)")
	add := flag.Int("add", 1000, "how many jobs to add")
	batch := flag.Int("batch", 10000, "jobs per transaction")
	account := flag.String("account", "123456789012", "account of the app")
	region := flag.String("region", "us-east-1", "region of the app")
	appID := flag.String("app", "benchapp", "app id")
	env := flag.String("env", "prod", "backend environment name")
	failed := flag.Float64("failed", 0.07, "fraction of FAILED jobs")
	inProgress := flag.Float64("in-progress", 0.03, "fraction of IN_PROGRESS (not pending) jobs")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *dir == "" {
		flag.Usage()
		os.Exit(2)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatalf("seed: %v", err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	store, err := sqlite.Open(ctx, *dir)
	if err != nil {
		log.Fatalf("seed: %v", err)
	}
	defer store.Close()

	key := amplify.EnvKey{AppKey: amplify.AppKey{Scope: amplify.Scope{Account: *account, Region: *region}, AppID: *appID}, Env: *env}
	start := time.Now()
	base := start.Add(-30 * 24 * time.Hour).UTC()
	// The app and the environment, as CreateBackend's job leaves them.
	err = store.Update(ctx, func(tx amplify.Tx) error {
		if _, err := tx.App(key.AppKey); err == nil {
			return nil
		} else if amplify.ErrorCode(err) != amplify.NotFound {
			return err
		}
		if err := tx.PutApp(&amplify.App{AppKey: key.AppKey, Name: *appID, CreatedAt: base}); err != nil {
			return err
		}
		return tx.PutEnvironment(&amplify.Environment{EnvKey: key, CreatedAt: base, StackSuffix: "123456", StackUUID: uuid.NewString()})
	})
	if err != nil {
		log.Fatalf("seed: app: %v", err)
	}

	rng := rand.New(rand.NewPCG(uint64(start.UnixNano()), 1))
	added := 0
	for added < *add {
		n := min(*batch, *add-added)
		jobs := make([]amplify.Job, n)
		for i := range jobs {
			created := base.Add(time.Duration(rng.Int64N(int64(29 * 24 * time.Hour))))
			op := operations[rng.IntN(len(operations))]
			j := amplify.Job{
				JobKey:    amplify.JobKey{AppKey: key.AppKey, JobID: uuid.NewString()},
				Env:       key.Env,
				Operation: op,
				Status:    amplify.StatusCompleted,
				CreatedAt: created,
				UpdatedAt: created.Add(time.Duration(rng.IntN(300)) * time.Second),
				Action:    op,
				Payload:   json.RawMessage(`{"resourceName":"` + *appID + `","resourceConfig":{}}`),
				RunAt:     created,
			}
			switch r := rng.Float64(); {
			case r < *failed:
				j.Status, j.Error = amplify.StatusFailed, "The backend environment "+*env+" was modified by another job."
			case r < *failed+*inProgress:
				j.Status = amplify.StatusInProgress
			}
			jobs[i] = j
		}
		err := store.Update(ctx, func(tx amplify.Tx) error {
			for i := range jobs {
				if err := tx.InsertJob(&jobs[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if errors.Is(err, amplify.ErrPendingJob) {
			log.Fatalf("seed: a seeded job was pending: %v", err)
		}
		if err != nil {
			log.Fatalf("seed: insert: %v", err)
		}
		added += n
	}
	secs := time.Since(start).Seconds()
	fmt.Printf(`{"added":%d,"seconds":%.3f,"rate":%.0f}`+"\n", added, secs, float64(added)/secs)
}
