// Package sqlite is the embedded Store: one SQLite database file in WAL mode, written by one
// process (a lock file keeps a second one out), with every commit fsynced before Update
// returns.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the SQLite Store.
//
// Writes go through one goroutine that groups the Update calls waiting at the same moment
// into one transaction, each in its own savepoint, and commits them with one fsync: under
// concurrent load the cost of a durable commit is shared, and no caller hears back before its
// change is on disk.
type DB struct {
	// w is the one writing connection (SQLite has one writer at a time), used by the
	// writer goroutine alone once Open has returned; Close closes it.
	w    *wconn
	read *sql.DB
	lock *os.File

	readStmts *stmtCache
	jobs      *jobCache

	writes     chan *writeRequest
	onWriter   chan func(*wconn)
	closing    chan struct{}
	writerDone chan struct{}
	closeOnce  sync.Once
}

// writeRequest is one Update waiting for the writer.
type writeRequest struct {
	ctx  context.Context
	fn   func(amplify.Tx) error
	done chan error
}

// walCheckpointPages is the WAL size, in pages (4 KiB), at which a commit checkpoints it: a
// WAL of up to 64 MiB, which Close truncates.
const walCheckpointPages = 16000

// maxBatch bounds how many Updates share a commit.
const maxBatch = 128

// errClosed is returned by Update after Close.
var errClosed = errors.New("sqlite store is closed")

var _ amplify.Store = (*DB)(nil)

// Open opens (creating if needed) the store in dir, takes the directory's lock, applies
// pending migrations and releases job leases left by a previous process.
func Open(ctx context.Context, dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	return open(ctx, "file:"+filepath.Join(dir, "amplifybackend.db"), lock)
}

// OpenMemory opens an empty store that lives in this process's memory only (--ephemeral):
// nothing is written to disk, and the state is gone when the store is closed. It works as
// the file store does (one writer, a pool of readers, the job cache) on SQLite's memdb VFS,
// which lets the connections of one process share a database by name.
func OpenMemory(ctx context.Context) (*DB, error) {
	name := make([]byte, 12)
	if _, err := rand.Read(name); err != nil {
		return nil, err
	}
	return open(ctx, fmt.Sprintf("file:/amplifybackendd-%x?vfs=memdb", name), nil)
}

// open opens the database at the SQLite URI base (which may carry parameters); lock, when
// not nil, is the directory lock the DB releases on Close.
func open(ctx context.Context, base string, lock *os.File) (*DB, error) {
	var err error
	db := &DB{
		jobs:       newJobCache(),
		lock:       lock,
		writes:     make(chan *writeRequest),
		onWriter:   make(chan func(*wconn)),
		closing:    make(chan struct{}),
		writerDone: make(chan struct{}),
	}
	// The writer takes no request before Open returns; starting it first lets every error
	// path below Close the DB.
	go db.writer()
	dsn := func(extra ...string) string {
		q := url.Values{}
		for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(on)", "temp_store(MEMORY)"} {
			q.Add("_pragma", p)
		}
		for i := 0; i+1 < len(extra); i += 2 {
			q.Add(extra[i], extra[i+1])
		}
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		return base + sep + q.Encode()
	}
	// The writer checkpoints the WAL into the database file every walCheckpointPages pages
	// (SQLite's default is 1,000): a page written many times between two checkpoints is
	// copied once, which matters under write load, where the same index pages change in
	// commit after commit (16,000 against 8,000: 5 to 15% more CreateBackend per second in
	// alternating 10 s runs).
	//
	// The writer keeps SQLite's page cache size. A 32 MiB cache (job ids are random, so
	// inserts land on random pages of jobs_by_id) wrote no faster in alternating 20 s runs
	// (6,476 and 6,629/s at 2 MiB, 6,749 and 5,360/s at 32 MiB), while SQLite's caches share
	// one budget: the readers grew into it, and the server peaked 27 MB higher under reads.
	writeParams := []string{"_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walCheckpointPages)}
	if !strings.Contains(base, "vfs=") {
		// The writer's WAL writes leave in one pwrite per commit (walbuf.go).
		if err := registerWALBufVFS(); err != nil {
			db.Close()
			return nil, err
		}
		writeParams = append(writeParams, "vfs", walBufVFS)
	}
	writeDSN := dsn(writeParams...)
	// The migrations run through database/sql (Migrate is shared with bench/sqlitebase),
	// on a pool of one connection closed once the writer's own connection is open; the
	// writer's connection is never closed while the DB is open: an in-memory database
	// lives as long as a connection to it.
	setup, err := sql.Open("sqlite", writeDSN)
	if err != nil {
		db.Close()
		return nil, err
	}
	defer setup.Close()
	setup.SetMaxOpenConns(1)
	if err := Migrate(ctx, setup); err != nil {
		db.Close()
		return nil, err
	}
	conn, err := setup.Driver().Open(writeDSN)
	if err != nil {
		db.Close()
		return nil, err
	}
	db.w = newWConn(conn)
	if db.read, err = sql.Open("sqlite", dsn("_pragma", "query_only(true)")); err != nil {
		db.Close()
		return nil, err
	}
	db.readStmts = newStmtCache(db.read)
	db.read.SetMaxOpenConns(8)
	db.read.SetMaxIdleConns(8)
	// The lock file guarantees no other process works on this database, so every lease is
	// one a dead process held: its jobs are due again now.
	if _, err := db.w.exec(`UPDATE jobs SET lease_owner = NULL, lease_until = NULL WHERE pending = 1 AND lease_owner IS NOT NULL`, nil); err != nil {
		db.Close()
		return nil, fmt.Errorf("release leases: %w", err)
	}
	return db, nil
}

