package main

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/request"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// The tenant-isolation test: account A builds a full backend, then another account and A in
// another region call every operation of the API on A's ids. They must see nothing and change
// nothing; operations that create things create them in the caller's own space. The test
// fails unless every operation of the model was called by each intruder.

// Ids of tenant A's backend.
const (
	isoAccountA = "111111111111"
	isoAccountB = "222222222222"
	isoApp      = "d1iso"
	isoEnv      = "dev"
	isoEnv2     = "prod"
	isoAuth     = "isoauth"
	isoAPI      = "isoapi"
	isoStorage  = "isofiles"
	// isoBucket is the bucket A's storage resource creates; isoSeeded is a bucket of A given
	// at start-up (importable by A only).
	isoBucket = "tenant-a-created-bucket"
	isoSeeded = "tenant-a-seeded-bucket"
)

const isoSchema = "type Note @model @auth(rules: [{allow: public}]) {\n  id: ID!\n  text: String!\n}\n"

// modelOperations returns the operation names of the pinned API model.
func modelOperations(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../../model/amplifybackend-2020-08-11.api.json")
	if err != nil {
		t.Fatal(err)
	}
	var model struct {
		Operations map[string]json.RawMessage `json:"operations"`
	}
	if err := json.Unmarshal(data, &model); err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range model.Operations {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) != 31 {
		t.Fatalf("the model has %d operations; this test was written for 31", len(names))
	}
	return names
}

// opRecorder records operations of the clients it watches: watch counts every one sent,
// watchSuccesses (coverage_e2e_test.go) only those answered 200.
type opRecorder struct {
	mu  sync.Mutex
	ops map[string]int
}

func (r *opRecorder) record(req *request.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ops == nil {
		r.ops = map[string]int{}
	}
	r.ops[req.Operation.Name]++
}

// watch makes c record every operation it sends. The Send handler runs after the SDK's
// parameter validation and signing, so only requests that reached the server count.
func (r *opRecorder) watch(c *amplifybackend.AmplifyBackend) *amplifybackend.AmplifyBackend {
	c.Handlers.Send.PushFront(r.record)
	return c
}

func (r *opRecorder) missing(all []string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, name := range all {
		if r.ops[name] == 0 {
			out = append(out, name)
		}
	}
	return out
}

func isoAuthConfig() *amplifybackend.CreateBackendAuthResourceConfig {
	return &amplifybackend.CreateBackendAuthResourceConfig{
		AuthResources: aws.String("USER_POOL_ONLY"),
		Service:       aws.String("COGNITO"),
		UserPoolConfigs: &amplifybackend.CreateBackendAuthUserPoolConfig{
			RequiredSignUpAttributes: aws.StringSlice([]string{"EMAIL"}),
			SignInMethod:             aws.String("EMAIL"),
			UserPoolName:             aws.String("tenantApool"),
			OAuth: &amplifybackend.CreateBackendAuthOAuthConfig{
				OAuthGrantType:      aws.String("CODE"),
				OAuthScopes:         aws.StringSlice([]string{"OPENID", "EMAIL"}),
				RedirectSignInURIs:  aws.StringSlice([]string{"https://a.example/in"}),
				RedirectSignOutURIs: aws.StringSlice([]string{"https://a.example/out"}),
				SocialProviderSettings: &amplifybackend.SocialProviderSettings{
					Google: &amplifybackend.BackendAuthSocialProviderConfig{ClientId: aws.String("tenant-a-google"), ClientSecret: aws.String("tenant-a-google-secret")},
				},
			},
		},
	}
}

func isoAPIConfig() *amplifybackend.BackendAPIResourceConfig {
	return &amplifybackend.BackendAPIResourceConfig{
		ApiName:         aws.String("tenantAapi"),
		Service:         aws.String("AppSync"),
		TransformSchema: aws.String(isoSchema),
		DefaultAuthType: &amplifybackend.BackendAPIAuthType{
			Mode:     aws.String("API_KEY"),
			Settings: &amplifybackend.BackendAPIAppSyncAuthSettings{ExpirationTime: aws.Float64(7), Description: aws.String("tenant A key")},
		},
	}
}

func isoStorageConfig(bucket string) *amplifybackend.CreateBackendStorageResourceConfig {
	return &amplifybackend.CreateBackendStorageResourceConfig{
		ServiceName: aws.String("S3"),
		BucketName:  aws.String(bucket),
		Permissions: &amplifybackend.BackendStoragePermissions{
			Authenticated:   aws.StringSlice([]string{"READ", "CREATE_AND_UPDATE"}),
			UnAuthenticated: aws.StringSlice([]string{"READ"}),
		},
	}
}

