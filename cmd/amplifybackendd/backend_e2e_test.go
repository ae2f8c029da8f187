package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestBackendLifecycle(t *testing.T) {
	s := startServer(t)
	c := s.client

	created, err := c.CreateBackend(&amplifybackend.CreateBackendInput{
		AppId: aws.String("d1abc"), AppName: aws.String("myapp"), BackendEnvironmentName: aws.String("dev"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.StringValue(created.Status); got != "IN_PROGRESS" {
		t.Errorf("CreateBackend status = %s; want IN_PROGRESS", got)
	}
	if got := aws.StringValue(created.Operation); got != "CreateBackend" {
		t.Errorf("CreateBackend operation = %s", got)
	}
	if !uuidPattern.MatchString(aws.StringValue(created.JobId)) {
		t.Errorf("JobId %q is not a UUID v4", aws.StringValue(created.JobId))
	}
	// Until the job runs, the app does not exist.
	_, err = c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1abc")})
	var nf *amplifybackend.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("GetBackend before the job ran: %v; want NotFoundException", err)
	}
	if aws.StringValue(nf.ResourceType) != "app" {
		t.Errorf("ResourceType = %q; want app", aws.StringValue(nf.ResourceType))
	}
	job := s.finish(c, "d1abc", "dev", created.JobId)
	if aws.StringValue(job.Status) != "COMPLETED" {
		t.Fatalf("job = %v", job)
	}
	wantMillis := strconv.FormatInt(s.clock.Now().UnixMilli(), 10)
	if aws.StringValue(job.CreateTime) != wantMillis || aws.StringValue(job.UpdateTime) != wantMillis {
		t.Errorf("times = %s, %s; want epoch millis %s", aws.StringValue(job.CreateTime), aws.StringValue(job.UpdateTime), wantMillis)
	}

	// A second environment by clone.
	clone, err := c.CloneBackend(&amplifybackend.CloneBackendInput{
		AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String("prod"),
	})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1abc", "dev", clone.JobId)

	got, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1abc")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.StringValue(got.AppName) != "myapp" || strings.Join(aws.StringValueSlice(got.BackendEnvironmentList), ",") != "dev,prod" {
		t.Errorf("GetBackend = %v", got)
	}
	if got.AmplifyMetaConfig != nil {
		t.Errorf("AmplifyMetaConfig without an environment: %v", got.AmplifyMetaConfig)
	}

	// Per environment: amplify-meta.json and cli.json.
	dev := getMeta(t, c, "d1abc", "dev")
	prod := getMeta(t, c, "d1abc", "prod")
	p := dev.Providers.AWSCloudFormation
	if !regexp.MustCompile(`^amplify-myapp-dev-[0-9]{6}$`).MatchString(p.StackName) {
		t.Errorf("StackName = %q", p.StackName)
	}
	if p.AuthRoleArn != "arn:aws:iam::000000000000:role/"+p.StackName+"-authRole" || p.Region != "us-east-1" || p.AmplifyAppId != "d1abc" {
		t.Errorf("providers = %+v", p)
	}
	if !strings.HasPrefix(p.StackId, "arn:aws:cloudformation:us-east-1:000000000000:stack/"+p.StackName+"/") {
		t.Errorf("StackId = %q", p.StackId)
	}
	if prod.Providers.AWSCloudFormation.StackName == p.StackName {
		t.Errorf("clone kept the stack name %s", p.StackName)
	}
	if again := getMeta(t, c, "d1abc", "dev"); again.Providers.AWSCloudFormation != p {
		t.Errorf("deployed ids changed between reads: %+v vs %+v", again.Providers.AWSCloudFormation, p)
	}

	// Delete one environment, then remove everything with the app.
	del, err := c.DeleteBackend(&amplifybackend.DeleteBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1abc", "prod", del.JobId)
	got, err = c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1abc")})
	if err != nil || strings.Join(aws.StringValueSlice(got.BackendEnvironmentList), ",") != "dev" {
		t.Fatalf("after DeleteBackend: %v, %v", got, err)
	}
	rm, err := c.RemoveAllBackends(&amplifybackend.RemoveAllBackendsInput{AppId: aws.String("d1abc"), CleanAmplifyApp: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	// The app-wide job is found under any environment name of the app, even removed ones.
	s.mustComplete(c, "d1abc", "prod", rm.JobId)
	s.mustComplete(c, "d1abc", "anything", rm.JobId)
	_, err = c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1abc")})
	wantCode(t, err, "NotFoundException")
	// Jobs keep answering for the removed app.
	list, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, j := range list.Jobs {
		ops = append(ops, aws.StringValue(j.Operation))
	}
	if strings.Join(ops, ",") != "RemoveAllBackends,DeleteBackend" {
		t.Errorf("prod jobs = %v; want RemoveAllBackends,DeleteBackend (newest first)", ops)
	}
}

type metaDoc struct {
	Providers struct {
		AWSCloudFormation struct {
			AuthRoleName, UnauthRoleArn, AuthRoleArn, Region, DeploymentBucketName, UnauthRoleName string
			StackName, StackId, AmplifyAppId                                                       string
		} `json:"awscloudformation"`
	} `json:"providers"`
}

func getMeta(t *testing.T, c *amplifybackend.AmplifyBackend, app, env string) metaDoc {
	t.Helper()
	out, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String(app), BackendEnvironmentName: aws.String(env)})
	if err != nil {
		t.Fatal(err)
	}
	var meta metaDoc
	if err := json.Unmarshal([]byte(aws.StringValue(out.AmplifyMetaConfig)), &meta); err != nil {
		t.Fatalf("AmplifyMetaConfig is not JSON: %v", err)
	}
	var flags struct {
		Features map[string]map[string]any `json:"features"`
	}
	if err := json.Unmarshal([]byte(aws.StringValue(out.AmplifyFeatureFlags)), &flags); err != nil || flags.Features["graphqltransformer"]["transformerversion"] != 2.0 {
		t.Fatalf("AmplifyFeatureFlags = %q (%v)", aws.StringValue(out.AmplifyFeatureFlags), err)
	}
	return meta
}

func TestBackendErrors(t *testing.T) {
	s := startServer(t)
	c := s.client
	s.createBackend(c, "d1abc", "myapp", "dev")

	tests := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"create existing environment", func() error {
			_, err := c.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String("d1abc"), AppName: aws.String("x"), BackendEnvironmentName: aws.String("dev")})
			return err
		}, "BadRequestException", "already exists"},
		{"get missing app", func() error {
			_, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("nope")})
			return err
		}, "NotFoundException", "nope"},
		{"get missing environment", func() error {
			_, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("staging")})
			return err
		}, "NotFoundException", "staging"},
		{"clone missing environment", func() error {
			_, err := c.CloneBackend(&amplifybackend.CloneBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("qa"), TargetEnvironmentName: aws.String("x")})
			return err
		}, "NotFoundException", "qa"},
		{"clone onto existing", func() error {
			_, err := c.CloneBackend(&amplifybackend.CloneBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String("dev")})
			return err
		}, "BadRequestException", "already exists"},
		{"delete missing environment", func() error {
			_, err := c.DeleteBackend(&amplifybackend.DeleteBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("qa")})
			return err
		}, "NotFoundException", "qa"},
		{"remove all of missing app", func() error {
			_, err := c.RemoveAllBackends(&amplifybackend.RemoveAllBackendsInput{AppId: aws.String("nope")})
			return err
		}, "NotFoundException", "nope"},
		{"missing job", func() error {
			_, err := c.GetBackendJob(&amplifybackend.GetBackendJobInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), JobId: aws.String("0000")})
			return err
		}, "NotFoundException", "0000"},
		{"update missing job", func() error {
			_, err := c.UpdateBackendJob(&amplifybackend.UpdateBackendJobInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), JobId: aws.String("0000")})
			return err
		}, "NotFoundException", "0000"},
		{"bad job status", func() error {
			page, _ := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev")})
			_, err := c.UpdateBackendJob(&amplifybackend.UpdateBackendJobInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), JobId: page.Jobs[0].JobId, Status: aws.String("DONE")})
			return err
		}, "BadRequestException", "'status'"},
		{"empty environment of GetBackend", func() error {
			_, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("")})
			return err
		}, "BadRequestException", "'backendEnvironmentName'"},
		{"empty jobId filter", func() error {
			_, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), JobId: aws.String("")})
			return err
		}, "BadRequestException", "'jobId'"},
		{"jobId filter with a slash", func() error {
			_, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), JobId: aws.String("a/b")})
			return err
		}, "BadRequestException", "'jobId'"},
		{"empty operation filter", func() error {
			_, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), Operation: aws.String("")})
			return err
		}, "BadRequestException", "'operation'"},
		{"update to an empty operation", func() error {
			page, _ := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev")})
			_, err := c.UpdateBackendJob(&amplifybackend.UpdateBackendJobInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), JobId: page.Jobs[0].JobId, Operation: aws.String("")})
			return err
		}, "BadRequestException", "'operation'"},
		{"max results too large", func() error {
			_, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), MaxResults: aws.Int64(26)})
			return err
		}, "BadRequestException", "less than or equal to 25"},
		{"tampered next token", func() error {
			_, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), NextToken: aws.String("AAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAA")})
			return err
		}, "BadRequestException", "NextToken"},
		{"environment name with a slash", func() error {
			_, err := c.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String("d1abc"), AppName: aws.String("x"), BackendEnvironmentName: aws.String("a/b")})
			return err
		}, "BadRequestException", "backendEnvironmentName"},
		{"app name too long", func() error {
			_, err := c.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String("d2"), AppName: aws.String(strings.Repeat("x", 256)), BackendEnvironmentName: aws.String("dev")})
			return err
		}, "BadRequestException", "appName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ae := wantCode(t, tt.call(), tt.code)
			if !strings.Contains(ae.Message(), tt.msg) {
				t.Errorf("message %q does not contain %q", ae.Message(), tt.msg)
			}
		})
	}
}

