// Package recipe is the Go recipe of docs/testing.md: tests of code that calls the Amplify
// Admin API, run against amplifybackendd in-process with the amplifybackendtest package. It
// holds only tests; `go test ./...` runs them.
package recipe
