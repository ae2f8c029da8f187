package main

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// heavySchema returns a TransformSchema of about size bytes within the default limits: models
// of 15 fields, each field with @auth rules (work for the generator, not just bytes), as many
// models as the size takes.
func heavySchema(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "type Model%d @model @auth(rules: [{allow: owner}, {allow: public, operations: [read]}]) {\n  id: ID!\n", i)
		for j := range 14 {
			fmt.Fprintf(&b, "  field%d: String @auth(rules: [{allow: owner, ownerField: \"author\"}, {allow: groups, groups: [\"Admins\", \"Editors%d\"]}])\n", j, i)
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
// --schema-max-types), shows the limit's answer; a third case has two accounts generating
// models for the first schema at once (the two --job-workers). Run it with
//
//	go test -run '^$' -bench HeavyJobFairness -benchtime 1x ./cmd/amplifybackendd/
func BenchmarkHeavyJobFairness(b *testing.B) {
	within := heavySchema(3 << 20)
	for _, tc := range []struct {
		name   string
		schema string
		heavy  int // accounts generating at once
	}{
		{"within-limits", within, 1},
		{"over-types-limit", limitsSchema(6700, 25), 1},
		{"within-limits-2-accounts", within, 2},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				benchHeavy(b, tc.schema, tc.heavy)
			}
		})
	}
}

func benchHeavy(b *testing.B, schema string, heavy int) {
	srv, err := startReplica("bench", "--data-dir", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer srv.kill()
	other := accountClient(srv.url, "222222222222")
	var heavies []*amplifybackend.AmplifyBackend
	for i := range heavy {
		heavies = append(heavies, accountClient(srv.url, fmt.Sprintf("1111111111%02d", i)))
	}
	for _, c := range append([]*amplifybackend.AmplifyBackend{other}, heavies...) {
		out, err := c.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String("app"), AppName: aws.String("app"), BackendEnvironmentName: aws.String("dev")})
		if err != nil {
			b.Fatal(err)
		}
		awaitJob(b, c, "app", "dev", out.JobId, 10*time.Second)
	}

	// The heavy accounts create their APIs one after the other, then generate models at once.
	var createTook time.Duration
	var created *amplifybackend.GetBackendJobOutput
	for _, a := range heavies {
		start := time.Now()
		api, err := a.CreateBackendAPI(&amplifybackend.CreateBackendAPIInput{AppId: aws.String("app"), BackendEnvironmentName: aws.String("dev"),
			ResourceName: aws.String("big"), ResourceConfig: apiResourceConfig(schema, "API_KEY")})
		if err != nil {
			b.Fatal(err)
		}
		created = awaitJob(b, a, "app", "dev", api.JobId, time.Minute)
		createTook = max(createTook, time.Since(start))
	}
	models := make([]*amplifybackend.GetBackendJobOutput, heavy)
	var modelsTook time.Duration
	var generating sync.WaitGroup
	if aws.StringValue(created.Status) == "COMPLETED" {
		var mu sync.Mutex
		for i, a := range heavies {
			gen, err := a.GenerateBackendAPIModels(&amplifybackend.GenerateBackendAPIModelsInput{AppId: aws.String("app"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("big")})
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			generating.Go(func() {
				models[i] = awaitJob(b, a, "app", "dev", gen.JobId, 2*time.Minute)
				mu.Lock()
				modelsTook = max(modelsTook, time.Since(start))
				mu.Unlock()
			})
		}
	}
	heavyDone := make(chan struct{})
	go func() {
		generating.Wait()
		close(heavyDone)
	}()

	// Account B's auth jobs, one after the other, while the generation runs (at least 3).
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
	if models[0] != nil {
		outcome = "models"
		for _, m := range models {
			outcome += " " + aws.StringValue(m.Status) + " " + aws.StringValue(m.Error)
		}
	}
	b.Logf("schema %.1f MB, %d account(s): CreateBackendAPI %v, GenerateBackendAPIModels %v (%s); account B: %d auth jobs, slowest %v; server VmHWM %.0f MiB",
		float64(len(schema))/(1<<20), heavy, createTook.Round(time.Millisecond), modelsTook.Round(time.Millisecond), strings.TrimSpace(outcome), authJobs, slowest.Round(time.Millisecond), hwm)
	b.ReportMetric(float64(slowest.Milliseconds()), "other-account-job-max-ms")
	b.ReportMetric(float64(modelsTook.Milliseconds()), "models-ms")
	b.ReportMetric(hwm, "VmHWM-MiB")
}