func TestPendingJobRule(t *testing.T) {
	s := startServer(t)
	c := s.client
	s.createBackend(c, "d1abc", "myapp", "dev")
	s.createBackend(c, "d1abc", "myapp", "test")

	first, err := c.CloneBackend(&amplifybackend.CloneBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String("qa")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteBackend(&amplifybackend.DeleteBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev")})
	ae := wantCode(t, err, "BadRequestException")
	want := "ValidationException - An error occurred while processing your request: There is already a pending job for the requested appId: d1abc and backendEnvironmentName: dev, wait for it to complete before creating a new job."
	if ae.Message() != want {
		t.Errorf("message = %q\nwant      %q", ae.Message(), want)
	}
	// Another environment of the app is free...
	other, err := c.DeleteBackend(&amplifybackend.DeleteBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("test")})
	if err != nil {
		t.Fatalf("job for another environment: %v", err)
	}
	// ...but an app-wide job waits for both.
	_, err = c.RemoveAllBackends(&amplifybackend.RemoveAllBackendsInput{AppId: aws.String("d1abc")})
	wantCode(t, err, "BadRequestException")
	s.mustComplete(c, "d1abc", "dev", first.JobId)
	s.mustComplete(c, "d1abc", "test", other.JobId)

	rm, err := c.RemoveAllBackends(&amplifybackend.RemoveAllBackendsInput{AppId: aws.String("d1abc")})
	if err != nil {
		t.Fatal(err)
	}
	// A pending app-wide job counts as pending for every environment, even new ones.
	for _, env := range []string{"dev", "brandnew"} {
		_, err = c.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String("d1abc"), AppName: aws.String("x"), BackendEnvironmentName: aws.String(env)})
		ae := wantCode(t, err, "BadRequestException")
		if !strings.Contains(ae.Message(), "pending job") {
			t.Errorf("%s: %q", env, ae.Message())
		}
	}
	s.mustComplete(c, "d1abc", "dev", rm.JobId)
	got, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1abc")})
	if err != nil {
		t.Fatalf("RemoveAllBackends without CleanAmplifyApp removed the app: %v", err)
	}
	if len(got.BackendEnvironmentList) != 0 {
		t.Errorf("environments left: %v", aws.StringValueSlice(got.BackendEnvironmentList))
	}
}

