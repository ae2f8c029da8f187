package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/pgtest"
	"github.com/amplifybackendd/amplifybackendd/internal/testenv"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
	"github.com/jackc/pgx/v5"
)

// The tests in this file run several replicas of the built binary on one PostgreSQL database,
// as a deployment behind a load balancer does (docs/deploy.md). They need a database:
//
//	AMPLIFYBACKEND_TEST_POSTGRES='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' \
//	    go test ./cmd/amplifybackendd/ -run Replica
//
// Each test works in a schema of its own (the DSN's search_path), dropped at the end.

// replicaDSNEnv names the variable that holds the DSN of the test database.
const replicaDSNEnv = "AMPLIFYBACKEND_TEST_POSTGRES"

// replicaDatabase returns the test database's DSN, or skips the test.
func replicaDatabase(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: this test builds and runs the binary")
	}
	dsn := os.Getenv(replicaDSNEnv)
	if dsn == "" {
		t.Skipf("the replica tests need PostgreSQL: run them with %s set to a DSN, e.g.\n"+
			"\t%s='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' go test ./cmd/amplifybackendd/ -run Replica\n"+
			"(.ci/postgres.sh starts a local server and prints one)", replicaDSNEnv, replicaDSNEnv)
	}
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		t.Fatalf("%s must be a postgres:// URL, as --store takes", replicaDSNEnv)
	}
	return dsn
}

// replicaSchema creates a schema of its own for the test, drops it when the test ends (after
// the replicas, whose cleanups run first), and returns the DSN with its search_path set to it.
func replicaSchema(t *testing.T, dsn string) string {
	t.Helper()
	schemaDSN, _ := pgtest.Schema(t, dsn, "amplifyreplicas")
	return schemaDSN
}

// replicaConn opens a connection of the test's own to the schema, to look at what the
// replicas share.
func replicaConn(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// replica is one running amplifybackendd process of the built binary. Unlike startProcess it
// keeps the log (shown when the test fails), may be started from any goroutine, and tells a
// process that exits before it listens from one that is slow.
type replica struct {
	name   string
	cmd    *exec.Cmd
	url    string
	log    *replicaLog
	done   chan struct{} // closed when the process has exited
	client *amplifybackend.AmplifyBackend
}

// replicaLog keeps a process's log lines and reports the address it listens on.
type replicaLog struct {
	mu      sync.Mutex
	lines   []string
	partial []byte
	addr    chan string
}

func (l *replicaLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(l.partial[:i])
		l.partial = l.partial[i+1:]
		l.lines = append(l.lines, line)
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "amplifybackendd listening" {
			select {
			case l.addr <- rec.Addr:
			default:
			}
		}
	}
}

// matching returns the log lines that contain s.
func (l *replicaLog) matching(s string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return out
}

func (l *replicaLog) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines[max(0, len(l.lines)-n):], "\n")
}

// startReplica runs the built binary on a free loopback port with args and waits until it
// listens. The caller stops it (stop) when the test ends.
func startReplica(name string, args ...string) (*replica, error) {
	bin, err := buildBinary()
	if err != nil {
		return nil, err
	}
	log := &replicaLog{addr: make(chan string, 1)}
	cmd := exec.Command(bin, append([]string{"--addr", "127.0.0.1:0", "--log-format", "json", "--log-level", "info"}, args...)...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = testenv.Env()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := &replica{name: name, cmd: cmd, log: log, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(r.done)
	}()
	select {
	case addr := <-log.addr:
		r.url = "http://" + addr
	case <-r.done:
		return nil, fmt.Errorf("%s exited before it listened (%v):\n%s", name, cmd.ProcessState, log.tail(20))
	case <-time.After(30 * time.Second):
		r.kill()
		return nil, fmt.Errorf("%s did not listen within 30s:\n%s", name, log.tail(20))
	}
	r.client = amplifybackend.New(session.Must(session.NewSession(&aws.Config{
		Endpoint: aws.String(r.url), Region: aws.String("us-east-1"),
		Credentials: credentials.NewStaticCredentials("AKIDEXAMPLE", "secret", ""),
		MaxRetries:  aws.Int(0),
		// A replica that is killed mid-request must not hang a client for long.
		HTTPClient: &http.Client{Timeout: 10 * time.Second},
	})))
	return r, nil
}

// kill ends the process with SIGKILL and waits until it has exited.
func (r *replica) kill() {
	r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.done
}

// startReplicas starts n replicas at once with args, as a deployment does, and stops them when
// the test ends; when the test fails, their last log lines are shown.
func startReplicas(t *testing.T, n int, args ...string) []*replica {
	t.Helper()
	rs := make([]*replica, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { rs[i], errs[i] = startReplica(fmt.Sprintf("replica%d", i), args...) })
	}
	wg.Wait()
	for _, r := range rs {
		if r != nil {
			stopReplicaAtEnd(t, r)
		}
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("replicas started together on one database did not all start: %v", err)
	}
	return rs
}

