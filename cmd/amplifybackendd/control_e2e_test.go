package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/client"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/request"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// End-to-end tests of the test control plane (/_amplifybackend/, SERVICE.md §9): the real
// server over real HTTP, AWS calls through aws-sdk-go, on SQLite and (with
// AMPLIFYBACKEND_TEST_POSTGRES set) on PostgreSQL, each test in a schema of its own.

// forStores runs test once per store: SQLite in a temp directory, and PostgreSQL when the
// test database is given.
func forStores(t *testing.T, test func(t *testing.T, start func(opts ...func(*Main)) *testServer)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, func(opts ...func(*Main)) *testServer { return startServer(t, opts...) })
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv(replicaDSNEnv)
		if dsn == "" {
			t.Skipf("the PostgreSQL half needs a database: set %s to a postgres:// DSN (.ci/postgres.sh starts one)", replicaDSNEnv)
		}
		test(t, func(opts ...func(*Main)) *testServer {
			schemaDSN := replicaSchema(t, dsn)
			return startServer(t, append([]func(*Main){func(m *Main) { m.Config.Store = schemaDSN }}, opts...)...)
		})
	})
}

// ctlResp is a control-plane answer.
type ctlResp struct {
	status int
	header http.Header
	body   string
}

// ctl sends a control-plane request; header holds key, value pairs.
func (s *testServer) ctl(method, path, body string, header ...string) ctlResp {
	s.t.Helper()
	h := map[string]string{}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	resp, b := s.raw(method, "/_amplifybackend"+path, body, h)
	return ctlResp{resp.StatusCode, resp.Header, b}
}

// ok fails unless the answer is 200 and decodes it into v (when not nil).
func (r ctlResp) ok(t testing.TB, v any) ctlResp {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d (%s); want 200", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(r.body), v); err != nil {
			t.Fatalf("decode %s: %v", r.body, err)
		}
	}
	return r
}

// fails fails unless the answer is status with a JSON message containing fragment.
func (r ctlResp) fails(t testing.TB, status int, fragment string) {
	t.Helper()
	var m struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("error body %q is not {\"message\"}: %v", r.body, err)
	}
	if r.status != status || !strings.Contains(m.Message, fragment) {
		t.Fatalf("got %d %q; want %d with %q", r.status, m.Message, status, fragment)
	}
}

// journal reads the journal with the query q.
func (s *testServer) journal(q string) []journalEntry {
	s.t.Helper()
	var out struct {
		Requests []journalEntry `json:"requests"`
	}
	s.ctl("GET", "/requests"+q, "").ok(s.t, &out)
	return out.Requests
}

type journalEntry struct {
	Time       string  `json:"time"`
	RequestID  string  `json:"requestId"`
	Operation  string  `json:"operation"`
	AccountID  string  `json:"accountId"`
	Region     string  `json:"region"`
	AppID      string  `json:"appId"`
	Status     int     `json:"status"`
	ErrorCode  string  `json:"errorCode"`
	DurationMs float64 `json:"durationMs"`
	Fault      string  `json:"fault"`
}

// addFault adds a rule and answers its id.
func (s *testServer) addFault(rule string) string {
	s.t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	s.ctl("POST", "/faults", rule).ok(s.t, &out)
	if out.ID == "" {
		s.t.Fatalf("fault answered without id")
	}
	return out.ID
}

func TestControlHealthAndInfo(t *testing.T) {
	forStores(t, func(t *testing.T, start func(...func(*Main)) *testServer) {
		s := start()
		kind := "sqlite"
		if s.Config.Store != "" {
			kind = "postgres"
		}
		for _, path := range []string{"/_amplifybackend/health", "/healthz"} {
			resp, body := s.raw("GET", path, "", nil)
			var h struct{ Status, Store string }
			if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &h) != nil || h.Status != "ok" || h.Store != kind {
				t.Fatalf("GET %s = %d %s; want 200 ok %s", path, resp.StatusCode, body, kind)
			}
		}
		s.createBackend(s.client, "d1", "one", "dev")
		var info struct {
			Version, Commit, GoVersion, Store, Auth, StartedAt string
			Jobs                                               struct{ Mode string }
			Counts                                             struct {
				Accounts, Apps, Environments int
				Jobs                         map[string]int
			}
		}
		r := s.ctl("GET", "/info", "").ok(t, &info)
		if info.Version == "" || info.GoVersion == "" || info.Store != kind || info.Auth != "any" || info.Jobs.Mode != "immediate" {
			t.Fatalf("info = %s", r.body)
		}
		if _, err := time.Parse(time.RFC3339, info.StartedAt); err != nil {
			t.Fatalf("startedAt %q: %v", info.StartedAt, err)
		}
		var eph struct{ Ephemeral *bool }
		json.Unmarshal([]byte(r.body), &eph)
		if eph.Ephemeral == nil || *eph.Ephemeral {
			t.Fatalf("info.ephemeral = %v; want false", eph.Ephemeral)
		}
		if info.Counts.Accounts != 1 || info.Counts.Apps != 1 || info.Counts.Environments != 1 || info.Counts.Jobs["COMPLETED"] != 1 {
			t.Fatalf("counts = %+v", info.Counts)
		}
		if strings.Contains(r.body, "postgres://") || strings.Contains(r.body, s.Config.DataDir) {
			t.Fatalf("info shows where the store is: %s", r.body)
		}

		// The store gone: health answers 503 with a reason, on both paths.
		if err := s.Store.Close(); err != nil {
			t.Fatal(err)
		}
		s.Store = nil // closed here; Main.Close must not close it again
		for _, path := range []string{"/_amplifybackend/health", "/healthz"} {
			resp, body := s.raw("GET", path, "", nil)
			var h struct{ Status, Reason string }
			if resp.StatusCode != 503 || json.Unmarshal([]byte(body), &h) != nil || h.Status != "unavailable" || h.Reason == "" {
				t.Fatalf("GET %s with the store closed = %d %s; want 503 unavailable with a reason", path, resp.StatusCode, body)
			}
		}
	})
}