func TestJobDurationAndUpdateBackendJob(t *testing.T) {
	s := startServer(t, func(m *Main) { m.Config.JobDuration = time.Minute })
	c := s.client
	out, err := c.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String("d1abc"), AppName: aws.String("myapp"), BackendEnvironmentName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	if n := s.runJobs(); n != 0 {
		t.Fatalf("ran %d jobs before they were due", n)
	}
	s.clock.Advance(59 * time.Second)
	if job := s.finish(c, "d1abc", "dev", out.JobId); aws.StringValue(job.Status) != "IN_PROGRESS" {
		t.Fatalf("status after 59s = %s", aws.StringValue(job.Status))
	}
	s.clock.Advance(time.Second)
	job := s.finish(c, "d1abc", "dev", out.JobId)
	if aws.StringValue(job.Status) != "COMPLETED" {
		t.Fatalf("status after 60s = %s", aws.StringValue(job.Status))
	}
	created, _ := strconv.ParseInt(aws.StringValue(job.CreateTime), 10, 64)
	updated, _ := strconv.ParseInt(aws.StringValue(job.UpdateTime), 10, 64)
	if updated-created != 60000 {
		t.Errorf("UpdateTime - CreateTime = %d ms; want 60000", updated-created)
	}

	// A client closes a pending job: it never runs, and the environment is free again.
	del, err := c.DeleteBackend(&amplifybackend.DeleteBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Second)
	upd, err := c.UpdateBackendJob(&amplifybackend.UpdateBackendJobInput{
		AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), JobId: del.JobId,
		Operation: aws.String("DeleteBackendCancelled"), Status: aws.String("FAILED"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.StringValue(upd.Status) != "FAILED" || aws.StringValue(upd.Operation) != "DeleteBackendCancelled" || aws.StringValue(upd.UpdateTime) == aws.StringValue(upd.CreateTime) {
		t.Errorf("UpdateBackendJob = %v", upd)
	}
	s.clock.Advance(time.Hour)
	s.runJobs()
	if _, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev")}); err != nil {
		t.Errorf("the closed DeleteBackend job ran: %v", err)
	}
	if _, err := c.CloneBackend(&amplifybackend.CloneBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String("qa")}); err != nil {
		t.Errorf("environment still blocked after its job was closed: %v", err)
	}
}

