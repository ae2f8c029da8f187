// Command bare is the yardstick of the read benchmarks: a bare net/http server that answers
// GET /backend/{appId}/job/{backendEnvironmentName}/{jobId} with a fixed body, byte for byte
// the response amplifybackendd gave for the same route, and the same headers (-header: the
// request id amplifybackendd sends, at the same length), so both servers move the same bytes.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// headers is the repeatable -header flag.
type headers [][2]string

func (h *headers) String() string { return fmt.Sprint(*h) }

func (h *headers) Set(v string) error {
	name, value, ok := strings.Cut(v, ":")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("want \"Name: value\", got %q", v)
	}
	*h = append(*h, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
	return nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:4581", "address to listen on")
	bodyFile := flag.String("body", "", "file holding the response body (required)")
	var extra headers
	flag.Var(&extra, "header", "a response header \"Name: value\" to send too, set with Header.Set as a handler would (repeatable)")
	flag.Parse()
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		log.Fatalf("bare: %v", err)
	}
	length := strconv.Itoa(len(body))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /backend/{appId}/job/{env}/{jobId}", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, kv := range extra {
			h.Set(kv[0], kv[1])
		}
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", length)
		w.Write(body)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"ok"}`))
	})
	log.Fatal(http.ListenAndServe(*addr, mux))
}
