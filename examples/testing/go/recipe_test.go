package recipe_test

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/amplifybackendtest"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// srv is one server shared by the tests of this package: started once in TestMain, reset at
// the start of each test. (A test that needs a server of its own, with other options, calls
// amplifybackendtest.NewServer(t): see TestReproducibleIDs.)
var srv *amplifybackendtest.Server

func TestMain(m *testing.M) {
	var err error
	srv, err = amplifybackendtest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	srv.Close()
	os.Exit(code)
}

// fresh resets the shared server for the test t: no state, no fault rules, an empty journal,
// jobs that run at once.
func fresh(t *testing.T) {
	t.Helper()
	if _, err := srv.Reset(amplifybackendtest.Scope{}); err != nil {
		t.Fatal(err)
	}
	if err := srv.ClearFaults(); err != nil {
		t.Fatal(err)
	}
	if err := srv.ClearRequests(); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetJobSettings(amplifybackendtest.JobSettings{Mode: amplifybackendtest.JobsImmediate}); err != nil {
		t.Fatal(err)
	}
}

// deployBackend stands for the code under test: it creates a backend and polls its job until
// the job ends, as an app's deployment code does.
func deployBackend(c *amplifybackend.AmplifyBackend, appID, env string, poll time.Duration) error {
	out, err := c.CreateBackend(&amplifybackend.CreateBackendInput{
		AppId: aws.String(appID), AppName: aws.String(appID), BackendEnvironmentName: aws.String(env),
	})
	if err != nil {
		return fmt.Errorf("create backend: %w", err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(poll) {
		job, err := c.GetBackendJob(&amplifybackend.GetBackendJobInput{
			AppId: aws.String(appID), BackendEnvironmentName: aws.String(env), JobId: out.JobId,
		})
		if err != nil {
			return fmt.Errorf("poll job: %w", err)
		}
		switch aws.StringValue(job.Status) {
		case "COMPLETED":
			return nil
		case "FAILED":
			return fmt.Errorf("deployment failed: %s", aws.StringValue(job.Error))
		}
	}
	return errors.New("deployment timed out")
}

func TestDeploySucceeds(t *testing.T) {
	fresh(t)
	if err := deployBackend(srv.AmplifyBackend(), "app1", "dev", 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
}

func TestDeployReportsAFailedJob(t *testing.T) {
	fresh(t)
	// Hold CreateBackend's job until the test ends it, then fail it while the code polls.
	if err := srv.SetJobSettings(amplifybackendtest.JobSettings{Mode: amplifybackendtest.JobsManual}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- deployBackend(srv.AmplifyBackend(), "app1", "dev", 10*time.Millisecond) }()
	job := waitForPendingJob(t, "app1")
	if _, err := srv.FinishJob(job, amplifybackendtest.JobFailed, "CloudFormation stack rolled back"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil || err.Error() != "deployment failed: CloudFormation stack rolled back" {
		t.Fatalf("deployBackend = %v; want the job's error", err)
	}
}

// waitForPendingJob returns the id of the job the code under test started for appID, found
// with ListBackendJobs: the CreateBackend call and its answer are the code's, not the test's.
func waitForPendingJob(t *testing.T, appID string) string {
	t.Helper()
	c := srv.AmplifyBackend()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		jobs, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{
			AppId: aws.String(appID), BackendEnvironmentName: aws.String("dev"), Status: aws.String("IN_PROGRESS"),
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs.Jobs) == 1 {
			return aws.StringValue(jobs.Jobs[0].JobId)
		}
	}
	t.Fatal("no pending job appeared")
	return ""
}

func TestThrottledDeploy(t *testing.T) {
	fresh(t)
	// The code under test does not retry: one throttled CreateBackend is its failure.
	if _, err := srv.AddFault(amplifybackendtest.Fault{
		Operation: "CreateBackend", Times: 1,
		Error: &amplifybackendtest.FaultError{Status: 429, Code: "TooManyRequestsException", Message: "Rate exceeded"},
	}); err != nil {
		t.Fatal(err)
	}
	err := deployBackend(srv.AmplifyBackend(&aws.Config{MaxRetries: aws.Int(0)}), "app1", "dev", 10*time.Millisecond)
	var throttled *amplifybackend.TooManyRequestsException
	if !errors.As(err, &throttled) {
		t.Fatalf("deployBackend = %v; want the SDK's TooManyRequestsException", err)
	}
	// With the SDK's retries, the same code gets through one throttled call.
	if _, err := srv.AddFault(amplifybackendtest.Fault{
		Operation: "CreateBackend", Times: 1,
		Error: &amplifybackendtest.FaultError{Status: 429, Code: "TooManyRequestsException", Message: "Rate exceeded"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := deployBackend(srv.AmplifyBackend(), "app1", "dev", 10*time.Millisecond); err != nil {
		t.Fatalf("deployBackend with retries: %v", err)
	}
	calls, err := srv.Requests(amplifybackendtest.RequestFilter{Operation: "CreateBackend"})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 3 || calls[0].Status != 200 || calls[1].Status != 429 || calls[2].Status != 429 {
		t.Fatalf("CreateBackend calls (newest first) = %+v; want 429, 429, 200", calls)
	}
}

func TestReproducibleIDs(t *testing.T) {
	// A server of its own, whose ids come from a seeded generator: the same calls get the
	// same job ids in every run, so they can be compared with a golden file.
	own := amplifybackendtest.NewServer(t, amplifybackendtest.WithIDSeed(1))
	out, err := own.AmplifyBackend().CreateBackend(&amplifybackend.CreateBackendInput{
		AppId: aws.String("app1"), AppName: aws.String("app1"), BackendEnvironmentName: aws.String("dev"),
	})
	if err != nil {
		t.Fatal(err)
	}
	again := amplifybackendtest.NewServer(t, amplifybackendtest.WithIDSeed(1))
	out2, err := again.AmplifyBackend().CreateBackend(&amplifybackend.CreateBackendInput{
		AppId: aws.String("app1"), AppName: aws.String("app1"), BackendEnvironmentName: aws.String("dev"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if *out.JobId != *out2.JobId {
		t.Fatalf("job ids %s and %s; want the same with the same seed", *out.JobId, *out2.JobId)
	}
}