// Every bad input is a clear 4xx that changes nothing.
func TestControlBadInput(t *testing.T) {
	forStores(t, func(t *testing.T, start func(...func(*Main)) *testServer) {
		s := start()
		s.createBackend(s.client, "d1", "one", "dev")
		before := s.ctl("GET", "/state", "").ok(t, nil).body
		tests := []struct {
			name, method, path, body string
			status                   int
			fragment                 string
		}{
			{"unknown route", "GET", "/nothing", "", 404, "no control-plane route"},
			{"unknown nested route", "POST", "/jobs/a/b", "{}", 404, "no control-plane route"},
			{"wrong method", "DELETE", "/info", "", 405, "GET"},
			{"wrong method on state", "POST", "/state", "{}", 405, "GET, PUT"},
			{"malformed JSON", "POST", "/reset", "{", 400, "malformed JSON"},
			{"reset unknown member", "POST", "/reset", `{"account":"1"}`, 400, `unknown member "account"`},
			{"reset wrong type", "POST", "/reset", `{"appId":5}`, 400, `"appId"`},
			{"reset trailing data", "POST", "/reset", `{} {}`, 400, "more data"},
			{"reset app without account", "POST", "/reset", `{"appId":"d1"}`, 400, "accountId and region"},
			{"unknown mode", "PUT", "/jobs/settings", `{"mode":"slow"}`, 400, `unknown mode "slow"`},
			{"timed without duration", "PUT", "/jobs/settings", `{"mode":"timed"}`, 400, "needs a duration"},
			{"bad duration", "PUT", "/jobs/settings", `{"mode":"timed","duration":"soon"}`, 400, "needs a duration"},
			{"duration with immediate", "PUT", "/jobs/settings", `{"mode":"immediate","duration":"2s"}`, 400, "only to mode timed"},
			{"settings unknown operation", "PUT", "/jobs/settings", `{"mode":"immediate","operations":{"GetBackend":{"mode":"manual"}}}`, 400, "not an operation that runs as a job"},
			{"settings unknown member", "PUT", "/jobs/settings", `{"mode":"immediate","speed":1}`, 400, "unknown member"},
			{"unknown job", "POST", "/jobs/00000000-0000-4000-8000-000000000000", `{"status":"FAILED"}`, 404, "No job found"},
			{"bad job status", "POST", "/jobs/x", `{"status":"DONE"}`, 400, "COMPLETED or FAILED"},
			{"missing job status", "POST", "/jobs/x", `{}`, 400, "status is required"},
			{"error with COMPLETED", "POST", "/jobs/x", `{"status":"COMPLETED","error":"e"}`, 400, "only to status FAILED"},
			{"finish bad status", "POST", "/jobs/finish", `{"status":"IN_PROGRESS"}`, 400, "COMPLETED or FAILED"},
			{"probability above 1", "POST", "/faults", `{"probability":1.5,"latency":"1ms"}`, 400, "between 0 and 1"},
			{"probability below 0", "POST", "/faults", `{"probability":-1,"latency":"1ms"}`, 400, "between 0 and 1"},
			{"fault status 399", "POST", "/faults", `{"error":{"status":399}}`, 400, "between 400 and 599"},
			{"fault status 600", "POST", "/faults", `{"error":{"status":600}}`, 400, "between 400 and 599"},
			{"bad latency", "POST", "/faults", `{"latency":"soon"}`, 400, "not a duration"},
			{"fault unknown operation", "POST", "/faults", `{"operation":"Nope","latency":"1ms"}`, 400, "not an operation"},
			{"fault without effect", "POST", "/faults", `{"operation":"GetBackend"}`, 400, "at least one effect"},
			{"fault unknown member", "POST", "/faults", `{"latency":"1ms","delay":"1s"}`, 400, "unknown member"},
			{"fault with id", "POST", "/faults", `{"id":"mine","latency":"1ms"}`, 400, "server's to set"},
			{"unknown fault", "DELETE", "/faults/fault-99", "", 404, "no fault rule"},
			{"journal limit 0", "GET", "/requests?limit=0", "", 400, "limit"},
			{"journal limit too big", "GET", "/requests?limit=1001", "", 400, "limit"},
			{"journal unknown operation", "GET", "/requests?operation=Nope", "", 400, "not an operation"},
			{"journal unknown parameter", "GET", "/requests?app=d1", "", 400, "unknown query parameter"},
			{"state unknown parameter", "GET", "/state?account=1", "", 400, "unknown query parameter"},
			{"snapshot malformed", "PUT", "/state", "{", 400, ""},
			{"snapshot other format", "PUT", "/state", `{"format":"moto","version":1,"accounts":[]}`, 400, "format"},
			{"snapshot other version", "PUT", "/state", `{"format":"amplifybackendd-state","version":99,"accounts":[]}`, 400, "version"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s.ctl(tt.method, tt.path, tt.body).fails(t, tt.status, tt.fragment)
			})
		}
		if after := s.ctl("GET", "/state", "").ok(t, nil).body; stripExportedAt(t, after) != stripExportedAt(t, before) {
			t.Fatalf("bad input changed the state:\nbefore %s\nafter  %s", before, after)
		}
		var faults struct{ Faults []any }
		s.ctl("GET", "/faults", "").ok(t, &faults)
		if len(faults.Faults) != 0 {
			t.Fatalf("refused rules are in force: %+v", faults.Faults)
		}
		var js struct{ Mode string }
		s.ctl("GET", "/jobs/settings", "").ok(t, &js)
		if js.Mode != "immediate" {
			t.Fatalf("refused settings changed the mode to %q", js.Mode)
		}
		// A body over the bound.
		big := `{"appId":"` + strings.Repeat("a", 70<<10) + `"}`
		if r := s.ctl("POST", "/reset", big); r.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("oversized body: %d %s", r.status, r.body)
		}
	})
}

