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

// goSnippet is the Go snippet of docs/clients.md: the code after "<!-- snippet: go -->" in
// a ```go fence.
var goSnippet = regexp.MustCompile("(?s)<!-- snippet: go -->\\s*```go\\n(.*?)```")

// TestClientsDocGoSnippet runs docs/clients.md's aws-sdk-go snippet, as a user would paste
// it into a main function, against a server: the docs cannot drift from what works.
func TestClientsDocGoSnippet(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test builds a program with go run")
	}
	doc, err := os.ReadFile("../../docs/clients.md")
	if err != nil {
		t.Fatal(err)
	}
	m := goSnippet.FindSubmatch(doc)
	if m == nil {
		t.Fatal(`docs/clients.md has no "<!-- snippet: go -->" followed by a go code block`)
	}
	program := `package main

import (
	"fmt"
	"log"
	"os"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

func main() {
` + string(m[1]) + `}
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

	s := startServer(t, func(m *Main) { m.ManualJobs = false })
	cmd := exec.Command("go", "run", "./"+filepath.ToSlash(dir))
	cmd.Env = testenv.Env("AMPLIFYBACKEND_URL=" + s.URL())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the snippet failed: %v\n%s\n--- program:\n%s", err, out, program)
	}
	fields := strings.Fields(string(out))
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