// isoTenant is what tenant A built and the ids an intruder aims at.
type isoTenant struct {
	jobID     string // a job of A in isoEnv
	sessionID string // a challenge token of A
	nextToken string // a ListBackendJobs NextToken of A
}

// setupTenantA builds A's backend: two environments, auth, an API with generated models,
// storage with a created bucket, the Admin UI config, a token and a job history.
func setupTenantA(t *testing.T, s *testServer, a *amplifybackend.AmplifyBackend) isoTenant {
	t.Helper()
	s.createBackend(a, isoApp, "tenant-a-app", isoEnv)
	s.createBackend(a, isoApp, "tenant-a-app", isoEnv2)
	must := func(out *string, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		s.mustComplete(a, isoApp, isoEnv, out)
	}
	auth, err := a.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{AppId: aws.String(isoApp), BackendEnvironmentName: aws.String(isoEnv), ResourceName: aws.String(isoAuth), ResourceConfig: isoAuthConfig()})
	if err != nil {
		t.Fatal(err)
	}
	must(auth.JobId, nil)
	api, err := a.CreateBackendAPI(&amplifybackend.CreateBackendAPIInput{AppId: aws.String(isoApp), BackendEnvironmentName: aws.String(isoEnv), ResourceName: aws.String(isoAPI), ResourceConfig: isoAPIConfig()})
	if err != nil {
		t.Fatal(err)
	}
	must(api.JobId, nil)
	gen, err := a.GenerateBackendAPIModels(&amplifybackend.GenerateBackendAPIModelsInput{AppId: aws.String(isoApp), BackendEnvironmentName: aws.String(isoEnv), ResourceName: aws.String(isoAPI)})
	if err != nil {
		t.Fatal(err)
	}
	must(gen.JobId, nil)
	st, err := a.CreateBackendStorage(&amplifybackend.CreateBackendStorageInput{AppId: aws.String(isoApp), BackendEnvironmentName: aws.String(isoEnv), ResourceName: aws.String(isoStorage), ResourceConfig: isoStorageConfig(isoBucket)})
	if err != nil {
		t.Fatal(err)
	}
	must(st.JobId, nil)
	cfg, err := a.CreateBackendConfig(&amplifybackend.CreateBackendConfigInput{AppId: aws.String(isoApp)})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(a, isoApp, aws.StringValue(cfg.BackendEnvironmentName), cfg.JobId)
	tok, err := a.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String(isoApp)})
	if err != nil {
		t.Fatal(err)
	}
	page, err := a.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String(isoApp), BackendEnvironmentName: aws.String(isoEnv), MaxResults: aws.Int64(1)})
	if err != nil || page.NextToken == nil {
		t.Fatalf("ListBackendJobs of A: %v, %v; want a NextToken", page, err)
	}
	// Every job of A has run: an intruder that runs due jobs must not find one of A's.
	if n := s.runJobs(); n != 0 {
		t.Fatalf("%d jobs of A were still due", n)
	}
	return isoTenant{jobID: aws.StringValue(auth.JobId), sessionID: aws.StringValue(tok.SessionId), nextToken: aws.StringValue(page.NextToken)}
}

