package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
)

// These tests speak raw HTTP, so that nothing a client library tolerates hides a mismatch.

func TestWireSuccessAndPrefix(t *testing.T) {
	s := startServer(t)
	for _, prefix := range []string{"", "/prod"} {
		resp, body := s.raw("POST", prefix+"/backend", `{"appId":"d1`+prefix[min(len(prefix), 1):]+`x","appName":"n","backendEnvironmentName":"dev","unknownMember":[1,2]}`, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s/backend: %d %s", prefix, resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
		if !uuidPattern.MatchString(resp.Header.Get("x-amzn-RequestId")) {
			t.Errorf("x-amzn-RequestId = %q", resp.Header.Get("x-amzn-RequestId"))
		}
		var out map[string]any
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"appId", "backendEnvironmentName", "jobId", "operation", "status"} {
			if _, ok := out[k]; !ok {
				t.Errorf("response lacks %q: %s", k, body)
			}
		}
		if _, ok := out["error"]; ok || strings.Contains(body, "null") {
			t.Errorf("absent members must be omitted, not null: %s", body)
		}
	}
}

func TestWireErrors(t *testing.T) {
	s := startServer(t, func(m *Main) { m.Config.MaxBody = 1024 })
	tests := []struct {
		name, method, path, body string
		status                   int
		errType, msg             string
	}{
		{"unknown path", "GET", "/nothing/here", "", 404, "UnknownOperationException", "No operation"},
		{"known path, wrong method", "GET", "/backend", "", 404, "UnknownOperationException", "GET /backend"},
		{"malformed JSON", "POST", "/backend", `{"appId":`, 400, "BadRequestException", "Could not parse"},
		{"not an object", "POST", "/backend", `[1]`, 400, "BadRequestException", ""},
		{"wrong type", "POST", "/backend", `{"appId":5,"appName":"a","backendEnvironmentName":"dev"}`, 400, "BadRequestException", "appId"},
		{"required member", "POST", "/backend", `{"appId":"a","backendEnvironmentName":"dev"}`, 400, "BadRequestException",
			"1 validation error detected: Value null at 'appName' failed to satisfy constraint: Member must not be null"},
		// Member names are the exact locationNames: "APPID" is an unknown member, so appId is missing.
		{"member names are case-sensitive", "POST", "/backend", `{"APPID":"d1x","appName":"n","backendEnvironmentName":"dev"}`, 400, "BadRequestException",
			"1 validation error detected: Value null at 'appId' failed to satisfy constraint: Member must not be null"},
		// Invalid UTF-8 is refused, never stored as U+FFFD.
		{"invalid UTF-8 in a member", "POST", "/backend", "{\"appId\":\"d1x\",\"appName\":\"n\xff\",\"backendEnvironmentName\":\"dev\"}", 400, "BadRequestException",
			"1 validation error detected: Value at 'appName' failed to satisfy constraint: Member must be valid UTF-8"},
		{"range", "POST", "/backend/a/job/dev", `{"maxResults":0}`, 400, "BadRequestException", "greater than or equal to 1"},
		{"body over the limit", "POST", "/backend", `{"appId":"` + strings.Repeat("a", 2000) + `"}`, 400, "BadRequestException", "limit of 1024 bytes"},
		{"encoded slash in a path parameter", "POST", "/backend/a%2Fb/details", `{}`, 400, "BadRequestException", "'appId'"},
		{"control character in a path parameter", "POST", "/backend/a%07b/details", `{}`, 400, "BadRequestException", "'appId'"},
		{"path parameter too long", "POST", "/backend/" + strings.Repeat("a", 256) + "/details", `{}`, 400, "BadRequestException", "255"},
		{"not found carries resourceType", "POST", "/backend/nope/details", `{}`, 404, "NotFoundException", "nope"},
		// A trailing '/' or '//' is an empty path parameter, never a shorter route: botocore
		// sends UpdateBackendJob with JobId "" as .../job/dev/, which once reached
		// ListBackendJobs and answered 200.
		{"trailing slash is an empty last parameter", "POST", "/backend/a/job/dev/", `{}`, 400, "BadRequestException", "'jobId'"},
		{"trailing slash after a literal", "POST", "/backend/a/details/", `{}`, 404, "UnknownOperationException", "No operation"},
		{"empty middle parameter", "POST", "/backend//details", `{}`, 400, "BadRequestException", "'appId'"},
		{"empty environment before a literal", "POST", "/backend/a/api//details", `{}`, 400, "BadRequestException", "'backendEnvironmentName'"},
		{"trailing slash under /prod", "POST", "/prod/backend/a/api/", `{}`, 400, "BadRequestException", "'backendEnvironmentName'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := s.raw(tt.method, tt.path, tt.body, nil)
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d; want %d (%s)", resp.StatusCode, tt.status, body)
			}
			if got := resp.Header.Get("X-Amzn-ErrorType"); got != tt.errType {
				t.Errorf("X-Amzn-ErrorType = %q; want %q", got, tt.errType)
			}
			if resp.Header.Get("x-amzn-RequestId") == "" {
				t.Error("no x-amzn-RequestId")
			}
			var e struct {
				Message      string `json:"message"`
				ResourceType string `json:"resourceType"`
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil {
				t.Fatalf("error body is not JSON: %q", body)
			}
			if e.Message == "" || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("message = %q; want it to contain %q", e.Message, tt.msg)
			}
			if tt.errType == "NotFoundException" && e.ResourceType != "app" {
				t.Errorf("resourceType = %q; want app", e.ResourceType)
			}
		})
	}
}

