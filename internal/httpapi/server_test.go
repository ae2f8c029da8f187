package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
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
