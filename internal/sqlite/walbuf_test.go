package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// walBufJob is a job of its own app and environment, so that jobs of one commit land on
// many pages; payload pads it to the size asked.
func walBufJob(i, payload int) *amplify.Job {
	now := time.Now()
	return &amplify.Job{
		JobKey: amplify.JobKey{AppKey: amplify.AppKey{Scope: amplify.Scope{Account: "000000000000", Region: "us-east-1"}, AppID: fmt.Sprintf("app%05d", i)},
			JobID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i)},
		Env: fmt.Sprintf("env%05d", i), Operation: amplify.OpCreateBackend, Action: amplify.OpCreateBackend,
		Status: amplify.StatusCompleted, CreatedAt: now, UpdatedAt: now, RunAt: now,
		Payload: json.RawMessage(`"` + strings.Repeat("x", payload) + `"`),
	}
}

// TestWALBufGathersWrites checks that a commit of many frames reaches the WAL file in a few
// writes, not the two per frame SQLite makes.
func TestWALBufGathersWrites(t *testing.T) {
	db := openDB(t)
	writes, fileWrites := walBufWrites.Load(), walBufFileWrites.Load()
	err := db.Update(context.Background(), func(tx amplify.Tx) error {
		for i := range 400 {
			if err := tx.InsertJob(walBufJob(i, 100)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	writes, fileWrites = walBufWrites.Load()-writes, walBufFileWrites.Load()-fileWrites
	t.Logf("SQLite wrote %d times to the WAL; the file got %d writes", writes, fileWrites)
	if writes < 60 {
		t.Fatalf("SQLite wrote %d times to the WAL through the VFS, want 60 or more (a commit of many frames)", writes)
	}
	if fileWrites*10 > writes {
		t.Errorf("the WAL file got %d writes for SQLite's %d, want a tenth or fewer", fileWrites, writes)
	}
}

// TestWALBufCrashImage copies the database and its WAL while the store is open, as a crash
// would leave them once every Update returned, and opens the copy with SQLite's own VFS:
// every acknowledged job is there and the database is whole. The writes include commits of
// one job from many goroutines (grouped by the writer) and one commit larger than a buffer.
func TestWALBufCrashImage(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 17)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				job := walBufJob(g*100+i, 200)
				if err := db.Update(context.Background(), func(tx amplify.Tx) error { return tx.InsertJob(job) }); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		// 3,000 jobs of 2 KiB: about 8 MiB of frames, over walBufMax.
		errs <- db.Update(context.Background(), func(tx amplify.Tx) error {
			for i := range 3000 {
				if err := tx.InsertJob(walBufJob(10000+i, 2048)); err != nil {
					return err
				}
			}
			return nil
		})
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	image := t.TempDir()
	for _, name := range []string{"amplifybackend.db", "amplifybackend.db-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(image, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	copyDB, err := sql.Open("sqlite", "file:"+filepath.Join(image, "amplifybackend.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	var n int
	var check string
	if err := copyDB.QueryRow(`SELECT count(*) FROM jobs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := copyDB.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil {
		t.Fatal(err)
	}
	if n != 16*100+3000 || check != "ok" {
		t.Errorf("the copy holds %d jobs (want %d), integrity_check %q", n, 16*100+3000, check)
	}
}