// lockDir takes an exclusive, non-blocking lock on dir/LOCK, held until Close (or the
// process's death, which releases it).
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("data directory %s is in use by another amplifybackendd: %w", dir, err)
	}
	return f, nil
}

// Migrate applies the store's embedded migrations that db has not applied yet, each in a
// transaction of its own. Open calls it; the write benchmark's yardstick (bench/sqlitebase)
// calls it too, so that it measures against the product's very schema and triggers.
func Migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		version := strings.TrimSuffix(filepath.Base(name), ".sql")
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = inTx(ctx, db, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil || n > 0 {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, version, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", version, err)
		}
	}
	return nil
}

// inWriteTx runs fn in a transaction on the writer's connection and commits it; only the
// writer goroutine calls it.
func (db *DB) inWriteTx(fn func() error) error {
	w := db.w
	if _, err := w.exec(`BEGIN IMMEDIATE`, nil); err != nil {
		return err
	}
	err := fn()
	w.closeRows()
	if err != nil {
		if _, rerr := w.exec(`ROLLBACK`, nil); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	if _, err := w.exec(`COMMIT`, nil); err != nil {
		// A COMMIT that fails may leave the transaction open (SQLITE_BUSY) or may have
		// ended it (an I/O error): either way the next batch begins afresh.
		w.exec(`ROLLBACK`, nil)
		return err
	}
	return nil
}

func inTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Update runs fn in a write transaction; when it returns nil the change is on disk. fn may
// share its transaction with other Updates: it sees their effects as if they had run just
// before it, and its error undoes only it (commitBatch).
func (db *DB) Update(ctx context.Context, fn func(amplify.Tx) error) error {
	req := &writeRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.writes <- req:
	case <-db.closing:
		return classify(errClosed)
	case <-ctx.Done():
		return ctx.Err()
	}
	// The writer answers every request it took, after the commit.
	return classify(<-req.done)
}

// writer takes Updates one batch at a time until Close.
func (db *DB) writer() {
	defer close(db.writerDone)
	batch := make([]*writeRequest, 0, maxBatch)
	for {
		select {
		case <-db.closing:
			return
		case fn := <-db.onWriter:
			fn(db.w)
		case first := <-db.writes:
			batch = append(batch[:0], first)
		gather:
			for len(batch) < maxBatch {
				select {
				case r := <-db.writes:
					batch = append(batch, r)
				default:
					break gather
				}
			}
			db.commitBatch(batch)
		}
	}
}

// commitBatch runs the batch's functions in one transaction, commits, and answers each
// request.
//
// Most batches succeed whole, so the first attempt runs the functions one after another
// without savepoints (two statements fewer per request). If one of them fails, that
// attempt is rolled back and the batch runs again, each function in a savepoint so that its
// error undoes only its own writes. Running a function twice is safe: Update functions
// are retried by contract (the PostgreSQL store retries them on serialization failures),
// and nothing of the first attempt was committed.
func (db *DB) commitBatch(batch []*writeRequest) {
	results := make([]error, len(batch))
	var touched []amplify.JobKey
	err := db.inWriteTx(func() error {
		for i, r := range batch {
			if results[i] = r.ctx.Err(); results[i] != nil {
				continue // gone before it started: it writes nothing
			}
			if err := db.run(r, &touched); err != nil {
				return errSavepointsNeeded
			}
		}
		return nil
	})
	if errors.Is(err, errSavepointsNeeded) {
		err = db.inWriteTx(func() error {
			for i, r := range batch {
				results[i] = db.runInSavepoint(r, &touched)
			}
			return nil
		})
	}
	// Before anyone hears of the commit, the job cache forgets what it changed (touched
	// may name jobs of a rolled-back attempt too: forgetting more is harmless).
	db.jobs.invalidate(touched)
	for i, r := range batch {
		if err != nil && results[i] == nil {
			results[i] = fmt.Errorf("commit: %w", err)
		}
		r.done <- results[i]
	}
}

