package sqlite

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// TestJobCacheIsCoherent: every committed update is what the next read sees, while other
// readers keep filling the cache with what their snapshots saw.
func TestJobCacheIsCoherent(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	key := amplify.JobKey{AppKey: amplify.AppKey{Scope: amplify.Scope{Account: "000000000000", Region: "us-east-1"}, AppID: "a"}, JobID: "j"}
	now := time.Date(2026, 7, 7, 0, 0, 0, 0, time.UTC)
	job := &amplify.Job{JobKey: key, Env: "dev", Operation: "op-0", Status: amplify.StatusCompleted, CreatedAt: now, UpdatedAt: now, Action: "CreateBackend", Payload: []byte("{}"), RunAt: now}
	if err := db.Update(ctx, func(tx amplify.Tx) error { return tx.InsertJob(job) }); err != nil {
		t.Fatal(err)
	}
	read := func() string {
		var op string
		err := db.View(ctx, func(tx amplify.Tx) error {
			j, err := tx.Job(key)
			if err == nil {
				op = j.Operation
			}
			return err
		})
		if err != nil {
			t.Error(err)
		}
		return op
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					read()
				}
			}
		}()
	}
	for i := 1; i <= 300; i++ {
		want := fmt.Sprintf("op-%d", i)
		err := db.Update(ctx, func(tx amplify.Tx) error {
			j, err := tx.Job(key)
			if err != nil {
				return err
			}
			j.Operation = want
			return tx.UpdateJob(j, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := read(); got != want {
			close(stop)
			wg.Wait()
			t.Fatalf("after update %d the job reads %q", i, got)
		}
	}
	close(stop)
	wg.Wait()
	// The cache did serve: a read without a change in between needs no transaction.
	if _, ok := db.jobs.get(key); !ok {
		read()
		if _, ok := db.jobs.get(key); !ok {
			t.Error("a quiet job was not cached")
		}
	}
}