func stopReplicaAtEnd(t *testing.T, r *replica) {
	t.Cleanup(func() {
		r.kill()
		if errs := r.log.matching(`"level":"ERROR"`); t.Failed() && len(errs) > 0 {
			t.Logf("%s logged %d errors, the first:\n%s", r.name, len(errs), strings.Join(errs[:min(5, len(errs))], "\n"))
		}
	})
}

// replicaAnswered reports whether err is a server's answer (an error status), not a request
// that got no answer: a replica killed mid-request may or may not have committed it.
func replicaAnswered(err error) bool {
	var rf awserr.RequestFailure
	return errors.As(err, &rf) && rf.StatusCode() >= 400
}

// replicaApp is what the load acknowledged for one app: only acknowledged changes must survive.
type replicaApp struct {
	app      string
	createID string // the CreateBackend job of environment dev
	via      int    // the replica that acknowledged it
	cloneID  string // the CloneBackend job of dev into qa, when acknowledged
	tagged   bool   // UpdateBackendJob renamed the clone job's Operation
	session  string // a challenge token, when acknowledged
	code     string
	tokenVia int
}

// replicaLoad drives concurrent clients, round-robin over the replicas that are up.
type replicaLoad struct {
	t        *testing.T
	replicas []*replica
	up       []atomic.Bool
	stop     atomic.Bool
	mu       sync.Mutex
	apps     []*replicaApp
	lost     atomic.Int64 // requests a replica never answered
}

// next returns the next replica that is up, counting from *k.
func (l *replicaLoad) next(k *int) (int, *replica) {
	for range len(l.replicas) {
		i := *k % len(l.replicas)
		*k++
		if l.up[i].Load() {
			return i, l.replicas[i]
		}
	}
	l.t.Error("no replica is up")
	return 0, l.replicas[0]
}

// failed fails the test with an error a replica answered with; a request that got no answer
// (the replica was killed) is only counted.
func (l *replicaLoad) failed(r *replica, what string, err error) {
	if replicaAnswered(err) {
		l.t.Errorf("%s on %s: %v", what, r.name, err)
		return
	}
	l.lost.Add(1)
}

func (l *replicaLoad) acknowledged() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.apps)
}

