package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// The storage -> auth dependency the Amplify CLI enforces: `amplify add storage` needs auth
// first, and `amplify remove auth` is refused while storage depends on it.

const storageNeedsAuth = "needs an auth resource, but backend environment dev of appId: d1sa has none: add auth first (CreateBackendAuth or ImportBackendAuth"

func TestStorageNeedsAuth(t *testing.T) {
	s := startServer(t, func(m *Main) { m.Config.S3Buckets = "seeded-bucket" })
	c := s.client
	s.createBackend(c, "d1sa", "storageauth", "dev")

	// Without auth both are refused at once, in the service's wording, and record no job.
	_, err := s.storageSubmit(c, "d1sa", "dev", "files", "sa-files")
	ae := wantCode(t, err, amplifybackend.ErrCodeBadRequestException)
	if want := "ValidationException - An error occurred while processing your request: CreateBackendStorage " + storageNeedsAuth; !strings.HasPrefix(ae.Message(), want) {
		t.Fatalf("CreateBackendStorage without auth: %q; want it to start with %q", ae.Message(), want)
	}
	_, err = s.storageImport(c, "d1sa", "dev", "seeded-bucket")
	apiWantBadRequest(t, err, "ImportBackendStorage "+storageNeedsAuth)
	if n := len(s.jobsOf("d1sa", "dev", "")); n != 1 {
		t.Fatalf("%d jobs after the refusals; want only CreateBackend's", n)
	}

	// A CreateBackendAuth whose job has not run is not auth: while it is pending the
	// pending-job rule refuses storage, and once a client has closed it unrun, the
	// environment still has no auth.
	pending := s.submitAuth("d1sa", "dev", "saauth", minimalAuthConfig())
	_, err = s.storageSubmit(c, "d1sa", "dev", "files", "sa-files")
	apiWantBadRequest(t, err, "There is already a pending job for the requested appId: d1sa and backendEnvironmentName: dev")
	if _, err := c.UpdateBackendJob(&amplifybackend.UpdateBackendJobInput{
		AppId: aws.String("d1sa"), BackendEnvironmentName: aws.String("dev"), JobId: pending.JobId, Status: aws.String("FAILED"),
	}); err != nil {
		t.Fatal(err)
	}
	if n := s.runJobs(); n != 0 {
		t.Fatalf("a closed job ran (%d jobs)", n)
	}
	_, err = s.storageSubmit(c, "d1sa", "dev", "files", "sa-files")
	apiWantBadRequest(t, err, "CreateBackendStorage "+storageNeedsAuth)

	// With auth, storage is added; amplify-meta's dependsOn stays [] as the CLI writes it
	// for S3 storage without user pool groups or triggers.
	s.createAuth("d1sa", "dev", "saauth", minimalAuthConfig())
	s.storageCreate(c, "d1sa", "dev", "files", "sa-files")
	entry := s.apiMetaSection(c, "d1sa", "dev", "storage")["files"].(map[string]any)
	if deps, _ := json.Marshal(entry["dependsOn"]); string(deps) != "[]" {
		t.Fatalf("storage dependsOn = %s; want []", deps)
	}

	// Auth cannot be deleted while storage depends on it; the refusal names the storage.
	delAuth := func() (*amplifybackend.DeleteBackendAuthOutput, error) {
		return c.DeleteBackendAuth(&amplifybackend.DeleteBackendAuthInput{AppId: aws.String("d1sa"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("saauth")})
	}
	_, err = delAuth()
	apiWantBadRequest(t, err, "The auth resource saauth cannot be deleted: the storage resource files of appId: d1sa and backendEnvironmentName: dev depends on it. Delete the storage resource (DeleteBackendStorage) first.")
	if n := len(s.jobsOf("d1sa", "dev", "IN_PROGRESS")); n != 0 {
		t.Fatalf("a refused DeleteBackendAuth left %d jobs in progress", n)
	}
	s.mustGetAuth("d1sa", "dev", "saauth")

	// Storage first, then auth.
	s.storageDelete(c, "d1sa", "dev", "files")
	out, err := delAuth()
	if err != nil {
		t.Fatalf("DeleteBackendAuth without storage: %v", err)
	}
	s.mustComplete(c, "d1sa", "dev", out.JobId)

	// Imported auth counts as auth, for created and imported storage alike, and is held by
	// storage in the same way.
	imp, err := c.ImportBackendAuth(authImportInput("d1sa", "dev"))
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1sa", "dev", imp.JobId)
	st, err := s.storageImport(c, "d1sa", "dev", "seeded-bucket")
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1sa", "dev", st.JobId)
	authName := ""
	for name := range s.authMeta("d1sa", "dev") {
		authName = name
	}
	_, err = c.DeleteBackendAuth(&amplifybackend.DeleteBackendAuthInput{AppId: aws.String("d1sa"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String(authName)})
	apiWantBadRequest(t, err, "the storage resource seededbucket of appId: d1sa and backendEnvironmentName: dev depends on it")

	// A clone carries both, so the clone's storage has its auth too.
	clone, err := c.CloneBackend(&amplifybackend.CloneBackendInput{AppId: aws.String("d1sa"), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1sa", "dev", clone.JobId)
	_, err = c.DeleteBackendAuth(&amplifybackend.DeleteBackendAuthInput{AppId: aws.String("d1sa"), BackendEnvironmentName: aws.String("prod"), ResourceName: aws.String(authName)})
	apiWantBadRequest(t, err, "the storage resource seededbucket of appId: d1sa and backendEnvironmentName: prod depends on it")
	// DeleteBackend removes storage and auth together.
	del, err := c.DeleteBackend(&amplifybackend.DeleteBackendInput{AppId: aws.String("d1sa"), BackendEnvironmentName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1sa", "prod", del.JobId)
}

// TestStorageAuthRecheckedWhenJobRuns changes the store directly while a job is pending: no
// request can, since the pending-job rule refuses every other job of the environment until
// this one has run. The job fails with the refusal and changes nothing.
func TestStorageAuthRecheckedWhenJobRuns(t *testing.T) {
	s := startServer(t, func(m *Main) { m.Config.S3Buckets = "seeded-bucket" })
	c := s.client
	s.storageEnv(c, "d1sa", "storageauth", "dev")
	key := amplify.EnvKey{AppKey: amplify.AppKey{Scope: amplify.Scope{Account: "000000000000", Region: "us-east-1"}, AppID: "d1sa"}, Env: "dev"}
	store := func(f func(tx amplify.Tx) error) {
		t.Helper()
		if err := s.Store.Update(context.Background(), f); err != nil {
			t.Fatal(err)
		}
	}
	var savedAuth *amplify.Resource
	store(func(tx amplify.Tx) error {
		var err error
		savedAuth, err = tx.Resource(key, amplify.KindAuth)
		return err
	})
	dropAuth := func() { store(func(tx amplify.Tx) error { return tx.DeleteResource(key, amplify.KindAuth) }) }
	restoreAuth := func() { store(func(tx amplify.Tx) error { return tx.PutResource(key, savedAuth) }) }

	// Auth goes away after CreateBackendStorage was accepted.
	out, err := s.storageSubmit(c, "d1sa", "dev", "files", "sa-files")
	if err != nil {
		t.Fatal(err)
	}
	dropAuth()
	job := s.finish(c, "d1sa", "dev", out.JobId)
	if aws.StringValue(job.Status) != "FAILED" || !strings.Contains(aws.StringValue(job.Error), "CreateBackendStorage "+storageNeedsAuth) {
		t.Fatalf("CreateBackendStorage job = %v; want FAILED for the missing auth", job)
	}
	_, err = c.GetBackendStorage(&amplifybackend.GetBackendStorageInput{AppId: aws.String("d1sa"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("files")})
	apiWantNotFound(t, err, "storage")
	if got := storageBucketNames(s.storageBuckets(c)); strings.Join(got, ",") != "seeded-bucket" {
		t.Fatalf("buckets after the failed job: %v", got)
	}

	// The same for ImportBackendStorage.
	restoreAuth()
	imp, err := s.storageImport(c, "d1sa", "dev", "seeded-bucket")
	if err != nil {
		t.Fatal(err)
	}
	dropAuth()
	job = s.finish(c, "d1sa", "dev", imp.JobId)
	if aws.StringValue(job.Status) != "FAILED" || !strings.Contains(aws.StringValue(job.Error), "ImportBackendStorage "+storageNeedsAuth) {
		t.Fatalf("ImportBackendStorage job = %v; want FAILED for the missing auth", job)
	}
	_, err = c.GetBackendStorage(&amplifybackend.GetBackendStorageInput{AppId: aws.String("d1sa"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("seededbucket")})
	apiWantNotFound(t, err, "storage")

	// Storage appears after DeleteBackendAuth was accepted: the auth resource stays.
	restoreAuth()
	del, err := c.DeleteBackendAuth(&amplifybackend.DeleteBackendAuthInput{AppId: aws.String("d1sa"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("storageauth")})
	if err != nil {
		t.Fatal(err)
	}
	store(func(tx amplify.Tx) error {
		return tx.PutResource(key, &amplify.Resource{Kind: amplify.KindStorage, Name: "late", Config: json.RawMessage(`{"serviceName":"S3"}`), Revision: 1,
			Deployed: map[string]string{"BucketName": "late-bucket"}, UpdatedAt: s.clock.Now()})
	})
	job = s.finish(c, "d1sa", "dev", del.JobId)
	if aws.StringValue(job.Status) != "FAILED" || !strings.Contains(aws.StringValue(job.Error), "the storage resource late of appId: d1sa and backendEnvironmentName: dev depends on it") {
		t.Fatalf("DeleteBackendAuth job = %v; want FAILED naming the storage", job)
	}
	s.mustGetAuth("d1sa", "dev", "storageauth")
}
