package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/testenv"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// goSnippet is a doc's Go snippet: the code after "<!-- snippet: go -->" in a ```go fence.
var goSnippet = regexp.MustCompile("(?s)<!-- snippet: go -->\\s*```go\\n(.*?)```")

// docsEndpoint is the URL the docs' snippets call: the README's server. The tests put the
// URL of the server they start in its place.
const docsEndpoint = "http://127.0.0.1:4580"

// runGoSnippet runs the Go snippet of doc (a path from the repository root), as a user would
// paste it into a main function, against the server s, and returns what it printed.
func runGoSnippet(t *testing.T, s *testServer, doc string) string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("..", "..", doc))
	if err != nil {
		t.Fatal(err)
	}
	m := goSnippet.FindSubmatch(text)
	if m == nil {
		t.Fatalf(`%s has no "<!-- snippet: go -->" followed by a go code block`, doc)
	}
	code := string(m[1])
	if !strings.Contains(code, docsEndpoint) {
		t.Fatalf("%s's Go snippet does not call %s, the README's server", doc, docsEndpoint)
	}
	program := `package main

import (
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

func main() {
` + strings.ReplaceAll(code, docsEndpoint, s.URL()) + `}
`
	// Inside the module, so that the snippet builds against the module's pinned aws-sdk-go;
	// under testdata, so that ./... never sees it.
	if _, err := os.Stat("testdata"); os.IsNotExist(err) {
		if err := os.Mkdir("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove("testdata") })
	}
	dir, err := os.MkdirTemp("testdata", "snippet-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "./"+filepath.ToSlash(dir))
	// Sealed from this machine's AWS configuration (testenv): the snippet carries its own.
	cmd.Env = testenv.Env("HOME=" + t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the snippet of %s failed: %v\n%s\n--- program:\n%s", doc, err, out, program)
	}
	return string(out)
}

// TestClientsDocGoSnippet runs docs/clients.md's aws-sdk-go snippet against a server: the
// docs cannot drift from what works.
func TestClientsDocGoSnippet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program with go run")
	}
	s := startServer(t, func(m *Main) { m.ManualJobs = false })
	out := runGoSnippet(t, s, "docs/clients.md")
	fields := strings.Fields(out)
	if len(fields) != 2 || !uuidPattern.MatchString(fields[0]) || fields[1] != "IN_PROGRESS" {
		t.Fatalf("the snippet printed %q; want a job id and IN_PROGRESS", out)
	}
	// It did its work: the job it started is there.
	job, err := s.client.GetBackendJob(&amplifybackend.GetBackendJobInput{
		AppId: aws.String("d1go"), BackendEnvironmentName: aws.String("dev"), JobId: aws.String(fields[0]),
	})
	if err != nil {
		t.Fatalf("GetBackendJob of the snippet's job: %v", err)
	}
	if aws.StringValue(job.Operation) != "CreateBackend" {
		t.Errorf("the snippet's job is %s; want CreateBackend", aws.StringValue(job.Operation))
	}
}

// TestReadmeGoSnippet runs README.md's aws-sdk-go snippet after the README's AWS CLI snippet
// made the app it reads.
func TestReadmeGoSnippet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program with go run")
	}
	s := startServer(t)
	s.createBackend(s.client, "d1abc", "myapp", "dev")
	if out := strings.TrimSpace(runGoSnippet(t, s, "README.md")); out != "myapp" {
		t.Fatalf("the README's Go snippet printed %q; want the app's name, myapp", out)
	}
}
