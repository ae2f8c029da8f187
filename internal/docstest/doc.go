// Package docstest holds the test that runs the documentation: every fenced block whose info
// string is exactly "sh" in README.md and docs/*.md, as a new user would paste it into a new
// shell, against the server that the README's first "go run ./cmd/amplifybackendd" block
// starts. It has no code of its own; see docs_test.go for the convention.
package docstest