func TestJobRechecksPreconditions(t *testing.T) {
	s := startServer(t)
	c := s.client
	s.createBackend(c, "d1abc", "myapp", "dev")
	// Both pass their checks at submission (different environments), but only one can win "qa".
	clone, err := c.CloneBackend(&amplifybackend.CloneBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String("qa")})
	if err != nil {
		t.Fatal(err)
	}
	create, err := c.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String("d1abc"), AppName: aws.String("myapp"), BackendEnvironmentName: aws.String("qa")})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1abc", "dev", clone.JobId)
	job := s.finish(c, "d1abc", "qa", create.JobId)
	if aws.StringValue(job.Status) != "FAILED" || !strings.Contains(aws.StringValue(job.Error), "already exists") {
		t.Errorf("second job = %v; want FAILED saying the environment exists", job)
	}
}

func TestListBackendJobsPagination(t *testing.T) {
	s := startServer(t)
	c := s.client
	s.createBackend(c, "d1abc", "myapp", "dev")
	const clones = 30
	for i := 0; i < clones; i++ {
		out, err := c.CloneBackend(&amplifybackend.CloneBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String(fmt.Sprintf("e%02d", i))})
		if err != nil {
			t.Fatal(err)
		}
		s.clock.Advance(time.Millisecond)
		if i%3 == 0 {
			// Close every third one by hand, for a status filter to find.
			if _, err := c.UpdateBackendJob(&amplifybackend.UpdateBackendJobInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), JobId: out.JobId, Status: aws.String("FAILED")}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		s.mustComplete(c, "d1abc", "dev", out.JobId)
	}
	// The paginator walks every page, newest first.
	var all []*amplifybackend.BackendJobRespObj
	pages := 0
	err := c.ListBackendJobsPages(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), MaxResults: aws.Int64(7)},
		func(p *amplifybackend.ListBackendJobsOutput, last bool) bool {
			pages++
			all = append(all, p.Jobs...)
			return true
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != clones+1 || pages != 5 {
		t.Fatalf("paginator saw %d jobs in %d pages; want %d in 5", len(all), pages, clones+1)
	}
	for i := 1; i < len(all); i++ {
		if aws.StringValue(all[i-1].CreateTime) < aws.StringValue(all[i].CreateTime) {
			t.Fatalf("not newest first at %d", i)
		}
	}
	if aws.StringValue(all[len(all)-1].Operation) != "CreateBackend" {
		t.Errorf("oldest = %s", aws.StringValue(all[len(all)-1].Operation))
	}

	// Filters combine; the default page is 25.
	failed, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), Status: aws.String("FAILED"), Operation: aws.String("CloneBackend")})
	if err != nil {
		t.Fatal(err)
	}
	if len(failed.Jobs) != clones/3 {
		t.Errorf("Status+Operation filter found %d jobs; want %d", len(failed.Jobs), clones/3)
	}
	for _, j := range failed.Jobs {
		if aws.StringValue(j.Status) != "FAILED" || aws.StringValue(j.Operation) != "CloneBackend" {
			t.Errorf("filter let through %v", j)
		}
	}
	none, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), Status: aws.String("FAILED"), Operation: aws.String("CreateBackend")})
	if err != nil || len(none.Jobs) != 0 {
		t.Errorf("filters do not combine: %v %v", none, err)
	}
	byID, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), JobId: all[3].JobId})
	if err != nil || len(byID.Jobs) != 1 || aws.StringValue(byID.Jobs[0].JobId) != aws.StringValue(all[3].JobId) {
		t.Errorf("JobId filter = %v, %v", byID, err)
	}
	first, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev")})
	if err != nil || len(first.Jobs) != 25 || first.NextToken == nil {
		t.Fatalf("default page: %d jobs, token %v, %v", len(first.Jobs), first.NextToken, err)
	}

	// A NextToken is stable under concurrent inserts and bound to its query.
	if _, err := c.CloneBackend(&amplifybackend.CloneBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String("late")}); err != nil {
		t.Fatal(err)
	}
	second, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), NextToken: first.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Jobs) != clones+1-25 || aws.StringValue(second.Jobs[0].JobId) != aws.StringValue(all[25].JobId) {
		t.Errorf("second page after an insert: %d jobs starting %s; want %d starting %s", len(second.Jobs), aws.StringValue(second.Jobs[0].JobId), clones+1-25, aws.StringValue(all[25].JobId))
	}
	_, err = c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), Status: aws.String("COMPLETED"), NextToken: first.NextToken})
	wantCode(t, err, "BadRequestException")
	_, err = c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("e01"), NextToken: first.NextToken})
	wantCode(t, err, "BadRequestException")
}

