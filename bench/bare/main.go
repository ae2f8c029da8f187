// Command bare is the yardstick of the read benchmarks: a bare net/http server that answers
// GET /backend/{appId}/job/{backendEnvironmentName}/{jobId} with a fixed body, byte for byte
// the response amplifybackendd gave for the same route, so both servers move the same bytes.
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"strconv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4581", "address to listen on")
	bodyFile := flag.String("body", "", "file holding the response body (required)")
	flag.Parse()
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		log.Fatalf("bare: %v", err)
	}
	length := strconv.Itoa(len(body))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /backend/{appId}/job/{env}/{jobId}", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", length)
		w.Write(body)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"ok"}`))
	})
	log.Fatal(http.ListenAndServe(*addr, mux))
}
