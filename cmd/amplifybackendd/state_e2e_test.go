package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/daemon"
	"github.com/amplifybackendd/amplifybackendd/internal/snapshot"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/request"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// End-to-end tests of the start-up options and offline commands of the test control plane:
// --id-seed, --ephemeral, --seed, export and import, and ending jobs by hand as AWS clients
// see it.

// recordRequestIDs collects the x-amzn-RequestId of every response c receives.
func recordRequestIDs(c *amplifybackend.AmplifyBackend) *[]string {
	var ids []string
	c.Handlers.Complete.PushBack(func(r *request.Request) { ids = append(ids, r.RequestID) })
	return &ids
}

// seededRun sends one fixed sequence of requests to a fresh server started with --id-seed
// seed and returns the job ids, request ids and AmplifyMetaConfig it answered.
func seededRun(t *testing.T, seed string) (jobIDs, requestIDs []string, meta string) {
	s := startServer(t, func(m *Main) { m.Config.IDSeed = seed })
	c := s.clientAs("AKIDEXAMPLE", "us-east-1")
	rids := recordRequestIDs(c)
	job := func(id *string, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		jobIDs = append(jobIDs, aws.StringValue(id))
		s.mustComplete(c, "d1seed", "dev", id)
	}
	out, err := c.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String("d1seed"), AppName: aws.String("seeded"), BackendEnvironmentName: aws.String("dev")})
	job(out.JobId, err)
	auth, err := c.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{AppId: aws.String("d1seed"), BackendEnvironmentName: aws.String("dev"),
		ResourceName: aws.String("auth1"), ResourceConfig: minimalAuthConfig()})
	job(auth.JobId, err)
	api, err := c.CreateBackendAPI(&amplifybackend.CreateBackendAPIInput{AppId: aws.String("d1seed"), BackendEnvironmentName: aws.String("dev"),
		ResourceName: aws.String("api1"), ResourceConfig: apiResourceConfig(apiTodoSchema, "API_KEY")})
	job(api.JobId, err)
	st, err := c.CreateBackendStorage(&amplifybackend.CreateBackendStorageInput{AppId: aws.String("d1seed"), BackendEnvironmentName: aws.String("dev"),
		ResourceName: aws.String("files"), ResourceConfig: storageConfig("")})
	job(st.JobId, err)
	tok, err := c.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String("d1seed")})
	if err != nil {
		t.Fatal(err)
	}
	jobIDs = append(jobIDs, aws.StringValue(tok.SessionId), aws.StringValue(tok.ChallengeCode))
	got, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1seed"), BackendEnvironmentName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	return jobIDs, *rids, aws.StringValue(got.AmplifyMetaConfig)
}

func TestIDSeedDeterminism(t *testing.T) {
	jobs1, reqs1, meta1 := seededRun(t, "42")
	jobs2, reqs2, meta2 := seededRun(t, "42")
	if strings.Join(jobs1, ",") != strings.Join(jobs2, ",") {
		t.Errorf("job ids, session id and challenge code differ with the same seed:\n%v\n%v", jobs1, jobs2)
	}
	if len(reqs1) == 0 || strings.Join(reqs1, ",") != strings.Join(reqs2, ",") {
		t.Errorf("request ids differ with the same seed:\n%v\n%v", reqs1, reqs2)
	}
	if meta1 == "" || meta1 != meta2 {
		t.Errorf("AmplifyMetaConfig differs with the same seed:\n%s\n%s", meta1, meta2)
	}
	// A deployed id and a generated bucket name are there to compare.
	for _, want := range []string{`"UserPoolId"`, `"GraphQLAPIIdOutput"`, `"BucketName"`} {
		if !strings.Contains(meta1, want) {
			t.Errorf("AmplifyMetaConfig lacks %s: %s", want, meta1)
		}
	}
	jobs3, reqs3, meta3 := seededRun(t, "43")
	if jobs3[0] == jobs1[0] || reqs3[0] == reqs1[0] || meta3 == meta1 {
		t.Errorf("another seed gives the same ids: %s %s", jobs3[0], reqs3[0])
	}
}

