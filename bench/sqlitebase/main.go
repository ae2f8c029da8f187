// Command sqlitebase is the yardstick of the write benchmark: the naive way to make every
// write durable with SQLite. N goroutines each insert rows, one transaction (one fsync) per
// row, into a table shaped like amplifybackendd's jobs table (same columns, indexes and
// trigger), in WAL mode with synchronous=FULL, through modernc.org/sqlite as the product does.
// It prints one JSON line: {"inserts":..., "seconds":..., "rate":..., "errors":...}.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite"
)

// schema is the product's jobs table (internal/sqlite/migrations/0001_init.sql).
const schema = `
CREATE TABLE jobs (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	account     TEXT NOT NULL,
	region      TEXT NOT NULL,
	app_id      TEXT NOT NULL,
	job_id      TEXT NOT NULL,
	env         TEXT NOT NULL,
	operation   TEXT NOT NULL,
	status      TEXT NOT NULL,
	error       TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	action      TEXT NOT NULL,
	payload     BLOB NOT NULL,
	pending     INTEGER NOT NULL,
	run_at      INTEGER NOT NULL,
	lease_owner TEXT,
	lease_until INTEGER
);
CREATE UNIQUE INDEX jobs_by_id ON jobs (account, region, app_id, job_id);
CREATE INDEX jobs_by_env ON jobs (account, region, app_id, env, seq);
CREATE INDEX jobs_by_env_status ON jobs (account, region, app_id, env, status, seq);
CREATE INDEX jobs_due ON jobs (run_at) WHERE pending = 1;
CREATE UNIQUE INDEX jobs_one_pending ON jobs (account, region, app_id, env) WHERE pending = 1;
CREATE TRIGGER jobs_app_wide_pending_insert BEFORE INSERT ON jobs
WHEN NEW.pending = 1 AND EXISTS (
	SELECT 1 FROM jobs
	WHERE account = NEW.account AND region = NEW.region AND app_id = NEW.app_id AND pending = 1
	  AND (env = '' OR NEW.env = '')
)
BEGIN
	SELECT RAISE(ABORT, 'pending job exists');
END;`

func main() {
	dir := flag.String("dir", "", "directory for the database (created; required)")
	workers := flag.Int("workers", 64, "concurrent goroutines")
	conns := flag.Int("conns", 1, "database connections (goroutines queue for them)")
	duration := flag.Duration("duration", 10*time.Second, "how long to insert")
	flag.Parse()
	if *dir == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := os.MkdirAll(*dir, 0o750); err != nil {
		log.Fatal(err)
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(*dir, "baseline.db")+"?"+q.Encode())
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(*conns)
	db.SetMaxIdleConns(*conns)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, schema); err != nil {
		log.Fatalf("schema: %v", err)
	}

	var inserts, errs atomic.Int64
	deadline := time.Now().Add(*duration)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range *workers {
		wg.Go(func() {
			app := fmt.Sprintf("benchapp%02d", w)
			payload := []byte(`{"appName":"` + app + `"}`)
			for i := 0; time.Now().Before(deadline); i++ {
				now := time.Now().UnixMilli()
				_, err := db.ExecContext(ctx, `INSERT INTO jobs (account, region, app_id, job_id, env, operation, status, error, created_at, updated_at, action, payload, pending, run_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					"123456789012", "us-east-1", app, uuid(), fmt.Sprintf("e%d", i), "CreateBackend", "IN_PROGRESS", "",
					now, now, "CreateBackend", payload, 1, now)
				if err != nil {
					errs.Add(1)
					continue
				}
				inserts.Add(1)
			}
		})
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	out, _ := json.Marshal(map[string]any{
		"inserts": inserts.Load(), "seconds": secs, "rate": float64(inserts.Load()) / secs,
		"errors": errs.Load(), "workers": *workers, "conns": *conns,
	})
	fmt.Println(string(out))
}

// uuid returns a random version 4 UUID, the shape of a job id.
func uuid() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