func TestAccountAndRegionIsolation(t *testing.T) {
	s := startServer(t)
	a := s.clientAs("111111111111", "us-east-1")
	b := s.clientAs("222222222222", "us-east-1")
	aWest := s.clientAs("111111111111", "eu-west-1")
	s.createBackend(a, "d1abc", "apps-of-a", "dev")

	for name, c := range map[string]*amplifybackend.AmplifyBackend{"other account": b, "other region": aWest, "default account": s.client} {
		t.Run(name, func(t *testing.T) {
			_, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1abc")})
			wantCode(t, err, "NotFoundException")
			list, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev")})
			if err != nil || len(list.Jobs) != 0 {
				t.Errorf("sees jobs of another tenant: %v %v", list, err)
			}
			_, err = c.DeleteBackend(&amplifybackend.DeleteBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev")})
			wantCode(t, err, "NotFoundException")
			// The same app id is free to use.
			s.createBackend(c, "d1abc", "own-"+name, "dev")
		})
	}
	got, err := a.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev")})
	if err != nil || aws.StringValue(got.AppName) != "apps-of-a" {
		t.Fatalf("owner's app changed: %v, %v", got, err)
	}
	if !strings.Contains(aws.StringValue(got.AmplifyMetaConfig), "arn:aws:iam::111111111111:role/") {
		t.Errorf("meta does not carry the account: %s", aws.StringValue(got.AmplifyMetaConfig))
	}
	west, err := aWest.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev")})
	if err != nil || !strings.Contains(aws.StringValue(west.AmplifyMetaConfig), `"Region":"eu-west-1"`) {
		t.Errorf("region not carried: %v %v", west, err)
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s := startServerIn(t, dir, func(m *Main) { m.Config.JobDuration = time.Hour })
	out, err := s.client.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String("d1abc"), AppName: aws.String("myapp"), BackendEnvironmentName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Main.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := startServerIn(t, dir)
	s2.clock.Advance(2 * time.Hour)
	s2.mustComplete(s2.client, "d1abc", "dev", out.JobId)
	if _, err := s2.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1abc")}); err != nil {
		t.Fatal(err)
	}
	// A second process cannot open the same data directory.
	m := NewMain()
	m.Config.Addr, m.Config.DataDir, m.LogOutput = "127.0.0.1:0", dir, nil
	if err := m.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "in use") {
		m.Close()
		t.Fatalf("second server on the same directory: %v", err)
	}
}