// TestIDSeedRefusedWithSigV4 starts the binary: the refusal is a usage error, exit status 2.
func TestIDSeedRefusedWithSigV4(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	creds := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(creds, []byte("[a]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\naws_account_id = 111111111111\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runBinary(t, "--auth", "sigv4", "--credentials", creds, "--id-seed", "7", "--data-dir", t.TempDir())
	if code != 2 || !strings.Contains(stderr, "--id-seed cannot be combined with --auth sigv4") {
		t.Errorf("exit %d, stderr %q; want 2 and the reason", code, stderr)
	}
}

// runBinary runs the built binary to its end (an offline command or a refused start) and
// returns its exit status and output.
func runBinary(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = []string{"HOME=" + t.TempDir()} // nothing of the machine's environment
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	t.Fatalf("run %v: %v", args, err)
	return 0, "", ""
}

func TestEphemeralWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "never-created")
	s := startServer(t, func(m *Main) {
		m.Config.Ephemeral = true
		m.Config.DataDir = dir
	})
	s.createBackend(s.client, "d1mem", "inmemory", "dev")
	if _, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1mem")}); err != nil {
		t.Fatalf("GetBackend: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("--ephemeral created the data directory %s (stat: %v)", dir, err)
	}
	if got := s.StoreName(); got != "sqlite:memory" {
		t.Errorf("StoreName %q", got)
	}
	// The working directory stays clean too (no default ./amplifybackend-data).
	if _, err := os.Stat("amplifybackend-data"); err == nil {
		t.Error("an amplifybackend-data directory appeared in the working directory")
	}
	m := NewMain()
	if err := m.ParseFlags([]string{"--ephemeral", "--store", "postgres://x@127.0.0.1/db"}, func(string) string { return "" }); err == nil {
		t.Error("--ephemeral with --store was accepted")
	}
}

// fixtureState exports what a server holds after a few operations, as a snapshot file.
func fixtureState(t *testing.T) (path string, doc []byte) {
	t.Helper()
	src := startServer(t, func(m *Main) { m.Config.S3Buckets = "configured-bucket" })
	c := src.client
	src.createBackend(c, "d1fix", "fixture", "dev")
	src.createAuth("d1fix", "dev", "auth1", minimalAuthConfig())
	// Every kind of data: an API with generated models, storage with a generated bucket, an
	// Admin UI config, a token, a job still pending, failed and completed jobs, an app that
	// only its jobs remember, and a configured bucket.
	src.apiCreate(c, "d1fix", "dev", "api1", apiResourceConfig(apiTodoSchema, "API_KEY"))
	src.apiGenerateModels("d1fix", "dev", "api1")
	src.storageCreate(c, "d1fix", "dev", "files", "")
	cfg, err := c.CreateBackendConfig(&amplifybackend.CreateBackendConfigInput{AppId: aws.String("d1fix")})
	if err != nil {
		t.Fatal(err)
	}
	src.mustComplete(c, "d1fix", aws.StringValue(cfg.BackendEnvironmentName), cfg.JobId)
	if _, err := c.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String("d1fix")}); err != nil {
		t.Fatal(err)
	}
	bad, err := c.UpdateBackendAPI(&amplifybackend.UpdateBackendAPIInput{AppId: aws.String("d1fix"), BackendEnvironmentName: aws.String("dev"),
		ResourceName: aws.String("api1"), ResourceConfig: &amplifybackend.BackendAPIResourceConfig{TransformSchema: aws.String("type {")}})
	if err != nil {
		t.Fatal(err)
	}
	if out := src.finish(c, "d1fix", "dev", bad.JobId); aws.StringValue(out.Status) != "FAILED" {
		t.Fatalf("a bad schema: %s", aws.StringValue(out.Status))
	}
	src.createBackend(c, "d1gone", "gone", "dev")
	rm, err := c.RemoveAllBackends(&amplifybackend.RemoveAllBackendsInput{AppId: aws.String("d1gone"), CleanAmplifyApp: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	src.mustComplete(c, "d1gone", "dev", rm.JobId)
	if _, err := c.DeleteBackendStorage(&amplifybackend.DeleteBackendStorageInput{AppId: aws.String("d1fix"), BackendEnvironmentName: aws.String("dev"),
		ResourceName: aws.String("files"), ServiceName: aws.String("S3")}); err != nil {
		t.Fatal(err) // left pending
	}
	st, err := src.Service.ExportState(t.Context(), amplify.StateScope{})
	if err != nil {
		t.Fatal(err)
	}
	doc = encodeSnapshot(t, st)
	for _, want := range []string{`"removed": true`, `"models": {`, `"pending": true`, `"status": "FAILED"`, `"config": {`,
		`"tokens": [`, `"name": "configured-bucket"`, `"owner": "000000000000/us-east-1/d1fix/dev/storage"`} {
		if !strings.Contains(string(doc), want) {
			t.Fatalf("the fixture lacks %s:\n%s", want, doc)
		}
	}
	path = filepath.Join(t.TempDir(), "fixture.json")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, doc
}

func TestSeed(t *testing.T) {
	path, _ := fixtureState(t)
	dir := t.TempDir()
	s := startServerIn(t, dir, func(m *Main) { m.Config.Seed = path })
	if _, err := s.client.GetBackendAuth(&amplifybackend.GetBackendAuthInput{AppId: aws.String("d1fix"),
		BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("auth1")}); err != nil {
		t.Fatalf("GetBackendAuth of the seeded state: %v", err)
	}
	// A store with state is left as it is.
	s.createBackend(s.client, "d1fix", "fixture", "prod")
	s.Close()
	again := startServerIn(t, dir, func(m *Main) { m.Config.Seed = path })
	out, err := again.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1fix")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.BackendEnvironmentList) != 2 {
		t.Errorf("--seed on a store with state replaced it: environments %v", aws.StringValueSlice(out.BackendEnvironmentList))
	}
}

