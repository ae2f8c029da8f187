package docstest

// The convention for shell snippets in README.md and docs/*.md:
//
//   - A fenced block whose info string is exactly "sh" is run; "sh norun" is only shown (the
//     text next to it says why: it needs AWS, Docker, another server, or is a fragment). Any
//     other info string starting with "sh" is a mistake and fails the test.
//   - The README's first "sh" block that contains "go run ./cmd/amplifybackendd" starts the
//     server, on http://127.0.0.1:4580 in auth mode any. It is started afresh for each
//     document (its state in a new directory, through AMPLIFYBACKEND_DATA_DIR), and stopped
//     after the document's last block.
//   - Every other "sh" block runs on its own, in order, in a new `bash -e -o pipefail` (no
//     variable and no cd carries over), with the repository root as working directory, HOME
//     an empty directory of its own and no AWS_* variable: credentials and region go inside
//     the snippet. It must exit 0 within blockTimeout.
//
// What a fresh shell gets from this machine: PATH, LANG, and what lets the installed
// clients and Go work without a configured HOME: PYENV_ROOT (pyenv's shims find their
// Pythons through it), and GOMODCACHE, GOCACHE, GOPATH, GOFLAGS, GOPROXY and GOTOOLCHAIN as
// `go env` reports them here, so that `go run` reuses the module and build caches instead of
// downloading every module again into the empty HOME. Nothing about AWS is passed.
//
// The test runs only when AMPLIFYBACKEND_TEST_DOCS=1 (.ci/run sets it): it needs the AWS
// CLI, boto3, Node and jq, and the fixed port 4580 the README's commands use.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// address is where the README's start command listens.
	address = "127.0.0.1:4580"
	// startTimeout covers a cold build of the server by go run.
	startTimeout = 3 * time.Minute
	// blockTimeout bounds one snippet (the walkthrough's job polls are the longest).
	blockTimeout = 2 * time.Minute
	// startCommand marks the README block that starts the server.
	startCommand = "go run ./cmd/amplifybackendd"
)

// block is one fenced code block of a document.
type block struct {
	Info string // the info string, trimmed: "sh", "sh norun", "go", ...
	Line int    // 1-based line of the opening fence
	Text string
}

// blocks returns the fenced code blocks of a Markdown document (``` or ~~~ fences, the
// closing fence at least as long as the opening one, as CommonMark has it).
func blocks(doc string) ([]block, error) {
	var out []block
	var cur *block
	var fence string
	var body strings.Builder
	sc := bufio.NewScanner(strings.NewReader(doc))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		if cur == nil {
			if indent > 3 {
				continue
			}
			if f := fenceOf(trimmed); f != "" {
				cur = &block{Info: strings.TrimSpace(trimmed[len(f):]), Line: n}
				fence = f
				body.Reset()
			}
			continue
		}
		if indent <= 3 && strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, string(fence[0])+" ") == "" {
			cur.Text = body.String()
			out = append(out, *cur)
			cur = nil
			continue
		}
		body.WriteString(line)
		body.WriteByte('\n')
	}
	if cur != nil {
		return out, fmt.Errorf("line %d: the code block is never closed", cur.Line)
	}
	return out, sc.Err()
}

// fenceOf returns the opening fence at the start of line ("```", "~~~~", ...), or "".
func fenceOf(line string) string {
	for _, c := range []byte{'`', '~'} {
		i := 0
		for i < len(line) && line[i] == c {
			i++
		}
		if i >= 3 {
			return line[:i]
		}
	}
	return ""
}

// runnable says whether a block runs, and fails on an info string that looks like a
// mistake for "sh" or "sh norun".
func runnable(b block) (bool, error) {
	switch {
	case b.Info == "sh":
		return true, nil
	case b.Info == "sh norun":
		return false, nil
	case strings.HasPrefix(b.Info, "sh ") || b.Info == "shell" || b.Info == "bash" || b.Info == "console":
		return false, fmt.Errorf("line %d: info string %q: shell snippets are fenced \"sh\" (run) or \"sh norun\" (only shown)", b.Line, b.Info)
	}
	return false, nil
}