// stripExportedAt returns a snapshot without its exportedAt member, re-encoded.
func stripExportedAt(t testing.TB, doc string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatalf("snapshot %q: %v", doc, err)
	}
	if _, ok := m["exportedAt"]; !ok {
		t.Fatalf("snapshot without exportedAt: %s", doc)
	}
	delete(m, "exportedAt")
	b, _ := json.Marshal(m)
	return string(b)
}

// An error fault reaches aws-sdk-go as a typed error with the chosen code and status, and the
// rule matches by operation, account, region and app (CreateBackend's app from its body).
func TestControlFaultErrorSeenBySDK(t *testing.T) {
	forStores(t, func(t *testing.T, start func(...func(*Main)) *testServer) {
		s := start()
		s.createBackend(s.client, "d1", "one", "dev")
		id := s.addFault(`{"operation":"GetBackend","appId":"d1","error":{"status":429,"code":"TooManyRequestsException","message":"slow down"}}`)
		_, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1")})
		var tm *amplifybackend.TooManyRequestsException
		if !errors.As(err, &tm) || tm.StatusCode() != 429 || tm.Message() != "slow down" {
			t.Fatalf("GetBackend = %v; want TooManyRequestsException 429 'slow down'", err)
		}
		// Another app, another operation: not matched.
		if _, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d2")}); amplifyCode(err) != "NotFoundException" {
			t.Fatalf("GetBackend d2 = %v; want the real NotFound", err)
		}
		if _, err := s.client.ListS3Buckets(&amplifybackend.ListS3BucketsInput{}); err != nil {
			t.Fatalf("ListS3Buckets: %v", err)
		}
		// A made-up code with a 5xx status reaches the SDK as a generic error with that code.
		s.ctl("DELETE", "/faults", "").ok(t, nil)
		s.addFault(`{"operation":"CreateBackend","appId":"d9","accountId":"000000000000","region":"us-east-1","error":{"status":502,"code":"UpstreamBroken"}}`)
		_, err = s.client.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String("d9"), AppName: aws.String("nine"), BackendEnvironmentName: aws.String("dev")})
		ae := wantCode(t, err, "UpstreamBroken")
		var rf awserr.RequestFailure
		if !errors.As(ae, &rf) || rf.StatusCode() != 502 {
			t.Fatalf("status of %v; want 502", err)
		}
		// Not matched in another region, nor in another account.
		for _, c := range []*amplifybackend.AmplifyBackend{s.clientAs("AKIDEXAMPLE", "eu-west-1"), s.clientAs("123456789012", "us-east-1")} {
			if _, err := c.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String("d9"), AppName: aws.String("nine"), BackendEnvironmentName: aws.String("dev")}); err != nil {
				t.Fatalf("CreateBackend elsewhere: %v", err)
			}
		}
		// Nothing ran for the faulted call: no app d9 in the default account.
		if _, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d9")}); amplifyCode(err) != "NotFoundException" {
			t.Fatalf("the faulted CreateBackend ran: %v", err)
		}
		entries := s.journal("?appId=d1&operation=GetBackend")
		if len(entries) != 1 || entries[0].Fault != id || entries[0].Status != 429 || entries[0].ErrorCode != "TooManyRequestsException" {
			t.Fatalf("journal = %+v; want the faulted GetBackend with rule %s", entries, id)
		}
	})
}

// createAuth starts a CreateBackendAuth job for app's environment dev and answers its id.
func createAuth(t testing.TB, c *amplifybackend.AmplifyBackend, app string) *string {
	t.Helper()
	out, err := c.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{
		AppId: aws.String(app), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("auth1"),
		ResourceConfig: &amplifybackend.CreateBackendAuthResourceConfig{
			AuthResources: aws.String("USER_POOL_ONLY"), Service: aws.String("COGNITO"),
			UserPoolConfigs: &amplifybackend.CreateBackendAuthUserPoolConfig{
				UserPoolName: aws.String("pool"), RequiredSignUpAttributes: aws.StringSlice([]string{"EMAIL"}),
				SignInMethod: aws.String("EMAIL"),
			},
		},
	})
	if err != nil {
		t.Fatalf("CreateBackendAuth %s: %v", app, err)
	}
	if aws.StringValue(out.Status) != "IN_PROGRESS" {
		t.Fatalf("CreateBackendAuth %s: status %s", app, aws.StringValue(out.Status))
	}
	return out.JobId
}

func amplifyCode(err error) string {
	var ae awserr.Error
	if errors.As(err, &ae) {
		return ae.Code()
	}
	return ""
}