func TestWireCORS(t *testing.T) {
	s := startServer(t, func(m *Main) { m.Config.CORSOrigins = "http://localhost:3000,http://example.test" })
	resp, body := s.raw("OPTIONS", "/prod/backend/d1abc/job/dev/abc", "", map[string]string{
		"Origin":                         "http://localhost:3000",
		"Access-Control-Request-Method":  "GET",
		"Access-Control-Request-Headers": "authorization,x-amz-date,x-amz-content-sha256,amz-sdk-invocation-id,amz-sdk-request,x-amz-user-agent",
	})
	if resp.StatusCode != 200 {
		t.Fatalf("preflight: %d %s", resp.StatusCode, body)
	}
	h := resp.Header
	if h.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("Allow-Origin = %q", h.Get("Access-Control-Allow-Origin"))
	}
	if !strings.Contains(h.Get("Access-Control-Allow-Methods"), "GET") || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("Allow-Methods = %q", h.Get("Access-Control-Allow-Methods"))
	}
	allowed := strings.ToLower(h.Get("Access-Control-Allow-Headers"))
	for _, want := range []string{"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "amz-sdk-invocation-id", "amz-sdk-request", "content-type"} {
		if !strings.Contains(allowed, want) {
			t.Errorf("Allow-Headers lacks %s: %q", want, allowed)
		}
	}
	// Normal responses carry the origin and expose the request id and error type.
	resp, _ = s.raw("POST", "/backend/nope/details", "{}", map[string]string{"Origin": "http://example.test"})
	if resp.Header.Get("Access-Control-Allow-Origin") != "http://example.test" || !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "X-Amzn-ErrorType") {
		t.Errorf("CORS on an error response: %v", resp.Header)
	}
	// An origin not in the list gets no CORS headers.
	resp, _ = s.raw("OPTIONS", "/backend", "", map[string]string{"Origin": "http://evil.test", "Access-Control-Request-Method": "POST"})
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("foreign origin allowed: %v", resp.Header)
	}
	// Preflight for every route, any prefix.
	resp, _ = s.raw("OPTIONS", "/s3Buckets", "", map[string]string{"Origin": "http://example.test", "Access-Control-Request-Method": "POST"})
	if resp.StatusCode != 200 {
		t.Errorf("OPTIONS /s3Buckets = %d", resp.StatusCode)
	}
}

// With the default origins (any), a browser's request (it carries Origin) gets
// Access-Control-Allow-Origin: *, and a request without Origin (an SDK, the CLI) gets no CORS
// headers: nobody would read them.
func TestWireCORSOnlyForBrowsers(t *testing.T) {
	s := startServer(t)
	resp, _ := s.raw("POST", "/backend/nope/details", "{}", map[string]string{"Origin": "http://localhost:3000"})
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "x-amzn-RequestId") {
		t.Errorf("a request with Origin: CORS headers %v", resp.Header)
	}
	resp, _ = s.raw("POST", "/backend/nope/details", "{}", nil)
	if v := resp.Header.Values("Access-Control-Allow-Origin"); v != nil {
		t.Errorf("a request without Origin got Access-Control-Allow-Origin %q", v)
	}
	if v := resp.Header.Values("Access-Control-Expose-Headers"); v != nil {
		t.Errorf("a request without Origin got Access-Control-Expose-Headers %q", v)
	}
}

