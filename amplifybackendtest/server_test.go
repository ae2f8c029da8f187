package amplifybackendtest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/amplifybackendtest"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// These tests use the package as a user's test would: the server through its public
// control plane, the API through aws-sdk-go v1.

// manual holds every job IN_PROGRESS until the test ends it.
var manual = amplifybackendtest.WithJobSettings(amplifybackendtest.JobSettings{Mode: amplifybackendtest.JobsManual})

// noRetries makes the SDK report the first answer, so that a test sees a fault's error.
var noRetries = &aws.Config{MaxRetries: aws.Int(0)}

func createBackend(t testing.TB, c *amplifybackend.AmplifyBackend, appID string) *amplifybackend.CreateBackendOutput {
	t.Helper()
	out, err := c.CreateBackend(&amplifybackend.CreateBackendInput{
		AppId: aws.String(appID), AppName: aws.String("app " + appID), BackendEnvironmentName: aws.String("dev"),
	})
	if err != nil {
		t.Fatalf("CreateBackend %s: %v", appID, err)
	}
	return out
}

func getJob(t *testing.T, c *amplifybackend.AmplifyBackend, appID string, jobID *string) *amplifybackend.GetBackendJobOutput {
	t.Helper()
	out, err := c.GetBackendJob(&amplifybackend.GetBackendJobInput{
		AppId: aws.String(appID), BackendEnvironmentName: aws.String("dev"), JobId: jobID,
	})
	if err != nil {
		t.Fatalf("GetBackendJob %s: %v", aws.StringValue(jobID), err)
	}
	return out
}

// waitJob polls GetBackendJob, as a client's code does, until the job is no longer
// IN_PROGRESS or the deadline passes.
func waitJob(t *testing.T, c *amplifybackend.AmplifyBackend, appID string, jobID *string) *amplifybackend.GetBackendJobOutput {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := getJob(t, c, appID, jobID)
		if aws.StringValue(out.Status) != "IN_PROGRESS" {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still IN_PROGRESS after 10s", aws.StringValue(jobID))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func wantAWSCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	var rf awserr.RequestFailure
	if !errors.As(err, &rf) {
		t.Fatalf("error = %v; want %s (%d)", err, code, status)
	}
	if rf.Code() != code || rf.StatusCode() != status {
		t.Fatalf("error = %s (%d) %q; want %s (%d)", rf.Code(), rf.StatusCode(), rf.Message(), code, status)
	}
}

func TestManualJobFailedSeenByGetBackendJob(t *testing.T) {
	srv := amplifybackendtest.NewServer(t, manual)
	c := srv.AmplifyBackend()
	out := createBackend(t, c, "app1")
	if got := aws.StringValue(getJob(t, c, "app1", out.JobId).Status); got != "IN_PROGRESS" {
		t.Fatalf("job status before FinishJob = %s; want IN_PROGRESS (manual mode)", got)
	}
	ended, err := srv.FinishJob(*out.JobId, amplifybackendtest.JobFailed, "quota exceeded")
	if err != nil {
		t.Fatal(err)
	}
	if ended.JobID != *out.JobId || ended.Status != "FAILED" || ended.Error != "quota exceeded" || ended.AppID != "app1" ||
		ended.Operation != "CreateBackend" || ended.UpdateTime.Before(ended.CreateTime) || ended.CreateTime.IsZero() {
		t.Fatalf("FinishJob answered %+v; want the job FAILED with its error", ended)
	}
	job := getJob(t, c, "app1", out.JobId)
	if aws.StringValue(job.Status) != "FAILED" || aws.StringValue(job.Error) != "quota exceeded" {
		t.Fatalf("job after FinishJob FAILED: %s %q; want FAILED \"quota exceeded\"", aws.StringValue(job.Status), aws.StringValue(job.Error))
	}
	// FAILED changed nothing but the job: the environment was never created.
	_, err = c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev")})
	wantAWSCode(t, err, "NotFoundException", 404)

	_, err = srv.FinishJob(*out.JobId, amplifybackendtest.JobCompleted, "")
	if !amplifybackendtest.IsStatus(err, http.StatusConflict) {
		t.Fatalf("FinishJob of an ended job: %v; want a 409 *Error", err)
	}
	_, err = srv.FinishJob("no-such-job", amplifybackendtest.JobCompleted, "")
	var e *amplifybackendtest.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusNotFound || e.Message == "" {
		t.Fatalf("FinishJob of an unknown job: %v; want a 404 *Error with the server's message", err)
	}
}

func TestFinishJobsCompletedAppliesTheEffect(t *testing.T) {
	srv := amplifybackendtest.NewServer(t, manual)
	c := srv.AmplifyBackend()
	a := createBackend(t, c, "app1")
	b := createBackend(t, c, "app2")
	n, err := srv.FinishJobs(srv.AppScope("app1"), amplifybackendtest.JobCompleted, "")
	if err != nil || n != 1 {
		t.Fatalf("FinishJobs(app1) = %d, %v; want 1", n, err)
	}
	if got := aws.StringValue(getJob(t, c, "app2", b.JobId).Status); got != "IN_PROGRESS" {
		t.Fatalf("app2's job = %s; want IN_PROGRESS (out of scope)", got)
	}
	if got := aws.StringValue(getJob(t, c, "app1", a.JobId).Status); got != "COMPLETED" {
		t.Fatalf("app1's job = %s; want COMPLETED", got)
	}
	if _, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev")}); err != nil {
		t.Fatalf("GetBackend after COMPLETED: %v", err)
	}
	n, err = srv.FinishJobs(amplifybackendtest.Scope{}, amplifybackendtest.JobCompleted, "")
	if err != nil || n != 1 {
		t.Fatalf("FinishJobs(all) = %d, %v; want 1", n, err)
	}
}

