package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// The end-to-end tests in this package start the real server (Main) on a loopback port over
// a real SQLite file and call it through the real aws-sdk-go client. Jobs are driven with
// runJobs and time with the fake clock; nothing sleeps.

// clock is a fake clock tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testServer is a running amplifybackendd and a client for it.
type testServer struct {
	*Main
	t     testing.TB
	clock *clock
	// client acts as account 000000000000 in us-east-1.
	client *amplifybackend.AmplifyBackend
}

// startServer starts a server in a fresh data directory; opts adjust Main before Run.
// The server stops when the test ends.
func startServer(t testing.TB, opts ...func(*Main)) *testServer {
	t.Helper()
	return startServerIn(t, t.TempDir(), opts...)
}

func startServerIn(t testing.TB, dir string, opts ...func(*Main)) *testServer {
	t.Helper()
	c := &clock{now: time.Date(2026, 7, 7, 15, 4, 5, 0, time.UTC)}
	m := NewMain()
	m.Config.Addr = "127.0.0.1:0"
	m.Config.DataDir = dir
	m.Config.LogLevel = "warn"
	m.Now = c.Now
	m.ManualJobs = true
	m.LogOutput = io.Discard
	for _, o := range opts {
		o(m)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("start server: %v", err)
	}
	s := &testServer{Main: m, t: t, clock: c}
	s.client = s.clientAs("AKIDEXAMPLE", "us-east-1")
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	return s
}

// clientAs returns a client whose requests are signed with accessKeyID in region; in auth
// mode any, a 12-digit key is the account.
func (s *testServer) clientAs(accessKeyID, region string) *amplifybackend.AmplifyBackend {
	sess := session.Must(session.NewSession(&aws.Config{
		Endpoint:    aws.String(s.URL()),
		Region:      aws.String(region),
		Credentials: credentials.NewStaticCredentials(accessKeyID, "secret", ""),
		MaxRetries:  aws.Int(0),
		HTTPClient:  &http.Client{}, // its own: see sigClient
	}))
	return amplifybackend.New(sess)
}

// runJobs runs every due job now.
func (s *testServer) runJobs() int {
	s.t.Helper()
	n, err := s.Runner.RunDue(context.Background())
	if err != nil {
		s.t.Fatalf("run jobs: %v", err)
	}
	return n
}

// finish runs due jobs and returns the job as GetBackendJob reports it.
func (s *testServer) finish(c *amplifybackend.AmplifyBackend, appID, env string, jobID *string) *amplifybackend.GetBackendJobOutput {
	s.t.Helper()
	s.runJobs()
	out, err := c.GetBackendJob(&amplifybackend.GetBackendJobInput{AppId: aws.String(appID), BackendEnvironmentName: aws.String(env), JobId: jobID})
	if err != nil {
		s.t.Fatalf("GetBackendJob %s: %v", aws.StringValue(jobID), err)
	}
	return out
}

// mustComplete runs due jobs and fails the test unless the job completed.
func (s *testServer) mustComplete(c *amplifybackend.AmplifyBackend, appID, env string, jobID *string) {
	s.t.Helper()
	out := s.finish(c, appID, env, jobID)
	if aws.StringValue(out.Status) != "COMPLETED" {
		s.t.Fatalf("job %s (%s): status %s, error %q; want COMPLETED", aws.StringValue(jobID),
			aws.StringValue(out.Operation), aws.StringValue(out.Status), aws.StringValue(out.Error))
	}
}

// createBackend creates an app with an environment and waits for the job.
func (s *testServer) createBackend(c *amplifybackend.AmplifyBackend, appID, appName, env string) {
	s.t.Helper()
	out, err := c.CreateBackend(&amplifybackend.CreateBackendInput{
		AppId: aws.String(appID), AppName: aws.String(appName), BackendEnvironmentName: aws.String(env),
	})
	if err != nil {
		s.t.Fatalf("CreateBackend: %v", err)
	}
	s.mustComplete(c, appID, env, out.JobId)
}

// raw sends an unsigned request and returns the response with its body read.
func (s *testServer) raw(method, path, body string, header map[string]string) (*http.Response, string) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, resp.Body); err != nil {
		s.t.Fatal(err)
	}
	return resp, buf.String()
}

// wantCode fails the test unless err is an AWS error with the given code.
func wantCode(t testing.TB, err error, code string) awserr.Error {
	t.Helper()
	var ae awserr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v; want %s", err, code)
	}
	if ae.Code() != code {
		t.Fatalf("error code = %s (%s); want %s", ae.Code(), ae.Message(), code)
	}
	return ae
}
