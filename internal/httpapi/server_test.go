package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
)

// A client that disconnects mid-request is not a 500: nothing is logged as an internal
// error, nothing is written, and the access log shows 499.
func TestClientClosedIsNotInternal(t *testing.T) {
	var logs bytes.Buffer
	s := &Server{cfg: Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}}
	w := httptest.NewRecorder()
	x := &exchange{id: "req-1", operation: "GetBackendJob"}
	s.writeError(w, x, fmt.Errorf("read job: %w", context.Canceled))
	if x.status != statusClientClosed || x.errCode != "ClientClosedRequest" {
		t.Errorf("exchange status = %d %q; want 499 ClientClosedRequest", x.status, x.errCode)
	}
	if w.Body.Len() != 0 || w.Header().Get("X-Amzn-ErrorType") != "" {
		t.Errorf("an answer was written to a client that is gone: %q %v", w.Body.String(), w.Header())
	}
	if strings.Contains(logs.String(), "internal error") {
		t.Errorf("logged as an internal error: %s", logs.String())
	}

	// Any other failure stays a 500 with its cause in the log only.
	w = httptest.NewRecorder()
	x = &exchange{id: "req-2"}
	s.writeError(w, x, fmt.Errorf("disk on fire"))
	if w.Code != 500 || strings.Contains(w.Body.String(), "fire") || !strings.Contains(logs.String(), "disk on fire") {
		t.Errorf("internal error: status %d body %q log %q", w.Code, w.Body.String(), logs.String())
	}
}

func TestParseCredential(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		want Credential
		ok   bool
	}{
		{"AKID/20260707/eu-west-1/amplifybackend/aws4_request", Credential{AccessKeyID: "AKID", Date: "20260707", Region: "eu-west-1", Service: "amplifybackend"}, true},
		{"AKID/20260707/eu-west-1/amplifybackend/aws4_request/extra", Credential{}, false},
		{"AKID/20260707/eu-west-1/aws4_request", Credential{}, false},
		{"/20260707/eu-west-1/amplifybackend/aws4_request", Credential{}, false},
		{"AKID/20260707/eu-west-1/amplifybackend/aws5_request", Credential{}, false},
		{"", Credential{}, false},
	} {
		got, ok := ParseCredential(tt.raw)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseCredential(%q) = %+v, %v; want %+v, %v", tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}

// /healthz answers 200 while the store answers and 503 (logged as a warning, with the cause)
// once it does not: here the real SQLite store, closed under the running server.
func TestHealthzStoreDown(t *testing.T) {
	store, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := New(Config{Service: &amplify.Service{Store: store}, Ready: store.Ping, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	get := func() *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
		return w
	}
	if w := get(); w.Code != http.StatusOK || w.Body.String() != `{"status":"ok"}` {
		t.Fatalf("healthz with the store up = %d %s", w.Code, w.Body.String())
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	w := get()
	if w.Code != http.StatusServiceUnavailable || w.Body.String() != `{"status":"unavailable"}` {
		t.Errorf("healthz with the store closed = %d %s; want 503", w.Code, w.Body.String())
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if !strings.Contains(logs.String(), "health check failed") || !strings.Contains(logs.String(), "status=503") {
		t.Errorf("the failure is not in the log: %s", logs.String())
	}
}