// With the SDK's retries on, a 503 rule with times 2 is retried through: the third attempt
// runs the operation, the rule is gone, and the journal shows the three attempts.
func TestControlFaultTimesRetriedBySDK(t *testing.T) {
	forStores(t, func(t *testing.T, start func(...func(*Main)) *testServer) {
		s := start()
		s.createBackend(s.client, "d1", "one", "dev")
		id := s.addFault(`{"operation":"GetBackend","times":2,"error":{"status":503,"code":"ServiceUnavailableException"}}`)
		cfg := request.WithRetryer(&aws.Config{
			Endpoint:    aws.String(s.URL()),
			Region:      aws.String("us-east-1"),
			Credentials: credentials.NewStaticCredentials("AKIDEXAMPLE", "secret", ""),
		}, client.DefaultRetryer{ // the standard retryer, with short delays
			NumMaxRetries: 3, MinRetryDelay: time.Millisecond, MaxRetryDelay: 5 * time.Millisecond,
			MinThrottleDelay: time.Millisecond, MaxThrottleDelay: 5 * time.Millisecond,
		})
		sess := session.Must(session.NewSession(cfg))
		c := amplifybackend.New(sess)
		out, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1")})
		if err != nil || aws.StringValue(out.AppName) != "one" {
			t.Fatalf("GetBackend with retries = %v, %v; want it retried through", out, err)
		}
		entries := s.journal("?operation=GetBackend")
		if len(entries) != 3 || entries[0].Status != 200 || entries[0].Fault != "" ||
			entries[1].Fault != id || entries[1].Status != 503 || entries[2].Fault != id {
			t.Fatalf("journal = %+v; want 200 after two 503 from %s", entries, id)
		}
		var faults struct{ Faults []any }
		s.ctl("GET", "/faults", "").ok(t, &faults)
		if len(faults.Faults) != 0 {
			t.Fatalf("a used-up rule is listed: %+v", faults.Faults)
		}
	})
}

// A latency rule delays the answer; a client that gives up ends the wait (the journal shows
// 499), and the rule's probability 0 never fires.
func TestControlFaultLatency(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "d1", "one", "dev")
	s.addFault(`{"operation":"GetBackend","latency":"300ms","times":1}`)
	begin := time.Now()
	if _, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1")}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d < 300*time.Millisecond {
		t.Fatalf("answered after %s; the rule adds 300ms", d)
	}
	// A client that gives up: the server stops waiting (the request's context ends).
	s.addFault(`{"operation":"GetBackend","latency":"40s"}`)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := s.client.GetBackendWithContext(ctx, &amplifybackend.GetBackendInput{AppId: aws.String("d1")})
	if err == nil {
		t.Fatal("GetBackend returned before the latency")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		e := s.journal("?operation=GetBackend&limit=1")
		if len(e) == 1 && e[0].Status == 499 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the abandoned request is not recorded as 499 within 10s (a 40s latency was not cut short): %+v", e)
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.ctl("DELETE", "/faults", "").ok(t, nil)
	s.addFault(`{"operation":"GetBackend","latency":"40s","probability":0}`)
	if _, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1")}); err != nil {
		t.Fatal(err)
	}
}

// A jobError rule lets the operation run; the job it starts ends FAILED with that Error, and
// changes nothing else.
func TestControlFaultJobError(t *testing.T) {
	forStores(t, func(t *testing.T, start func(...func(*Main)) *testServer) {
		s := start()
		s.createBackend(s.client, "d1", "one", "dev")
		id := s.addFault(`{"operation":"CreateBackendAuth","jobError":"Cognito said no","times":1}`)
		jobID := createAuth(t, s.client, "d1")
		job := s.finish(s.client, "d1", "dev", jobID)
		if aws.StringValue(job.Status) != "FAILED" || aws.StringValue(job.Error) != "Cognito said no" {
			t.Fatalf("job = %s %q; want FAILED 'Cognito said no'", aws.StringValue(job.Status), aws.StringValue(job.Error))
		}
		if _, err := s.client.GetBackendAuth(&amplifybackend.GetBackendAuthInput{
			AppId: aws.String("d1"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("auth1"),
		}); amplifyCode(err) != "NotFoundException" {
			t.Fatalf("the failed job created the auth resource: %v", err)
		}
		// The rule fired once: the next job runs.
		jobID = createAuth(t, s.client, "d1")
		s.mustComplete(s.client, "d1", "dev", jobID)
		if e := s.journal("?operation=CreateBackendAuth"); len(e) != 2 || e[1].Fault != id || e[1].Status != 200 || e[0].Fault != "" {
			t.Fatalf("journal = %+v", e)
		}
	})
}

func TestControlJournal(t *testing.T) {
	forStores(t, func(t *testing.T, start func(...func(*Main)) *testServer) {
		s := start()
		s.ctl("DELETE", "/requests", "").ok(t, nil)
		s.createBackend(s.client, "d1", "one", "dev")
		s.createBackend(s.client, "d2", "two", "dev")
		s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("nope")})
		s.raw("GET", "/healthz", "", nil)
		s.ctl("GET", "/info", "")
		all := s.journal("")
		var ops []string
		for _, e := range all {
			ops = append(ops, e.Operation+":"+e.AppID)
		}
		want := "GetBackend:nope GetBackendJob:d2 CreateBackend:d2 GetBackendJob:d1 CreateBackend:d1"
		if strings.Join(ops, " ") != want {
			t.Fatalf("journal = %s; want %s (AWS requests only, newest first)", strings.Join(ops, " "), want)
		}
		e := all[0]
		if e.Status != 404 || e.ErrorCode != "NotFoundException" || e.AccountID != "000000000000" || e.Region != "us-east-1" ||
			len(e.RequestID) != 36 || e.DurationMs < 0 {
			t.Fatalf("entry = %+v", e)
		}
		if _, err := time.Parse(time.RFC3339Nano, e.Time); err != nil {
			t.Fatalf("time %q: %v", e.Time, err)
		}
		if got := s.journal("?operation=CreateBackend"); len(got) != 2 || got[0].AppID != "d2" {
			t.Fatalf("operation filter: %+v", got)
		}
		if got := s.journal("?appId=d1"); len(got) != 2 {
			t.Fatalf("appId filter: %+v", got)
		}
		if got := s.journal("?appId=d1&operation=GetBackendJob&limit=1"); len(got) != 1 || got[0].Operation != "GetBackendJob" {
			t.Fatalf("combined filter: %+v", got)
		}
		if got := s.journal("?limit=2"); len(got) != 2 || got[0].Operation != "GetBackend" {
			t.Fatalf("limit: %+v", got)
		}
		var del struct{ Deleted int }
		s.ctl("DELETE", "/requests", "").ok(t, &del)
		if del.Deleted != 5 || len(s.journal("")) != 0 {
			t.Fatalf("DELETE /requests = %+v, journal after %+v", del, s.journal(""))
		}
	})
}