// snapshotTenantA reads everything A can read about its backend, as JSON.
func snapshotTenantA(t *testing.T, a *amplifybackend.AmplifyBackend, ten isoTenant) string {
	t.Helper()
	app, env := aws.String(isoApp), aws.String(isoEnv)
	snap := map[string]any{}
	add := func(name string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("A's %s: %v", name, err)
		}
		snap[name] = v
	}
	v1, err := a.GetBackend(&amplifybackend.GetBackendInput{AppId: app})
	add("GetBackend(app)", v1, err)
	for _, e := range []string{isoEnv, isoEnv2} {
		v, err := a.GetBackend(&amplifybackend.GetBackendInput{AppId: app, BackendEnvironmentName: aws.String(e)})
		add("GetBackend("+e+")", v, err)
	}
	v2, err := a.GetBackendAuth(&amplifybackend.GetBackendAuthInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoAuth)})
	add("GetBackendAuth", v2, err)
	v3, err := a.GetBackendAPI(&amplifybackend.GetBackendAPIInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoAPI)})
	add("GetBackendAPI", v3, err)
	v4, err := a.GetBackendAPIModels(&amplifybackend.GetBackendAPIModelsInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoAPI)})
	add("GetBackendAPIModels", v4, err)
	if aws.StringValue(v4.Models) == "" {
		t.Fatalf("A's API has no generated models: %v", v4)
	}
	v5, err := a.GetBackendStorage(&amplifybackend.GetBackendStorageInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoStorage)})
	add("GetBackendStorage", v5, err)
	for _, e := range []string{isoEnv, isoEnv2} {
		var jobs []*amplifybackend.BackendJobRespObj
		var token *string
		for {
			page, err := a.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: app, BackendEnvironmentName: aws.String(e), NextToken: token})
			if err != nil {
				t.Fatalf("A's ListBackendJobs: %v", err)
			}
			jobs = append(jobs, page.Jobs...)
			if token = page.NextToken; token == nil {
				break
			}
		}
		snap["ListBackendJobs("+e+")"] = jobs
	}
	v6, err := a.GetBackendJob(&amplifybackend.GetBackendJobInput{AppId: app, BackendEnvironmentName: env, JobId: aws.String(ten.jobID)})
	add("GetBackendJob", v6, err)
	v7, err := a.ListS3Buckets(&amplifybackend.ListS3BucketsInput{})
	add("ListS3Buckets", v7, err)
	v8, err := a.GetToken(&amplifybackend.GetTokenInput{AppId: app, SessionId: aws.String(ten.sessionID)})
	add("GetToken", v8, err)
	// UpdateBackendConfig with no members changes nothing and answers the config.
	v9, err := a.UpdateBackendConfig(&amplifybackend.UpdateBackendConfigInput{AppId: app})
	add("UpdateBackendConfig(read)", v9, err)
	out, err := json.MarshalIndent(snap, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{isoBucket, isoSeeded, "tenant-a-google-secret", isoAccountA} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("A's snapshot lacks %q; the setup is not what the test expects:\n%s", want, out)
		}
	}
	return string(out)
}

