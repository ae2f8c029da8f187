package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Requests that net/http refuses before any handler runs (it cannot parse them) are answered
// in the AWS error form all the same: net/http's status, X-Amzn-ErrorType BadRequestException,
// a request id and a JSON message. They were net/http's plain-text "400 Bad Request".
func TestWireRefusedBeforeRouting(t *testing.T) {
	s := startServer(t)
	addr := strings.TrimPrefix(s.URL(), "http://")
	const rest = "\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
	tests := []struct {
		name, request, msg string
		status             int // 400 if 0
	}{
		{"bad percent-escape", "POST /backend/%zz/details HTTP/1.1" + rest, "bad percent-escape", 0},
		{"lone percent", "POST /backend/a%/details HTTP/1.1" + rest, "malformed", 0},
		{"truncated escape at the end", "GET /backend/a/job/dev/%2 HTTP/1.1" + rest, "malformed", 0},
		{"raw NUL in the path", "POST /backend/a\x00b/details HTTP/1.1" + rest, "malformed", 0},
		{"raw control byte in the path", "POST /backend/a\x01b/details HTTP/1.1" + rest, "malformed", 0},
		{"raw DEL in the path", "POST /backend/a\x7fb/details HTTP/1.1" + rest, "malformed", 0},
		{"space in the path", "POST /backend/a b/details HTTP/1.1" + rest, "malformed", 0},
		{"target without a slash", "POST backend/a/details HTTP/1.1" + rest, "malformed", 0},
		{"bad method", "P@ST /backend/a/details HTTP/1.1" + rest, "malformed", 0},
		{"unknown HTTP version", "POST /backend/a/details HTTP/9.9" + rest, "unsupported protocol version", 505},
		{"no Host", "POST /backend/a/details HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", "missing required Host header", 0},
		{"header without a colon", "POST /backend/a/details HTTP/1.1\r\nHost: x\r\nbroken header\r\nContent-Length: 2\r\n\r\n{}", "malformed", 0},
		{"headers over the limit", "POST /backend/a/details HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 80<<10) + rest, "Request Header Fields Too Large", 431},
		{"unsupported transfer encoding", "POST /backend/a/details HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n{}", "Unsupported transfer encoding", 501},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := halfClosedRoundTrip(t, addr, tt.request)
			resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil)
			if err != nil {
				t.Fatalf("no HTTP answer (%v): %q", err, raw)
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("body: %v: %q", err, raw)
			}
			var e struct{ Message string }
			if tt.status == 0 {
				tt.status = 400
			}
			if resp.StatusCode != tt.status || resp.Header.Get("X-Amzn-ErrorType") != "BadRequestException" ||
				!uuidPattern.MatchString(resp.Header.Get("x-amzn-RequestId")) || resp.Header.Get("Content-Type") != "application/json" ||
				json.Unmarshal(body, &e) != nil || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("answer %q; want %d BadRequestException with a request id and a JSON message containing %q", raw, tt.status, tt.msg)
			}
		})
	}
	// The server still answers afterwards, and a handler's answer is not rewritten.
	if resp, body := s.raw("POST", "/backend/nope/details", "{}", nil); resp.StatusCode != 404 || !strings.Contains(body, "nope") {
		t.Errorf("after the refusals: %d %s", resp.StatusCode, body)
	}
}