// errSavepointsNeeded rolls back a batch's first attempt, in which a function failed.
var errSavepointsNeeded = errors.New("a function of the batch failed: run it again with savepoints")

// run runs one request's function, turning a panic into an error.
func (db *DB) run(r *writeRequest, touched *[]amplify.JobKey) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in store update: %v", p)
		}
	}()
	return r.fn(&txn{ctx: context.WithoutCancel(r.ctx), w: db.w, touched: touched})
}

// runInSavepoint runs one request's function; on error (or panic) its writes are undone.
func (db *DB) runInSavepoint(r *writeRequest, touched *[]amplify.JobKey) (err error) {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if _, err := db.w.exec(`SAVEPOINT request`, nil); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			if _, rerr := db.w.exec(`ROLLBACK TO request`, nil); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		if _, rerr := db.w.exec(`RELEASE request`, nil); rerr != nil && err == nil {
			err = rerr
		}
	}()
	return db.run(r, touched)
}

// onWriterConn runs fn on the writer's connection between two batches, outside any
// transaction (tests use it to change the connection's settings).
func (db *DB) onWriterConn(fn func(*wconn)) error {
	done := make(chan struct{})
	select {
	case db.onWriter <- func(w *wconn) { fn(w); close(done) }:
	case <-db.closing:
		return errClosed
	}
	<-done
	return nil
}

// View runs fn in a read-only transaction on a snapshot.
// The transaction begins at fn's first statement; a View answered from the job cache needs
// none.
func (db *DB) View(ctx context.Context, fn func(amplify.Tx) error) error {
	t := &txn{ctx: ctx, stmts: db.readStmts, readOnly: true, jobs: db.jobs, begin: func() (*sql.Tx, error) {
		return db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	}}
	defer func() {
		if t.tx != nil {
			t.tx.Rollback()
		}
	}()
	return classify(fn(t))
}

// PeekJob implements amplify.JobPeeker: the job from the job cache, which every commit keeps
// coherent before it is acknowledged. The job is the cache's own: callers must not modify it.
func (db *DB) PeekJob(key amplify.JobKey) (*amplify.Job, bool) {
	return db.jobs.get(key)
}

// ClaimJobs leases the earliest due jobs. It goes through the writer like any Update, so a
// claim shares its commit with the writes waiting beside it.
func (db *DB) ClaimJobs(ctx context.Context, now time.Time, lease amplify.Lease, limit int) ([]*amplify.Job, error) {
	var jobs []*amplify.Job
	err := db.Update(ctx, func(tx amplify.Tx) error {
		t := tx.(*txn)
		rows, err := t.query(`
			UPDATE jobs SET lease_owner = ?, lease_until = ?
			WHERE seq IN (
				SELECT seq FROM jobs
				WHERE pending = 1 AND run_at <= ? AND (lease_until IS NULL OR lease_until < ?)
				ORDER BY run_at, seq LIMIT ?)
			RETURNING `+jobColumns,
			lease.Owner, lease.Until.UnixMilli(), now.UnixMilli(), now.UnixMilli(), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		jobs = jobs[:0]
		for rows.Next() {
			job, err := scanJob(rows)
			if err != nil {
				return err
			}
			jobs = append(jobs, job)
		}
		return rows.Err()
	})
	// RETURNING gives rows in no particular order; runners expect the earliest first.
	sort.Slice(jobs, func(a, b int) bool {
		if !jobs[a].RunAt.Equal(jobs[b].RunAt) {
			return jobs[a].RunAt.Before(jobs[b].RunAt)
		}
		return jobs[a].Seq < jobs[b].Seq
	})
	return jobs, err
}

// NextRunAt returns the earliest time a pending job can be claimed.
func (db *DB) NextRunAt(ctx context.Context) (time.Time, error) {
	var ms sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT min(max(run_at, coalesce(lease_until + 1, run_at))) FROM jobs WHERE pending = 1`).Scan(&ms); err != nil {
		return time.Time{}, classify(err)
	}
	if !ms.Valid {
		return time.Time{}, nil
	}
	return time.UnixMilli(ms.Int64).UTC(), nil
}

// DeleteExpiredTokens deletes up to limit expired tokens, through the writer like any
// Update.
func (db *DB) DeleteExpiredTokens(ctx context.Context, now time.Time, limit int) (int, error) {
	var n int64
	err := db.Update(ctx, func(tx amplify.Tx) error {
		res, err := tx.(*txn).execResult(`
			DELETE FROM tokens WHERE (account, region, app_id, session_id) IN (
				SELECT account, region, app_id, session_id FROM tokens
				WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`, now.UnixMilli(), limit)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// PendingJobs counts the pending jobs and finds the earliest RunAt among them, from the
// jobs_due index alone.
func (db *DB) PendingJobs(ctx context.Context) (int, time.Time, error) {
	var n int
	var earliest sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT count(*), min(run_at) FROM jobs WHERE pending = 1`).Scan(&n, &earliest); err != nil {
		return 0, time.Time{}, err
	}
	if !earliest.Valid {
		return n, time.Time{}, nil
	}
	return n, fromMS(earliest.Int64), nil
}

// Secret returns the named secret, creating 32 random bytes on first use.
func (db *DB) Secret(ctx context.Context, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	var value []byte
	err := db.Update(ctx, func(tx amplify.Tx) error {
		t := tx.(*txn)
		if err := t.exec(`INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)`, name, fresh); err != nil {
			return err
		}
		return t.queryRow(`SELECT value FROM secrets WHERE name = ?`, name).Scan(&value)
	})
	return value, err
}

// Ping checks that both connection pools answer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return classify(err)
	}
	var one int
	return classify(db.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one))
}

