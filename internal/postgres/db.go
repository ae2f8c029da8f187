// Package postgres is the Store on PostgreSQL, for several server processes ("replicas")
// sharing one database. Everything correctness depends on is in the database: the pending-job
// rule is a unique index and a trigger, bucket names are a primary key, job claims are leases
// taken with SELECT ... FOR UPDATE SKIP LOCKED, and migrations run under an advisory lock so
// that replicas may start together. The schema is the first of the DSN's search_path.
package postgres

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	mrand "math/rand/v2"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the PostgreSQL Store.
type DB struct {
	pool *pgxpool.Pool
	// holder is the connection that holds the server lock (HoldShared, LockExclusive).
	holder *pgxpool.Conn
}

var _ amplify.Store = (*DB)(nil)

// migrationLock keys the session advisory lock that migrations run under ("amplify1").
const migrationLock int64 = 0x616d706c69667931

// defaultConnectTimeout bounds a connection attempt when the DSN sets no connect_timeout.
const defaultConnectTimeout = 5 * time.Second

// maxAttempts bounds how often Update runs a transaction that failed on a serialization
// failure or a deadlock.
const maxAttempts = 10

// Open connects to the database that dsn names (a postgres:// URL or key=value string, as
// pgx parses it; its search_path selects the schema) and applies pending migrations. Several
// replicas may open the same database at once. Unlike SQLite's Open, it leaves job leases
// alone: another live replica may hold them, and they expire by themselves.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse dsn: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// Without connect_timeout in the DSN, a database host that drops packets would hold
		// a request (and the job runner) for as long as the kernel retries the connection.
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	if err := migrate(ctx, cfg.ConnConfig); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return &DB{pool: pool}, nil
}

// migrate applies the embedded migrations not yet recorded in schema_migrations, each in a
// transaction of its own, holding an advisory lock so that replicas starting together apply
// each one once. It uses a connection of its own: closing it releases the lock, whatever
// happened.
func migrate(ctx context.Context, cc *pgx.ConnConfig) error {
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("lock migrations: %w", err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at bigint NOT NULL)`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		version := strings.TrimSuffix(path.Base(name), ".sql")
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			var applied bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, version).Scan(&applied); err != nil || applied {
				return err
			}
			// Without arguments Exec uses the simple protocol, which runs a whole script.
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, version, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", version, err)
		}
	}
	return nil
}

// Update runs fn in a READ COMMITTED transaction and commits it. A transaction that fails on
// a serialization failure or a deadlock is rolled back and run again, fn included, a bounded
// number of times.
func (db *DB) Update(ctx context.Context, fn func(amplify.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.update(ctx, fn)
		if err == nil || attempt == maxAttempts || !retryable(err) {
			return classify(err)
		}
		// Back off, with jitter so that the transactions that collided do not collide again.
		d := min(time.Millisecond<<attempt, 100*time.Millisecond)
		timer := time.NewTimer(d/2 + mrand.N(d/2))
		select {
		case <-ctx.Done():
			timer.Stop()
			return classify(err)
		case <-timer.C:
		}
	}
}

func (db *DB) update(ctx context.Context, fn func(amplify.Tx) error) error {
	// The level is explicit: the pending-job trigger relies on it, whatever the database's
	// default_transaction_isolation says.
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback(ctx)
	if err := fn(&txn{ctx: ctx, tx: tx}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// retryable reports whether err is a failure that running the transaction again may not meet:
// a serialization failure or a deadlock, after which the database has rolled it back.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// View runs fn in a read-only REPEATABLE READ transaction: every read sees one snapshot.
func (db *DB) View(ctx context.Context, fn func(amplify.Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return classify(fmt.Errorf("postgres: begin: %w", err))
	}
	defer tx.Rollback(ctx)
	return classify(fn(&txn{ctx: ctx, tx: tx, readOnly: true}))
}

// ClaimJobs leases the earliest due jobs. SKIP LOCKED passes over the jobs that concurrent
// claims (or transactions running them) have locked, so claimers neither wait for each other
// nor take the same job; a job whose lease another claim has just written fails the recheck
// of the WHERE clause that FOR UPDATE makes on the newest version.
func (db *DB) ClaimJobs(ctx context.Context, now time.Time, lease amplify.Lease, limit int) ([]*amplify.Job, error) {
	jobs, err := db.claimJobs(ctx, now, lease, limit)
	return jobs, classify(err)
}

func (db *DB) claimJobs(ctx context.Context, now time.Time, lease amplify.Lease, limit int) ([]*amplify.Job, error) {
	rows, err := db.pool.Query(ctx, `
		UPDATE jobs SET lease_owner = $1, lease_until = $2
		WHERE seq IN (
			SELECT seq FROM jobs
			WHERE pending AND run_at <= $3 AND (lease_until IS NULL OR lease_until < $3)
			ORDER BY run_at, seq
			LIMIT $4
			FOR UPDATE SKIP LOCKED)
		RETURNING `+jobColumns,
		lease.Owner, ms(lease.Until), ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim jobs: %w", err)
	}
	defer rows.Close()
	var jobs []*amplify.Job
	for rows.Next() {
		job, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: claim jobs: %w", err)
		}
		jobs = append(jobs, job)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: claim jobs: %w", err)
	}
	sort.Slice(jobs, func(a, b int) bool {
		if !jobs[a].RunAt.Equal(jobs[b].RunAt) {
			return jobs[a].RunAt.Before(jobs[b].RunAt)
		}
		return jobs[a].Seq < jobs[b].Seq
	})
	return jobs, nil
}

// NextRunAt returns the earliest time a pending job can be claimed: a job another replica
// holds a lease on becomes claimable when the lease expires.
func (db *DB) NextRunAt(ctx context.Context) (time.Time, error) {
	var next *int64
	if err := db.pool.QueryRow(ctx, `SELECT min(greatest(run_at, coalesce(lease_until + 1, run_at))) FROM jobs WHERE pending`).Scan(&next); err != nil {
		return time.Time{}, classify(fmt.Errorf("postgres: next run: %w", err))
	}
	if next == nil {
		return time.Time{}, nil
	}
	return fromMS(*next), nil
}

// DeleteExpiredTokens deletes up to limit expired tokens. Replicas sweeping at the same time
// skip the rows another has locked instead of waiting for it.
func (db *DB) DeleteExpiredTokens(ctx context.Context, now time.Time, limit int) (int, error) {
	tag, err := db.pool.Exec(ctx, `
		DELETE FROM tokens WHERE (account, region, app_id, session_id) IN (
			SELECT account, region, app_id, session_id FROM tokens
			WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2
			FOR UPDATE SKIP LOCKED)`, ms(now), limit)
	if err != nil {
		return 0, classify(fmt.Errorf("postgres: delete expired tokens: %w", err))
	}
	return int(tag.RowsAffected()), nil
}

// PendingJobs counts the pending jobs and finds the earliest RunAt among them, from the
// jobs_due index.
func (db *DB) PendingJobs(ctx context.Context) (int, time.Time, error) {
	var n int
	var earliest *int64
	if err := db.pool.QueryRow(ctx, `SELECT count(*), min(run_at) FROM jobs WHERE pending`).Scan(&n, &earliest); err != nil {
		return 0, time.Time{}, fmt.Errorf("postgres: pending jobs: %w", err)
	}
	if earliest == nil {
		return n, time.Time{}, nil
	}
	return n, fromMS(*earliest), nil
}

// Secret returns the named secret, creating 32 random bytes on first use. Of replicas racing
// to create it, one inserts and the others' inserts do nothing (they wait for the first to
// commit); the SELECT, a statement of its own, then sees the one that was committed.
func (db *DB) Secret(ctx context.Context, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	if _, err := db.pool.Exec(ctx, `INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, fresh); err != nil {
		return nil, classify(fmt.Errorf("postgres: create secret %s: %w", name, err))
	}
	var value []byte
	if err := db.pool.QueryRow(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&value); err != nil {
		return nil, classify(fmt.Errorf("postgres: read secret %s: %w", name, err))
	}
	return value, nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return classify(db.pool.Ping(ctx))
}

