package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/testenv"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// buildBinary builds amplifybackendd once per test binary run, into testenv.Dir(), which
// testenv.Main removes when the tests end (the binary is 24 MB).
var buildBinary = sync.OnceValues(func() (string, error) {
	if testenv.Dir() == "" {
		return "", fmt.Errorf("buildBinary: the tests are not sealed (TestMain must call testenv.Main)")
	}
	bin := filepath.Join(testenv.Dir(), "amplifybackendd")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = testenv.Env()
	out, err := build.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// process is a running amplifybackendd binary.
type process struct {
	cmd *exec.Cmd
	url string
	log *replicaLog // its log lines (JSON)
}

// startProcess runs the built binary on a free loopback port and waits until it listens.
func startProcess(t *testing.T, args ...string) *process {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"--addr", "127.0.0.1:0", "--log-format", "json", "--log-level", "info"}, args...)...)
	cmd.Env = testenv.Env()
	log := &replicaLog{addr: make(chan string, 1)}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, log: log}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	select {
	case a := <-log.addr:
		p.url = "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not start:\n%s", log.tail(20))
	}
	return p
}

// waitLog waits until the process has logged n lines containing s, for at most 30 s.
func (p *process) waitLog(t *testing.T, s string, n int) {
	t.Helper()
	waitFor(t, 30*time.Second, fmt.Sprintf("%d log lines with %q", n, s), func() bool { return len(p.log.matching(s)) >= n })
}

// waitFor polls cond until it holds, failing the test after timeout: a wait on a condition
// with a deadline, never a bare sleep that assumes something happened meanwhile.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within %v", what, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (p *process) client() *amplifybackend.AmplifyBackend {
	return amplifybackend.New(session.Must(session.NewSession(&aws.Config{
		Endpoint: aws.String(p.url), Region: aws.String("us-east-1"),
		Credentials: credentials.NewStaticCredentials("AKIDEXAMPLE", "secret", ""), MaxRetries: aws.Int(0),
	})))
}

// TestCrashRecovery kills the server with SIGKILL while clients write, restarts it on the same
// data directory, and checks that every acknowledged change is there and every job, including
// the ones interrupted, completes exactly once.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test builds and runs the binary")
	}
	dir := t.TempDir()
	p := startProcess(t, "--data-dir", dir, "--job-duration", "200ms")
	c := p.client()

	type ack struct{ app, env, jobID string }
	var (
		mu    sync.Mutex
		acked []ack
		wg    sync.WaitGroup
		stop  = make(chan struct{})
	)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				app := fmt.Sprintf("app%d-%d", w, i)
				out, err := c.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String(app), AppName: aws.String(app), BackendEnvironmentName: aws.String("dev")})
				if err != nil {
					return // the server is gone: only acknowledged writes count
				}
				mu.Lock()
				acked = append(acked, ack{app, "dev", aws.StringValue(out.JobId)})
				mu.Unlock()
			}
		}(w)
	}
	// Let writes and job runs overlap, then kill the server in the middle of them.
	waitFor(t, 60*time.Second, "300 acknowledged writes", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acked) >= 300
	})
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
	close(stop)
	wg.Wait()
	t.Logf("%d writes acknowledged before SIGKILL", len(acked))

	p2 := startProcess(t, "--data-dir", dir)
	c2 := p2.client()
	deadline := time.Now().Add(60 * time.Second)
	pending := 0
	for _, a := range acked {
		for {
			job, err := c2.GetBackendJob(&amplifybackend.GetBackendJobInput{AppId: aws.String(a.app), BackendEnvironmentName: aws.String(a.env), JobId: aws.String(a.jobID)})
			if err != nil {
				t.Fatalf("acknowledged job %s of %s lost: %v", a.jobID, a.app, err)
			}
			status := aws.StringValue(job.Status)
			if status == "COMPLETED" {
				break
			}
			if status == "FAILED" {
				// A CreateBackend that ran twice fails the second time: the environment exists.
				t.Fatalf("job %s of %s failed: %s", a.jobID, a.app, aws.StringValue(job.Error))
			}
			pending++
			if time.Now().After(deadline) {
				t.Fatalf("job %s of %s still %s after restart", a.jobID, a.app, status)
			}
			time.Sleep(20 * time.Millisecond)
		}
		got, err := c2.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String(a.app)})
		if err != nil || len(got.BackendEnvironmentList) != 1 {
			t.Fatalf("acknowledged app %s: %v, %v", a.app, got, err)
		}
		jobs, err := c2.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String(a.app), BackendEnvironmentName: aws.String(a.env)})
		if err != nil || len(jobs.Jobs) != 1 {
			t.Fatalf("app %s has %d jobs; want exactly 1 (%v)", a.app, len(jobs.Jobs), err)
		}
	}
	t.Logf("after restart all %d jobs completed once (%d polls found one still running)", len(acked), pending)
	if err := p2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p2.cmd.Wait(); err != nil {
		t.Errorf("SIGTERM shutdown: %v", err)
	}
}