func TestPerOperationJobSettings(t *testing.T) {
	srv := amplifybackendtest.NewServer(t)
	want := amplifybackendtest.JobSettings{
		Mode: amplifybackendtest.JobsImmediate,
		Operations: map[string]amplifybackendtest.OperationJobSettings{
			"CreateBackendAuth": {Mode: amplifybackendtest.JobsManual},
		},
	}
	if err := srv.SetJobSettings(want); err != nil {
		t.Fatal(err)
	}
	got, err := srv.JobSettings()
	if err != nil {
		t.Fatal(err)
	}
	if got.Mode != want.Mode || got.Operations["CreateBackendAuth"].Mode != amplifybackendtest.JobsManual {
		t.Fatalf("JobSettings() = %+v; want %+v", got, want)
	}
	c := srv.AmplifyBackend()
	// CreateBackend runs at once; CreateBackendAuth waits for the test.
	if job := waitJob(t, c, "app1", createBackend(t, c, "app1").JobId); aws.StringValue(job.Status) != "COMPLETED" {
		t.Fatalf("CreateBackend's job = %s %q; want COMPLETED", aws.StringValue(job.Status), aws.StringValue(job.Error))
	}
	auth, err := c.CreateBackendAuth(authInput("app1"))
	if err != nil {
		t.Fatalf("CreateBackendAuth: %v", err)
	}
	if got := aws.StringValue(getJob(t, c, "app1", auth.JobId).Status); got != "IN_PROGRESS" {
		t.Fatalf("CreateBackendAuth's job = %s; want IN_PROGRESS", got)
	}
	if _, err := srv.FinishJob(*auth.JobId, amplifybackendtest.JobCompleted, ""); err != nil {
		t.Fatal(err)
	}
	if got := aws.StringValue(getJob(t, c, "app1", auth.JobId).Status); got != "COMPLETED" {
		t.Fatalf("CreateBackendAuth's job after FinishJob = %s; want COMPLETED", got)
	}
	if _, err := c.GetBackendAuth(&amplifybackend.GetBackendAuthInput{
		AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("auth1"),
	}); err != nil {
		t.Fatalf("GetBackendAuth after COMPLETED: %v", err)
	}
}

