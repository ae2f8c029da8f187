package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestParseResponse(t *testing.T) {
	full := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 2\r\n\r\n{}"
	for i := range len(full) {
		if _, size, err := parseResponse([]byte(full[:i])); err != nil || size != 0 {
			t.Fatalf("prefix of %d bytes: size %d, err %v; want 0, nil", i, size, err)
		}
	}
	status, size, err := parseResponse([]byte(full))
	if err != nil || status != 200 || size != len(full) {
		t.Fatalf("full answer: status %d size %d err %v", status, size, err)
	}
	if _, _, err := parseResponse([]byte("HTTP/1.1 204 No Content\r\n\r\n")); err == nil {
		t.Fatal("an answer without Content-Length was accepted")
	}
	if _, _, err := parseResponse([]byte("garbage\r\n\r\n")); err == nil {
		t.Fatal("a bad status line was accepted")
	}
}

// TestRunRate sends on a schedule to a server that answers some requests late, and checks
// that every request is answered once and that a stall counts from the intended send time.
func TestRunRate(t *testing.T) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++ // one connection (conns 1): no concurrent calls
		if r.Header.Get("X-Test") != "yes" {
			w.WriteHeader(http.StatusBadRequest)
		}
		if calls == 50 {
			time.Sleep(50 * time.Millisecond) // a stall: the requests due meanwhile wait for it
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	c := &config{url: srv.URL + "/backend/a/job/e/j", rate: 1000, conns: 1, duration: 300 * time.Millisecond, headers: headerFlags{"X-Test: yes"}}
	out, err := runRate(c)
	if err != nil {
		t.Fatal(err)
	}
	if out["requests"] != 300 || out["status_errors"] != 0 {
		t.Fatalf("requests %v, status errors %v; want 300, 0", out["requests"], out["status_errors"])
	}
	lat, svc := out["latency"].(map[string]any), out["service"].(map[string]any)
	// The stall delays about 50 requests due during it: from their intended times they took
	// up to 50 ms, though each one's service time was short.
	if lat["max_us"].(float64) < 45000 || lat["p90_us"].(float64) < 5000 {
		t.Errorf("latency %v: the stall does not count against the requests it delayed", lat)
	}
	if svc["p90_us"].(float64) > 5000 {
		t.Errorf("service time %v: only one request was slow to serve", svc)
	}
}
