// Command amplifybackendd serves the AWS Amplify Admin API (AmplifyBackend 2020-08-11) for
// any AWS client, with durable state in an embedded SQLite database.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/amplifybackendd/amplifybackendd/internal/daemon"
)

// gcPercent and memoryLimit are the garbage collector's settings unless GOGC and GOMEMLIMIT
// say otherwise. The server's live heap is small (a few MB serving reads), so Go's default
// (GOGC=100) collects every few MB, dozens of times a second under load: 3 to 4 µs of a
// GetBackendJob's 17 µs of CPU went to the collector. At 400 the collector runs a fifth as
// often; the soft limit on the Go heap makes it work harder before the process nears the
// memory goal (150 MB at 1M jobs, SQLite's own memory included; with a limit of 128 MiB the
// process peaked at 171 MB there). docs/operations.md.
const (
	gcPercent   = 400
	memoryLimit = 64 << 20
)

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// SIGHUP (reload the credentials) is caught before Run: its default action ends the
	// process, and an operator's reload may come while the store opens or the listener
	// starts. One that comes before serving waits in the channel and reloads after Run.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(daemon.Healthcheck(ctx, os.Args[2:], os.Getenv, os.Stderr))
	}
	m := NewMain()
	if err := m.ParseFlags(os.Args[1:], os.Getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		if errors.Is(err, daemon.ErrVersion) {
			fmt.Println(daemon.Version())
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "amplifybackendd:", err)
		os.Exit(2)
	}
	if m.Command != "" { // export or import, offline
		err := m.RunCommand(ctx, os.Stdout)
		if err != nil {
			fmt.Fprintln(os.Stderr, "amplifybackendd:", err)
		}
		os.Exit(daemon.ExitCode(err))
	}
	if err := m.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "amplifybackendd:", err)
		os.Exit(daemon.ExitCode(err))
	}
	for done := false; !done; {
		select {
		case <-hup:
			m.Reload()
		case <-ctx.Done():
			done = true
		}
	}
	signal.Stop(hup)
	stop()
	m.Logger.Info("shutting down")
	if err := m.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "amplifybackendd: shutdown:", err)
		os.Exit(1)
	}
}

// Main and NewMain are the program's, from internal/daemon; the end-to-end tests of this
// package start it on a loopback port.
type Main = daemon.Main

// NewMain returns a Main with the default configuration.
func NewMain() *Main { return daemon.NewMain() }