func authInput(appID string) *amplifybackend.CreateBackendAuthInput {
	return &amplifybackend.CreateBackendAuthInput{
		AppId: aws.String(appID), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("auth1"),
		ResourceConfig: &amplifybackend.CreateBackendAuthResourceConfig{
			AuthResources: aws.String("USER_POOL_ONLY"), Service: aws.String("COGNITO"),
			UserPoolConfigs: &amplifybackend.CreateBackendAuthUserPoolConfig{
				UserPoolName: aws.String("pool"), RequiredSignUpAttributes: aws.StringSlice([]string{"EMAIL"}),
				SignInMethod: aws.String("EMAIL"),
			},
		},
	}
}

func TestResetBetweenTests(t *testing.T) {
	srv := amplifybackendtest.NewServer(t)
	c := srv.AmplifyBackend()
	for _, app := range []string{"app1", "app2"} {
		waitJob(t, c, app, createBackend(t, c, app).JobId)
	}
	removed, err := srv.Reset(srv.AppScope("app1"))
	if err != nil {
		t.Fatal(err)
	}
	if removed.Apps != 1 || removed.Environments != 1 || removed.Jobs != 1 {
		t.Fatalf("Reset(app1) removed %+v; want 1 app, 1 environment, 1 job", removed)
	}
	get := func(app string) error {
		_, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String(app), BackendEnvironmentName: aws.String("dev")})
		return err
	}
	wantAWSCode(t, get("app1"), "NotFoundException", 404)
	if err := get("app2"); err != nil {
		t.Fatalf("app2 after resetting app1: %v", err)
	}
	removed, err = srv.Reset(amplifybackendtest.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if removed.Apps != 1 {
		t.Fatalf("Reset(all) removed %+v; want app2", removed)
	}
	wantAWSCode(t, get("app2"), "NotFoundException", 404)
	info, err := srv.Info()
	if err != nil {
		t.Fatal(err)
	}
	if info.Counts.Apps != 0 || info.Counts.Environments != 0 {
		t.Fatalf("Info().Counts after a reset = %+v; want none", info.Counts)
	}
}

