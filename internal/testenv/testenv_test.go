package testenv

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain seals the tests as every package's does, except in the child process of
// TestSealsTheEnvironment, which seals itself, checks the result and exits.
func TestMain(m *testing.M) {
	if os.Getenv("TESTENV_CHILD") != "" {
		os.Exit(sealedChild())
	}
	Main(m)
}

// sealedChild is the child half of TestSealsTheEnvironment: it runs in a test binary started
// with AWS_*, AMPLIFYBACKEND_* and HOME set, seals itself as Main does and reports what
// survived; its exit status is the number of problems.
func sealedChild() int {
	dir, err := Seal()
	if err != nil {
		fmt.Println("Seal:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	home := filepath.Join(dir, "home")
	var problems []string
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "AWS_") || strings.HasPrefix(name, "AMPLIFYBACKEND_") && !strings.HasPrefix(name, "AMPLIFYBACKEND_TEST_") {
			problems = append(problems, kv+" survived the seal")
		}
	}
	if got := os.Getenv("AMPLIFYBACKEND_TEST_POSTGRES"); got != "postgres://kept" {
		problems = append(problems, fmt.Sprintf("AMPLIFYBACKEND_TEST_POSTGRES = %q; a test setting must be kept", got))
	}
	if h := os.Getenv("HOME"); h != home || h == os.Getenv("TESTENV_ORIGINAL_HOME") {
		problems = append(problems, fmt.Sprintf("HOME = %q; want a fresh directory", h))
	}
	if entries, err := os.ReadDir(home); err != nil || len(entries) != 0 {
		problems = append(problems, fmt.Sprintf("HOME %s: %v, %d entries; want an empty directory", home, err, len(entries)))
	}
	if got, want := os.Getenv("GOCACHE"), filepath.Join(os.Getenv("TESTENV_ORIGINAL_HOME"), ".cache", "go-build"); got != want {
		problems = append(problems, fmt.Sprintf("GOCACHE = %q; want the original %q, so that go build keeps its cache", got, want))
	}
	if tmp := os.TempDir(); tmp != filepath.Join(dir, "tmp") {
		problems = append(problems, fmt.Sprintf("os.TempDir() = %q; want it under the sealed directory", tmp))
	}
	if Dir() != filepath.Join(dir, "dir") {
		problems = append(problems, fmt.Sprintf("Dir() = %q", Dir()))
	}
	for _, kv := range Env("AWS_REGION=eu-west-1") {
		if strings.HasPrefix(kv, "AWS_") && kv != "AWS_REGION=eu-west-1" {
			problems = append(problems, "Env passes "+kv+" on")
		}
	}
	for _, p := range problems {
		fmt.Println(p)
	}
	if len(problems) == 0 {
		fmt.Println("sealed")
	}
	return len(problems)
}

// TestSealsTheEnvironment runs this test binary again with the ambient variables a machine
// may have (AWS_CA_BUNDLE made the race detector fail; AWS_PROFILE, a HOME with ~/.aws) and
// checks, in the child, that Main removed them.
func TestSealsTheEnvironment(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	cmd := exec.Command(exe)
	cmd.Env = append(Env(), "TESTENV_CHILD=1", "TESTENV_ORIGINAL_HOME="+home, "HOME="+home,
		"GOCACHE=", "XDG_CACHE_HOME=", "AWS_CA_BUNDLE=/nonexistent", "AWS_PROFILE=someone",
		"AMPLIFYBACKEND_AUTH=sigv4", "AMPLIFYBACKEND_TEST_POSTGRES=postgres://kept")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "sealed" {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// Every package with tests runs them sealed: it has a TestMain that calls testenv.Main; and
// no test skips without saying why.
func TestEveryTestPackageIsSealed(t *testing.T) {
	root := filepath.Join("..", "..")
	sealed := map[string]bool{}
	tested := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.Dir(path)
		tested[dir] = true
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, silent := range []string{".Skip" + "Now()", ".Skip" + "()"} { // split: not to match this file
			if strings.Contains(string(src), silent) {
				t.Errorf("%s skips without saying why (%s): use t.Skip(\"reason\")", path, silent)
			}
		}
		if strings.Contains(string(src), "func TestMain(m *testing.M) { testenv.Main(m) }") ||
			dir == "." && strings.Contains(string(src), "func TestMain(m *testing.M) {") {
			sealed[dir] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tested) < 10 {
		t.Fatalf("found %d test packages under %s; the walk is broken", len(tested), root)
	}
	// The Go recipe of docs/testing.md has a TestMain of its own: the one it shows users,
	// starting one server for the package. It reads no ambient AWS_* or HOME state (the
	// client it builds has its credentials, region and endpoint set in code).
	sealed[filepath.Join(root, "examples", "testing", "go")] = true
	for dir := range tested {
		if !sealed[dir] {
			t.Errorf("%s has tests but no `func TestMain(m *testing.M) { testenv.Main(m) }`", dir)
		}
	}
}