// Close checkpoints and closes the database and releases the directory lock.
func (db *DB) Close() error {
	var errs []error
	db.closeOnce.Do(func() {
		if db.closing != nil {
			close(db.closing)
			<-db.writerDone
		}
		// The writer has stopped: its connection is Close's, closed after the readers.
		defer func() {
			if db.w != nil {
				_, err := db.w.exec(`PRAGMA wal_checkpoint(TRUNCATE)`, nil)
				errs = append(errs, err, db.w.close())
			}
		}()
		errs = append(errs, db.readStmts.close())
		if db.read != nil {
			errs = append(errs, db.read.Close())
		}
	})
	if db.lock != nil {
		errs = append(errs, db.lock.Close())
	}
	return errors.Join(errs...)
}

// stmtCache holds the statements prepared on one pool, by query text; the queries are the
// store's own (constants and a bounded set of ListJobs variants), so it stays small.
//
// Creating a pool-level statement takes a free connection of the pool. A transaction that
// asked for it would hold the writer's only connection (or, in a burst, all readers'
// connections) while waiting for one, so a miss never waits: the caller runs its query
// unprepared and the statement is prepared in the background, once a connection is free.
// database/sql then prepares it once on each connection that uses it (Tx.StmtContext).
type stmtCache struct {
	pool    *sql.DB
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool
	closed  bool
	// preparing counts the background preparations; close waits for them, so none opens
	// a connection (creating the WAL and shared-memory files) after the DB is closed.
	preparing sync.WaitGroup
	// ctx is canceled by close, ending a preparation still waiting for a connection.
	ctx    context.Context
	cancel context.CancelFunc
}

func newStmtCache(pool *sql.DB) *stmtCache {
	ctx, cancel := context.WithCancel(context.Background())
	return &stmtCache{pool: pool, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}, ctx: ctx, cancel: cancel}
}

// get returns the prepared statement for query, or nil (and has it prepared) on a miss.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok || c.closed || c.pending[query] {
		return st
	}
	c.pending[query] = true
	c.preparing.Add(1)
	go c.prepare(query)
	return nil
}

func (c *stmtCache) prepare(query string) {
	defer c.preparing.Done()
	st, err := c.pool.PrepareContext(c.ctx, query)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, query)
	switch {
	case err != nil:
		// Unprepared calls keep working; the next miss tries again.
	case c.closed:
		st.Close()
	default:
		c.stmts[query] = st
	}
}

// close ends the preparations under way, waits for them and closes the statements.
func (c *stmtCache) close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	c.preparing.Wait()
	c.mu.Lock()
	var errs []error
	for _, st := range c.stmts {
		errs = append(errs, st.Close())
	}
	c.stmts = nil
	c.mu.Unlock()
	return errors.Join(errs...)
}
