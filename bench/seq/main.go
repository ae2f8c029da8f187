// Command seq sends N identical GET requests one after another on one keep-alive connection
// and fails unless every answer is 200: the driver of bench/callgrind.sh, where the server's
// instructions per request are counted.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
)

func main() {
	addr := flag.String("addr", "", "host:port")
	path := flag.String("path", "", "path")
	hdrFile := flag.String("headers", "", "header file")
	n := flag.Int("n", 1000, "requests")
	flag.Parse()
	hb, err := os.ReadFile(*hdrFile)
	if err != nil {
		panic(err)
	}
	var req strings.Builder
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\n", *path)
	for _, l := range strings.Split(strings.TrimSpace(string(hb)), "\n") {
		req.WriteString(strings.TrimSpace(l) + "\r\n")
	}
	req.WriteString("\r\n")
	c, err := net.Dial("tcp", *addr)
	if err != nil {
		panic(err)
	}
	r := bufio.NewReader(c)
	bad := 0
	for i := 0; i < *n; i++ {
		if _, err := io.WriteString(c, req.String()); err != nil {
			panic(err)
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			panic(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			bad++
		}
	}
	if bad > 0 {
		fmt.Fprintf(os.Stderr, "%d non-200 answers\n", bad)
		os.Exit(1)
	}
}
