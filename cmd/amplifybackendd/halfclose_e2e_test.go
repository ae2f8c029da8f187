package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A client that half-closes its side of the connection after sending a complete request (as
// `nc -N`, some proxies and HTTP/1.0 scripts do) is still reading: it gets the whole answer.
// net/http cancels such a request's context when its read reaches EOF; operations once ran
// under that context, stopped, and the client got 200 with an empty body (33 of 200 times).
// Each round here races the EOF against the operation, so the old behaviour fails it.
func TestWireHalfClosedClientGetsWholeAnswer(t *testing.T) {
	s := startServer(t)
	addr := strings.TrimPrefix(s.URL(), "http://")
	const rounds = 100
	for i := range rounds {
		reqBody := fmt.Sprintf(`{"appId":"d1half%d","appName":"n","backendEnvironmentName":"dev"}`, i)
		raw := halfClosedRoundTrip(t, addr, "POST /backend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
			"Content-Length: "+strconv.Itoa(len(reqBody))+"\r\n\r\n"+reqBody)
		resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil)
		if err != nil {
			t.Fatalf("round %d: no whole answer (%v): %q", i, err, raw)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("round %d: body shorter than its Content-Length (%v): %q", i, err, raw)
		}
		var out struct {
			JobID  string `json:"jobId"`
			Status string `json:"status"`
		}
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &out) != nil || out.JobID == "" || out.Status != "IN_PROGRESS" {
			t.Fatalf("round %d: answer %d %q; want 200 with the job", i, resp.StatusCode, body)
		}
	}
}

// halfClosedRoundTrip sends request on a new connection, closes the connection's write side
// and returns everything the server sends until it closes.
func halfClosedRoundTrip(t *testing.T, addr, request string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read the answer: %v", err)
	}
	return string(raw)
}
