// Package testenv seals a package's tests from the machine they run on. The AWS SDKs read
// AWS_* variables and files under HOME (~/.aws), and amplifybackendd reads AMPLIFYBACKEND_*
// variables: a test that inherits them depends on whoever runs it. AWS_CA_BUNDLE, for one,
// makes aws-sdk-go v1 rewrite http.DefaultClient's transport in every new session, a data
// race between tests that create sessions concurrently.
//
// Every test package calls Main from its TestMain:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// and runs child processes with Env (exec.Cmd.Env), so that they are sealed the same way.
package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Kept are the variables of this project's own test settings, which Main leaves alone:
// AMPLIFYBACKEND_TEST_POSTGRES (the PostgreSQL DSN of the store and replica tests) and the
// MODELGEN_* locations of the reference model generator.
func kept(name string) bool {
	return strings.HasPrefix(name, "AMPLIFYBACKEND_TEST_") || strings.HasPrefix(name, "MODELGEN_")
}

// sealed reports whether Main removes the variable name from the environment.
func sealed(name string) bool {
	return (strings.HasPrefix(name, "AWS_") || strings.HasPrefix(name, "AMPLIFYBACKEND_")) && !kept(name)
}

// Main runs the tests of m sealed, and exits with their status. Before they run, it removes
// every AWS_* and AMPLIFYBACKEND_* variable (but the test settings kept) from the process
// environment, points HOME at an empty temporary directory and TMPDIR at another (so that
// whatever a test or a child process leaves in a temporary directory, t.TempDir or not, is
// removed with them after the tests). Tools that keep their state under HOME by default (Go's
// build and module caches and its env file, pyenv) are pointed at it explicitly first, so
// that child processes still find them.
func Main(m *testing.M) {
	root, err := Seal()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(root)
	os.Exit(code)
}

// root is the directory Seal made, holding home, tmp and dir.
var root string

// Dir returns a directory for what the tests of a package share (a binary built once for
// all of them): it lives until the tests end, when Main removes it. It is "" unless Seal ran.
func Dir() string {
	if root == "" {
		return ""
	}
	return filepath.Join(root, "dir")
}

// Seal seals the process environment as Main does and returns the directory holding the new
// HOME and TMPDIR, which the caller removes when done.
func Seal() (string, error) {
	if err := pinUnderHome(); err != nil {
		return "", err
	}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if sealed(name) {
			os.Unsetenv(name)
		}
	}
	dir, err := os.MkdirTemp("", "testenv-")
	if err != nil {
		return "", err
	}
	for _, sub := range []string{"home", "tmp", "dir"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			return "", err
		}
	}
	root = dir
	if err := os.Setenv("TMPDIR", filepath.Join(dir, "tmp")); err != nil {
		return "", err
	}
	return dir, os.Setenv("HOME", filepath.Join(dir, "home"))
}

// pinUnderHome sets, where unset, the variables of tools whose default location is under
// HOME, to that location: HOME is about to change.
func pinUnderHome() error {
	if os.Getenv("HOME") == "" {
		return nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return err
	}
	config, err := os.UserConfigDir()
	if err != nil {
		return err
	}
	home := os.Getenv("HOME")
	defaults := []struct{ name, value string }{
		{"GOCACHE", filepath.Join(cache, "go-build")},
		{"GOPATH", filepath.Join(home, "go")},
		{"GOENV", filepath.Join(config, "go", "env")},
		{"PYENV_ROOT", filepath.Join(home, ".pyenv")},
	}
	for _, d := range defaults {
		if os.Getenv(d.name) != "" {
			continue
		}
		if _, err := os.Stat(d.value); err != nil && d.name == "PYENV_ROOT" {
			continue // no pyenv here
		}
		if err := os.Setenv(d.name, d.value); err != nil {
			return err
		}
	}
	return nil
}

// Env returns the environment of a child process of a test: the process environment (sealed
// by Main) without any AWS_* or AMPLIFYBACKEND_* variable but the test settings, plus extra
// ("NAME=value"), which may set any variable, AWS_* ones included.
func Env(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !sealed(name) {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}