// The journal keeps the last --journal-size requests.
func TestControlJournalSize(t *testing.T) {
	s := startServer(t, func(m *Main) { m.Config.JournalSize, m.Config.MaxBody, m.Config.Ephemeral = 3, 1024, true })
	var info struct{ Ephemeral bool }
	if s.ctl("GET", "/info", "").ok(t, &info); !info.Ephemeral {
		t.Fatal("info.ephemeral = false with --ephemeral")
	}
	for i := 0; i < 5; i++ {
		s.client.ListS3Buckets(&amplifybackend.ListS3BucketsInput{})
	}
	if got := s.journal(""); len(got) != 3 {
		t.Fatalf("journal holds %d; want 3", len(got))
	}
	// A request refused before it is read whole is recorded with its operation and path app.
	s.raw("POST", "/backend/d1/details", strings.Repeat(" ", 2048), nil)
	if got := s.journal("?limit=1"); got[0].Operation != "GetBackend" || got[0].AppID != "d1" || got[0].Status != 400 {
		t.Fatalf("refused request recorded as %+v", got[0])
	}
	s.ctl("GET", "/requests?limit=4", "").fails(t, 400, "between 1 and 3")
	off := startServer(t, func(m *Main) { m.Config.JournalSize = 0 })
	off.ctl("GET", "/requests", "").fails(t, 404, "journal is off")
}

func TestControlReset(t *testing.T) {
	forStores(t, func(t *testing.T, start func(...func(*Main)) *testServer) {
		s := start()
		other := s.clientAs("123456789012", "us-east-1")
		west := s.clientAs("AKIDEXAMPLE", "eu-west-1")
		populate := func() {
			s.createBackend(s.client, "d1", "one", "dev")
			s.createBackend(s.client, "d2", "two", "dev")
			s.createBackend(other, "d1", "one", "dev")
			s.createBackend(west, "d1", "one", "dev")
		}
		exists := func(c *amplifybackend.AmplifyBackend, app string) bool {
			_, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String(app)})
			if err != nil && amplifyCode(err) != "NotFoundException" {
				t.Fatal(err)
			}
			return err == nil
		}
		type removed struct{ Apps, Environments, Jobs, Tokens, Buckets int }
		reset := func(body string) removed {
			var out struct{ Removed removed }
			s.ctl("POST", "/reset", body).ok(t, &out)
			return out.Removed
		}
		populate()
		if r := reset(`{"accountId":"000000000000","region":"us-east-1","appId":"d1"}`); r.Apps != 1 || r.Environments != 1 || r.Jobs != 1 {
			t.Fatalf("app reset removed %+v", r)
		}
		if exists(s.client, "d1") || !exists(s.client, "d2") || !exists(other, "d1") || !exists(west, "d1") {
			t.Fatal("app reset removed the wrong apps")
		}
		if r := reset(`{"accountId":"000000000000","region":"eu-west-1"}`); r.Apps != 1 {
			t.Fatalf("region reset removed %+v", r)
		}
		if !exists(s.client, "d2") || exists(west, "d1") || !exists(other, "d1") {
			t.Fatal("region reset removed the wrong apps")
		}
		if r := reset(`{"accountId":"123456789012"}`); r.Apps != 1 {
			t.Fatalf("account reset removed %+v", r)
		}
		if !exists(s.client, "d2") || exists(other, "d1") {
			t.Fatal("account reset removed the wrong apps")
		}
		// A pending job in scope never runs after a reset.
		out, err := s.client.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String("d3"), AppName: aws.String("three"), BackendEnvironmentName: aws.String("dev")})
		if err != nil {
			t.Fatal(err)
		}
		if r := reset(""); r.Apps != 1 || r.Jobs != 2 {
			t.Fatalf("reset of all removed %+v; want app d2 and both jobs", r)
		}
		s.runJobs()
		if exists(s.client, "d3") {
			t.Fatal("a job pending at the reset ran after it")
		}
		if _, err := s.client.GetBackendJob(&amplifybackend.GetBackendJobInput{AppId: aws.String("d3"), BackendEnvironmentName: aws.String("dev"), JobId: out.JobId}); amplifyCode(err) != "NotFoundException" {
			t.Fatalf("the reset job is still there: %v", err)
		}
		var info struct{ Counts struct{ Apps int } }
		s.ctl("GET", "/info", "").ok(t, &info)
		if info.Counts.Apps != 0 {
			t.Fatalf("after reset: %d apps", info.Counts.Apps)
		}
	})
}

