// Command skipcheck reads `go test -json` on stdin, prints the tests' output as `go test`
// does, and fails if a test skipped that .ci/skips.allow does not list: a test CI means to
// run (PostgreSQL, boto3, the JavaScript SDK, the built binary) must not pass as a skip.
//
//	go test -json ./... | go run ./.ci/skipcheck .ci/skips.allow
package main

import (
	"fmt"
	"os"

	"github.com/amplifybackendd/amplifybackendd/internal/testenv"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go test -json ./... | skipcheck ALLOWLIST")
		os.Exit(2)
	}
	skips, err := testenv.Skips(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "skipcheck:", err)
		os.Exit(2)
	}
	allowed, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "skipcheck:", err)
		os.Exit(2)
	}
	defer allowed.Close()
	unexpected, err := testenv.Unexpected(skips, allowed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "skipcheck:", err)
		os.Exit(2)
	}
	fmt.Printf("skipcheck: %d tests skipped, %d of them not in %s\n", len(skips), len(unexpected), os.Args[1])
	for _, s := range unexpected {
		fmt.Printf("  SKIPPED %s: %s\n", s.Test, s.Reason)
	}
	if len(unexpected) > 0 {
		fmt.Println("skipcheck: CI runs these tests; make what they need available (or list them, with the reason, in the allowlist)")
		os.Exit(1)
	}
}