func TestSeedRefusesBadFile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"format":"amplifybackendd-state","version":9,"accounts":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "data")
	code, _, stderr := runBinary(t, "--addr", "127.0.0.1:0", "--data-dir", dir, "--seed", bad)
	if code != 2 || !strings.Contains(stderr, "version 9 is not supported") {
		t.Errorf("exit %d, stderr %q; want 2 and the reason", code, stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a refused seed still opened the store: %v", err)
	}
	code, _, stderr = runBinary(t, "--addr", "127.0.0.1:0", "--ephemeral", "--seed", filepath.Join(t.TempDir(), "missing.json"))
	if code != 2 || !strings.Contains(stderr, "--seed") {
		t.Errorf("missing seed file: exit %d, stderr %q; want 2", code, stderr)
	}
}

func TestExportImportCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	path, doc := fixtureState(t)
	dir := t.TempDir()
	// Import into an empty directory, export it again: the same document (but exportedAt).
	if code, _, stderr := runBinary(t, "import", "--data-dir", dir, path); code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	code, out, stderr := runBinary(t, "export", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	if withoutExportedAt(t, []byte(out)) != withoutExportedAt(t, doc) {
		t.Errorf("import then export changed the document:\n%s\n---\n%s", doc, out)
	}
	file := filepath.Join(t.TempDir(), "out.json")
	if code, _, stderr := runBinary(t, "export", "--data-dir", dir, "-o", file); code != 0 {
		t.Fatalf("export -o: exit %d: %s", code, stderr)
	}
	if b, err := os.ReadFile(file); err != nil || withoutExportedAt(t, b) != withoutExportedAt(t, doc) {
		t.Errorf("export -o wrote %q (%v)", b, err)
	}
	// A store that is not empty: refused unless --replace.
	code, _, stderr = runBinary(t, "import", "--data-dir", dir, path)
	if code != 2 || !strings.Contains(stderr, "not empty") {
		t.Errorf("import into a store with state: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runBinary(t, "import", "--replace", "--data-dir", dir, path); code != 0 {
		t.Errorf("import --replace: exit %d: %s", code, stderr)
	}
	// A bad file changes nothing.
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"format":"moto","version":1}`), 0o600)
	code, _, stderr = runBinary(t, "import", "--replace", "--data-dir", dir, bad)
	if code != 2 || !strings.Contains(stderr, `format "moto"`) {
		t.Errorf("import of another format: exit %d, %q", code, stderr)
	}
	// A running server holds the directory: import is refused, and so is export.
	p := startProcess(t, "--data-dir", dir)
	code, _, stderr = runBinary(t, "import", "--replace", "--data-dir", dir, path)
	if code == 0 || !strings.Contains(stderr, "in use by another amplifybackendd") {
		t.Errorf("import under a running server: exit %d, %q", code, stderr)
	}
	if _, err := p.client().GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1fix")}); err != nil {
		t.Errorf("the running server lost its state: %v", err)
	}
	code, _, _ = runBinary(t, "import", "--data-dir", dir)
	if code != 2 {
		t.Errorf("import without a file: exit %d, want 2", code)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	code, _, stderr = runBinary(t, "export", "--data-dir", missing)
	if code != 2 || !strings.Contains(stderr, "holds no amplifybackendd database") {
		t.Errorf("export of a directory without a database: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("export created %s", missing)
	}
}

// TestImportIsAtomic imports a snapshot that breaks a rule of the store (two pending jobs of
// one environment) over existing state: the import fails and the old state stays whole.
func TestImportIsAtomic(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "d1keep", "keep", "dev")
	st := &amplify.State{}
	key := amplify.AppKey{Scope: amplify.Scope{Account: "000000000000", Region: "us-east-1"}, AppID: "d1new"}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st.Apps = []amplify.AppState{{App: amplify.App{AppKey: key, Name: "new", CreatedAt: now}}}
	st.Apps[0].Jobs = []amplify.Job{
		{JobKey: amplify.JobKey{AppKey: key, JobID: "j1"}, Env: "dev", Operation: "CreateBackend", Status: "IN_PROGRESS", CreatedAt: now, UpdatedAt: now, Action: "CreateBackend", Payload: []byte(`{}`), Pending: true, RunAt: amplify.HeldRunAt},
		{JobKey: amplify.JobKey{AppKey: key, JobID: "j2"}, Env: "dev", Operation: "CreateBackend", Status: "IN_PROGRESS", CreatedAt: now, UpdatedAt: now, Action: "CreateBackend", Payload: []byte(`{}`), Pending: true, RunAt: amplify.HeldRunAt},
	}
	err := s.Service.ImportState(t.Context(), st)
	if amplify.ErrorCode(err) != amplify.BadRequest {
		t.Fatalf("ImportState of two pending jobs of one environment: %v", err)
	}
	if _, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1keep")}); err != nil {
		t.Errorf("the old state is gone after a failed import: %v", err)
	}
	if _, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1new")}); err == nil {
		t.Error("half of a failed import is there")
	}
}

// TestFinishJobSeenByClients holds jobs (manual mode), ends them through the domain as the
// control plane does, and checks what an AWS client polling GetBackendJob sees.
func TestFinishJobSeenByClients(t *testing.T) {
	s := startServer(t, func(m *Main) { m.ManualJobs = false })
	ctx := t.Context()
	if err := s.Service.SetJobSettings(ctx, amplify.JobSettings{Mode: amplify.JobsManual}); err != nil {
		t.Fatal(err)
	}
	out, err := s.client.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String("d1hold"), AppName: aws.String("held"), BackendEnvironmentName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	poll := func(id *string) *amplifybackend.GetBackendJobOutput {
		t.Helper()
		j, err := s.client.GetBackendJob(&amplifybackend.GetBackendJobInput{AppId: aws.String("d1hold"), BackendEnvironmentName: aws.String("dev"), JobId: id})
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	// The background runner is on; a held job stays IN_PROGRESS however often it is polled.
	for range 3 {
		if st := aws.StringValue(poll(out.JobId).Status); st != "IN_PROGRESS" {
			t.Fatalf("held job: %s", st)
		}
		if n, err := s.Runner.RunDue(ctx); err != nil || n != 0 {
			t.Fatalf("RunDue ran %d held jobs (%v)", n, err)
		}
	}
	if _, err := s.Service.FinishJob(ctx, aws.StringValue(out.JobId), amplify.StatusCompleted, ""); err != nil {
		t.Fatal(err)
	}
	if j := poll(out.JobId); aws.StringValue(j.Status) != "COMPLETED" {
		t.Errorf("after FinishJob COMPLETED: %s", aws.StringValue(j.Status))
	}
	if _, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1hold"), BackendEnvironmentName: aws.String("dev")}); err != nil {
		t.Errorf("the completed job's effect: %v", err)
	}
	auth, err := s.client.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{AppId: aws.String("d1hold"), BackendEnvironmentName: aws.String("dev"),
		ResourceName: aws.String("auth1"), ResourceConfig: minimalAuthConfig()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Service.FinishJob(ctx, aws.StringValue(auth.JobId), amplify.StatusFailed, "UserPool quota exceeded"); err != nil {
		t.Fatal(err)
	}
	j := poll(auth.JobId)
	if aws.StringValue(j.Status) != "FAILED" || aws.StringValue(j.Error) != "UserPool quota exceeded" {
		t.Errorf("after FinishJob FAILED: %s %q", aws.StringValue(j.Status), aws.StringValue(j.Error))
	}
	_, err = s.client.GetBackendAuth(&amplifybackend.GetBackendAuthInput{AppId: aws.String("d1hold"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("auth1")})
	wantCode(t, err, "NotFoundException")
}

func encodeSnapshot(t *testing.T, st *amplify.State) []byte {
	t.Helper()
	doc, err := snapshot.Encode(st, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// withoutExportedAt returns the document with its exportedAt removed, for comparison.
func withoutExportedAt(t *testing.T, doc []byte) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatalf("not a JSON document: %v\n%s", err, doc)
	}
	delete(m, "exportedAt")
	b, _ := json.Marshal(m)
	return string(b)
}

// TestImportOnPostgres exports and imports offline on PostgreSQL: import is refused while a
// server holds the store, and round-trips once it has stopped.
func TestImportOnPostgres(t *testing.T) {
	dsn := replicaSchema(t, replicaDatabase(t))
	path, doc := fixtureState(t)
	srv := startServer(t, func(m *Main) { m.Config.Store = dsn })
	command := func(args ...string) (string, error) {
		m := NewMain()
		m.LogOutput = io.Discard
		if err := m.ParseFlags(args, func(string) string { return "" }); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		var out bytes.Buffer
		err := m.RunCommand(t.Context(), &out)
		return out.String(), err
	}
	_, err := command("import", "--store", dsn, path)
	if err == nil || !strings.Contains(err.Error(), "running amplifybackendd") {
		t.Fatalf("import while a server holds the store: %v", err)
	}
	srv.Close()
	if _, err := command("import", "--store", dsn, path); err != nil {
		t.Fatalf("import: %v", err)
	}
	if _, err := command("import", "--store", dsn, path); daemon.ExitCode(err) != 2 || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("import into a store with state: %v", err)
	}
	out, err := command("export", "--store", dsn)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	if withoutExportedAt(t, []byte(out)) != withoutExportedAt(t, doc) {
		t.Errorf("import then export on PostgreSQL changed the document:\n%s\n---\n%s", doc, out)
	}
}

// TestInjectedJobErrorSurvivesRestart records a job with an injected error (a jobError
// fault), restarts the server before it runs, and checks that it still ends FAILED with that
// error and changes nothing else.
func TestInjectedJobErrorSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s := startServerIn(t, dir)
	job, err := s.Service.CreateBackend(amplify.WithJobError(t.Context(), "injected: stack limit exceeded"),
		amplify.EnvKey{AppKey: amplify.AppKey{Scope: amplify.Scope{Account: "000000000000", Region: "us-east-1"}, AppID: "d1inj"}, Env: "dev"}, "inj")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	again := startServerIn(t, dir)
	out := again.finish(again.client, "d1inj", "dev", aws.String(job.JobID))
	if aws.StringValue(out.Status) != "FAILED" || aws.StringValue(out.Error) != "injected: stack limit exceeded" {
		t.Errorf("after a restart: %s %q", aws.StringValue(out.Status), aws.StringValue(out.Error))
	}
	_, err = again.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1inj")})
	wantCode(t, err, "NotFoundException")
}