// Export, import, export gives the same document (but exportedAt), over HTTP; an import
// replaces everything.
func TestControlStateRoundTrip(t *testing.T) {
	forStores(t, func(t *testing.T, start func(...func(*Main)) *testServer) {
		s := start()
		s.createBackend(s.client, "d1", "one", "dev")
		s.createBackend(s.clientAs("123456789012", "eu-west-1"), "d2", "two", "prod")
		tok, err := s.client.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String("d1")})
		if err != nil {
			t.Fatal(err)
		}
		first := s.ctl("GET", "/state", "").ok(t, nil).body
		var doc struct {
			Format  string `json:"format"`
			Version int    `json:"version"`
		}
		json.Unmarshal([]byte(first), &doc)
		if doc.Format != "amplifybackendd-state" || doc.Version != 1 {
			t.Fatalf("snapshot header = %+v", doc)
		}
		scoped := s.ctl("GET", "/state?accountId=123456789012&region=eu-west-1&appId=d2", "").ok(t, nil).body
		if strings.Contains(scoped, `"d1"`) || !strings.Contains(scoped, `"d2"`) {
			t.Fatalf("scoped snapshot: %s", scoped)
		}
		s.ctl("POST", "/reset", "").ok(t, nil)
		s.createBackend(s.client, "d9", "nine", "dev")
		s.ctl("PUT", "/state", first).ok(t, nil)
		second := s.ctl("GET", "/state", "").ok(t, nil).body
		if stripExportedAt(t, first) != stripExportedAt(t, second) {
			t.Fatalf("export, import, export differ:\n%s\n%s", first, second)
		}
		if _, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d9")}); amplifyCode(err) != "NotFoundException" {
			t.Fatalf("the import kept an app it does not hold: %v", err)
		}
		if _, err := s.client.GetToken(&amplifybackend.GetTokenInput{AppId: aws.String("d1"), SessionId: tok.SessionId}); err != nil {
			t.Fatalf("GetToken after import: %v", err)
		}
	})
}

