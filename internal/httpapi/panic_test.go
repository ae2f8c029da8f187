package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/wireconfig"
)

// panicStore is a Store whose reads panic: View panics with its own value, and every other
// method is the nil embedded interface's, a nil-pointer panic, as a bug deep in a handler
// would be.
type panicStore struct{ amplify.Store }

func (panicStore) View(context.Context, func(amplify.Tx) error) error {
	panic("store exploded reading")
}

// syncBuffer is a log sink the server's goroutines may write concurrently.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPanicRecovered checks that a panic in a handler reaches no client: the client gets a
// 500 InternalFailure naming its request id (header and body), the panic and its stack are
// logged under that id, and the server goes on serving.
func TestPanicRecovered(t *testing.T) {
	var logs syncBuffer
	s := New(Config{
		Service: &amplify.Service{Configs: wireconfig.Configs{}, Store: panicStore{}},
		Logger:  slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	srv := httptest.NewServer(s)
	defer srv.Close()

	tests := []struct {
		name, method, path, body, panicValue string
	}{
		{"explicit panic", "POST", "/backend/d1app/details", `{"backendEnvironmentName":"dev"}`, "store exploded reading"},
		{"nil dereference", "POST", "/backend", `{"appId":"d1app","appName":"a","backendEnvironmentName":"dev"}`, "nil pointer dereference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("the client got no answer: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			id := resp.Header.Get("X-Amzn-RequestId")
			if resp.StatusCode != http.StatusInternalServerError || resp.Header.Get("X-Amzn-ErrorType") != amplify.Internal {
				t.Fatalf("answer %d %q %s; want 500 %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body, amplify.Internal)
			}
			if id == "" {
				t.Fatal("no X-Amzn-RequestId header")
			}
			var e struct{ Message string }
			if err := json.Unmarshal(body, &e); err != nil || !strings.Contains(e.Message, "Request id: "+id) {
				t.Errorf("body %s does not name request id %s", body, id)
			}
			if strings.Contains(string(body), tt.panicValue) || strings.Contains(string(body), "goroutine") {
				t.Errorf("the body shows the panic: %s", body)
			}

			// The panic is logged with the request id, its value and its stack; the access
			// log line has the same id and status 500.
			var panicked, accessed bool
			sc := bufio.NewScanner(strings.NewReader(logs.String()))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var l struct {
					Msg, Level, RequestID, Panic, Stack string
					Status                              int
				}
				if json.Unmarshal(sc.Bytes(), &l) != nil || l.RequestID != id {
					continue
				}
				switch {
				case l.Msg == "panic serving request":
					panicked = l.Level == "ERROR" && strings.Contains(l.Panic, tt.panicValue) && strings.Contains(l.Stack, "goroutine ")
				case l.Status == http.StatusInternalServerError:
					accessed = true
				}
			}
			if !panicked {
				t.Errorf("no ERROR \"panic serving request\" line with requestId %s, the panic %q and its stack:\n%s", id, tt.panicValue, logs.String())
			}
			if !accessed {
				t.Errorf("no access log line with requestId %s and status 500:\n%s", id, logs.String())
			}
		})
	}

	// The server still serves after the panics.
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz after the panics: %v %v", resp, err)
	}
	resp.Body.Close()
}
