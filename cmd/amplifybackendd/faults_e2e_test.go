package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/client"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
	"github.com/jackc/pgx/v5"
)

// The tests in this file break the store under a running server and check what clients and
// operators see: 503 ServiceUnavailableException naming the kind of failure, retried by the
// SDK's standard retryer; reads that go on where the store allows them; jobs that run once
// when the store is back; and service again without a restart.

// sdkRetries is how many times the retrying client retries a request.
const sdkRetries = 2

// retryingClient is a client with aws-sdk-go's standard retryer (short delays).
func (s *testServer) retryingClient() *amplifybackend.AmplifyBackend {
	sess := session.Must(session.NewSession(&aws.Config{
		Endpoint:    aws.String(s.URL()),
		Region:      aws.String("us-east-1"),
		Credentials: credentials.NewStaticCredentials("AKIDEXAMPLE", "secret", ""),
		Retryer: client.DefaultRetryer{NumMaxRetries: sdkRetries, MinRetryDelay: time.Millisecond,
			MaxRetryDelay: 10 * time.Millisecond, MinThrottleDelay: time.Millisecond, MaxThrottleDelay: 10 * time.Millisecond},
	}))
	return amplifybackend.New(sess)
}

// createWithRetries sends CreateBackend through c and returns its error and how many times
// the SDK retried it.
func createWithRetries(c *amplifybackend.AmplifyBackend, app, env string) (*amplifybackend.CreateBackendOutput, error, int) {
	req, out := c.CreateBackendRequest(&amplifybackend.CreateBackendInput{
		AppId: aws.String(app), AppName: aws.String(app), BackendEnvironmentName: aws.String(env),
	})
	err := req.Send()
	return out, err, req.RetryCount
}

// wantUnavailable fails the test unless err is the 503 ServiceUnavailableException naming
// kind, retried sdkRetries times, and its message names none of the words in secret.
func wantUnavailable(t *testing.T, err error, retries int, kind string, secret ...string) {
	t.Helper()
	ae := wantCode(t, err, "ServiceUnavailableException")
	var rf awserr.RequestFailure
	if !errors.As(err, &rf) || rf.StatusCode() != 503 {
		t.Errorf("error %v: want HTTP status 503", err)
	}
	if retries != sdkRetries {
		t.Errorf("the SDK retried %d times; want %d (503 is retryable)", retries, sdkRetries)
	}
	if !strings.Contains(ae.Message(), kind) {
		t.Errorf("message %q does not name the failure (%q)", ae.Message(), kind)
	}
	for _, s := range secret {
		if s != "" && strings.Contains(ae.Message(), s) {
			t.Errorf("message %q leaks %q", ae.Message(), s)
		}
	}
}

// jobStatus returns the job's status, or "" when GetBackendJob fails.
func jobStatus(c *amplifybackend.AmplifyBackend, app, env, id string) string {
	out, err := c.GetBackendJob(&amplifybackend.GetBackendJobInput{AppId: aws.String(app), BackendEnvironmentName: aws.String(env), JobId: aws.String(id)})
	if err != nil {
		return ""
	}
	return aws.StringValue(out.Status)
}

// TestDiskFullSQLite fills the file system under a running server's SQLite database (a small
// tmpfs) while a job is pending, then frees it.
func TestDiskFullSQLite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=4m"); err != nil {
		t.Skipf("a full disk is simulated with a 4 MB tmpfs, and mounting one needs CAP_SYS_ADMIN (root, as in CI): %v", err)
	}
	// Registered first, so it runs last: after the server has closed its files.
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	logs := &syncBuffer{}
	s := startServerIn(t, dir, func(m *Main) {
		m.Now = nil // the real clock: the job runner runs in the background
		m.ManualJobs = false
		m.Config.JobDuration = time.Second
		m.Config.LogLevel = "info"
		m.LogOutput = logs
	})
	c := s.retryingClient()

	// Before the fault: a job runs.
	out, err, _ := createWithRetries(c, "before", "dev")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the first job completes", func() bool { return jobStatus(c, "before", "dev", aws.StringValue(out.JobId)) == "COMPLETED" })

	// A job is pending (due in a second) when the disk fills up.
	pending, err, _ := createWithRetries(c, "during", "dev")
	if err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(dir, "filler")
	fillDisk(t, filler)

	_, err, retries := createWithRetries(c, "refused", "dev")
	wantUnavailable(t, err, retries, "disk is full", dir, "amplifybackend.db")
	if st := jobStatus(c, "during", "dev", aws.StringValue(pending.JobId)); st != "IN_PROGRESS" {
		t.Errorf("GetBackendJob while the disk is full: status %q; want IN_PROGRESS (reads go on)", st)
	}
	// The runner meets the full disk when the job falls due, and backs off.
	waitFor(t, 20*time.Second, "the runner meets the full disk", func() bool { return strings.Contains(logs.String(), "the store fails") })

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the pending job completes once the disk has room", func() bool {
		return jobStatus(c, "during", "dev", aws.StringValue(pending.JobId)) == "COMPLETED"
	})
	if _, err, _ := createWithRetries(c, "after", "dev"); err != nil {
		t.Errorf("CreateBackend once the disk has room: %v", err)
	}
	text := logs.String()
	if n := strings.Count(text, "the store fails"); n != 1 {
		t.Errorf("the runner logged the outage %d times; want once", n)
	}
	if n := strings.Count(text, "the store works again"); n != 1 {
		t.Errorf("the runner logged the recovery %d times; want once", n)
	}
	if strings.Contains(text, "job failed to run") {
		t.Errorf("the runner logged jobs one by one during the outage:\n%s", text)
	}
	// The environment exists once: the job's effect was applied once.
	envs, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("during"), BackendEnvironmentName: aws.String("dev")})
	if err != nil || len(envs.Jobs) != 1 {
		t.Errorf("jobs of the app: %v, %v; want the one job", envs, err)
	}
}

