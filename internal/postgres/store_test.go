package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/pgtest"
	"github.com/amplifybackendd/amplifybackendd/internal/postgres"
	"github.com/amplifybackendd/amplifybackendd/internal/storetest"
	"github.com/amplifybackendd/amplifybackendd/internal/wireconfig"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// dsnEnv names the variable that holds the DSN of the database the tests use.
const dsnEnv = "AMPLIFYBACKEND_TEST_POSTGRES"

// database returns the test database's DSN, or skips the test.
func database(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		t.Skipf("PostgreSQL tests need a database: run them with %s set to a DSN, e.g.\n"+
			"\t%s='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' go test ./internal/postgres/", dsnEnv, dsnEnv)
	}
	return dsn
}

// freshSchema creates a schema of its own for the test, drops it when the test ends, and
// returns the DSN with its search_path (and application_name) set to it, and its name.
func freshSchema(t *testing.T, dsn string) (string, string) {
	return pgtest.Schema(t, dsn, "amplifytest")
}

// admin runs a statement on a connection of its own.
func admin(t *testing.T, dsn, sql string, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// handle is a store the suite can reopen, as a restarted replica.
type handle struct {
	*postgres.DB
	dsn  string
	once sync.Once
}

func open(t *testing.T, dsn string) *handle {
	t.Helper()
	db, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	h := &handle{DB: db, dsn: dsn}
	t.Cleanup(func() { h.Close() })
	return h
}

// Close closes the store once, whether the suite or the cleanup asks first.
func (h *handle) Close() error {
	var err error
	h.once.Do(func() { err = h.DB.Close() })
	return err
}

// Reopen implements storetest.Reopener.
func (h *handle) Reopen(t *testing.T) amplify.Store {
	h.Close()
	return open(t, h.dsn)
}

// TestStore runs the shared Store suite, each subtest in a fresh schema.
func TestStore(t *testing.T) {
	dsn := database(t)
	storetest.Run(t, func(t *testing.T) amplify.Store {
		schemaDSN, _ := freshSchema(t, dsn)
		return open(t, schemaDSN)
	})
}

// TestConcurrentOpen starts replicas together on an empty schema: the migrations run once,
// and every replica works.
func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	dsn, _ := freshSchema(t, database(t))
	const replicas = 6
	dbs := make([]*postgres.DB, replicas)
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i := range replicas {
		wg.Go(func() {
			db, err := postgres.Open(t.Context(), dsn)
			if err == nil {
				dbs[i] = db
				t.Cleanup(func() { db.Close() })
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: Open: %v", i, err)
		}
	}
	for i, db := range dbs {
		if err := db.Update(t.Context(), func(tx amplify.Tx) error {
			return tx.PutApp(&amplify.App{AppKey: amplify.AppKey{AppID: fmt.Sprint(i)}, Name: "n"})
		}); err != nil {
			t.Errorf("replica %d: Update: %v", i, err)
		}
	}
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	names, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if n != len(names) {
		t.Errorf("schema_migrations has %d rows, want one per migration (%d)", n, len(names))
	}
}

// replicas opens two stores on one fresh schema, as two server processes.
func replicas(t *testing.T) [2]amplify.Store {
	dsn, _ := freshSchema(t, database(t))
	return [2]amplify.Store{open(t, dsn), open(t, dsn)}
}

var appKey = amplify.AppKey{Scope: amplify.Scope{Account: "111111111111", Region: "us-east-1"}, AppID: "app1"}

func pendingJob(env, id string) *amplify.Job {
	return &amplify.Job{
		JobKey:    amplify.JobKey{AppKey: appKey, JobID: id},
		Env:       env,
		Operation: amplify.OpCreateBackend,
		Status:    amplify.StatusInProgress,
		Action:    amplify.OpCreateBackend,
		Payload:   []byte(`{}`),
		Pending:   true,
	}
}

// race runs fn in n goroutines released together and returns their errors.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// TestReplicasPendingRace races two replicas inserting pending jobs, of one environment and
// of the whole app: exactly one wins each round.
func TestReplicasPendingRace(t *testing.T) {
	t.Parallel()
	dbs := replicas(t)
	for round := range 6 {
		errs := race(20, func(i int) error {
			env := fmt.Sprintf("env%d", round)
			if i%4 == 3 {
				env = "" // some racers want the whole app
			}
			job := pendingJob(env, fmt.Sprintf("r%d-%d", round, i))
			return dbs[i%2].Update(t.Context(), func(tx amplify.Tx) error {
				if _, err := tx.PendingJob(amplify.EnvKey{AppKey: appKey, Env: env}); err != nil {
					return err
				}
				return tx.InsertJob(job)
			})
		})
		wins := 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, amplify.ErrPendingJob):
				t.Errorf("round %d, racer %d: %v", round, i, err)
			}
		}
		if wins != 1 {
			t.Fatalf("round %d: %d winners, want 1", round, wins)
		}
		// Close the winner before the next round.
		err := dbs[0].Update(t.Context(), func(tx amplify.Tx) error {
			job, err := tx.PendingJob(amplify.EnvKey{AppKey: appKey, Env: fmt.Sprintf("env%d", round)})
			if err != nil || job == nil {
				return fmt.Errorf("pending job: %v, %v", job, err)
			}
			job.Pending, job.Status = false, amplify.StatusCompleted
			return tx.UpdateJob(job, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestReplicasClaimRace races claimers of two replicas: no job is claimed twice.
func TestReplicasClaimRace(t *testing.T) {
	t.Parallel()
	dbs := replicas(t)
	const jobs = 40
	now := time.UnixMilli(1_700_000_000_000)
	for i := range jobs {
		job := pendingJob("", fmt.Sprint(i))
		job.AppID = fmt.Sprintf("app%d", i)
		job.RunAt = now
		if err := dbs[i%2].Update(t.Context(), func(tx amplify.Tx) error { return tx.InsertJob(job) }); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	claimed := map[string]string{}
	errs := race(8, func(i int) error {
		owner := fmt.Sprintf("replica%d-worker%d", i%2, i)
		for {
			jobs, err := dbs[i%2].ClaimJobs(t.Context(), now, amplify.Lease{Owner: owner, Until: now.Add(time.Minute)}, 3)
			if err != nil || len(jobs) == 0 {
				return err
			}
			mu.Lock()
			for _, job := range jobs {
				if prev, ok := claimed[job.AppID]; ok {
					t.Errorf("job of %s claimed by %s and %s", job.AppID, prev, owner)
				}
				claimed[job.AppID] = owner
			}
			mu.Unlock()
		}
	})
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if len(claimed) != jobs {
		t.Errorf("%d jobs claimed, want %d", len(claimed), jobs)
	}
}

// TestReplicasSecret checks that two replicas creating a secret at once agree on it.
func TestReplicasSecret(t *testing.T) {
	t.Parallel()
	dbs := replicas(t)
	values := make([]string, 10)
	errs := race(len(values), func(i int) error {
		v, err := dbs[i%2].Secret(t.Context(), "cursor")
		values[i] = string(v)
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
		if values[i] != values[0] {
			t.Fatalf("replicas got different secrets")
		}
	}
}

// waitForLockWait waits until a backend of the test's schema waits on a lock.
func waitForLockWait(t *testing.T, dsn, app string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, app).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no transaction waited for the lock")
}

// TestLockedReads checks that a job read in a read-write transaction is locked until it
// ends: a client closing a job while a runner completes it reads the runner's result, and
// does not overwrite it with a decision taken on what it read before.
func TestLockedReads(t *testing.T) {
	t.Parallel()
	dsn, schema := freshSchema(t, database(t))
	db := open(t, dsn)
	job := pendingJob("dev", "job1")
	lease := amplify.Lease{Owner: "runner", Until: time.UnixMilli(1_700_000_060_000)}
	if err := db.Update(t.Context(), func(tx amplify.Tx) error { return tx.InsertJob(job) }); err != nil {
		t.Fatal(err)
	}
	if jobs, err := db.ClaimJobs(t.Context(), time.UnixMilli(1_700_000_000_000), lease, 1); err != nil || len(jobs) != 1 {
		t.Fatalf("ClaimJobs: %v, %v", jobs, err)
	}

	read, proceed := make(chan struct{}), make(chan struct{})
	// However the test ends, the runner goes on, so that its transaction ends.
	var release sync.Once
	defer release.Do(func() { close(proceed) })
	runner := make(chan error, 1)
	go func() {
		runner <- db.Update(t.Context(), func(tx amplify.Tx) error {
			j, err := tx.Job(job.JobKey)
			if err != nil {
				return err
			}
			close(read)
			<-proceed
			j.Pending, j.Status = false, amplify.StatusCompleted
			return tx.UpdateJob(j, &lease)
		})
	}()
	<-read
	// The client closes the job as UpdateBackendJob does: only if it is still pending.
	client := make(chan error, 1)
	go func() {
		client <- db.Update(t.Context(), func(tx amplify.Tx) error {
			j, err := tx.Job(job.JobKey)
			if err != nil || !j.Pending {
				return err
			}
			j.Pending, j.Status = false, amplify.StatusFailed
			return tx.UpdateJob(j, nil)
		})
	}()
	waitForLockWait(t, dsn, schema)
	release.Do(func() { close(proceed) })
	if err := <-runner; err != nil {
		t.Fatalf("runner: %v", err)
	}
	if err := <-client; err != nil {
		t.Fatalf("client: %v", err)
	}
	err := db.View(t.Context(), func(tx amplify.Tx) error {
		j, err := tx.Job(job.JobKey)
		if err == nil && j.Status != amplify.StatusCompleted {
			t.Errorf("job status %s, want the runner's %s", j.Status, amplify.StatusCompleted)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUpdateRetriesDeadlock makes two transactions deadlock: the database fails one, and
// Update runs it again.
func TestUpdateRetriesDeadlock(t *testing.T) {
	t.Parallel()
	dsn, _ := freshSchema(t, database(t))
	db := open(t, dsn)
	keys := []amplify.AppKey{{AppID: "a"}, {AppID: "b"}}
	if err := db.Update(t.Context(), func(tx amplify.Tx) error {
		for _, k := range keys {
			if err := tx.PutApp(&amplify.App{AppKey: k, Name: "0"}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	var first sync.WaitGroup
	first.Add(2)
	errs := race(2, func(i int) error {
		attempt := 0
		return db.Update(t.Context(), func(tx amplify.Tx) error {
			runs.Add(1)
			attempt++
			// Each locks one app, then, once both hold one, the other's.
			a, b := keys[i], keys[1-i]
			if _, err := tx.App(a); err != nil {
				return err
			}
			if attempt == 1 {
				first.Done()
				first.Wait()
			}
			if _, err := tx.App(b); err != nil {
				return err
			}
			return tx.PutApp(&amplify.App{AppKey: a, Name: fmt.Sprint(i)})
		})
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("transaction %d: %v", i, err)
		}
	}
	// The victim's second run may deadlock again with the winner, which has not yet locked
	// the row the victim released.
	if n := runs.Load(); n < 3 {
		t.Errorf("fn ran %d times, want at least 3 (a deadlock victim run again)", n)
	}
}

// TestRuleInDatabase checks that the pending-job rule holds for any writer, not only through
// this package, and that the trigger refuses REPEATABLE READ, where its check could miss a job.
func TestRuleInDatabase(t *testing.T) {
	t.Parallel()
	dsn, _ := freshSchema(t, database(t))
	open(t, dsn) // migrates
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	insert := func(tx pgx.Tx, id, env string) error {
		_, err := tx.Exec(t.Context(), `INSERT INTO jobs (account, region, app_id, job_id, env, operation, status, error,
			created_at, updated_at, action, payload, pending, run_at) VALUES ('a', 'r', 'app', $1, $2, 'o', 's', '', 0, 0, 'a', '', true, 0)`, id, env)
		return err
	}
	tests := []struct {
		name       string
		first, env string
		constraint string
	}{
		{"same environment", "dev", "dev", "jobs_one_pending"},
		{"environment then app", "dev", "", "jobs_app_pending"},
		{"app then environment", "", "dev", "jobs_app_pending"},
	}
	for _, tc := range tests {
		tx, err := conn.Begin(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if err := insert(tx, "j1", tc.first); err != nil {
			t.Fatalf("%s: first insert: %v", tc.name, err)
		}
		err = insert(tx, "j2", tc.env)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "23505" || pgErr.ConstraintName != tc.constraint {
			t.Errorf("%s: second insert: got %v, want a unique violation of %s", tc.name, err, tc.constraint)
		}
		tx.Rollback(t.Context())
	}

	tx, err := conn.BeginTx(t.Context(), pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	err = insert(tx, "j1", "dev")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "0A000" {
		t.Errorf("pending job inserted at REPEATABLE READ: got %v, want feature_not_supported", err)
	}
}

// TestServerLock checks that an import's exclusive lock is refused while a server holds the
// database, and granted once it has closed.
func TestServerLock(t *testing.T) {
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		t.Skip(dsnEnv + " is not set: no PostgreSQL to test against")
	}
	ctx := t.Context()
	server, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	if err := server.HoldShared(ctx); err != nil {
		t.Fatalf("HoldShared: %v", err)
	}
	replica, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := replica.HoldShared(ctx); err != nil {
		t.Fatalf("a second server's HoldShared: %v", err)
	}
	importer, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer importer.Close()
	if err := importer.LockExclusive(ctx); err == nil || !strings.Contains(err.Error(), "running amplifybackendd") {
		t.Fatalf("LockExclusive while servers run: %v", err)
	}
	server.Close()
	if err := importer.LockExclusive(ctx); err == nil {
		t.Fatal("LockExclusive while a replica still runs: granted")
	}
	replica.Close()
	if err := importer.LockExclusive(ctx); err != nil {
		t.Fatalf("LockExclusive after the servers closed: %v", err)
	}
}

// TestCheckWriteFails checks that health's write probe fails when the store's tables are
// gone (its schema dropped and made again, empty) and when the store is closed.
func TestCheckWriteFails(t *testing.T) {
	dsn := database(t)
	schemaDSN, schema := freshSchema(t, dsn)
	db := open(t, schemaDSN)
	if err := db.CheckWrite(t.Context()); err != nil {
		t.Fatalf("CheckWrite on a healthy store: %v", err)
	}
	admin(t, dsn, `DROP SCHEMA `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
	admin(t, dsn, `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize())
	if err := db.CheckWrite(t.Context()); err == nil {
		t.Error("CheckWrite passed with the store's tables gone")
	}
	db.Close()
	if err := db.CheckWrite(t.Context()); err == nil {
		t.Error("CheckWrite passed on a closed store")
	}
}

// pausingStore hands out transactions that stop after reading an environment, until the
// test lets them go on: the window between a submission's check and its insert.
type pausingStore struct {
	amplify.Store
	checked chan struct{} // closed after the first environment read
	proceed chan struct{} // closed by the test
	once    sync.Once
}

type pausingTx struct {
	amplify.Tx
	s *pausingStore
}

func (s *pausingStore) Update(ctx context.Context, fn func(amplify.Tx) error) error {
	return s.Store.Update(ctx, func(tx amplify.Tx) error { return fn(pausingTx{tx, s}) })
}

func (tx pausingTx) Environment(key amplify.EnvKey) (*amplify.Environment, error) {
	env, err := tx.Tx.Environment(key)
	tx.s.once.Do(func() {
		close(tx.s.checked)
		<-tx.s.proceed
	})
	return env, err
}

// TestSubmitSeesOneState runs a CreateBackend job of an environment while a second
// CreateBackend of the same environment, on another replica, is between its check (the
// environment does not exist yet) and its insert. A single server answers the second with
// BadRequest (a pending job, or the environment exists); so must replicas: the runner must
// not complete the job in that window, and the second submission must not be acknowledged.
func TestSubmitSeesOneState(t *testing.T) {
	t.Parallel()
	dsn, schema := freshSchema(t, database(t))
	runnerDB, clientDB := open(t, dsn), open(t, dsn)
	now := time.UnixMilli(1_700_000_000_000)
	clock := func() time.Time { return now }
	runner := &amplify.Service{Configs: wireconfig.Configs{}, Store: runnerDB, Now: clock}
	key := amplify.EnvKey{AppKey: appKey, Env: "dev"}
	first, err := runner.CreateBackend(t.Context(), key, "app")
	if err != nil {
		t.Fatal(err)
	}
	lease := amplify.Lease{Owner: "runner", Until: now.Add(time.Minute)}
	claimed, err := runnerDB.ClaimJobs(t.Context(), now, lease, 1)
	if err != nil || len(claimed) != 1 || claimed[0].JobID != first.JobID {
		t.Fatalf("ClaimJobs: %v, %v", claimed, err)
	}

	paused := &pausingStore{Store: clientDB, checked: make(chan struct{}), proceed: make(chan struct{})}
	var release sync.Once
	defer release.Do(func() { close(paused.proceed) })
	client := &amplify.Service{Configs: wireconfig.Configs{}, Store: paused, Now: clock}
	second := make(chan error, 1)
	go func() {
		_, err := client.CreateBackend(t.Context(), key, "app")
		second <- err
	}()
	<-paused.checked
	ran := make(chan []error, 1)
	go func() { ran <- runner.RunJobs(t.Context(), claimed, lease) }()
	// The runner either completes the job now (the defect) or waits for the submission's
	// transaction to end.
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var runErrs []error
	waited := false
	for deadline := time.Now().Add(10 * time.Second); runErrs == nil && !waited; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the runner neither completed the job nor waited for a lock within 10s")
		}
		select {
		case runErrs = <-ran:
		default:
			if err := conn.QueryRow(t.Context(), `SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, schema).Scan(&waited); err != nil {
				t.Fatal(err)
			}
		}
	}
	release.Do(func() { close(paused.proceed) })
	err = <-second
	if runErrs == nil {
		runErrs = <-ran
	}
	if runErrs[0] != nil {
		t.Fatalf("the job did not run: %v", runErrs[0])
	}
	if err == nil {
		t.Fatal("the second CreateBackend of dev was acknowledged; a single server answers BadRequest")
	}
	if amplify.ErrorCode(err) != amplify.BadRequest || !strings.Contains(err.Error(), "pending job") && !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second CreateBackend: %v; want BadRequest (a pending job, or the environment exists)", err)
	}
}

// TestAppLocksPerSchema holds an app's lock in one schema while a store in another schema of
// the same database inserts a pending job of the same app: the pending-job trigger must not
// wait. Advisory locks belong to the database: keyed by the app alone, the trigger's locks,
// taken in the order jobs are inserted, made stores in other schemas wait for each other and
// deadlock when two inserted jobs of two apps in different orders (the store suites of
// concurrent test processes did: "deadlock detected" in TestStore).
func TestAppLocksPerSchema(t *testing.T) {
	t.Parallel()
	dsn := database(t)
	schemaA, _ := freshSchema(t, dsn)
	schemaB, _ := freshSchema(t, dsn)
	a, b := open(t, schemaA), open(t, schemaB)

	locked, release := make(chan struct{}), make(chan struct{})
	holder := make(chan error, 1)
	go func() {
		holder <- a.Update(t.Context(), func(tx amplify.Tx) error {
			if err := tx.LockApps(appKey); err != nil {
				return err
			}
			if err := tx.InsertJob(pendingJob("dev", "held")); err != nil {
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	select {
	case <-locked:
	case err := <-holder:
		t.Fatalf("schema A: %v", err)
	}

	done := make(chan error, 1)
	go func() {
		done <- b.Update(t.Context(), func(tx amplify.Tx) error {
			return tx.InsertJob(pendingJob("dev", "other-schema"))
		})
	}()
	waited := false
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("schema B: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("schema B waited 10s for the lock of the same app in schema A")
		waited = true
	}
	close(release)
	if err := <-holder; err != nil {
		t.Errorf("schema A: %v", err)
	}
	if waited {
		<-done
	}
}