func TestWireIdentityFromCredentialScope(t *testing.T) {
	s := startServer(t)
	auth := func(akid, region string) map[string]string {
		return map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=" + akid + "/20260707/" + region + "/amplifybackend/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"}
	}
	create := `{"appId":"shared","appName":"n","backendEnvironmentName":"dev"}`
	for _, h := range []map[string]string{auth("123456789012", "eu-central-1"), auth("AKIDEXAMPLE", "us-east-1")} {
		if resp, body := s.raw("POST", "/backend", create, h); resp.StatusCode != 200 {
			t.Fatalf("create as %v: %s", h, body)
		}
	}
	s.runJobs()
	if resp, body := s.raw("POST", "/backend/shared/details", "{}", auth("123456789012", "eu-central-1")); resp.StatusCode != 200 {
		t.Errorf("12-digit key as account: %s", body)
	}
	if resp, _ := s.raw("POST", "/backend/shared/details", "{}", auth("123456789012", "us-east-1")); resp.StatusCode != 404 {
		t.Errorf("region not partitioned: %d", resp.StatusCode)
	}
	// AKIDEXAMPLE and an unsigned request are both account 000000000000 in us-east-1.
	if resp, body := s.raw("POST", "/backend/shared/details", "{}", nil); resp.StatusCode != 200 {
		t.Errorf("unsigned request does not see account 000000000000's app: %s", body)
	}
	if resp, _ := s.raw("POST", "/backend", create, nil); resp.StatusCode != 400 {
		t.Errorf("unsigned create of an environment AKIDEXAMPLE made: %d; want 400", resp.StatusCode)
	}
	if resp, _ := s.raw("POST", "/backend/shared/details", "{}", auth("AKIDEXAMPLE", "EVIL_REGION")); resp.StatusCode != 400 {
		t.Errorf("invalid region accepted: %d", resp.StatusCode)
	}
}