// worker creates apps, each on the next replica, waits for the job on another, then creates
// a token, clones the environment and renames the clone job, each on the next replica again.
// A request that gets no answer abandons the app: it may or may not have happened.
func (l *replicaLoad) worker(w int) {
	k := w
	for i := 0; !l.stop.Load(); i++ {
		a := &replicaApp{app: fmt.Sprintf("w%d-%d", w, i)}
		via, r := l.next(&k)
		out, err := r.client.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String(a.app), AppName: aws.String(a.app), BackendEnvironmentName: aws.String("dev")})
		if err != nil {
			l.failed(r, "CreateBackend "+a.app, err)
			continue
		}
		a.createID, a.via = aws.StringValue(out.JobId), via
		l.mu.Lock()
		l.apps = append(l.apps, a)
		l.mu.Unlock()
		// The fields set below are read only once every worker has returned.
		if !l.waitCompleted(&k, a.app, "dev", a.createID, 20*time.Second) {
			continue
		}
		via, r = l.next(&k)
		tok, err := r.client.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String(a.app)})
		if err != nil {
			l.failed(r, "CreateToken "+a.app, err)
			continue
		}
		a.session, a.code, a.tokenVia = aws.StringValue(tok.SessionId), aws.StringValue(tok.ChallengeCode), via
		_, r = l.next(&k)
		clone, err := r.client.CloneBackend(&amplifybackend.CloneBackendInput{AppId: aws.String(a.app), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String("qa")})
		if err != nil {
			l.failed(r, "CloneBackend "+a.app, err)
			continue
		}
		a.cloneID = aws.StringValue(clone.JobId)
		// Renaming the job while a runner may be applying it on another replica: both must
		// stick, the name and the completion.
		_, r = l.next(&k)
		_, err = r.client.UpdateBackendJob(&amplifybackend.UpdateBackendJobInput{AppId: aws.String(a.app), BackendEnvironmentName: aws.String("dev"), JobId: clone.JobId, Operation: aws.String("CloneBackendTagged")})
		if err != nil {
			l.failed(r, "UpdateBackendJob "+a.app, err)
			continue
		}
		a.tagged = true
	}
}

