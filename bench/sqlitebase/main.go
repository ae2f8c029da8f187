// Command sqlitebase is the yardstick of the write benchmark: the naive way to make every
// write durable with SQLite. N goroutines each insert rows, one transaction (one fsync) per
// row, into amplifybackendd's jobs table, in WAL mode with synchronous=FULL, through
// modernc.org/sqlite as the product does. The schema is the product's own: the database is
// made by the store's embedded migrations (sqlite.Migrate), so its columns, indexes and
// pending-job triggers are always the ones the product writes through (a hand copy kept a
// trigger that migration 0002 had replaced).
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

	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
)

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
	res, err := run(context.Background(), *dir, *workers, *conns, *duration)
	if err != nil {
		log.Fatal(err)
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
}

// result is the JSON line sqlitebase prints.
type result struct {
	Inserts int64   `json:"inserts"`
	Seconds float64 `json:"seconds"`
	Rate    float64 `json:"rate"`
	Errors  int64   `json:"errors"`
	Workers int     `json:"workers"`
	Conns   int     `json:"conns"`
}

// run creates baseline.db in dir with the product's migrations and inserts jobs from workers
// goroutines for duration, one transaction per row.
func run(ctx context.Context, dir string, workers, conns int, duration time.Duration) (*result, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "baseline.db")+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	if err := sqlite.Migrate(ctx, db); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}

	var inserts, errs atomic.Int64
	deadline := time.Now().Add(duration)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
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
	return &result{
		Inserts: inserts.Load(), Seconds: secs, Rate: float64(inserts.Load()) / secs,
		Errors: errs.Load(), Workers: workers, Conns: conns,
	}, nil
}

// uuid returns a random version 4 UUID, the shape of a job id.
func uuid() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