// TestPendingJobMessages checks the pending-job refusal names the requested app and
// environment whatever blocks it, and what a RemoveAllBackends request names (it has no
// environment of its own): the blocking job's environment, or none when that job is app-wide.
func TestPendingJobMessages(t *testing.T) {
	s := startServer(t)
	c := s.client
	s.createBackend(c, "d1abc", "myapp", "dev")
	msg := func(env string) string {
		clause := ""
		if env != "" {
			clause = " and backendEnvironmentName: " + env
		}
		return "ValidationException - An error occurred while processing your request: There is already a pending job for the requested appId: d1abc" +
			clause + ", wait for it to complete before creating a new job."
	}
	check := func(what string, err error, want string) {
		t.Helper()
		ae := wantCode(t, err, "BadRequestException")
		if ae.Message() != want {
			t.Errorf("%s: message = %q\nwant %q", what, ae.Message(), want)
		}
	}

	// RemoveAllBackends blocked by a job of one environment names that environment.
	clone, err := c.CloneBackend(&amplifybackend.CloneBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String("qa")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.RemoveAllBackends(&amplifybackend.RemoveAllBackendsInput{AppId: aws.String("d1abc")})
	check("RemoveAllBackends behind a job of dev", err, msg("dev"))
	s.mustComplete(c, "d1abc", "dev", clone.JobId)

	rm, err := c.RemoveAllBackends(&amplifybackend.RemoveAllBackendsInput{AppId: aws.String("d1abc")})
	if err != nil {
		t.Fatal(err)
	}
	// A job of an environment behind a pending RemoveAllBackends names the requested
	// environment, not the blocking job's (which has none).
	_, err = c.DeleteBackend(&amplifybackend.DeleteBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("qa")})
	check("DeleteBackend qa behind RemoveAllBackends", err, msg("qa"))
	_, err = c.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String("d1abc"), AppName: aws.String("myapp"), BackendEnvironmentName: aws.String("brandnew")})
	check("CreateBackend brandnew behind RemoveAllBackends", err, msg("brandnew"))
	// RemoveAllBackends behind RemoveAllBackends: no environment to name, and no empty one.
	_, err = c.RemoveAllBackends(&amplifybackend.RemoveAllBackendsInput{AppId: aws.String("d1abc"), CleanAmplifyApp: aws.Bool(true)})
	check("RemoveAllBackends behind RemoveAllBackends", err, msg(""))
	s.mustComplete(c, "d1abc", "dev", rm.JobId)
}