// serverLock keys the session advisory lock ("amp2", with the hash of the schema as the
// second key, since each schema is a store of its own) that keeps an offline import off a
// store that running servers use: each server holds it shared, an import exclusively.
const serverLock int32 = 0x616d7032

// HoldShared takes the server lock shared on a connection of its own, held until Close: a
// running server's claim on the database. It waits while an import holds it.
func (db *DB) HoldShared(ctx context.Context) error {
	return db.hold(ctx, false)
}

// LockExclusive takes the server lock exclusively, held until Close, or fails at once when a
// running server holds it (amplifybackendd import).
func (db *DB) LockExclusive(ctx context.Context) error {
	err := db.hold(ctx, true)
	if errors.Is(err, errLockBusy) {
		return errors.New("postgres: a running amplifybackendd uses this database (stop it first)")
	}
	return err
}

var errLockBusy = errors.New("lock busy")

func (db *DB) hold(ctx context.Context, exclusive bool) error {
	if db.holder != nil {
		return errors.New("postgres: the server lock is already held")
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: lock: %w", err)
	}
	ok := true
	if exclusive {
		err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, hashtext(current_schema()))`, serverLock).Scan(&ok)
	} else {
		_, err = conn.Exec(ctx, `SELECT pg_advisory_lock_shared($1, hashtext(current_schema()))`, serverLock)
	}
	if err != nil {
		conn.Release()
		return fmt.Errorf("postgres: lock: %w", err)
	}
	if !ok {
		conn.Release()
		return errLockBusy
	}
	db.holder = conn
	return nil
}

// Close closes every connection (releasing the server lock), waiting for those in use to be
// released.
func (db *DB) Close() error {
	if db.holder != nil {
		// Unlocked explicitly: the server ends a closed session a moment after the client
		// has gone, and an import right after a server stops must not find the lock still
		// held. Closing the connection (not returning it to the pool) then ends the session,
		// which releases the lock anyway if the unlock could not be sent.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		db.holder.Exec(ctx, `SELECT pg_advisory_unlock_all()`)
		db.holder.Hijack().Close(ctx)
		cancel()
		db.holder = nil
	}
	db.pool.Close()
	return nil
}
