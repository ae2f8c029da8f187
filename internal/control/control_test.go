package control

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
	"github.com/amplifybackendd/amplifybackendd/internal/wireconfig"
)

// newTestHandler returns a Handler over a real SQLite store in a temp directory.
func newTestHandler(t *testing.T, cfg Config) *Handler {
	t.Helper()
	store, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg.Service = &amplify.Service{Configs: wireconfig.Configs{}, Store: store}
	cfg.CheckWrite = store.CheckWrite
	cfg.StoreKind = "sqlite"
	return New(cfg)
}

func do(h http.Handler, method, path, body string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestAccess(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tests := []struct {
		name   string
		auth   string
		token  string
		header []string
		want   int
	}{
		{"any, no token configured", "any", "", nil, 200},
		{"sigv4, no token configured: closed", "sigv4", "", nil, 404},
		{"sigv4, closed even with a bearer", "sigv4", "", []string{"Authorization", "Bearer x"}, 404},
		{"token, none sent", "sigv4", "Zq9tokX7", nil, 401},
		{"token, AWS signature sent", "sigv4", "Zq9tokX7", []string{"Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260707/us-east-1/amplifybackend/aws4_request, SignedHeaders=host, Signature=00"}, 401},
		{"token, Basic sent", "sigv4", "Zq9tokX7", []string{"Authorization", "Basic dG9rOg=="}, 401},
		{"token, wrong", "sigv4", "Zq9tokX7", []string{"Authorization", "Bearer Zq9tokX72"}, 403},
		{"token, prefix of it", "sigv4", "Zq9tokX7", []string{"Authorization", "Bearer Zq9tok"}, 403},
		{"token, empty bearer", "sigv4", "Zq9tokX7", []string{"Authorization", "Bearer "}, 403},
		{"token, right", "sigv4", "Zq9tokX7", []string{"Authorization", "Bearer Zq9tokX7"}, 200},
		{"token, right, scheme in capitals", "sigv4", "Zq9tokX7", []string{"Authorization", "BEARER Zq9tokX7"}, 200},
		{"token in mode any, none sent", "any", "Zq9tokX7", nil, 401},
		{"token in mode any, right", "any", "Zq9tokX7", []string{"Authorization", "Bearer Zq9tokX7"}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestHandler(t, Config{Auth: tt.auth, Token: tt.token, Logger: logger})
			w := do(h, "GET", "/_amplifybackend/faults", "", tt.header...)
			if w.Code != tt.want {
				t.Fatalf("status %d (%s); want %d", w.Code, w.Body, tt.want)
			}
			if tt.want == 401 && !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without WWW-Authenticate: Bearer")
			}
			// /healthz answers in every case, without a token.
			if w := do(h, "GET", "/healthz", ""); w.Code != 200 {
				t.Errorf("/healthz = %d %s", w.Code, w.Body)
			}
		})
	}
	if strings.Contains(logs.String(), "Zq9tok") {
		t.Fatalf("the token reached the log:\n%s", logs.String())
	}
}

func TestMethodsAndRoutes(t *testing.T) {
	h := newTestHandler(t, Config{Auth: "any", Journal: NewJournal(10)})
	tests := []struct {
		method, path string
		want         int
		allow        string
	}{
		{"GET", "/_amplifybackend/health", 200, ""},
		{"HEAD", "/_amplifybackend/health", 200, ""},
		{"POST", "/_amplifybackend/health", 405, "GET"},
		{"PATCH", "/_amplifybackend/state", 405, "GET, PUT"},
		{"GET", "/_amplifybackend/jobs/finish", 405, "POST"},
		{"GET", "/_amplifybackend/jobs/some-id", 405, "POST"},
		{"POST", "/_amplifybackend/faults/fault-1", 405, "DELETE"},
		{"PUT", "/_amplifybackend/requests", 405, "GET, DELETE"},
		{"GET", "/_amplifybackend/", 404, ""},
		{"GET", "/_amplifybackend/jobs/", 404, ""},
		{"GET", "/_amplifybackend/faults/a/b", 404, ""},
		{"POST", "/healthz", 405, "GET, HEAD"},
	}
	for _, tt := range tests {
		w := do(h, tt.method, tt.path, "")
		if w.Code != tt.want || w.Header().Get("Allow") != tt.allow {
			t.Errorf("%s %s = %d Allow %q; want %d Allow %q", tt.method, tt.path, w.Code, w.Header().Get("Allow"), tt.want, tt.allow)
		}
		if w.Code >= 400 && !strings.Contains(w.Body.String(), `"message"`) {
			t.Errorf("%s %s: error body %s", tt.method, tt.path, w.Body)
		}
	}
}

func TestStrictDecode(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{`{"accountId":"1","extra":true}`, `unknown member "extra"`},
		{`{"accountId":1}`, `member "accountId" must not be a JSON number`},
		{`[]`, "must be a JSON object"},
		{`{"accountId":"1"}{}`, "more data after the object"},
		{`{"accountId":`, "malformed JSON body"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
		var v scopeJSON
		err := decode(r, maxBody, &v, true)
		var se *statusErr
		if !errors.As(err, &se) || se.status != 400 || !strings.Contains(se.msg, tt.want) {
			t.Errorf("decode(%s) = %v; want 400 with %q", tt.body, err, tt.want)
		}
	}
	r := httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat(" ", maxBody+1)))
	var v scopeJSON
	if err := decode(r, maxBody, &v, true); err == nil || err.(*statusErr).status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %v", err)
	}
	r = httptest.NewRequest("POST", "/", io.NopCloser(strings.NewReader("  ")))
	if err := decode(r, maxBody, &v, true); err != nil {
		t.Errorf("empty optional body: %v", err)
	}
}

// Health answers 503 with the store's classified reason, and never a raw driver error.
func TestHealthUnavailable(t *testing.T) {
	for _, tt := range []struct {
		err    error
		reason string
	}{
		{&amplify.Error{Code: "ServiceUnavailableException", Message: "the disk is full"}, "the disk is full"},
		{errors.New("open /secret/path/db.sqlite: permission denied"), "the store cannot write"},
	} {
		h := New(Config{Auth: "any", StoreKind: "sqlite", CheckWrite: func(context.Context) error { return tt.err }})
		w := do(h, "GET", "/healthz", "")
		if w.Code != 503 || !strings.Contains(w.Body.String(), `"reason":"`+tt.reason+`"`) || strings.Contains(w.Body.String(), "/secret") {
			t.Errorf("health with %v = %d %s", tt.err, w.Code, w.Body)
		}
	}
}