// waitCompleted polls a job, each time on the next replica, until it completes; it reports
// false if the job failed (an error of the test), or no replica answered before the deadline.
func (l *replicaLoad) waitCompleted(k *int, app, env, jobID string, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		_, r := l.next(k)
		job, err := r.client.GetBackendJob(&amplifybackend.GetBackendJobInput{AppId: aws.String(app), BackendEnvironmentName: aws.String(env), JobId: aws.String(jobID)})
		switch {
		case err != nil && replicaAnswered(err):
			// NotFound here is an acknowledged job another replica does not see.
			l.t.Errorf("GetBackendJob %s of %s on %s: %v", jobID, app, r.name, err)
			return false
		case err != nil:
		case aws.StringValue(job.Status) == "COMPLETED":
			return true
		case aws.StringValue(job.Status) == "FAILED":
			l.t.Errorf("job %s (%s) of %s failed: %s", jobID, aws.StringValue(job.Operation), app, aws.StringValue(job.Error))
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	l.t.Errorf("job %s of %s/%s not completed within %v", jobID, app, env, within)
	return false
}

// heldJob is a job a runner had claimed when the test froze every runner.
type heldJob struct {
	app, jobID, owner string
	leaseUntil        int64
}

// TestReplicasSharePostgres runs three replicas on one database under concurrent load, kills
// one with SIGKILL while its runner holds a claimed job, and checks through the others that
// every acknowledged change is there, that every job completed exactly once (the one the dead
// replica held once its lease expired), and that what replicas must share they share: NextToken
// pages, the pending-job rule, buckets, Admin UI configs and tokens.
func TestReplicasSharePostgres(t *testing.T) {
	dsn := replicaSchema(t, replicaDatabase(t))
	const lease = 2 * time.Second
	args := []string{"--store", dsn, "--job-duration", "300ms", "--job-lease", lease.String()}
	rs := startReplicas(t, 3, args...)
	db := replicaConn(t, dsn)
	started := time.Now()

	l := &replicaLoad{t: t, replicas: rs, up: make([]atomic.Bool, 3)}
	for i := range rs {
		l.up[i].Store(true)
	}
	// Apps the checks after the load use, each created on one replica and awaited on another.
	k := 0
	for _, app := range []string{"race", "shared"} {
		_, r := l.next(&k)
		out, err := r.client.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String(app), AppName: aws.String(app), BackendEnvironmentName: aws.String("dev")})
		if err != nil {
			t.Fatalf("CreateBackend %s on %s: %v", app, r.name, err)
		}
		if !l.waitCompleted(&k, app, "dev", aws.StringValue(out.JobId), 10*time.Second) {
			t.FailNow()
		}
	}

	const workers = 6
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { l.worker(w) })
	}
	load := l
	defer func() { load.stop.Store(true); wg.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); l.acknowledged() < 30; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) || t.Failed() {
			t.Fatalf("only %d apps acknowledged after 10s of load", l.acknowledged())
		}
	}

	// Freeze every runner on claimed jobs: a transaction of the test's own holds a lock on
	// the environments table that lets reads and job submissions through but no job effect
	// (they all write environments). Each runner claims due jobs (one, or a batch) and waits,
	// holding the claims, so the replica killed now certainly dies holding some. Every app of
	// the load has at most one pending job, so no claim waits behind another of its runner.
	lockConn := replicaConn(t, dsn)
	lockTx, err := lockConn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockTx.Exec(t.Context(), `LOCK TABLE environments IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	held := map[string][]heldJob{} // by owner
	for deadline := time.Now().Add(10 * time.Second); len(held) < len(rs); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			lockTx.Rollback(t.Context())
			t.Fatalf("after 10s only %d of %d runners hold a claimed job: %v", len(held), len(rs), held)
		}
		rows, err := db.Query(t.Context(), `SELECT app_id, job_id, lease_owner, lease_until FROM jobs WHERE pending AND lease_owner IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		held = map[string][]heldJob{}
		for rows.Next() {
			var h heldJob
			if err := rows.Scan(&h.app, &h.jobID, &h.owner, &h.leaseUntil); err != nil {
				t.Fatal(err)
			}
			held[h.owner] = append(held[h.owner], h)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	victim := rs[2]
	l.up[2].Store(false)
	victim.kill()
	killed := time.Now()
	if err := lockTx.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Logf("%.1fs: SIGKILLed %s with every runner holding a claim (%d apps acknowledged so far)", killed.Sub(started).Seconds(), victim.name, l.acknowledged())

	// The survivors carry on past the dead replica's lease.
	time.Sleep(lease + 500*time.Millisecond)
	l.stop.Store(true)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	a, b := rs[0], rs[1]
	t.Logf("%.1fs: load stopped: %d apps acknowledged, %d requests unanswered (the killed replica's)", time.Since(started).Seconds(), len(l.apps), l.lost.Load())

	// Every job, acknowledged or not, ends once and completed: a job run twice would fail
	// ("already exists"), and one the dead replica held would stay pending.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var pending int
		if err := db.QueryRow(t.Context(), `SELECT count(*) FROM jobs WHERE pending`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs still pending 15s after the load", pending)
		}
	}
	rows, err := db.Query(t.Context(), `SELECT app_id, env, operation, status, error FROM jobs WHERE status <> 'COMPLETED'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var app, env, op, status, msg string
		if err := rows.Scan(&app, &env, &op, &status, &msg); err != nil {
			t.Fatal(err)
		}
		t.Errorf("job %s of %s/%s ended %s: %q", op, app, env, status, msg)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}

	// The claims: the survivors completed theirs themselves; the others took every claim of
	// the dead replica over, once its lease had expired.
	var dead []string
	for owner, claims := range held {
		taken := 0
		for _, h := range claims {
			var finalOwner string
			var updated int64
			if err := db.QueryRow(t.Context(), `SELECT lease_owner, updated_at FROM jobs WHERE app_id = $1 AND job_id = $2`, h.app, h.jobID).Scan(&finalOwner, &updated); err != nil {
				t.Fatal(err)
			}
			if finalOwner == owner {
				continue
			}
			taken++
			if updated < h.leaseUntil {
				t.Errorf("job %s of %s, claimed by %s until %d, was completed by %s at %d, before that lease expired", h.jobID, h.app, owner, h.leaseUntil, finalOwner, updated)
			}
			if limit := max(h.leaseUntil, killed.UnixMilli()) + 3000; updated > limit {
				t.Errorf("job %s of %s, claimed by the killed replica until %d, completed only at %d", h.jobID, h.app, h.leaseUntil, updated)
			}
		}
		switch taken {
		case 0:
		case len(claims):
			dead = append(dead, owner)
			h := claims[0]
			t.Logf("the killed replica's %d claims (lease until +%dms after the kill) were completed by the others", len(claims), h.leaseUntil-killed.UnixMilli())
		default:
			t.Errorf("runner %s: %d of its %d claims were completed by another runner; want all (the killed replica's) or none", owner, taken, len(claims))
		}
	}
	if len(dead) != 1 {
		t.Errorf("the claims of %d runners were taken over; want exactly 1, the killed replica's", len(dead))
	}

	// Every acknowledged change, read from a survivor other than the replica that made it.
	other := func(i int) *replica { return rs[(i+1)%2] }
	for i, app := range l.apps {
		r := other(app.via + i)
		job, err := r.client.GetBackendJob(&amplifybackend.GetBackendJobInput{AppId: aws.String(app.app), BackendEnvironmentName: aws.String("dev"), JobId: aws.String(app.createID)})
		if err != nil || aws.StringValue(job.Status) != "COMPLETED" {
			t.Errorf("acknowledged CreateBackend %s of %s on %s: %v, %v", app.createID, app.app, r.name, job, err)
			continue
		}
		creates, err := r.client.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String(app.app), BackendEnvironmentName: aws.String("dev"), Operation: aws.String("CreateBackend")})
		if err != nil || len(creates.Jobs) != 1 || aws.StringValue(creates.Jobs[0].JobId) != app.createID {
			t.Errorf("%s: CreateBackend jobs %v, %v; want exactly %s", app.app, creates, err, app.createID)
		}
		backend, err := r.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String(app.app)})
		if err != nil {
			t.Errorf("GetBackend %s on %s: %v", app.app, r.name, err)
			continue
		}
		envs := aws.StringValueSlice(backend.BackendEnvironmentList)
		if !slices.Contains(envs, "dev") || app.cloneID != "" && !slices.Contains(envs, "qa") {
			t.Errorf("%s has environments %v; clone acknowledged: %t", app.app, envs, app.cloneID != "")
		}
		if app.cloneID != "" {
			clone, err := r.client.GetBackendJob(&amplifybackend.GetBackendJobInput{AppId: aws.String(app.app), BackendEnvironmentName: aws.String("dev"), JobId: aws.String(app.cloneID)})
			want := "CloneBackend"
			if app.tagged {
				want = "CloneBackendTagged"
			}
			if err != nil || aws.StringValue(clone.Status) != "COMPLETED" || aws.StringValue(clone.Operation) != want {
				t.Errorf("acknowledged CloneBackend %s of %s: %v, %v; want COMPLETED as %s", app.cloneID, app.app, clone, err, want)
			}
		}
		if app.session != "" {
			r := other(app.tokenVia + i)
			tok, err := r.client.GetToken(&amplifybackend.GetTokenInput{AppId: aws.String(app.app), SessionId: aws.String(app.session)})
			if err != nil || aws.StringValue(tok.ChallengeCode) != app.code {
				t.Errorf("token %s of %s (created on replica%d) on %s: %v, %v", app.session, app.app, app.tokenVia, r.name, tok, err)
			}
		}
	}

	// A replica that joins the running cluster, with buckets to seed.
	var seeds []string
	for i := range 120 {
		seeds = append(seeds, fmt.Sprintf("replica-seed-%03d", i))
	}
	d, err := startReplica("replica3", append(args, "--s3-buckets", strings.Join(seeds, ","))...)
	if err != nil {
		t.Fatal(err)
	}
	stopReplicaAtEnd(t, d)
	live := []*replica{a, b, d}
	l = &replicaLoad{t: t, replicas: live, up: make([]atomic.Bool, 3)}
	for i := range live {
		l.up[i].Store(true)
	}

	// ListS3Buckets pages, each from another replica.
	var listed []string
	var token *string
	for page := 0; ; page++ {
		r := live[page%3]
		out, err := r.client.ListS3Buckets(&amplifybackend.ListS3BucketsInput{NextToken: token})
		if err != nil {
			t.Fatalf("ListS3Buckets page %d on %s (token from the previous replica): %v", page, r.name, err)
		}
		for _, bk := range out.Buckets {
			listed = append(listed, aws.StringValue(bk.Name))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if !slices.Equal(listed, seeds) {
		t.Errorf("ListS3Buckets across replicas: %d buckets %v...; want the %d seeded by replica3", len(listed), listed[:min(3, len(listed))], len(seeds))
	}

	// A bucket, an Admin UI config and a token made on one replica, read on the others.
	// The name sorts before the seeds; every test has its own schema, so it is free.
	// Storage needs auth: it is made on another replica than the storage.
	bucket := "replica-bucket"
	auth, err := d.client.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{AppId: aws.String("shared"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("sharedauth"), ResourceConfig: minimalAuthConfig()})
	if err != nil {
		t.Fatal(err)
	}
	k = 1
	if !l.waitCompleted(&k, "shared", "dev", aws.StringValue(auth.JobId), 10*time.Second) {
		t.FailNow()
	}
	st, err := a.client.CreateBackendStorage(&amplifybackend.CreateBackendStorageInput{AppId: aws.String("shared"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("files"), ResourceConfig: storageConfig(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	k = 1
	if !l.waitCompleted(&k, "shared", "dev", aws.StringValue(st.JobId), 10*time.Second) {
		t.FailNow()
	}
	if got, err := b.client.GetBackendStorage(&amplifybackend.GetBackendStorageInput{AppId: aws.String("shared"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("files")}); err != nil || aws.StringValue(got.ResourceConfig.BucketName) != bucket {
		t.Errorf("GetBackendStorage on %s: %v, %v", b.name, got, err)
	}
	if out, err := d.client.ListS3Buckets(&amplifybackend.ListS3BucketsInput{}); err != nil || len(out.Buckets) == 0 || aws.StringValue(out.Buckets[0].Name) != bucket {
		t.Errorf("ListS3Buckets on %s does not start with %s, made on %s: %v, %v", d.name, bucket, a.name, out, err)
	}
	cfg, err := b.client.CreateBackendConfig(&amplifybackend.CreateBackendConfigInput{AppId: aws.String("shared"), BackendManagerAppId: aws.String("manager1")})
	if err != nil {
		t.Fatal(err)
	}
	if !l.waitCompleted(&k, "shared", aws.StringValue(cfg.BackendEnvironmentName), aws.StringValue(cfg.JobId), 10*time.Second) {
		t.FailNow()
	}
	for _, r := range []*replica{d, a} {
		out, err := r.client.UpdateBackendConfig(&amplifybackend.UpdateBackendConfigInput{AppId: aws.String("shared"), LoginAuthConfig: &amplifybackend.LoginAuthConfigReqObj{AwsCognitoRegion: aws.String("us-east-1")}})
		if err != nil || aws.StringValue(out.BackendManagerAppId) != "manager1" {
			t.Errorf("UpdateBackendConfig on %s of the config made on %s: %v, %v", r.name, b.name, out, err)
		}
	}
	tok, err := d.client.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String("shared")})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*replica{a, b} {
		got, err := r.client.GetToken(&amplifybackend.GetTokenInput{AppId: aws.String("shared"), SessionId: tok.SessionId})
		if err != nil || aws.StringValue(got.ChallengeCode) != aws.StringValue(tok.ChallengeCode) {
			t.Errorf("GetToken on %s of the token made on %s: %v, %v", r.name, d.name, got, err)
		}
	}

	// The pending-job rule across replicas: every replica submits a job for the same
	// environment at once; one is accepted, the others refused.
	const rounds = 5
	for round := range rounds {
		errs := make([]error, len(live))
		outs := make([]*amplifybackend.CloneBackendOutput, len(live))
		start := make(chan struct{})
		var race sync.WaitGroup
		for i, r := range live {
			race.Go(func() {
				<-start
				outs[i], errs[i] = r.client.CloneBackend(&amplifybackend.CloneBackendInput{AppId: aws.String("race"), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String(fmt.Sprintf("r%d-%s", round, r.name))})
			})
		}
		close(start)
		race.Wait()
		var winner *string
		for i, err := range errs {
			if err == nil {
				if winner != nil {
					t.Errorf("round %d: two replicas accepted a job for race/dev", round)
				}
				winner = outs[i].JobId
				continue
			}
			ae := wantCode(t, err, "BadRequestException")
			if want := "There is already a pending job for the requested appId: race and backendEnvironmentName: dev"; !strings.Contains(ae.Message(), want) {
				t.Errorf("round %d, %s: %q; want the pending-job message", round, live[i].name, ae.Message())
			}
		}
		if winner == nil {
			t.Fatalf("round %d: no replica accepted the job", round)
		}
		if !l.waitCompleted(&k, "race", "dev", *winner, 10*time.Second) {
			t.FailNow()
		}
	}

	// ListBackendJobs pages, each from another replica with the token of the one before.
	full, err := a.client.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("race"), BackendEnvironmentName: aws.String("dev")})
	if err != nil || len(full.Jobs) != rounds+1 {
		t.Fatalf("race/dev jobs: %v, %v; want %d", full, err, rounds+1)
	}
	var want, got []string
	for _, j := range full.Jobs {
		want = append(want, aws.StringValue(j.JobId))
	}
	token = nil
	for page := 0; ; page++ {
		r := live[page%3]
		out, err := r.client.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("race"), BackendEnvironmentName: aws.String("dev"), MaxResults: aws.Int64(2), NextToken: token})
		if err != nil {
			t.Fatalf("ListBackendJobs page %d on %s (token from the previous replica): %v", page, r.name, err)
		}
		for _, j := range out.Jobs {
			got = append(got, aws.StringValue(j.JobId))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged across replicas: %v\nin one page:             %v", got, want)
	}

	// Nothing went wrong inside the survivors either.
	for _, r := range live {
		if errs := r.log.matching(`"level":"ERROR"`); len(errs) > 0 {
			t.Errorf("%s logged %d errors, first: %s", r.name, len(errs), errs[0])
		}
	}
	t.Logf("%.1fs in all", time.Since(started).Seconds())
}

// TestReplicasStartTogether starts replicas at the same moment on an empty schema, each with
// the same --s3-buckets, as a deployment restarting every replica at once does: every one
// must start (migrations applied once, buckets seeded once) and see the same state. The
// replicas race, so the test runs several rounds, each on a schema of its own.
func TestReplicasStartTogether(t *testing.T) {
	base := replicaDatabase(t)
	files, err := filepath.Glob("../../internal/postgres/migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v %v", files, err)
	}
	seeds := "together-a,together-b,111111111111:together-c"
	const rounds, n = 10, 6
	for round := range rounds {
		dsn := replicaSchema(t, base)
		rs := startReplicas(t, n, "--store", dsn, "--s3-buckets", seeds)
		for _, r := range rs {
			out, err := r.client.ListS3Buckets(&amplifybackend.ListS3BucketsInput{})
			if err != nil {
				t.Fatalf("round %d: ListS3Buckets on %s: %v", round, r.name, err)
			}
			var names []string
			for _, b := range out.Buckets {
				names = append(names, aws.StringValue(b.Name))
			}
			if fmt.Sprint(names) != "[together-a together-b]" {
				t.Errorf("round %d: %s lists %v", round, r.name, names)
			}
		}
		var applied int
		if err := replicaConn(t, dsn).QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&applied); err != nil {
			t.Fatal(err)
		}
		if applied != len(files) {
			t.Errorf("round %d: schema_migrations has %d rows; want %d, one per migration", round, applied, len(files))
		}
		for _, r := range rs {
			r.kill()
		}
	}
}