func TestFaultThrottlesOneOperation(t *testing.T) {
	srv := amplifybackendtest.NewServer(t)
	c := srv.AmplifyBackend(noRetries)
	waitJob(t, c, "app1", createBackend(t, c, "app1").JobId)
	id, err := srv.AddFault(amplifybackendtest.Fault{
		Operation: "GetBackend",
		Times:     1,
		Error:     &amplifybackendtest.FaultError{Status: 429, Code: "TooManyRequestsException", Message: "Rate exceeded"},
	})
	if err != nil {
		t.Fatal(err)
	}
	faults, err := srv.Faults()
	if err != nil || len(faults) != 1 || faults[0].ID != id || faults[0].Operation != "GetBackend" || faults[0].Error == nil || faults[0].Error.Status != 429 {
		t.Fatalf("Faults() = %+v, %v; want the rule %s", faults, err, id)
	}
	// Another operation is not touched.
	if _, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev")}); err != nil {
		t.Fatalf("ListBackendJobs under a GetBackend fault: %v", err)
	}
	in := &amplifybackend.GetBackendInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev")}
	_, err = c.GetBackend(in)
	wantAWSCode(t, err, "TooManyRequestsException", 429)
	var tooMany *amplifybackend.TooManyRequestsException
	if !errors.As(err, &tooMany) {
		t.Fatalf("error %T is not the SDK's typed *amplifybackend.TooManyRequestsException", err)
	}
	// The rule fired its one time and is gone.
	if _, err := c.GetBackend(in); err != nil {
		t.Fatalf("GetBackend after the fault's one time: %v", err)
	}
	if faults, err := srv.Faults(); err != nil || len(faults) != 0 {
		t.Fatalf("Faults() after the rule fired = %+v, %v; want none", faults, err)
	}
	reqs, err := srv.Requests(amplifybackendtest.RequestFilter{Operation: "GetBackend"})
	if err != nil || len(reqs) != 2 {
		t.Fatalf("Requests(GetBackend) = %+v, %v; want 2", reqs, err)
	}
	if reqs[1].Fault != id || reqs[1].Status != 429 || reqs[1].ErrorCode != "TooManyRequestsException" || reqs[0].Fault != "" || reqs[0].Status != 200 {
		t.Fatalf("journal = %+v; want the older request hit by %s (429) and the newer one not", reqs, id)
	}

	// DeleteFault and ClearFaults.
	a, err := srv.AddFault(amplifybackendtest.Fault{Operation: "GetBackend", Error: &amplifybackendtest.FaultError{Status: 503, Code: "ServiceUnavailableException"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddFault(amplifybackendtest.Fault{Operation: "ListBackendJobs", Latency: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if err := srv.DeleteFault(a); err != nil {
		t.Fatal(err)
	}
	if err := srv.DeleteFault(a); !amplifybackendtest.IsStatus(err, http.StatusNotFound) {
		t.Fatalf("DeleteFault of a deleted rule: %v; want a 404 *Error", err)
	}
	if faults, err := srv.Faults(); err != nil || len(faults) != 1 || faults[0].Latency != 20*time.Millisecond {
		t.Fatalf("Faults() = %+v, %v; want the latency rule", faults, err)
	}
	if err := srv.ClearFaults(); err != nil {
		t.Fatal(err)
	}
	if faults, err := srv.Faults(); err != nil || len(faults) != 0 {
		t.Fatalf("Faults() after ClearFaults = %+v, %v; want none", faults, err)
	}
}

func TestFaultJobError(t *testing.T) {
	srv := amplifybackendtest.NewServer(t)
	c := srv.AmplifyBackend()
	if _, err := srv.AddFault(amplifybackendtest.Fault{Operation: "CreateBackend", AppID: "doomed", JobError: "stack rolled back"}); err != nil {
		t.Fatal(err)
	}
	job := waitJob(t, c, "doomed", createBackend(t, c, "doomed").JobId)
	if aws.StringValue(job.Status) != "FAILED" || aws.StringValue(job.Error) != "stack rolled back" {
		t.Fatalf("job under a jobError fault: %s %q; want FAILED \"stack rolled back\"", aws.StringValue(job.Status), aws.StringValue(job.Error))
	}
	// The rule matches one app only.
	if job := waitJob(t, c, "fine", createBackend(t, c, "fine").JobId); aws.StringValue(job.Status) != "COMPLETED" {
		t.Fatalf("another app's job = %s %q; want COMPLETED", aws.StringValue(job.Status), aws.StringValue(job.Error))
	}
}

func TestJournalShowsTheCalls(t *testing.T) {
	srv := amplifybackendtest.NewServer(t)
	c := srv.AmplifyBackend()
	req, out := c.CreateBackendRequest(&amplifybackend.CreateBackendInput{
		AppId: aws.String("app1"), AppName: aws.String("app"), BackendEnvironmentName: aws.String("dev"),
	})
	if err := req.Send(); err != nil {
		t.Fatal(err)
	}
	waitJob(t, c, "app1", out.JobId)
	_, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("nope"), BackendEnvironmentName: aws.String("dev")})
	wantAWSCode(t, err, "NotFoundException", 404)

	all, err := srv.Requests(amplifybackendtest.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 3 || all[0].Operation != "GetBackend" || all[len(all)-1].Operation != "CreateBackend" {
		t.Fatalf("journal = %+v; want CreateBackend first, GetBackendJob polls, GetBackend last (newest first)", all)
	}
	created := all[len(all)-1]
	if created.RequestID != req.RequestID || created.AppID != "app1" || created.Status != 200 ||
		created.AccountID != "000000000000" || created.Region != "us-east-1" || created.Time.IsZero() {
		t.Fatalf("CreateBackend's entry = %+v; want request id %s, app1, 200, 000000000000, us-east-1", created, req.RequestID)
	}
	if all[0].Status != 404 || all[0].ErrorCode != "NotFoundException" || all[0].AppID != "nope" {
		t.Fatalf("GetBackend's entry = %+v; want 404 NotFoundException for app nope", all[0])
	}
	polls, err := srv.Requests(amplifybackendtest.RequestFilter{Operation: "GetBackendJob", AppID: "app1", Limit: 1})
	if err != nil || len(polls) != 1 || polls[0].Operation != "GetBackendJob" {
		t.Fatalf("Requests(GetBackendJob, app1, limit 1) = %+v, %v; want one GetBackendJob", polls, err)
	}
	if err := srv.ClearRequests(); err != nil {
		t.Fatal(err)
	}
	if all, err := srv.Requests(amplifybackendtest.RequestFilter{}); err != nil || len(all) != 0 {
		t.Fatalf("Requests() after ClearRequests = %+v, %v; want none", all, err)
	}
}

// withoutExportedAt drops the snapshot's time of export, the one member that differs
// between two exports of the same state.
func withoutExportedAt(t *testing.T, snapshot []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(snapshot, &doc); err != nil {
		t.Fatalf("snapshot is not JSON: %v", err)
	}
	delete(doc, "exportedAt")
	return doc
}

func TestStateRoundTrip(t *testing.T) {
	srv := amplifybackendtest.NewServer(t, manual)
	c := srv.AmplifyBackend()
	done := createBackend(t, c, "app1")
	if _, err := srv.FinishJob(*done.JobId, amplifybackendtest.JobCompleted, ""); err != nil {
		t.Fatal(err)
	}
	pending := createBackend(t, c, "app2")
	snap, err := srv.State(amplifybackendtest.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(snap, []byte(`"amplifybackendd-state"`)) {
		t.Fatalf("State() = %s; want an amplifybackendd-state document", snap)
	}

	// A second server started from the snapshot has the same state, pending job included.
	other := amplifybackendtest.NewServer(t, manual, amplifybackendtest.WithState(snap))
	oc := other.AmplifyBackend()
	if _, err := oc.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev")}); err != nil {
		t.Fatalf("GetBackend on the server started from the snapshot: %v", err)
	}
	if got := aws.StringValue(getJob(t, oc, "app2", pending.JobId).Status); got != "IN_PROGRESS" {
		t.Fatalf("the pending job in the loaded state = %s; want IN_PROGRESS", got)
	}
	again, err := other.State(amplifybackendtest.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := withoutExportedAt(t, snap), withoutExportedAt(t, again)
	if ja, jb := mustJSON(t, a), mustJSON(t, b); ja != jb {
		t.Fatalf("export, import, export differ:\n%s\n%s", ja, jb)
	}

	// Reset, then LoadState puts everything back.
	if _, err := srv.Reset(amplifybackendtest.Scope{}); err != nil {
		t.Fatal(err)
	}
	if err := srv.LoadState(snap); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev")}); err != nil {
		t.Fatalf("GetBackend after LoadState: %v", err)
	}
	scoped, err := srv.State(srv.AppScope("app2"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(scoped, []byte(`"app1"`)) || !bytes.Contains(scoped, []byte(`"app2"`)) {
		t.Fatalf("State(app2) = %s; want app2 only", scoped)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBadInputIsAnErrorWithTheServersMessage(t *testing.T) {
	srv := amplifybackendtest.NewServer(t)
	tests := []struct {
		name string
		call func() error
	}{
		{"snapshot of another format", func() error { return srv.LoadState([]byte(`{"format":"moto","version":1}`)) }},
		{"unknown job mode", func() error { return srv.SetJobSettings(amplifybackendtest.JobSettings{Mode: "sometimes"}) }},
		{"probability above 1", func() error {
			_, err := srv.AddFault(amplifybackendtest.Fault{Probability: 2, Latency: time.Millisecond})
			return err
		}},
		{"fault status outside 400..599", func() error {
			_, err := srv.AddFault(amplifybackendtest.Fault{Error: &amplifybackendtest.FaultError{Status: 302}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var e *amplifybackendtest.Error
			if !errors.As(err, &e) || e.StatusCode != http.StatusBadRequest || e.Message == "" {
				t.Fatalf("err = %v; want a 400 *Error with the server's message", err)
			}
			if !strings.Contains(e.Error(), e.Message) {
				t.Fatalf("Error() = %q does not carry the message %q", e.Error(), e.Message)
			}
		})
	}
	if err := srv.LoadState([]byte("{")); err == nil {
		t.Fatal("LoadState of malformed JSON succeeded")
	}
}

func TestHealthAndInfo(t *testing.T) {
	srv := amplifybackendtest.NewServer(t, amplifybackendtest.WithRegion("eu-west-1"))
	h, err := srv.Health()
	if err != nil || h.Status != "ok" {
		t.Fatalf("Health() = %+v, %v; want ok", h, err)
	}
	c := srv.AmplifyBackend()
	waitJob(t, c, "app1", createBackend(t, c, "app1").JobId)
	info, err := srv.Info()
	if err != nil {
		t.Fatal(err)
	}
	if info.Auth != "any" || !info.Ephemeral || info.GoVersion == "" || info.StartedAt.IsZero() || info.Counts.Apps != 1 || info.Counts.Environments != 1 || info.Counts.Jobs["COMPLETED"] != 1 {
		t.Fatalf("Info() = %+v; want auth any, an in-memory store, a Go version, a start time, 1 app, 1 environment, 1 completed job", info)
	}
	if info.Jobs.Mode != amplifybackendtest.JobsImmediate {
		t.Fatalf("Info().Jobs = %+v; want the default mode immediate", info.Jobs)
	}
	reqs, err := srv.Requests(amplifybackendtest.RequestFilter{Operation: "CreateBackend"})
	if err != nil || len(reqs) != 1 || reqs[0].Region != "eu-west-1" {
		t.Fatalf("Requests(CreateBackend) = %+v, %v; want one in eu-west-1 (WithRegion)", reqs, err)
	}
}

// TestClientsIgnoreTheEnvironment shows that the AWS clients a Server makes take nothing
// from AWS_* variables or ~/.aws, however wrong those are on the machine running the tests.
func TestClientsIgnoreTheEnvironment(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[profile broken\nregion = ap-south-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"HOME": home, "AWS_REGION": "ap-south-1", "AWS_DEFAULT_REGION": "ap-south-1",
		"AWS_ACCESS_KEY_ID": "111111111111", "AWS_SECRET_ACCESS_KEY": "x", "AWS_PROFILE": "missing",
		"AWS_SDK_LOAD_CONFIG": "1", "AWS_CA_BUNDLE": filepath.Join(home, "no-such-bundle.pem"),
		"AMPLIFYBACKEND_REGION": "ap-south-1", "AMPLIFYBACKEND_AUTH": "sigv4",
	} {
		t.Setenv(k, v)
	}
	srv := amplifybackendtest.NewServer(t)
	c := srv.AmplifyBackend()
	waitJob(t, c, "app1", createBackend(t, c, "app1").JobId)
	reqs, err := srv.Requests(amplifybackendtest.RequestFilter{Operation: "CreateBackend"})
	if err != nil || len(reqs) != 1 || reqs[0].Region != "us-east-1" || reqs[0].AccountID != "000000000000" {
		t.Fatalf("Requests(CreateBackend) = %+v, %v; want account 000000000000 in us-east-1, not the environment's", reqs, err)
	}

	// A config given to AmplifyBackend applies on top: another account and region.
	other := srv.AmplifyBackend(&aws.Config{
		Region:      aws.String("eu-central-1"),
		Credentials: credentials.NewStaticCredentials("222222222222", "x", ""),
	})
	if _, err := other.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev")}); err != nil {
		t.Fatalf("ListBackendJobs as another account: %v", err)
	}
	reqs, err = srv.Requests(amplifybackendtest.RequestFilter{Operation: "ListBackendJobs"})
	if err != nil || len(reqs) != 1 || reqs[0].Region != "eu-central-1" || reqs[0].AccountID != "222222222222" {
		t.Fatalf("Requests(ListBackendJobs) = %+v, %v; want account 222222222222 in eu-central-1", reqs, err)
	}
}

func TestIDSeedGivesTheSameIDs(t *testing.T) {
	ids := func() []string {
		srv := amplifybackendtest.NewServer(t, manual, amplifybackendtest.WithIDSeed(42))
		c := srv.AmplifyBackend()
		var out []string
		for _, app := range []string{"app1", "app2"} {
			req, resp := c.CreateBackendRequest(&amplifybackend.CreateBackendInput{
				AppId: aws.String(app), AppName: aws.String(app), BackendEnvironmentName: aws.String("dev"),
			})
			if err := req.Send(); err != nil {
				t.Fatal(err)
			}
			out = append(out, aws.StringValue(resp.JobId), req.RequestID)
		}
		return out
	}
	a, b := ids(), ids()
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatalf("two servers with id seed 42 answered different ids:\n%v\n%v", a, b)
	}
}

func TestAdminTokenInAuthModeSigV4(t *testing.T) {
	creds := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(creds, []byte("[test]\naws_access_key_id = AKIDTESTKIT\naws_secret_access_key = kit-secret\naws_account_id = 123456789012\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := amplifybackendtest.NewServer(t,
		amplifybackendtest.WithFlags("--auth", "sigv4", "--credentials", creds),
		amplifybackendtest.WithCredentials("AKIDTESTKIT", "kit-secret"),
		amplifybackendtest.WithAdminToken("s3cret-admin-token"))
	c := srv.AmplifyBackend()
	waitJob(t, c, "app1", createBackend(t, c, "app1").JobId)
	removed, err := srv.Reset(amplifybackendtest.Scope{AccountID: "123456789012"})
	if err != nil || removed.Apps != 1 {
		t.Fatalf("Reset with the admin token = %+v, %v; want app1 removed", removed, err)
	}
	anonymous := amplifybackendtest.NewControl(srv.URL)
	if _, err := anonymous.Info(); !amplifybackendtest.IsStatus(err, http.StatusUnauthorized) {
		t.Fatalf("Info without the token: %v; want 401", err)
	}
	wrong := amplifybackendtest.NewControl(srv.URL)
	wrong.Token = "guess"
	if _, err := wrong.Info(); !amplifybackendtest.IsStatus(err, http.StatusForbidden) {
		t.Fatalf("Info with a wrong token: %v; want 403", err)
	}
	// The wrong keys are refused by the AWS API too.
	bad := srv.AmplifyBackend(&aws.Config{Credentials: credentials.NewStaticCredentials("AKIDTESTKIT", "wrong", ""), MaxRetries: aws.Int(0)})
	if _, err := bad.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev")}); err == nil {
		t.Fatal("a request signed with the wrong secret succeeded in auth mode sigv4")
	}
}

func TestStartAndClose(t *testing.T) {
	srv, err := amplifybackendtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Health(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := srv.Health(); err == nil {
		t.Fatal("Health answered after Close")
	}
	if _, err := amplifybackendtest.Start(amplifybackendtest.WithFlags("--no-such-flag")); err == nil {
		t.Fatal("Start with an unknown flag succeeded")
	}
}

func TestStartRefusesABadSnapshot(t *testing.T) {
	srv, err := amplifybackendtest.Start(amplifybackendtest.WithState([]byte(`{"format":"amplifybackendd-state","version":99}`)))
	if err == nil {
		srv.Close()
		t.Fatal("Start with a snapshot of an unknown version succeeded")
	}
	if !amplifybackendtest.IsStatus(err, http.StatusBadRequest) {
		t.Fatalf("Start with a bad snapshot: %v; want the control plane's 400", err)
	}
}

// TestParallelTestsShareOneServer runs tests in parallel on one server, each in an app of
// its own: each resets only its app, and sees only its own calls and faults.
func TestParallelTestsShareOneServer(t *testing.T) {
	srv := amplifybackendtest.NewServer(t)
	for _, app := range []string{"par1", "par2", "par3", "par4"} {
		t.Run(app, func(t *testing.T) {
			t.Parallel()
			c := srv.AmplifyBackend(noRetries)
			if _, err := srv.Reset(srv.AppScope(app)); err != nil {
				t.Fatal(err)
			}
			if _, err := srv.AddFault(amplifybackendtest.Fault{
				Operation: "GetBackend", AppID: app, Times: 1,
				Error: &amplifybackendtest.FaultError{Status: 503, Code: "ServiceUnavailableException", Message: "try again"},
			}); err != nil {
				t.Fatal(err)
			}
			waitJob(t, c, app, createBackend(t, c, app).JobId)
			in := &amplifybackend.GetBackendInput{AppId: aws.String(app), BackendEnvironmentName: aws.String("dev")}
			if _, err := c.GetBackend(in); !isAWSStatus(err, 503) {
				t.Fatalf("first GetBackend: %v; want this app's 503 fault", err)
			}
			if _, err := c.GetBackend(in); err != nil {
				t.Fatalf("second GetBackend: %v", err)
			}
			reqs, err := srv.Requests(amplifybackendtest.RequestFilter{AppID: app, Operation: "GetBackend"})
			if err != nil {
				t.Fatal(err)
			}
			if len(reqs) != 2 || reqs[0].AppID != app || reqs[0].Status != 200 || reqs[1].Status != 503 {
				t.Fatalf("journal of %s = %+v; want its two GetBackend calls", app, reqs)
			}
			removed, err := srv.Reset(srv.AppScope(app))
			if err != nil || removed.Apps != 1 {
				t.Fatalf("Reset(%s) = %+v, %v; want its one app", app, removed, err)
			}
		})
	}
}

// isAWSStatus reports whether err is an AWS error answered with the HTTP status.
func isAWSStatus(err error, status int) bool {
	var rf awserr.RequestFailure
	return errors.As(err, &rf) && rf.StatusCode() == status
}

// TestNothingOnDisk shows that a Server keeps its state in memory: neither the working
// directory nor the temporary directory gets a file.
func TestNothingOnDisk(t *testing.T) {
	tmp, wd := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Chdir(wd)
	srv := amplifybackendtest.NewServer(t)
	c := srv.AmplifyBackend()
	waitJob(t, c, "app1", createBackend(t, c, "app1").JobId)
	if _, err := srv.State(amplifybackendtest.Scope{}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{tmp, wd} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 0 {
			t.Fatalf("%s holds %d entries (first %s); want none", dir, len(entries), entries[0].Name())
		}
	}
}

// TestCloseRightAfterStart closes servers before their serving goroutine has run: Close must
// neither panic nor hang.
func TestCloseRightAfterStart(t *testing.T) {
	for range 50 {
		srv, err := amplifybackendtest.Start()
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFaultLatency(t *testing.T) {
	srv := amplifybackendtest.NewServer(t)
	c := srv.AmplifyBackend()
	id, err := srv.AddFault(amplifybackendtest.Fault{Operation: "ListBackendJobs", Latency: 50 * time.Millisecond, Times: 1})
	if err != nil {
		t.Fatal(err)
	}
	in := &amplifybackend.ListBackendJobsInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev")}
	start := time.Now()
	if _, err := c.ListBackendJobs(in); err != nil {
		t.Fatalf("ListBackendJobs under a latency fault: %v (latency only delays the answer)", err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("ListBackendJobs answered after %v; want at least the fault's 50ms", d)
	}
	reqs, err := srv.Requests(amplifybackendtest.RequestFilter{Operation: "ListBackendJobs"})
	if err != nil || len(reqs) != 1 || reqs[0].Fault != id || reqs[0].DurationMs < 50 || reqs[0].Status != 200 {
		t.Fatalf("journal = %+v, %v; want one 200 hit by %s, at least 50ms", reqs, err, id)
	}
}