func TestAccessLog(t *testing.T) {
	var buf syncBuffer
	s := startServer(t, func(m *Main) {
		m.Config.LogFormat, m.Config.LogLevel, m.LogOutput = "json", "info", &buf
	})
	resp, _ := s.raw("POST", "/backend/nope/details", "{}", map[string]string{
		"Authorization": "AWS4-HMAC-SHA256 Credential=123456789012/20260707/eu-west-1/amplifybackend/aws4_request, SignedHeaders=host, Signature=deadbeef",
	})
	id := resp.Header.Get("x-amzn-RequestId")
	var entry map[string]any
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.Contains(line, id) {
			if err := json.Unmarshal([]byte(line), &entry); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := map[string]any{"msg": "request", "requestId": id, "account": "123456789012", "region": "eu-west-1",
		"operation": "GetBackend", "status": 404.0, "errorType": "NotFoundException"}
	for k, v := range want {
		if entry[k] != v {
			t.Errorf("log %s = %v; want %v (entry %v)", k, entry[k], v, entry)
		}
	}
	if d, ok := entry["duration_ms"].(float64); !ok || d < 0 {
		t.Errorf("duration_ms in the access log = %v; want a number of milliseconds", entry["duration_ms"])
	}
	if strings.Contains(buf.String(), "deadbeef") {
		t.Error("the signature reached the log")
	}
}

func TestHealthz(t *testing.T) {
	s := startServer(t)
	resp, body := s.raw("GET", "/healthz", "", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "ok") {
		t.Fatalf("healthz = %d %s", resp.StatusCode, body)
	}
}

// TestWireAppWideJobHasNoEnvironment checks that a RemoveAllBackends job, which has no
// environment of its own, answers GetBackendJob, ListBackendJobs and UpdateBackendJob without a
// backendEnvironmentName member (absent members are omitted, never ""), while a job of an
// environment keeps its own.
func TestWireAppWideJobHasNoEnvironment(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "d1wire", "wire", "dev")
	resp, body := s.raw("POST", "/backend/d1wire/remove", `{}`, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("RemoveAllBackends: %d %s", resp.StatusCode, body)
	}
	var rm struct {
		JobID string `json:"jobId"`
	}
	if err := json.Unmarshal([]byte(body), &rm); err != nil || rm.JobID == "" {
		t.Fatalf("RemoveAllBackends answer %s: %v", body, err)
	}
	// decode decodes a job object answered as body.
	decode := func(what, body string) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatalf("%s: %v: %s", what, err, body)
		}
		return m
	}
	wantNoEnv := func(what string, job map[string]any) {
		t.Helper()
		if job["jobId"] != rm.JobID || job["operation"] != "RemoveAllBackends" {
			t.Errorf("%s: not the RemoveAllBackends job: %v", what, job)
		}
		if v, ok := job["backendEnvironmentName"]; ok {
			t.Errorf("%s: backendEnvironmentName = %q; want the member omitted", what, v)
		}
	}

	resp, body = s.raw("GET", "/backend/d1wire/job/dev/"+rm.JobID, "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GetBackendJob: %d %s", resp.StatusCode, body)
	}
	wantNoEnv("GetBackendJob", decode("GetBackendJob", body))

	resp, body = s.raw("POST", "/backend/d1wire/job/dev", `{}`, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("ListBackendJobs: %d %s", resp.StatusCode, body)
	}
	var list struct {
		Jobs []map[string]any `json:"jobs"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Jobs) != 2 {
		t.Fatalf("ListBackendJobs: %v: %s", err, body)
	}
	wantNoEnv("ListBackendJobs jobs[0]", list.Jobs[0])
	if list.Jobs[1]["operation"] != "CreateBackend" || list.Jobs[1]["backendEnvironmentName"] != "dev" {
		t.Errorf("ListBackendJobs jobs[1] = %v; want CreateBackend of dev", list.Jobs[1])
	}

	resp, body = s.raw("POST", "/backend/d1wire/job/dev/"+rm.JobID, `{"status":"FAILED"}`, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("UpdateBackendJob: %d %s", resp.StatusCode, body)
	}
	wantNoEnv("UpdateBackendJob", decode("UpdateBackendJob", body))
}

// syncBuffer is a bytes.Buffer safe for the logger and the test to share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestDotSegmentsAreNotNames(t *testing.T) {
	s := startServer(t)
	for _, path := range []string{"/backend/../details", "/backend/./details", "/backend/a/job/%2E%2E/x"} {
		resp, body := s.raw("POST", path, "{}", nil)
		if resp.StatusCode != 400 && resp.StatusCode != 404 {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	resp, body := s.raw("GET", "/backend/a/job/%2E%2E/x", "", nil)
	if resp.StatusCode != 400 || !strings.Contains(body, "'.' or '..'") {
		t.Errorf("encoded dot segment: %d %s", resp.StatusCode, body)
	}
}

// U+0000 in any string is BadRequest naming the member, on both stores: PostgreSQL answered
// 500 (it cannot store NUL in text) where SQLite stored it.
func TestWireNULRefusedOnBothStores(t *testing.T) {
	stores := map[string]func(*Main){"sqlite": func(*Main) {}}
	if dsn := os.Getenv(replicaDSNEnv); dsn != "" {
		stores["postgres"] = func(m *Main) { m.Config.Store = replicaSchema(t, dsn) }
	} else {
		t.Logf("only SQLite: set %s to a PostgreSQL DSN to check PostgreSQL too (.ci/run does)", replicaDSNEnv)
	}
	for name, opt := range stores {
		t.Run(name, func(t *testing.T) {
			s := startServer(t, opt)
			s.createBackend(s.client, "d1nul", "nul", "dev")
			tests := []struct{ name, method, path, body, member string }{
				{"body member", "POST", "/backend", `{"appId":"d1nul2","appName":"a\u0000b","backendEnvironmentName":"dev"}`, "'appName'"},
				{"nested member", "POST", "/backend/d1nul/storage", `{"backendEnvironmentName":"dev","resourceName":"s","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["READ"]},"bucketName":"\u0000"}}`, "'resourceConfig.bucketName'"},
				{"job label", "POST", "/backend/d1nul/job/dev/x", `{"operation":"\u0000"}`, "'operation'"},
				{"path parameter", "POST", "/backend/d1%00nul/details", `{}`, "'appId'"},
			}
			for _, tt := range tests {
				resp, body := s.raw(tt.method, tt.path, tt.body, nil)
				if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") != "BadRequestException" || !strings.Contains(body, tt.member) {
					t.Errorf("%s: %d %s %s; want 400 BadRequestException naming %s", tt.name, resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body, tt.member)
				}
			}
			if resp, body := s.raw("POST", "/backend/d1nul2/details", `{}`, nil); resp.StatusCode != 404 {
				t.Errorf("the refused app exists: %d %s", resp.StatusCode, body)
			}
		})
	}
}