// fillDisk writes path until the file system is full.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill the disk: %v", err)
			}
			return
		}
	}
}

// TestPostgresDownAndReadOnly breaks the connection to PostgreSQL (a proxy that drops every
// connection), then makes the database read-only for the server's role, then slow (a lock the
// server's role waits for past its lock_timeout), and heals each.
func TestPostgresDownAndReadOnly(t *testing.T) {
	dsn := os.Getenv(replicaDSNEnv)
	if dsn == "" {
		t.Skipf("needs PostgreSQL: set %s to a postgres:// DSN of a database of your own", replicaDSNEnv)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	// A role and a schema of the test's own: the role's settings change, nobody else's.
	b := make([]byte, 6)
	rand.Read(b)
	role := "amplifyfaults_" + hex.EncodeToString(b)
	admin := func(sql string) {
		t.Helper()
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	id := pgx.Identifier{role}.Sanitize()
	admin(`CREATE ROLE ` + id + ` LOGIN`)
	admin(`CREATE SCHEMA ` + id + ` AUTHORIZATION ` + id)
	t.Cleanup(func() {
		admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '` + role + `'`)
		admin(`DROP SCHEMA ` + id + ` CASCADE`)
		admin(`DROP ROLE ` + id)
	})
	proxy := startProxy(t, u.Host)
	pu := *u
	pu.Host = proxy.addr()
	pu.User = url.User(role)
	q := pu.Query()
	q.Set("search_path", role)
	pu.RawQuery = q.Encode()

	logs := &syncBuffer{}
	s := startServer(t, func(m *Main) {
		m.Config.Store = pu.String()
		m.Config.LogLevel = "info"
		m.LogOutput = logs
	})
	c := s.retryingClient()
	s.createBackend(c, "before", "Before", "dev")

	t.Run("database unreachable", func(t *testing.T) {
		proxy.setDown(true)
		_, err, retries := createWithRetries(c, "refused", "dev")
		wantUnavailable(t, err, retries, "database is unavailable", u.Host, proxy.addr(), role)
		_, err = c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("before"), BackendEnvironmentName: aws.String("dev")})
		wantCode(t, err, "ServiceUnavailableException")
		proxy.setDown(false)
		out, err, _ := createWithRetries(c, "back", "dev")
		if err != nil {
			t.Fatalf("CreateBackend once the database is reachable again: %v", err)
		}
		s.mustComplete(c, "back", "dev", out.JobId)
	})

	t.Run("database read-only", func(t *testing.T) {
		admin(`ALTER ROLE ` + id + ` SET default_transaction_read_only = on`)
		admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '` + role + `'`)
		// The first attempts may meet connections that were just terminated (also a 503);
		// fresh connections are read-only.
		var last error
		waitFor(t, 20*time.Second, "a read-only refusal", func() bool {
			_, err, retries := createWithRetries(c, "readonly", "dev")
			wantUnavailable(t, err, retries, "", role)
			last = err
			return strings.Contains(err.Error(), "read-only")
		})
		wantUnavailable(t, last, sdkRetries, "the store is read-only", role)
		if _, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("before"), BackendEnvironmentName: aws.String("dev")}); err != nil {
			t.Errorf("GetBackend on a read-only database: %v", err)
		}
		admin(`ALTER ROLE ` + id + ` RESET default_transaction_read_only`)
		admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '` + role + `'`)
		var out *amplifybackend.CreateBackendOutput
		waitFor(t, 20*time.Second, "writes work again", func() bool {
			var err error
			out, err, _ = createWithRetries(c, "writable", "dev")
			if err != nil {
				wantCode(t, err, "ServiceUnavailableException")
			}
			return err == nil
		})
		s.mustComplete(c, "writable", "dev", out.JobId)
	})
	t.Run("database too slow", func(t *testing.T) {
		// New sessions of the role give up on a lock after 200 ms; the test holds one on
		// the jobs table, which every job submission writes.
		admin(`ALTER ROLE ` + id + ` SET lock_timeout = '200ms'`)
		admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '` + role + `'`)
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		tx, err := conn.Begin(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(context.Background(), `LOCK TABLE `+id+`.jobs IN ACCESS EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		var last error
		waitFor(t, 20*time.Second, "a timeout", func() bool {
			_, err, retries := createWithRetries(c, "slow", "dev")
			wantUnavailable(t, err, retries, "", role)
			last = err
			return strings.Contains(err.Error(), "in time")
		})
		wantUnavailable(t, last, sdkRetries, "the database did not answer in time", role)
		if err := tx.Rollback(context.Background()); err != nil {
			t.Fatal(err)
		}
		admin(`ALTER ROLE ` + id + ` RESET lock_timeout`)
		out, err, _ := createWithRetries(c, "fast", "dev")
		if err != nil {
			t.Fatalf("CreateBackend once the lock is released: %v", err)
		}
		s.mustComplete(c, "fast", "dev", out.JobId)
	})
	if strings.Contains(logs.String(), "level=ERROR msg=\"internal error\"") {
		t.Errorf("a store failure was logged as an internal error:\n%s", logs)
	}
}

// proxy forwards TCP connections to a backend; down, it closes every connection it carries
// and each new one as soon as it is accepted, as a database that went away does.
type proxy struct {
	t       *testing.T
	ln      net.Listener
	backend string
	mu      sync.Mutex
	down    bool
	conns   map[net.Conn]bool
	wg      sync.WaitGroup
}

func startProxy(t *testing.T, backend string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, ln: ln, backend: backend, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.setDown(true)
		p.wg.Wait()
	})
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		if !down {
			p.conns[conn] = true
		}
		p.mu.Unlock()
		if down {
			conn.Close()
			continue
		}
		p.wg.Add(1)
		go p.forward(conn)
	}
}

func (p *proxy) forward(conn net.Conn) {
	defer p.wg.Done()
	defer func() {
		p.mu.Lock()
		delete(p.conns, conn)
		p.mu.Unlock()
		conn.Close()
	}()
	up, err := net.Dial("tcp", p.backend)
	if err != nil {
		return
	}
	p.mu.Lock()
	p.conns[up] = true
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.conns, up)
		p.mu.Unlock()
		up.Close()
	}()
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, conn); up.Close(); done <- struct{}{} }()
	go func() { io.Copy(conn, up); conn.Close(); done <- struct{}{} }()
	<-done
	<-done
}

// setDown closes every connection when down, and lets new ones through again when not.
func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			c.Close()
		}
	}
}

// TestExpiredTokensAreSwept: the daemon's sweeper deletes challenge tokens from the store
// once they expire (they answered NotFound before, but stayed stored for ever), and leaves
// live ones.
func TestExpiredTokensAreSwept(t *testing.T) {
	s := startServer(t, func(m *Main) { m.TokenSweep = 10 * time.Millisecond })
	s.createBackend(s.client, "sweep", "sweep", "dev")
	key := amplify.AppKey{Scope: amplify.Scope{Account: "000000000000", Region: "us-east-1"}, AppID: "sweep"}
	stored := func(session *string) bool {
		err := s.Store.View(context.Background(), func(tx amplify.Tx) error {
			_, err := tx.Token(key, aws.StringValue(session))
			return err
		})
		if err != nil && amplify.ErrorCode(err) != amplify.NotFound {
			t.Fatal(err)
		}
		return err == nil
	}
	var old []*string
	for range 3 {
		tok, err := s.client.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String("sweep")})
		if err != nil {
			t.Fatal(err)
		}
		old = append(old, tok.SessionId)
	}
	s.clock.Advance(5 * time.Minute)
	live, err := s.client.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String("sweep")})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range old {
		if !stored(id) {
			t.Fatalf("token %s deleted before it expired", aws.StringValue(id))
		}
	}
	s.clock.Advance(5*time.Minute + time.Second) // the first three expire, the fourth lives on
	waitFor(t, 10*time.Second, "the expired tokens are deleted", func() bool {
		for _, id := range old {
			if stored(id) {
				return false
			}
		}
		return true
	})
	if !stored(live.SessionId) {
		t.Error("the live token was deleted")
	}
	if _, err := s.client.GetToken(&amplifybackend.GetTokenInput{AppId: aws.String("sweep"), SessionId: live.SessionId}); err != nil {
		t.Errorf("GetToken of the live token: %v", err)
	}
}