func TestIsolationEveryOperation(t *testing.T) {
	s := startServer(t, func(m *Main) { m.Config.S3Buckets = isoAccountA + ":" + isoSeeded })
	a := s.clientAs(isoAccountA, "us-east-1")
	ten := setupTenantA(t, s, a)
	before := snapshotTenantA(t, a, ten)
	ops := modelOperations(t)

	intruders := []struct {
		name, account, region string
	}{
		{"other account", isoAccountB, "us-east-1"},
		{"same account, other region", isoAccountA, "eu-west-1"},
	}
	for _, in := range intruders {
		t.Run(in.name, func(t *testing.T) {
			rec := &opRecorder{}
			c := rec.watch(s.clientAs(in.account, in.region))
			isoIntrude(t, s, c, in.account, in.region, ten)
			if missing := rec.missing(ops); len(missing) > 0 {
				t.Fatalf("the intruder did not call %d operations of the model: %v", len(missing), missing)
			}
			if after := snapshotTenantA(t, a, ten); after != before {
				t.Fatalf("A's state changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
	// A's Admin UI config still exists (a second CreateBackendConfig is refused).
	_, err := a.CreateBackendConfig(&amplifybackend.CreateBackendConfigInput{AppId: aws.String(isoApp)})
	wantCode(t, err, amplifybackend.ErrCodeBadRequestException)
	if n := s.runJobs(); n != 0 {
		t.Fatalf("%d jobs were left due", n)
	}
	if after := snapshotTenantA(t, a, ten); after != before {
		t.Fatalf("A's state changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// isoIntrude calls every operation as c on tenant A's ids: first while c has nothing of its
// own (everything is NotFound or empty), then the operations that create things, which act in
// c's own space only.
func isoIntrude(t *testing.T, s *testServer, c *amplifybackend.AmplifyBackend, account, region string, ten isoTenant) {
	t.Helper()
	app, env := aws.String(isoApp), aws.String(isoEnv)
	notFound := func(what string, err error) {
		t.Helper()
		ae := wantCode(t, err, amplifybackend.ErrCodeNotFoundException)
		isoNoLeak(t, what, ae.Message(), account)
	}
	emptyJobs := func(what string, in *amplifybackend.ListBackendJobsInput) {
		t.Helper()
		out, err := c.ListBackendJobs(in)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for _, j := range out.Jobs {
			if aws.StringValue(j.JobId) == ten.jobID || strings.Contains(aws.StringValue(j.Operation), "Config") {
				t.Fatalf("%s lists A's job %v", what, j)
			}
		}
		if len(out.Jobs) != 0 || out.NextToken != nil {
			t.Fatalf("%s = %v; want no jobs", what, out)
		}
	}
	noBucketsOfA := func() {
		t.Helper()
		out, err := c.ListS3Buckets(&amplifybackend.ListS3BucketsInput{})
		if err != nil {
			t.Fatalf("ListS3Buckets: %v", err)
		}
		for _, b := range out.Buckets {
			if n := aws.StringValue(b.Name); n == isoBucket || n == isoSeeded {
				t.Fatalf("ListS3Buckets lists A's bucket %s", n)
			}
		}
	}

	// Phase 1: the intruder has nothing; every read and write on A's ids is NotFound.
	_, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: app})
	notFound("GetBackend", err)
	_, err = c.GetBackend(&amplifybackend.GetBackendInput{AppId: app, BackendEnvironmentName: env})
	notFound("GetBackend(env)", err)
	_, err = c.GetBackendAuth(&amplifybackend.GetBackendAuthInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoAuth)})
	notFound("GetBackendAuth", err)
	_, err = c.GetBackendAPI(&amplifybackend.GetBackendAPIInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoAPI)})
	notFound("GetBackendAPI", err)
	_, err = c.GetBackendAPIModels(&amplifybackend.GetBackendAPIModelsInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoAPI)})
	notFound("GetBackendAPIModels", err)
	_, err = c.GetBackendStorage(&amplifybackend.GetBackendStorageInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoStorage)})
	notFound("GetBackendStorage", err)
	_, err = c.GetBackendJob(&amplifybackend.GetBackendJobInput{AppId: app, BackendEnvironmentName: env, JobId: aws.String(ten.jobID)})
	notFound("GetBackendJob", err)
	emptyJobs("ListBackendJobs", &amplifybackend.ListBackendJobsInput{AppId: app, BackendEnvironmentName: env})
	emptyJobs("ListBackendJobs(jobId)", &amplifybackend.ListBackendJobsInput{AppId: app, BackendEnvironmentName: env, JobId: aws.String(ten.jobID)})
	// A's NextToken is bound to A's query: it continues nothing for anyone else.
	_, err = c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: app, BackendEnvironmentName: env, NextToken: aws.String(ten.nextToken)})
	wantCode(t, err, amplifybackend.ErrCodeBadRequestException)
	noBucketsOfA()
	_, err = c.GetToken(&amplifybackend.GetTokenInput{AppId: app, SessionId: aws.String(ten.sessionID)})
	notFound("GetToken", err)
	_, err = c.DeleteToken(&amplifybackend.DeleteTokenInput{AppId: app, SessionId: aws.String(ten.sessionID)})
	notFound("DeleteToken", err)
	_, err = c.UpdateBackendJob(&amplifybackend.UpdateBackendJobInput{AppId: app, BackendEnvironmentName: env, JobId: aws.String(ten.jobID), Status: aws.String("FAILED"), Operation: aws.String("Hijacked")})
	notFound("UpdateBackendJob", err)
	_, err = c.CloneBackend(&amplifybackend.CloneBackendInput{AppId: app, BackendEnvironmentName: env, TargetEnvironmentName: aws.String("stolen")})
	notFound("CloneBackend", err)
	_, err = c.DeleteBackend(&amplifybackend.DeleteBackendInput{AppId: app, BackendEnvironmentName: env})
	notFound("DeleteBackend", err)
	_, err = c.RemoveAllBackends(&amplifybackend.RemoveAllBackendsInput{AppId: app, CleanAmplifyApp: aws.Bool(true)})
	notFound("RemoveAllBackends", err)
	_, err = c.DeleteBackendAuth(&amplifybackend.DeleteBackendAuthInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoAuth)})
	notFound("DeleteBackendAuth", err)
	_, err = c.DeleteBackendAPI(&amplifybackend.DeleteBackendAPIInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoAPI)})
	notFound("DeleteBackendAPI", err)
	_, err = c.DeleteBackendStorage(&amplifybackend.DeleteBackendStorageInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoStorage), ServiceName: aws.String("S3")})
	notFound("DeleteBackendStorage", err)
	_, err = c.UpdateBackendAuth(&amplifybackend.UpdateBackendAuthInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoAuth), ResourceConfig: &amplifybackend.UpdateBackendAuthResourceConfig{
		AuthResources: aws.String("USER_POOL_ONLY"), Service: aws.String("COGNITO"),
		UserPoolConfigs: &amplifybackend.UpdateBackendAuthUserPoolConfig{
			PasswordPolicy: &amplifybackend.UpdateBackendAuthPasswordPolicyConfig{MinimumLength: aws.Float64(6)},
		},
	}})
	notFound("UpdateBackendAuth", err)
	_, err = c.UpdateBackendAPI(&amplifybackend.UpdateBackendAPIInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoAPI), ResourceConfig: isoAPIConfig()})
	notFound("UpdateBackendAPI", err)
	_, err = c.UpdateBackendStorage(&amplifybackend.UpdateBackendStorageInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoStorage), ResourceConfig: &amplifybackend.UpdateBackendStorageResourceConfig{
		ServiceName: aws.String("S3"), Permissions: &amplifybackend.BackendStoragePermissions{Authenticated: aws.StringSlice([]string{"DELETE"})},
	}})
	notFound("UpdateBackendStorage", err)
	_, err = c.GenerateBackendAPIModels(&amplifybackend.GenerateBackendAPIModelsInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoAPI)})
	notFound("GenerateBackendAPIModels", err)
	_, err = c.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("intruderauth"), ResourceConfig: isoAuthConfig()})
	notFound("CreateBackendAuth", err)
	_, err = c.CreateBackendAPI(&amplifybackend.CreateBackendAPIInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("intruderapi"), ResourceConfig: isoAPIConfig()})
	notFound("CreateBackendAPI", err)
	_, err = c.CreateBackendStorage(&amplifybackend.CreateBackendStorageInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("intruderfiles"), ResourceConfig: isoStorageConfig("intruder-" + strings.ReplaceAll(account, "1", "x") + "-" + region)})
	notFound("CreateBackendStorage", err)
	_, err = c.ImportBackendAuth(&amplifybackend.ImportBackendAuthInput{
		AppId: app, BackendEnvironmentName: env,
		UserPoolId: aws.String(region + "_AbC123xyZ"), WebClientId: aws.String("webclient1234567890abcdefg"), NativeClientId: aws.String("nativeclient1234567890abcd"),
	})
	notFound("ImportBackendAuth", err)
	_, err = c.ImportBackendStorage(&amplifybackend.ImportBackendStorageInput{AppId: app, BackendEnvironmentName: env, BucketName: aws.String(isoSeeded), ServiceName: aws.String("S3")})
	notFound("ImportBackendStorage", err)
	_, err = c.UpdateBackendConfig(&amplifybackend.UpdateBackendConfigInput{AppId: app, LoginAuthConfig: &amplifybackend.LoginAuthConfigReqObj{AwsUserPoolsWebClientId: aws.String("hijacked")}})
	notFound("UpdateBackendConfig", err)
	_, err = c.RemoveBackendConfig(&amplifybackend.RemoveBackendConfigInput{AppId: app})
	notFound("RemoveBackendConfig", err)
	_, err = c.CreateToken(&amplifybackend.CreateTokenInput{AppId: app})
	notFound("CreateToken", err)
	if n := s.runJobs(); n != 0 {
		t.Fatalf("refused requests left %d jobs", n)
	}

	// Phase 2: the same ids are free in the intruder's own space.
	created, err := c.CreateBackend(&amplifybackend.CreateBackendInput{AppId: app, AppName: aws.String("intruder-app"), BackendEnvironmentName: env})
	if err != nil {
		t.Fatalf("CreateBackend with A's app id in the intruder's space: %v", err)
	}
	s.mustComplete(c, isoApp, isoEnv, created.JobId)
	own, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: app, BackendEnvironmentName: env})
	if err != nil || aws.StringValue(own.AppName) != "intruder-app" {
		t.Fatalf("the intruder's own app: %v, %v", own, err)
	}
	meta := aws.StringValue(own.AmplifyMetaConfig)
	if !strings.Contains(meta, account) || !strings.Contains(meta, region) {
		t.Errorf("the intruder's amplify-meta does not name its own account and region: %s", meta)
	}
	if account != isoAccountA && strings.Contains(meta, isoAccountA) {
		t.Errorf("the intruder's amplify-meta names A's account: %s", meta)
	}
	// A's job, token and resources stay invisible next to the intruder's own app.
	_, err = c.GetBackendJob(&amplifybackend.GetBackendJobInput{AppId: app, BackendEnvironmentName: env, JobId: aws.String(ten.jobID)})
	notFound("GetBackendJob (own app)", err)
	jobs, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: app, BackendEnvironmentName: env})
	if err != nil || len(jobs.Jobs) != 1 || aws.StringValue(jobs.Jobs[0].JobId) != aws.StringValue(created.JobId) {
		t.Fatalf("ListBackendJobs (own app) = %v, %v; want only the intruder's CreateBackend", jobs, err)
	}
	_, err = c.GetBackendAuth(&amplifybackend.GetBackendAuthInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoAuth)})
	notFound("GetBackendAuth (own app)", err)
	_, err = c.GetBackendStorage(&amplifybackend.GetBackendStorageInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String(isoStorage)})
	notFound("GetBackendStorage (own app)", err)
	_, err = c.GetToken(&amplifybackend.GetTokenInput{AppId: app, SessionId: aws.String(ten.sessionID)})
	notFound("GetToken (own app)", err)
	// Storage needs auth: the intruder adds its own, so that what follows meets the bucket
	// checks and not the missing auth.
	ownAuth, err := c.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("intruderauth"), ResourceConfig: isoAuthConfig()})
	if err != nil {
		t.Fatalf("CreateBackendAuth in the intruder's space: %v", err)
	}
	s.mustComplete(c, isoApp, isoEnv, ownAuth.JobId)
	// A's buckets cannot be imported: not the seeded one, not the created one, whose owner
	// (A's app) must not be named.
	for _, b := range []string{isoSeeded, isoBucket} {
		_, err = c.ImportBackendStorage(&amplifybackend.ImportBackendStorageInput{AppId: app, BackendEnvironmentName: env, BucketName: aws.String(b), ServiceName: aws.String("S3")})
		notFound("ImportBackendStorage "+b+" (own app)", err)
	}
	// Bucket names are global, as in S3: A's name is taken, and the refusal says no more.
	_, err = c.CreateBackendStorage(&amplifybackend.CreateBackendStorageInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("intruderfiles"), ResourceConfig: isoStorageConfig(isoBucket)})
	ae := wantCode(t, err, amplifybackend.ErrCodeBadRequestException)
	isoNoLeak(t, "CreateBackendStorage with A's bucket name", ae.Message(), account)
	noBucketsOfA()

	cfg, err := c.CreateBackendConfig(&amplifybackend.CreateBackendConfigInput{AppId: app})
	if err != nil {
		t.Fatalf("CreateBackendConfig in the intruder's space: %v", err)
	}
	s.mustComplete(c, isoApp, aws.StringValue(cfg.BackendEnvironmentName), cfg.JobId)
	tok, err := c.CreateToken(&amplifybackend.CreateTokenInput{AppId: app})
	if err != nil {
		t.Fatalf("CreateToken in the intruder's space: %v", err)
	}
	if aws.StringValue(tok.SessionId) == ten.sessionID {
		t.Fatal("the intruder's token has A's session id")
	}
	// The intruder tears down its own app; A's stays (checked by the caller).
	rm, err := c.RemoveAllBackends(&amplifybackend.RemoveAllBackendsInput{AppId: app, CleanAmplifyApp: aws.Bool(true)})
	if err != nil {
		t.Fatalf("RemoveAllBackends of the intruder's own app: %v", err)
	}
	s.mustComplete(c, isoApp, isoEnv, rm.JobId)
	_, err = c.GetBackend(&amplifybackend.GetBackendInput{AppId: app})
	notFound("GetBackend after the intruder's RemoveAllBackends", err)
}

// isoNoLeak fails if an error message shown to an intruder names tenant A's account, or A's
// secrets, where the intruder is another account.
func isoNoLeak(t *testing.T, what, msg, account string) {
	t.Helper()
	if account != isoAccountA && strings.Contains(msg, isoAccountA) {
		t.Errorf("%s: the message names A's account: %q", what, msg)
	}
	for _, secret := range []string{"tenant-a-google-secret", "tenant-a-app", "tenantApool"} {
		if strings.Contains(msg, secret) {
			t.Errorf("%s: the message names A's %q: %q", what, secret, msg)
		}
	}
}
