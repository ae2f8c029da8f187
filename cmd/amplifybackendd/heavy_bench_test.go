package main

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// heavySchema returns a TransformSchema of about size bytes within the default limits: models
// of 20 fields, each field with an @auth rule (work for the generator, not just bytes), as
// many models as the size takes.
func heavySchema(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "type Model%d @model @auth(rules: [{allow: owner}, {allow: public, operations: [read]}]) {\n  id: ID!\n", i)
		for j := range 19 {
			fmt.Fprintf(&b, "  field%d: String @auth(rules: [{allow: owner}, {allow: groups, groups: [\"Admins\", \"Editors%d\"]}])\n", j, i)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// vmHWM returns the peak resident set size of a process, in MiB, from /proc.
func vmHWM(pid int) (float64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

func accountClient(url, account string) *amplifybackend.AmplifyBackend {
	return amplifybackend.New(session.Must(session.NewSession(&aws.Config{
		Endpoint: aws.String(url), Region: aws.String("us-east-1"),
		Credentials: credentials.NewStaticCredentials(account, "secret", ""),
		MaxRetries:  aws.Int(0), HTTPClient: &http.Client{Timeout: time.Minute},
	})))
}

// awaitJob polls a job every 5ms until it ends and returns its final state.
func awaitJob(b *testing.B, c *amplifybackend.AmplifyBackend, app, env string, id *string, within time.Duration) *amplifybackend.GetBackendJobOutput {
	b.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(5 * time.Millisecond) {
		job, err := c.GetBackendJob(&amplifybackend.GetBackendJobInput{AppId: aws.String(app), BackendEnvironmentName: aws.String(env), JobId: id})
		if err != nil {
			b.Fatal(err)
		}
		if s := aws.StringValue(job.Status); s != "IN_PROGRESS" {
			return job
		}
		if time.Now().After(deadline) {
			b.Fatalf("job %s of %s/%s still IN_PROGRESS after %v", aws.StringValue(id), app, env, within)
		}
	}
}

// BenchmarkHeavyJobFairness runs the real binary with its default limits. Account A creates
// an API with a 3 MB schema and generates its models; while that job runs, account B creates
// and deletes an auth resource, one job after the other. It reports how long A's jobs took,
// the slowest of B's jobs (submission to COMPLETED as a client polling every 5ms sees it), and
// the server's peak RSS (VmHWM). A second schema of 3 MB, 6,700 models (over
// --schema-max-types), shows the limit's answer. Run it with
//
//	go test -run '^$' -bench HeavyJobFairness -benchtime 1x ./cmd/amplifybackendd/
func BenchmarkHeavyJobFairness(b *testing.B) {
	for _, tc := range []struct {
		name   string
		schema string
	}{
		{"within-limits", heavySchema(3 << 20)},
		{"over-types-limit", limitsSchema(6700, 25)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				benchHeavy(b, tc.schema)
			}
		})
	}
}

func benchHeavy(b *testing.B, schema string) {
	srv, err := startReplica("bench", "--data-dir", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer srv.kill()
	a, other := accountClient(srv.url, "111111111111"), accountClient(srv.url, "222222222222")
	for _, c := range []*amplifybackend.AmplifyBackend{a, other} {
		out, err := c.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String("app"), AppName: aws.String("app"), BackendEnvironmentName: aws.String("dev")})
		if err != nil {
			b.Fatal(err)
		}
		awaitJob(b, c, "app", "dev", out.JobId, 10*time.Second)
	}

	start := time.Now()
	api, err := a.CreateBackendAPI(&amplifybackend.CreateBackendAPIInput{AppId: aws.String("app"), BackendEnvironmentName: aws.String("dev"),
		ResourceName: aws.String("big"), ResourceConfig: apiResourceConfig(schema, "API_KEY")})
	if err != nil {
		b.Fatal(err)
	}
	created := awaitJob(b, a, "app", "dev", api.JobId, time.Minute)
	createTook := time.Since(start)
	var models *amplifybackend.GetBackendJobOutput
	modelsTook := time.Duration(0)
	heavyDone := make(chan struct{})
	if aws.StringValue(created.Status) == "COMPLETED" {
		gen, err := a.GenerateBackendAPIModels(&amplifybackend.GenerateBackendAPIModelsInput{AppId: aws.String("app"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("big")})
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		go func() {
			defer close(heavyDone)
			models = awaitJob(b, a, "app", "dev", gen.JobId, 2*time.Minute)
			modelsTook = time.Since(start)
		}()
	} else {
		close(heavyDone)
	}

	// Account B's auth jobs, one after the other, while A's generation runs (at least 3).
	var slowest time.Duration
	authJobs := 0
	for running := true; running || authJobs < 3; authJobs++ {
		select {
		case <-heavyDone:
			running = false
		default:
		}
		t0 := time.Now()
		var id *string
		if authJobs%2 == 0 {
			out, err := other.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{AppId: aws.String("app"), BackendEnvironmentName: aws.String("dev"),
				ResourceName: aws.String("auth"), ResourceConfig: minimalAuthConfig()})
			if err != nil {
				b.Fatal(err)
			}
			id = out.JobId
		} else {
			out, err := other.DeleteBackendAuth(&amplifybackend.DeleteBackendAuthInput{AppId: aws.String("app"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("auth")})
			if err != nil {
				b.Fatal(err)
			}
			id = out.JobId
		}
		if job := awaitJob(b, other, "app", "dev", id, time.Minute); aws.StringValue(job.Status) != "COMPLETED" {
			b.Fatalf("account B's job %s: %s", aws.StringValue(job.Operation), aws.StringValue(job.Error))
		}
		slowest = max(slowest, time.Since(t0))
	}
	<-heavyDone
	hwm, err := vmHWM(srv.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	outcome := aws.StringValue(created.Status) + " " + aws.StringValue(created.Error)
	if models != nil {
		outcome = "models " + aws.StringValue(models.Status) + " " + aws.StringValue(models.Error)
	}
	b.Logf("schema %.1f MB: CreateBackendAPI %v, GenerateBackendAPIModels %v (%s); account B: %d auth jobs, slowest %v; server VmHWM %.0f MiB",
		float64(len(schema))/(1<<20), createTook.Round(time.Millisecond), modelsTook.Round(time.Millisecond), strings.TrimSpace(outcome), authJobs, slowest.Round(time.Millisecond), hwm)
	b.ReportMetric(float64(slowest.Milliseconds()), "other-account-job-max-ms")
	b.ReportMetric(float64(modelsTook.Milliseconds()), "models-ms")
	b.ReportMetric(hwm, "VmHWM-MiB")
}
