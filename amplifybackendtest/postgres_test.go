package amplifybackendtest_test

import (
	"os"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/amplifybackendtest"
	"github.com/amplifybackendd/amplifybackendd/internal/pgtest"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// postgresDSN is the database of the PostgreSQL tests, as everywhere in this repository.
const postgresDSN = "AMPLIFYBACKEND_TEST_POSTGRES"

// postgresSchema returns a DSN whose search_path is a schema of the test's own, dropped when
// the test ends; it skips the test when no database is given.
func postgresSchema(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(postgresDSN)
	if dsn == "" {
		t.Skipf("%s is not set: no PostgreSQL database to run on", postgresDSN)
	}
	schemaDSN, _ := pgtest.Schema(t, dsn, "amplifybackendtest")
	return schemaDSN
}

// TestOnPostgreSQL runs a Server on PostgreSQL (WithFlags("--store", dsn) replaces the
// in-memory store): a held job failed, a reset, a snapshot loaded back.
func TestOnPostgreSQL(t *testing.T) {
	dsn := postgresSchema(t)
	srv := amplifybackendtest.NewServer(t, manual, amplifybackendtest.WithFlags("--store", dsn))
	info, err := srv.Info()
	if err != nil || info.Store != "postgres" || info.Ephemeral {
		t.Fatalf("Info() = %+v, %v; want store postgres", info, err)
	}
	c := srv.AmplifyBackend()
	out := createBackend(t, c, "app1")
	if _, err := srv.FinishJob(*out.JobId, amplifybackendtest.JobCompleted, ""); err != nil {
		t.Fatal(err)
	}
	failed := createBackend(t, c, "app2")
	if _, err := srv.FinishJob(*failed.JobId, amplifybackendtest.JobFailed, "no capacity"); err != nil {
		t.Fatal(err)
	}
	if job := getJob(t, c, "app2", failed.JobId); aws.StringValue(job.Status) != "FAILED" || aws.StringValue(job.Error) != "no capacity" {
		t.Fatalf("job = %s %q; want FAILED \"no capacity\"", aws.StringValue(job.Status), aws.StringValue(job.Error))
	}
	snap, err := srv.State(amplifybackendtest.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if removed, err := srv.Reset(amplifybackendtest.Scope{}); err != nil || removed.Apps != 1 || removed.Jobs != 2 {
		t.Fatalf("Reset = %+v, %v; want 1 app and 2 jobs", removed, err)
	}
	if err := srv.LoadState(snap); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev")}); err != nil {
		t.Fatalf("GetBackend after LoadState: %v", err)
	}
	if job := getJob(t, c, "app2", failed.JobId); aws.StringValue(job.Error) != "no capacity" {
		t.Fatalf("the failed job after LoadState: %q; want its error back", aws.StringValue(job.Error))
	}
}