func TestBlocks(t *testing.T) {
	doc := "# T\n\n```sh\necho one\n```\n\ntext\n\n````sh norun\n```\ninner\n```\n````\n\n    ```sh\n    indented code, not a fence\n\n~~~go\nfmt.Println()\n~~~\n"
	got, err := blocks(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := []block{
		{Info: "sh", Line: 3, Text: "echo one\n"},
		{Info: "sh norun", Line: 9, Text: "```\ninner\n```\n"},
		{Info: "go", Line: 18, Text: "fmt.Println()\n"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("blocks:\n got %+v\nwant %+v", got, want)
	}
	if _, err := blocks("```sh\nnever closed\n"); err == nil {
		t.Error("an unclosed block is not reported")
	}
	for info, want := range map[string]bool{"sh": true, "sh norun": false, "go": false, "": false} {
		if got, err := runnable(block{Info: info}); got != want || err != nil {
			t.Errorf("runnable(%q) = %v, %v; want %v", info, got, err, want)
		}
	}
	for _, info := range []string{"sh no-run", "bash", "shell", "console"} {
		if _, err := runnable(block{Info: info}); err == nil {
			t.Errorf("runnable(%q) accepts a misspelt shell block", info)
		}
	}
}

// doc is a document and the blocks it runs.
type doc struct {
	Path   string // relative to the repository root
	Blocks []block
}

// TestDocsWellFormed holds the convention where TestDocs does not run: every shell block is
// fenced "sh" or "sh norun", and the README has the block that starts the server.
func TestDocsWellFormed(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	docs, start := readDocs(t, root)
	if start == "" {
		t.Errorf("README.md has no sh block containing %q: nothing starts the server", startCommand)
	}
	n := 0
	for _, d := range docs {
		n += len(d.Blocks)
	}
	if n == 0 {
		t.Error("no runnable sh block in README.md and docs/*.md")
	}
}

// TestDocs runs the documentation's shell snippets, as the convention at the top says.
func TestDocs(t *testing.T) {
	if os.Getenv("AMPLIFYBACKEND_TEST_DOCS") != "1" {
		t.Skip("set AMPLIFYBACKEND_TEST_DOCS=1 to run the docs' shell snippets (needs the AWS CLI, boto3, Node, jq and port 4580 free; .ci/run does)")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	docs, start := readDocs(t, root)
	if start == "" {
		t.Fatalf("README.md has no sh block containing %q: nothing starts the server", startCommand)
	}
	if err := portFree(); err != nil {
		t.Fatal(err)
	}
	env := freshEnv(t)
	for _, d := range docs {
		if len(d.Blocks) == 0 {
			continue
		}
		t.Run(d.Path, func(t *testing.T) {
			stop := startServer(t, root, start, env)
			defer stop()
			for i, b := range d.Blocks {
				runBlock(t, root, env, d.Path, i+1, b)
			}
		})
	}
}

// readDocs reads README.md and docs/*.md and returns their runnable blocks (the start block
// taken out of the README's) and the start block.
func readDocs(t *testing.T, root string) ([]doc, string) {
	t.Helper()
	paths := []string{"README.md"}
	more, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(more)
	for _, p := range more {
		rel, _ := filepath.Rel(root, p)
		paths = append(paths, filepath.ToSlash(rel))
	}
	var docs []doc
	var start string
	for _, p := range paths {
		text, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		all, err := blocks(string(text))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		d := doc{Path: p}
		for _, b := range all {
			run, err := runnable(b)
			if err != nil {
				t.Errorf("%s: %v", p, err)
			}
			if !run {
				continue
			}
			if p == "README.md" && start == "" && strings.Contains(b.Text, startCommand) {
				start = b.Text
				continue
			}
			d.Blocks = append(d.Blocks, b)
		}
		docs = append(docs, d)
	}
	return docs, start
}

// freshEnv is the environment of every snippet but HOME, which each gets new.
func freshEnv(t *testing.T) []string {
	t.Helper()
	env := []string{"PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8"}
	if v := os.Getenv("PYENV_ROOT"); v != "" {
		env = append(env, "PYENV_ROOT="+v)
	}
	out, err := exec.Command("go", "env", "-json", "GOMODCACHE", "GOCACHE", "GOPATH", "GOFLAGS", "GOPROXY").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	var goenv map[string]string
	if err := json.Unmarshal(out, &goenv); err != nil {
		t.Fatalf("go env: %v", err)
	}
	for _, k := range []string{"GOMODCACHE", "GOCACHE", "GOPATH", "GOFLAGS", "GOPROXY"} {
		if goenv[k] != "" {
			env = append(env, k+"="+goenv[k])
		}
	}
	// The toolchain that runs the test builds the server: no download of another one.
	return append(env, "GOTOOLCHAIN=local")
}

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// portFree fails fast, saying why, when something else holds the port: the snippets would
// talk to it instead of the server the test starts.
func portFree() error {
	ln, err := net.Listen("tcp", address)
	if err != nil {
		return fmt.Errorf("%s is busy (%v): the README's commands and these snippets use it; stop what listens there and run again", address, err)
	}
	return ln.Close()
}

// startServer runs the README's start block with a fresh data directory and returns once the
// server answers /healthz; the function it returns stops it.
func startServer(t *testing.T, root, start string, env []string) func() {
	t.Helper()
	if err := portFree(); err != nil {
		t.Fatal(err)
	}

	home := t.TempDir()
	cmd := exec.Command("bash", "-e", "-o", "pipefail", "-c", start)
	cmd.Dir = root
	cmd.Env = append(slices.Clone(env), "HOME="+home, "AMPLIFYBACKEND_DATA_DIR="+filepath.Join(t.TempDir(), "data"))
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own process group: go run's child, the server, is stopped with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("README.md start block: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// stop interrupts the group as Ctrl-C in the README's terminal does. Not SIGTERM: go run
	// dies of it at once, without waiting for the server, so the start block "exited" while
	// the server was still shutting down, holding port 4580 (the next document's portFree
	// found it busy, 1 stop in 20 under load) and writing to its data directory. On SIGINT
	// go run waits for the server, which stops as on SIGTERM.
	stop := func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
			t.Errorf("the server did not stop within 30s of SIGINT:\n%s", out.String())
		}
	}

	deadline := time.Now().Add(startTimeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case err := <-exited:
			t.Fatalf("README.md start block exited before serving (%v):\n%s\n--- output:\n%s", err, start, out.String())
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := client.Get("http://" + address + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stop
			}
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("README.md start block: no 200 from /healthz within %s:\n%s", startTimeout, out.String())
		}
	}
}

// runBlock runs one snippet in a new shell and fails the test with the document, the block's
// number and line, its text and its output when it does not exit 0.
func runBlock(t *testing.T, root string, env []string, path string, n int, b block) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), blockTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", b.Text)
	cmd.Dir = root
	cmd.Env = append(slices.Clone(env), "HOME="+t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	began := time.Now()
	out, err := cmd.CombinedOutput()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("still running after %s", blockTimeout)
	}
	if err != nil {
		t.Fatalf("%s block %d (line %d) failed: %v\n--- block:\n%s--- output:\n%s", path, n, b.Line, err, b.Text, out)
	}
	t.Logf("%s block %d (line %d): ok in %s\n%s", path, n, b.Line, time.Since(began).Round(time.Millisecond), out)
}
