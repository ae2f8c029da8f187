package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
	"github.com/amplifybackendd/amplifybackendd/internal/wireconfig"
)

// canceledStore is a Store whose reads fail as a store fails when its context ends.
type canceledStore struct{ amplify.Store }

func (canceledStore) View(context.Context, func(amplify.Tx) error) error {
	return fmt.Errorf("read: %w", context.Canceled)
}

// A client that disconnects mid-request is not a 500: nothing is logged as an internal
// error, nothing is written, the connection is aborted (never net/http's empty 200), and the
// access log shows 499. A context.Canceled while the client is still there is an internal
// failure like any other.
func TestClientClosedIsNotInternal(t *testing.T) {
	var logs syncBuffer
	s := New(Config{Service: &amplify.Service{Configs: wireconfig.Configs{}, Store: canceledStore{}}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the client is gone
	w := httptest.NewRecorder()
	func() {
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Errorf("ServeHTTP ended with %v; want the http.ErrAbortHandler panic that aborts the connection", p)
			}
		}()
		s.ServeHTTP(w, httptest.NewRequestWithContext(ctx, "POST", "/backend/d1app/details", strings.NewReader(`{}`)))
	}()
	if w.Flushed || w.Body.Len() != 0 || w.Header().Get("X-Amzn-ErrorType") != "" {
		t.Errorf("an answer was written to a client that is gone: %q %v", w.Body.String(), w.Header())
	}
	if strings.Contains(logs.String(), "internal error") || !strings.Contains(logs.String(), "status=499") ||
		!strings.Contains(logs.String(), "errorType=ClientClosedRequest") {
		t.Errorf("log: %s", logs.String())
	}

	// With the client still there, the same failure is a 500 with its cause in the log only.
	w = httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("POST", "/backend/d1app/details", strings.NewReader(`{}`)))
	if w.Code != 500 || strings.Contains(w.Body.String(), "canceled") || !strings.Contains(logs.String(), "read: context canceled") {
		t.Errorf("internal error: status %d body %q log %q", w.Code, w.Body.String(), logs.String())
	}
}

// The ResponseWriter records what was sent: the first status (a Write without WriteHeader is
// 200), never a later one, and the body bytes.
func TestResponseWriterRecords(t *testing.T) {
	tests := []struct {
		name       string
		write      func(w http.ResponseWriter)
		status     int
		bytes      int64
		recorded   int // what the underlying writer saw
		recordBody string
	}{
		{"nothing", func(http.ResponseWriter) {}, 0, 0, 200, ""},
		{"status only", func(w http.ResponseWriter) { w.WriteHeader(404) }, 404, 0, 404, ""},
		{"implicit 200", func(w http.ResponseWriter) { io.WriteString(w, "abc") }, 200, 3, 200, "abc"},
		{"second status ignored", func(w http.ResponseWriter) {
			w.WriteHeader(400)
			w.WriteHeader(500)
			io.WriteString(w, "ab")
			io.WriteString(w, "cd")
		}, 400, 4, 400, "abcd"},
		{"1xx does not fix the status", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(503)
		}, 503, 0, http.StatusEarlyHints, ""}, // httptest's recorder keeps the first code it sees
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			rw := NewResponseWriter(rec)
			tt.write(rw)
			if rw.Status() != tt.status || rw.Written() != tt.bytes || rw.Err() != nil {
				t.Errorf("recorded status %d, %d bytes, err %v; want %d, %d", rw.Status(), rw.Written(), rw.Err(), tt.status, tt.bytes)
			}
			if rec.Code != tt.recorded || rec.Body.String() != tt.recordBody {
				t.Errorf("sent %d %q; want %d %q", rec.Code, rec.Body.String(), tt.recorded, tt.recordBody)
			}
			if http.NewResponseController(rw) == nil || rw.Unwrap() != rec {
				t.Error("Unwrap does not return the underlying writer")
			}
		})
	}
}

// Every kind of answer reaches the access log with the status and body size the client got.
func TestAccessLogStatusIsWhatWasSent(t *testing.T) {
	var logs syncBuffer
	store, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s := New(Config{Service: &amplify.Service{Configs: wireconfig.Configs{}, Store: store}, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	tests := []struct {
		name, method, path, body string
		status                   int
	}{
		{"success", "POST", "/backend", `{"appId":"a","appName":"a","backendEnvironmentName":"dev"}`, 200},
		{"modeled error", "POST", "/backend/nope/details", `{}`, 404},
		{"unknown operation", "GET", "/nothing", "", 404},
		{"preflight", "OPTIONS", "/backend", "", 200},
		{"health", "GET", "/healthz", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body)))
			if w.Code != tt.status {
				t.Fatalf("status %d; want %d (%s)", w.Code, tt.status, w.Body)
			}
			id := w.Header().Get("X-Amzn-RequestId")
			var found bool
			for line := range strings.Lines(logs.String()) {
				var l struct {
					RequestID string
					Status    int
				}
				if json.Unmarshal([]byte(line), &l) == nil && l.RequestID == id {
					found = true
					if l.Status != w.Code {
						t.Errorf("logged status %d; sent %d", l.Status, w.Code)
					}
				}
			}
			if !found {
				t.Errorf("no access log line for %s:\n%s", id, logs.String())
			}
		})
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
	s := New(Config{Service: &amplify.Service{Configs: wireconfig.Configs{}, Store: store}, Ready: store.Ping, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
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

// The refusal listener rewrites only net/http's own refusals: a handler's plain-text answer
// of the same status, with Connection: close, goes out as written.
func TestListenerLeavesHandlerAnswers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		http.Error(w, "400 Bad Request", http.StatusBadRequest)
	})}
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(s.Listener(ln)) }()
	t.Cleanup(func() { srv.Close(); <-done })

	resp, err := http.Get("http://" + ln.Addr().String() + "/x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || string(body) != "400 Bad Request\n" || resp.Header.Get("X-Amzn-ErrorType") != "" {
		t.Errorf("the handler's answer was changed: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	// net/http's own refusal on the same listener is rewritten.
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n")
	raw, _ := io.ReadAll(c)
	if !strings.Contains(string(raw), "X-Amzn-Errortype: BadRequestException") {
		t.Errorf("net/http's refusal was not rewritten: %q", raw)
	}
}

// Recognising net/http's refusals costs a handler's answers no allocation: every response
// written to a connection of Server.Listener passes through the check.
func TestRefusalCheckDoesNotAllocate(t *testing.T) {
	answers := [][]byte{
		[]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\nDate: x\r\n\r\n{}"),
		[]byte("HTTP/1.1 404 Not Found\r\nAccess-Control-Allow-Origin: *\r\nDate: x\r\n\r\n{}"),
		[]byte(`{"a":1}`),
	}
	for _, a := range answers {
		if _, _, ok := netHTTPRefusal(a); ok {
			t.Errorf("%q taken for a refusal", a)
		}
		if n := testing.AllocsPerRun(100, func() { netHTTPRefusal(a) }); n != 0 {
			t.Errorf("%q: %v allocations", a, n)
		}
	}
	status, reason, ok := netHTTPRefusal([]byte("HTTP/1.1 431 Request Header Fields Too Large" + refusalHeaders + "431 Request Header Fields Too Large"))
	if !ok || status != 431 || reason != "431 Request Header Fields Too Large" {
		t.Errorf("a refusal: %d %q %v", status, reason, ok)
	}
}