// Job settings per operation; a held job ended through the control plane, seen by
// GetBackendJob; 404 and 409; jobs/finish in scope.
func TestControlJobs(t *testing.T) {
	forStores(t, func(t *testing.T, start func(...func(*Main)) *testServer) {
		s := start()
		s.createBackend(s.client, "d1", "one", "dev")
		s.createBackend(s.client, "d2", "two", "dev")
		var js map[string]any
		s.ctl("PUT", "/jobs/settings", `{"mode":"timed","duration":"2s","operations":{"CreateBackendAuth":{"mode":"manual"}}}`).ok(t, &js)
		got := s.ctl("GET", "/jobs/settings", "").ok(t, nil).body
		if strings.TrimSpace(got) != `{"mode":"timed","duration":"2s","operations":{"CreateBackendAuth":{"mode":"manual"}}}` {
			t.Fatalf("settings = %s", got)
		}
		auth := func(app string) *string { return createAuth(t, s.client, app) }
		j1, j2 := auth("d1"), auth("d2")
		// Held: a day later it still has not run.
		s.clock.Advance(24 * time.Hour)
		s.runJobs()
		if job := s.finish(s.client, "d1", "dev", j1); aws.StringValue(job.Status) != "IN_PROGRESS" {
			t.Fatalf("a manual job ran: %s", aws.StringValue(job.Status))
		}
		var ended struct{ JobID, Status, Error, AppID string }
		s.ctl("POST", "/jobs/"+aws.StringValue(j1), `{"status":"FAILED","error":"quota exceeded"}`).ok(t, &ended)
		if ended.Status != "FAILED" || ended.Error != "quota exceeded" || ended.AppID != "d1" {
			t.Fatalf("ended job = %+v", ended)
		}
		job := s.finish(s.client, "d1", "dev", j1)
		if aws.StringValue(job.Status) != "FAILED" || aws.StringValue(job.Error) != "quota exceeded" {
			t.Fatalf("GetBackendJob = %s %q", aws.StringValue(job.Status), aws.StringValue(job.Error))
		}
		s.ctl("POST", "/jobs/"+aws.StringValue(j1), `{"status":"COMPLETED"}`).fails(t, 409, "already ended")
		// jobs/finish in scope: only d2's job, completed with its effect.
		var fin struct{ Finished int }
		s.ctl("POST", "/jobs/finish", `{"accountId":"000000000000","region":"us-east-1","appId":"d2","status":"COMPLETED"}`).ok(t, &fin)
		if fin.Finished != 1 {
			t.Fatalf("finished %d; want 1", fin.Finished)
		}
		if job := s.finish(s.client, "d2", "dev", j2); aws.StringValue(job.Status) != "COMPLETED" {
			t.Fatalf("d2's job = %s", aws.StringValue(job.Status))
		}
		if _, err := s.client.GetBackendAuth(&amplifybackend.GetBackendAuthInput{AppId: aws.String("d2"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("auth1")}); err != nil {
			t.Fatalf("the completed job's effect: %v", err)
		}
		if _, err := s.client.GetBackendAuth(&amplifybackend.GetBackendAuthInput{AppId: aws.String("d1"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("auth1")}); amplifyCode(err) != "NotFoundException" {
			t.Fatalf("the failed job changed something: %v", err)
		}
		s.ctl("POST", "/jobs/finish", `{"status":"FAILED"}`).ok(t, &fin)
		if fin.Finished != 0 {
			t.Fatalf("finished %d with nothing pending", fin.Finished)
		}
	})
}

// The control plane is not rate-limited as AWS calls are, and never matched as an AWS
// operation.
func TestControlNotRateLimited(t *testing.T) {
	s := startServer(t, func(m *Main) { m.Config.RateLimit, m.Config.RateBurst = 1, 1 })
	for i := 0; i < 5; i++ {
		s.ctl("GET", "/faults", "").ok(t, nil)
	}
	s.client.ListS3Buckets(&amplifybackend.ListS3BucketsInput{})
	if _, err := s.client.ListS3Buckets(&amplifybackend.ListS3BucketsInput{}); amplifyCode(err) != "TooManyRequestsException" {
		t.Fatalf("the AWS API is not rate-limited here: %v", err)
	}
	s.ctl("GET", "/jobs/settings", "").ok(t, nil)
	// The stage prefix does not reach the control plane either.
	resp, _ := s.raw("GET", "/prod/_amplifybackend/info", "", nil)
	if resp.StatusCode != 404 || resp.Header.Get("X-Amzn-ErrorType") != "UnknownOperationException" {
		t.Fatalf("/prod/_amplifybackend/info = %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
}

// logBuffer collects a server's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Auth mode sigv4: without --admin-token-file the control plane does not exist (404, as any
// unknown route); with it, 401 without the bearer token (an AWS signature is not one), 403
// with a wrong one, 200 with the right one; the token never appears in a log line.
func TestControlAccessSigV4(t *testing.T) {
	logs := &logBuffer{}
	quiet := func(m *Main) { m.LogOutput, m.Config.LogLevel = logs, "debug" }
	closed, _ := startSigV4Server(t, []func(*Main){quiet}, sigAlpha)
	routes := [][2]string{{"GET", "/health"}, {"GET", "/info"}, {"POST", "/reset"}, {"GET", "/state"}, {"PUT", "/state"},
		{"GET", "/jobs/settings"}, {"PUT", "/jobs/settings"}, {"POST", "/jobs/finish"}, {"POST", "/jobs/x"},
		{"GET", "/faults"}, {"POST", "/faults"}, {"DELETE", "/faults"}, {"DELETE", "/faults/x"}, {"GET", "/requests"}, {"DELETE", "/requests"}}
	for _, rt := range routes {
		r := closed.ctl(rt[0], rt[1], "{}")
		if r.status != 404 || r.header.Get("X-Amzn-ErrorType") != "UnknownOperationException" {
			t.Fatalf("closed %s %s = %d %s", rt[0], rt[1], r.status, r.body)
		}
	}
	pre, _ := closed.raw("OPTIONS", "/_amplifybackend/info", "", map[string]string{"Origin": "http://x", "Access-Control-Request-Method": "GET"})
	other, _ := closed.raw("OPTIONS", "/no/such/path", "", map[string]string{"Origin": "http://x", "Access-Control-Request-Method": "GET"})
	if pre.StatusCode != other.StatusCode || pre.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Fatalf("closed preflight = %d %v; an unknown path answers %d", pre.StatusCode, pre.Header, other.StatusCode)
	}
	if resp, _ := closed.raw("GET", "/healthz", "", nil); resp.StatusCode != 200 {
		t.Fatalf("/healthz in sigv4 mode = %d", resp.StatusCode)
	}

	const token = "s3cr3t-admin-token-0123456789"
	tokenFile := filepath.Join(t.TempDir(), "admin-token")
	if err := os.WriteFile(tokenFile, []byte("\n  "+token+" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, _ := startSigV4Server(t, []func(*Main){quiet, func(m *Main) { m.Config.AdminTokenFile = tokenFile }}, sigAlpha)
	for _, rt := range routes {
		s.ctl(rt[0], rt[1], "{}").fails(t, 401, "Bearer")
		s.ctl(rt[0], rt[1], "{}", "Authorization", "Bearer wrong").fails(t, 403, "not the one")
		s.ctl(rt[0], rt[1], "{}", "Authorization", "Bearer "+token+"x").fails(t, 403, "not the one")
	}
	if r := s.ctl("GET", "/faults", "", "Authorization", "Bearer "+token); r.status != 200 {
		t.Fatalf("with the token: %d %s", r.status, r.body)
	}
	if r := s.ctl("GET", "/faults", "", "Authorization", "bearer "+token); r.status != 200 {
		t.Fatalf("the scheme is case-insensitive: %d %s", r.status, r.body)
	}
	// A valid AWS signature of a known key does not open it.
	req := signedRequest(t, s.URL(), "GET", "/_amplifybackend/info", "", sigAlpha, "us-east-1", time.Now())
	if r := sigDo(t, req); r.status != 401 {
		t.Fatalf("SigV4-signed control request = %d %s; want 401", r.status, r.body)
	}
	// The AWS API still answers signed calls, and the journal (behind the token) shows them.
	c := sigClient(s.URL(), sigAlpha.creds(), "us-east-1")
	if _, err := c.ListS3Buckets(&amplifybackend.ListS3BucketsInput{}); err != nil {
		t.Fatal(err)
	}
	var j struct{ Requests []journalEntry }
	s.ctl("GET", "/requests", "", "Authorization", "Bearer "+token).ok(t, &j)
	if len(j.Requests) != 1 || j.Requests[0].AccountID != sigAlpha.account {
		t.Fatalf("journal = %+v", j.Requests)
	}
	s.Close()
	closed.Close()
	if strings.Contains(logs.String(), token) {
		t.Fatalf("the admin token appears in the log:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "admin token loaded") {
		t.Fatalf("the log does not say the token was loaded (is the log captured?):\n%s", logs.String())
	}
}

// In auth mode any, a configured admin token is required too: an operator who gives one
// means the control plane to be closed to others.
func TestControlAccessAnyWithToken(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "admin-token")
	os.WriteFile(tokenFile, []byte("tok"), 0o600)
	s := startServer(t, func(m *Main) { m.Config.AdminTokenFile = tokenFile })
	s.ctl("GET", "/info", "").fails(t, 401, "Bearer")
	s.ctl("GET", "/faults", "", "Authorization", "Bearer tok").ok(t, nil)

	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, []byte(" \n"), 0o600)
	m := NewMain()
	m.Config.Addr, m.Config.DataDir, m.Config.AdminTokenFile, m.LogOutput = "127.0.0.1:0", t.TempDir(), empty, &logBuffer{}
	if err := m.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "empty") {
		m.Close()
		t.Fatalf("Run with an empty token file = %v; want a refusal", err)
	}
}

// With --id-seed, a rule's probability is drawn from the seeded generator too: two servers
// given the same requests fire the same rules on the same requests.
func TestControlFaultProbabilityWithIDSeed(t *testing.T) {
	pattern := func() string {
		s := startServer(t, func(m *Main) { m.Config.IDSeed = "42" })
		s.addFault(`{"operation":"ListS3Buckets","probability":0.5,"error":{"status":500}}`)
		var b strings.Builder
		for i := 0; i < 40; i++ {
			if _, err := s.client.ListS3Buckets(&amplifybackend.ListS3BucketsInput{}); err != nil {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	a, b := pattern(), pattern()
	if a != b {
		t.Fatalf("the same seed fired differently:\n%s\n%s", a, b)
	}
	if !strings.Contains(a, "x") || !strings.Contains(a, ".") {
		t.Fatalf("probability 0.5 fired on all or none of 40 requests: %s", a)
	}
}

// A rule with times n fires on exactly n of many concurrent HTTP requests.
func TestControlFaultTimesConcurrent(t *testing.T) {
	s := startServer(t)
	s.addFault(`{"operation":"ListS3Buckets","times":7,"error":{"status":503}}`)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]int{}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				_, err := s.client.ListS3Buckets(&amplifybackend.ListS3BucketsInput{})
				mu.Lock()
				codes[amplifyCode(err)]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if codes["ServiceUnavailableException"] != 7 || codes[""] != 73 {
		t.Fatalf("outcomes = %v; want exactly 7 faults of 80", codes)
	}
}

// A browser's preflight to a control route gets the CORS answer with the control plane's
// methods.
func TestControlPreflight(t *testing.T) {
	s := startServer(t)
	resp, _ := s.raw("OPTIONS", "/_amplifybackend/faults", "", map[string]string{
		"Origin": "http://localhost:3000", "Access-Control-Request-Method": "DELETE",
	})
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "DELETE") ||
		resp.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Fatalf("preflight = %d %v", resp.StatusCode, resp.Header)
	}
}

// Ending a job through the control plane while the runner takes it up: exactly one of them
// ends it. Either the runner completed it first (409, the job COMPLETED with its effect), or
// the control plane failed it (200, FAILED, no effect); never both, never neither.
func TestControlFinishRacesRunner(t *testing.T) {
	forStores(t, func(t *testing.T, start func(...func(*Main)) *testServer) {
		s := start()
		won := map[int]int{}
		for i := 0; i < 15; i++ {
			app := fmt.Sprintf("race%d", i)
			out, err := s.client.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String(app), AppName: aws.String(app), BackendEnvironmentName: aws.String("dev")})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var r ctlResp
			wg.Add(2)
			go func() { defer wg.Done(); s.Runner.RunDue(context.Background()) }()
			go func() {
				defer wg.Done()
				resp, body := s.raw("POST", "/_amplifybackend/jobs/"+aws.StringValue(out.JobId), `{"status":"FAILED","error":"ended by the test"}`, nil)
				r = ctlResp{status: resp.StatusCode, body: body}
			}()
			wg.Wait()
			won[r.status]++
			job := s.finish(s.client, app, "dev", out.JobId)
			_, gerr := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String(app)})
			switch r.status {
			case 200:
				if aws.StringValue(job.Status) != "FAILED" || aws.StringValue(job.Error) != "ended by the test" || amplifyCode(gerr) != "NotFoundException" {
					t.Fatalf("round %d: control plane won, but the job is %s %q and GetBackend %v", i, aws.StringValue(job.Status), aws.StringValue(job.Error), gerr)
				}
			case 409:
				if aws.StringValue(job.Status) != "COMPLETED" || gerr != nil {
					t.Fatalf("round %d: runner won, but the job is %s and GetBackend %v", i, aws.StringValue(job.Status), gerr)
				}
			default:
				t.Fatalf("round %d: POST jobs/{id} = %d %s", i, r.status, r.body)
			}
		}
		t.Logf("outcomes by control-plane status: %v", won)
	})
}
