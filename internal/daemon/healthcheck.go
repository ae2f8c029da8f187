package daemon

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Healthcheck is the `amplifybackendd healthcheck` subcommand: it asks the server at --addr
// (or AMPLIFYBACKEND_ADDR, as the server reads it) for /healthz and returns the process exit
// status, 0 for a 200 answer. A container image without a shell or curl runs it as its
// HEALTHCHECK. An unspecified listen host (0.0.0.0, [::] or none) is asked on loopback.
func Healthcheck(ctx context.Context, args []string, getenv func(string) string, out io.Writer) int {
	fs := flag.NewFlagSet("amplifybackendd healthcheck", flag.ContinueOnError)
	fs.SetOutput(out)
	addr := fs.String("addr", NewMain().Config.Addr, "address the server listens on")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "addr" })
	if v := getenv("AMPLIFYBACKEND_ADDR"); v != "" && !given {
		*addr = v
	}
	url, err := healthURL(*addr)
	if err != nil {
		fmt.Fprintln(out, "healthcheck:", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintln(out, "healthcheck:", err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(out, "healthcheck:", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(out, "healthcheck: %s answered %d: %s\n", url, resp.StatusCode, strings.TrimSpace(string(body)))
		return 1
	}
	return 0
}

// healthURL is the /healthz URL of a server listening on addr.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--addr %q: %w", addr, err)
	}
	switch ip := net.ParseIP(host); {
	case host == "" || ip != nil && ip.To4() != nil && ip.IsUnspecified():
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
