package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

const apiTodoSchema = "type Todo @model @auth(rules: [{allow: public}]) {\n  id: ID!\n  name: String!\n  due: AWSDateTime\n}\n"

// apiResourceConfig returns an API config with schema, the first mode as the default auth
// type and the others as additional ones.
func apiResourceConfig(schema string, modes ...string) *amplifybackend.BackendAPIResourceConfig {
	c := &amplifybackend.BackendAPIResourceConfig{ApiName: aws.String("todos"), Service: aws.String("AppSync"), TransformSchema: aws.String(schema)}
	for i, m := range modes {
		at := &amplifybackend.BackendAPIAuthType{Mode: aws.String(m)}
		if m == "API_KEY" {
			at.Settings = &amplifybackend.BackendAPIAppSyncAuthSettings{ExpirationTime: aws.Float64(30), Description: aws.String("demo key")}
		}
		if i == 0 {
			c.DefaultAuthType = at
		} else {
			c.AdditionalAuthTypes = append(c.AdditionalAuthTypes, at)
		}
	}
	return c
}

func (s *testServer) apiSubmit(c *amplifybackend.AmplifyBackend, appID, env, name string, cfg *amplifybackend.BackendAPIResourceConfig) *amplifybackend.CreateBackendAPIOutput {
	s.t.Helper()
	out, err := c.CreateBackendAPI(&amplifybackend.CreateBackendAPIInput{
		AppId: aws.String(appID), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name), ResourceConfig: cfg,
	})
	if err != nil {
		s.t.Fatalf("CreateBackendAPI: %v", err)
	}
	return out
}

func (s *testServer) apiCreate(c *amplifybackend.AmplifyBackend, appID, env, name string, cfg *amplifybackend.BackendAPIResourceConfig) {
	s.t.Helper()
	s.mustComplete(c, appID, env, s.apiSubmit(c, appID, env, name, cfg).JobId)
}

func (s *testServer) apiUpdate(appID, env, name string, cfg *amplifybackend.BackendAPIResourceConfig) *amplifybackend.GetBackendJobOutput {
	s.t.Helper()
	out, err := s.client.UpdateBackendAPI(&amplifybackend.UpdateBackendAPIInput{
		AppId: aws.String(appID), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name), ResourceConfig: cfg,
	})
	if err != nil {
		s.t.Fatalf("UpdateBackendAPI: %v", err)
	}
	return s.finish(s.client, appID, env, out.JobId)
}

func (s *testServer) apiGet(appID, env, name string) *amplifybackend.GetBackendAPIOutput {
	s.t.Helper()
	out, err := s.client.GetBackendAPI(&amplifybackend.GetBackendAPIInput{AppId: aws.String(appID), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name)})
	if err != nil {
		s.t.Fatalf("GetBackendAPI: %v", err)
	}
	return out
}

func (s *testServer) apiGetModels(appID, env, name string) *amplifybackend.GetBackendAPIModelsOutput {
	s.t.Helper()
	out, err := s.client.GetBackendAPIModels(&amplifybackend.GetBackendAPIModelsInput{AppId: aws.String(appID), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name)})
	if err != nil {
		s.t.Fatalf("GetBackendAPIModels: %v", err)
	}
	return out
}

func (s *testServer) apiGenerateModels(appID, env, name string) *amplifybackend.GetBackendJobOutput {
	s.t.Helper()
	out, err := s.client.GenerateBackendAPIModels(&amplifybackend.GenerateBackendAPIModelsInput{AppId: aws.String(appID), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name)})
	if err != nil {
		s.t.Fatalf("GenerateBackendAPIModels: %v", err)
	}
	if aws.StringValue(out.Operation) != "GenerateBackendAPIModels" || aws.StringValue(out.Status) != "IN_PROGRESS" {
		s.t.Fatalf("GenerateBackendAPIModels answered %v", out)
	}
	return s.finish(s.client, appID, env, out.JobId)
}

// apiMetaSection returns one category (auth, api, storage) of an environment's amplify-meta.json,
// as c sees it.
func (s *testServer) apiMetaSection(c *amplifybackend.AmplifyBackend, appID, env, category string) map[string]any {
	s.t.Helper()
	out, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String(appID), BackendEnvironmentName: aws.String(env)})
	if err != nil {
		s.t.Fatalf("GetBackend %s/%s: %v", appID, env, err)
	}
	var meta map[string]any
	if err := json.Unmarshal([]byte(aws.StringValue(out.AmplifyMetaConfig)), &meta); err != nil {
		s.t.Fatalf("AmplifyMetaConfig is not JSON: %v", err)
	}
	section, _ := meta[category].(map[string]any)
	return section
}

// apiMetaOutput returns <category>.<name>.output of amplify-meta.json; nil if there is no entry.
func (s *testServer) apiMetaOutput(c *amplifybackend.AmplifyBackend, appID, env, category, name string) map[string]any {
	s.t.Helper()
	entry, _ := s.apiMetaSection(c, appID, env, category)[name].(map[string]any)
	out, _ := entry["output"].(map[string]any)
	return out
}

// apiWantNotFound fails unless err is a NotFoundException whose resourceType is resourceType.
func apiWantNotFound(t testing.TB, err error, resourceType string) {
	t.Helper()
	var nf *amplifybackend.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("error = %v; want NotFoundException (%s)", err, resourceType)
	}
	if got := aws.StringValue(nf.ResourceType); got != resourceType {
		t.Fatalf("NotFoundException resourceType = %q (%s); want %q", got, nf.Message(), resourceType)
	}
}

// apiWantBadRequest fails unless err is a BadRequestException whose message contains fragment.
func apiWantBadRequest(t testing.TB, err error, fragment string) {
	t.Helper()
	ae := wantCode(t, err, amplifybackend.ErrCodeBadRequestException)
	if !strings.Contains(ae.Message(), fragment) {
		t.Fatalf("BadRequestException message %q; want it to contain %q", ae.Message(), fragment)
	}
}

var (
	apiAppSyncIDRE       = regexp.MustCompile(`^[a-z0-9]{26}$`)
	apiAppSyncEndpointRE = regexp.MustCompile(`^https://[a-z0-9]{26}\.appsync-api\.us-east-1\.amazonaws\.com/graphql$`)
	apiAppSyncKeyRE      = regexp.MustCompile(`^da2-[a-z0-9]{26}$`)
)

func TestAPILifecycle(t *testing.T) {
	s := startServer(t)
	c := s.client
	s.createBackend(c, "d1abc", "myapp", "dev")

	created := s.apiSubmit(c, "d1abc", "dev", "todoapi", apiResourceConfig(apiTodoSchema, "API_KEY", "AWS_IAM"))
	if aws.StringValue(created.Status) != "IN_PROGRESS" || aws.StringValue(created.Operation) != "CreateBackendAPI" ||
		aws.StringValue(created.AppId) != "d1abc" || aws.StringValue(created.BackendEnvironmentName) != "dev" || created.JobId == nil {
		t.Fatalf("CreateBackendAPI answered %v", created)
	}
	// Until the job runs, the API does not exist.
	_, err := c.GetBackendAPI(&amplifybackend.GetBackendAPIInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("todoapi")})
	apiWantNotFound(t, err, "api")
	s.mustComplete(c, "d1abc", "dev", created.JobId)

	got := s.apiGet("d1abc", "dev", "todoapi")
	rc := got.ResourceConfig
	if aws.StringValue(got.ResourceName) != "todoapi" || aws.StringValue(got.AppId) != "d1abc" || aws.StringValue(got.BackendEnvironmentName) != "dev" ||
		aws.StringValue(rc.TransformSchema) != apiTodoSchema || aws.StringValue(rc.ApiName) != "todos" || aws.StringValue(rc.Service) != "AppSync" ||
		aws.StringValue(rc.DefaultAuthType.Mode) != "API_KEY" || aws.Float64Value(rc.DefaultAuthType.Settings.ExpirationTime) != 30 ||
		aws.StringValue(rc.DefaultAuthType.Settings.Description) != "demo key" ||
		len(rc.AdditionalAuthTypes) != 1 || aws.StringValue(rc.AdditionalAuthTypes[0].Mode) != "AWS_IAM" {
		t.Fatalf("GetBackendAPI = %v", got)
	}
	// The wire names of the stored configuration.
	_, body := s.raw("POST", "/backend/d1abc/api/dev/details", `{"resourceName":"todoapi"}`, nil)
	for _, want := range []string{`"resourceName":"todoapi"`, `"resourceConfig":{`, `"transformSchema":`, `"defaultAuthType":{`, `"mode":"API_KEY"`, `"expirationTime":30`, `"additionalAuthTypes":[{"mode":"AWS_IAM"}]`, `"apiName":"todos"`} {
		if !strings.Contains(body, want) {
			t.Fatalf("GetBackendAPI body lacks %s:\n%s", want, body)
		}
	}

	api := s.apiMetaSection(c, "d1abc", "dev", "api")["todoapi"].(map[string]any)
	out := api["output"].(map[string]any)
	if api["service"] != "AppSync" || api["providerPlugin"] != "awscloudformation" ||
		!apiAppSyncIDRE.MatchString(fmt.Sprint(out["GraphQLAPIIdOutput"])) || !apiAppSyncEndpointRE.MatchString(fmt.Sprint(out["GraphQLAPIEndpointOutput"])) ||
		!apiAppSyncKeyRE.MatchString(fmt.Sprint(out["GraphQLAPIKeyOutput"])) {
		t.Fatalf("amplify-meta api.todoapi = %v", api)
	}
	authConfig, _ := json.Marshal(out["authConfig"])
	wantAuthConfig := `{"additionalAuthenticationProviders":[{"authenticationType":"AWS_IAM"}],"defaultAuthentication":{"apiKeyConfig":{"apiKeyExpirationDays":30,"description":"demo key"},"authenticationType":"API_KEY"}}`
	if string(authConfig) != wantAuthConfig {
		t.Fatalf("authConfig = %s; want %s", authConfig, wantAuthConfig)
	}
	if deps, _ := api["dependsOn"].([]any); len(deps) != 0 {
		t.Fatalf("dependsOn = %v; want [] without user pools", deps)
	}

	// Update merges: a new default mode and an explicitly emptied list; the schema and the
	// name stay. Without API_KEY the key output goes; the API id and endpoint stay.
	job := s.apiUpdate("d1abc", "dev", "todoapi", &amplifybackend.BackendAPIResourceConfig{
		DefaultAuthType:     &amplifybackend.BackendAPIAuthType{Mode: aws.String("AWS_IAM")},
		AdditionalAuthTypes: []*amplifybackend.BackendAPIAuthType{},
	})
	if aws.StringValue(job.Status) != "COMPLETED" || aws.StringValue(job.Operation) != "UpdateBackendAPI" {
		t.Fatalf("UpdateBackendAPI job %v", job)
	}
	// Objects merge member by member (the settings stay), lists are replaced whole.
	rc = s.apiGet("d1abc", "dev", "todoapi").ResourceConfig
	if aws.StringValue(rc.DefaultAuthType.Mode) != "AWS_IAM" || aws.StringValue(rc.DefaultAuthType.Settings.Description) != "demo key" || len(rc.AdditionalAuthTypes) != 0 ||
		aws.StringValue(rc.TransformSchema) != apiTodoSchema || aws.StringValue(rc.ApiName) != "todos" {
		t.Fatalf("after update GetBackendAPI config = %v", rc)
	}
	out2 := s.apiMetaOutput(c, "d1abc", "dev", "api", "todoapi")
	if out2["GraphQLAPIIdOutput"] != out["GraphQLAPIIdOutput"] || out2["GraphQLAPIEndpointOutput"] != out["GraphQLAPIEndpointOutput"] {
		t.Fatalf("update changed the API's ids: %v -> %v", out, out2)
	}
	if _, ok := out2["GraphQLAPIKeyOutput"]; ok {
		t.Fatalf("GraphQLAPIKeyOutput stays without API_KEY: %v", out2)
	}
	// An update without a resourceConfig is a job that changes nothing.
	if job := s.apiUpdate("d1abc", "dev", "todoapi", nil); aws.StringValue(job.Status) != "COMPLETED" {
		t.Fatalf("empty update: %v", job)
	}
	// API_KEY back: a new key.
	s.apiUpdate("d1abc", "dev", "todoapi", &amplifybackend.BackendAPIResourceConfig{AdditionalAuthTypes: []*amplifybackend.BackendAPIAuthType{{Mode: aws.String("API_KEY")}}})
	out3 := s.apiMetaOutput(c, "d1abc", "dev", "api", "todoapi")
	if !apiAppSyncKeyRE.MatchString(fmt.Sprint(out3["GraphQLAPIKeyOutput"])) || out3["GraphQLAPIKeyOutput"] == out["GraphQLAPIKeyOutput"] {
		t.Fatalf("API key after re-adding API_KEY: %v (before %v)", out3["GraphQLAPIKeyOutput"], out["GraphQLAPIKeyOutput"])
	}

	del, err := c.DeleteBackendAPI(&amplifybackend.DeleteBackendAPIInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("todoapi")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.StringValue(del.Operation) != "DeleteBackendAPI" || aws.StringValue(del.Status) != "IN_PROGRESS" {
		t.Fatalf("DeleteBackendAPI answered %v", del)
	}
	s.apiGet("d1abc", "dev", "todoapi") // still there until the job runs
	s.mustComplete(c, "d1abc", "dev", del.JobId)
	_, err = c.GetBackendAPI(&amplifybackend.GetBackendAPIInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("todoapi")})
	apiWantNotFound(t, err, "api")
	if section := s.apiMetaSection(c, "d1abc", "dev", "api"); section != nil {
		t.Fatalf("amplify-meta keeps an api section after delete: %v", section)
	}
	// The environment can have an API again.
	s.apiCreate(c, "d1abc", "dev", "second", apiResourceConfig(apiTodoSchema, "AWS_IAM"))
}

func TestAPISchemaFailsJob(t *testing.T) {
	s := startServer(t)
	c := s.client
	s.createBackend(c, "d1abc", "myapp", "dev")

	// A schema that does not validate fails the create job, with line and column.
	bad := "type Todo @model {\n  id: ID!\n  name: Strin\n}\n"
	job := s.finish(c, "d1abc", "dev", s.apiSubmit(c, "d1abc", "dev", "todoapi", apiResourceConfig(bad, "API_KEY")).JobId)
	if aws.StringValue(job.Status) != "FAILED" || !strings.Contains(aws.StringValue(job.Error), "schema.graphql:3:9: Undefined type Strin.") {
		t.Fatalf("create with a bad schema: job %s, error %q", aws.StringValue(job.Status), aws.StringValue(job.Error))
	}
	_, err := c.GetBackendAPI(&amplifybackend.GetBackendAPIInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("todoapi")})
	apiWantNotFound(t, err, "api")

	s.apiCreate(c, "d1abc", "dev", "todoapi", apiResourceConfig(apiTodoSchema, "API_KEY"))
	before := s.apiMetaOutput(c, "d1abc", "dev", "api", "todoapi")
	for _, tc := range []struct{ schema, wantErr string }{
		{"type Todo @model {\n  id: ID!\n  name String\n}\n", "schema.graphql:3:8: Expected :, found Name"},
		{"type Todo @model(queries: {list: 5}) {\n  id: ID!\n}\n", "schema.graphql:1:34: String cannot represent value: 5"},
		{"type Todo @model @key(fields: [\"id\"]) {\n  id: ID!\n}\n", "schema.graphql:1:19: Undefined directive key."},
		{"type Todo @model(query: null) {\n  id: ID!\n}\n", "schema.graphql:1:18: Undefined argument query for directive model."},
	} {
		job := s.apiUpdate("d1abc", "dev", "todoapi", &amplifybackend.BackendAPIResourceConfig{TransformSchema: aws.String(tc.schema), ApiName: aws.String("renamed")})
		if aws.StringValue(job.Status) != "FAILED" || !strings.Contains(aws.StringValue(job.Error), tc.wantErr) {
			t.Fatalf("update with %q: job %s, error %q; want FAILED with %q", tc.schema, aws.StringValue(job.Status), aws.StringValue(job.Error), tc.wantErr)
		}
		// The failed job changed nothing: the old schema, the old name, the old ids.
		rc := s.apiGet("d1abc", "dev", "todoapi").ResourceConfig
		if aws.StringValue(rc.TransformSchema) != apiTodoSchema || aws.StringValue(rc.ApiName) != "todos" {
			t.Fatalf("after a failed update GetBackendAPI = %v", rc)
		}
		if after := s.apiMetaOutput(c, "d1abc", "dev", "api", "todoapi"); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("a failed update changed amplify-meta: %v -> %v", before, after)
		}
	}
	if m := s.apiGetModels("d1abc", "dev", "todoapi"); aws.StringValue(m.Status) != "STALE" || aws.StringValue(m.Models) != "" {
		t.Fatalf("models after failed updates: %v", m)
	}
}

func TestAPIModels(t *testing.T) {
	s := startServer(t)
	c := s.client
	s.createBackend(c, "d1abc", "myapp", "dev")
	s.apiCreate(c, "d1abc", "dev", "todoapi", apiResourceConfig(apiTodoSchema, "API_KEY"))

	// Before any generation: empty models, STALE; the members are there, as empty strings.
	m := s.apiGetModels("d1abc", "dev", "todoapi")
	if aws.StringValue(m.Status) != "STALE" || m.Models == nil || *m.Models != "" || m.ModelIntrospectionSchema == nil || *m.ModelIntrospectionSchema != "" {
		t.Fatalf("GetBackendAPIModels before generation = %v", m)
	}
	_, body := s.raw("POST", "/backend/d1abc/api/dev/getModels", `{"resourceName":"todoapi"}`, nil)
	if body != `{"models":"","status":"STALE","modelIntrospectionSchema":""}` {
		t.Fatalf("GetBackendAPIModels body = %s", body)
	}

	// Without a generator the operation is not available.
	s.Service.GenerateModels = nil
	_, err := c.GenerateBackendAPIModels(&amplifybackend.GenerateBackendAPIModelsInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("todoapi")})
	if ae := wantCode(t, err, "NotImplementedException"); !strings.Contains(ae.Message(), "model generator") {
		t.Fatalf("message %q", ae.Message())
	}

	// A fake generator that shows which schema it was given.
	var calls []string
	s.Service.GenerateModels = func(_ context.Context, schema string) (*amplify.GeneratedModels, error) {
		calls = append(calls, schema)
		switch {
		case strings.Contains(schema, "FAIL"):
			return nil, errors.New("cannot model FAIL")
		case strings.Contains(schema, "PANIC"):
			panic("generator bug")
		}
		models, _ := json.Marshal(map[string]string{"schema": schema})
		return &amplify.GeneratedModels{Models: string(models), Introspection: `{"version":1}`}, nil
	}
	if job := s.apiGenerateModels("d1abc", "dev", "todoapi"); aws.StringValue(job.Status) != "COMPLETED" {
		t.Fatalf("GenerateBackendAPIModels job %s: %s", aws.StringValue(job.Status), aws.StringValue(job.Error))
	}
	modelsOf := func(schema string) string {
		b, _ := json.Marshal(map[string]string{"schema": schema})
		return string(b)
	}
	m = s.apiGetModels("d1abc", "dev", "todoapi")
	if aws.StringValue(m.Status) != "LATEST" || aws.StringValue(m.Models) != modelsOf(apiTodoSchema) || aws.StringValue(m.ModelIntrospectionSchema) != `{"version":1}` {
		t.Fatalf("after generation = %v", m)
	}

	// A change that is not the schema keeps the models LATEST.
	s.apiUpdate("d1abc", "dev", "todoapi", &amplifybackend.BackendAPIResourceConfig{ApiName: aws.String("other")})
	if m := s.apiGetModels("d1abc", "dev", "todoapi"); aws.StringValue(m.Status) != "LATEST" {
		t.Fatalf("after a name change: %v", m)
	}
	// A schema change makes them STALE; they stay readable until the next generation.
	schema2 := apiTodoSchema + "type Note @model {\n  id: ID!\n  text: String\n}\n"
	s.apiUpdate("d1abc", "dev", "todoapi", &amplifybackend.BackendAPIResourceConfig{TransformSchema: aws.String(schema2)})
	m = s.apiGetModels("d1abc", "dev", "todoapi")
	if aws.StringValue(m.Status) != "STALE" || aws.StringValue(m.Models) != modelsOf(apiTodoSchema) {
		t.Fatalf("after a schema change = %v", m)
	}
	s.apiGenerateModels("d1abc", "dev", "todoapi")
	m = s.apiGetModels("d1abc", "dev", "todoapi")
	if aws.StringValue(m.Status) != "LATEST" || aws.StringValue(m.Models) != modelsOf(schema2) {
		t.Fatalf("after the second generation = %v", m)
	}
	// Changing the schema back and forth still counts as a change.
	s.apiUpdate("d1abc", "dev", "todoapi", &amplifybackend.BackendAPIResourceConfig{TransformSchema: aws.String(apiTodoSchema)})
	s.apiUpdate("d1abc", "dev", "todoapi", &amplifybackend.BackendAPIResourceConfig{TransformSchema: aws.String(schema2)})
	if m := s.apiGetModels("d1abc", "dev", "todoapi"); aws.StringValue(m.Status) != "STALE" {
		t.Fatalf("after two schema changes: %v", m)
	}
	s.apiGenerateModels("d1abc", "dev", "todoapi")

	// A generator error, or panic, fails the job with its message and keeps the old models.
	for _, word := range []string{"FAIL", "PANIC"} {
		schema := apiTodoSchema + "type " + word + " @model {\n  id: ID!\n}\n"
		s.apiUpdate("d1abc", "dev", "todoapi", &amplifybackend.BackendAPIResourceConfig{TransformSchema: aws.String(schema)})
		job := s.apiGenerateModels("d1abc", "dev", "todoapi")
		want := map[string]string{"FAIL": "cannot model FAIL", "PANIC": "generator bug"}[word]
		if aws.StringValue(job.Status) != "FAILED" || !strings.Contains(aws.StringValue(job.Error), want) {
			t.Fatalf("generation of %s: job %s, error %q", word, aws.StringValue(job.Status), aws.StringValue(job.Error))
		}
		if m := s.apiGetModels("d1abc", "dev", "todoapi"); aws.StringValue(m.Status) != "STALE" || aws.StringValue(m.Models) != modelsOf(schema2) {
			t.Fatalf("after a failed generation: %v", m)
		}
	}
	if len(calls) != 5 || calls[0] != apiTodoSchema || calls[1] != schema2 {
		t.Fatalf("generator calls: %d %q", len(calls), calls)
	}
}

// TestAPIUserPools: an API that authorizes with Cognito user pools needs the environment's
// auth (its job fails without, as the Amplify CLI refuses it) and carries that auth's user
// pool id in its stored config and in amplify-meta.json; a clone carries the clone's pool.
func TestAPIUserPools(t *testing.T) {
	s := startServer(t)
	c := s.client
	s.createBackend(c, "d1abc", "myapp", "dev")

	// Without an auth resource, the request is accepted and its job fails, saying why.
	created := s.apiSubmit(c, "d1abc", "dev", "todoapi", apiResourceConfig(apiTodoSchema, "API_KEY", "AMAZON_COGNITO_USER_POOLS"))
	job := s.finish(c, "d1abc", "dev", created.JobId)
	if aws.StringValue(job.Status) != "FAILED" || !strings.Contains(aws.StringValue(job.Error), "add auth first") {
		t.Fatalf("CreateBackendAPI with user pools and no auth: %s %q; want FAILED saying to add auth first", aws.StringValue(job.Status), aws.StringValue(job.Error))
	}
	_, err := c.GetBackendAPI(&amplifybackend.GetBackendAPIInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("todoapi")})
	wantCode(t, err, "NotFoundException")

	s.apiCreate(c, "d1abc", "dev", "todoapi", apiResourceConfig(apiTodoSchema, "API_KEY"))
	userPools := &amplifybackend.BackendAPIResourceConfig{DefaultAuthType: &amplifybackend.BackendAPIAuthType{
		Mode: aws.String("AMAZON_COGNITO_USER_POOLS"), Settings: &amplifybackend.BackendAPIAppSyncAuthSettings{CognitoUserPoolId: aws.String("us-east-1_abc")},
	}}
	job = s.apiUpdate("d1abc", "dev", "todoapi", userPools)
	if aws.StringValue(job.Status) != "FAILED" || !strings.Contains(aws.StringValue(job.Error), "add auth first") {
		t.Fatalf("UpdateBackendAPI to user pools without auth: %s %q; want FAILED saying to add auth first", aws.StringValue(job.Status), aws.StringValue(job.Error))
	}

	auth, err := c.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{
		AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("myauth"),
		ResourceConfig: &amplifybackend.CreateBackendAuthResourceConfig{
			AuthResources: aws.String("USER_POOL_ONLY"), Service: aws.String("COGNITO"),
			UserPoolConfigs: &amplifybackend.CreateBackendAuthUserPoolConfig{
				RequiredSignUpAttributes: aws.StringSlice([]string{"EMAIL"}), SignInMethod: aws.String("EMAIL"), UserPoolName: aws.String("pool1"),
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1abc", "dev", auth.JobId)

	userPools.AdditionalAuthTypes = []*amplifybackend.BackendAPIAuthType{{Mode: aws.String("AMAZON_COGNITO_USER_POOLS")}}
	userPools.DefaultAuthType.Mode = aws.String("AMAZON_COGNITO_USER_POOLS")
	if job := s.apiUpdate("d1abc", "dev", "todoapi", userPools); aws.StringValue(job.Status) != "COMPLETED" {
		t.Fatalf("update to user pools: %v", job)
	}
	// checkPool checks that env's API uses env's user pool, in the stored config and in
	// amplify-meta.json, and returns the pool id.
	checkPool := func(env string) string {
		t.Helper()
		pool, _ := s.apiMetaOutput(c, "d1abc", env, "auth", "myauth")["UserPoolId"].(string)
		if pool == "" {
			t.Fatalf("%s: the auth resource has no UserPoolId", env)
		}
		api := s.apiMetaSection(c, "d1abc", env, "api")["todoapi"].(map[string]any)
		deps, _ := json.Marshal(api["dependsOn"])
		if string(deps) != `[{"attributes":["UserPoolId"],"category":"auth","resourceName":"myauth"}]` {
			t.Fatalf("%s: api dependsOn = %s", env, deps)
		}
		ac := api["output"].(map[string]any)["authConfig"].(map[string]any)
		def := ac["defaultAuthentication"].(map[string]any)
		if def["authenticationType"] != "AMAZON_COGNITO_USER_POOLS" || fmt.Sprint(def["userPoolConfig"]) != "map[userPoolId:"+pool+"]" {
			t.Fatalf("%s: defaultAuthentication = %v; want the pool %s", env, def, pool)
		}
		add := ac["additionalAuthenticationProviders"].([]any)[0].(map[string]any)
		if fmt.Sprint(add["userPoolConfig"]) != "map[userPoolId:"+pool+"]" {
			t.Fatalf("%s: additionalAuthenticationProviders[0] = %v; want the pool %s", env, add, pool)
		}
		cfg := s.apiGet("d1abc", env, "todoapi").ResourceConfig
		if got := aws.StringValue(cfg.DefaultAuthType.Settings.CognitoUserPoolId); got != pool {
			t.Fatalf("%s: stored defaultAuthType pool %q; want %s", env, got, pool)
		}
		if got := aws.StringValue(cfg.AdditionalAuthTypes[0].Settings.CognitoUserPoolId); got != pool {
			t.Fatalf("%s: stored additionalAuthTypes[0] pool %q; want %s", env, got, pool)
		}
		return pool
	}
	devPool := checkPool("dev")

	clone, err := c.CloneBackend(&amplifybackend.CloneBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String("test")})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1abc", "dev", clone.JobId)
	if testPool := checkPool("test"); testPool == devPool {
		t.Fatalf("the clone's API uses the pool of dev (%s); want the clone's own", devPool)
	}
}

func TestAPIErrors(t *testing.T) {
	s := startServer(t)
	c := s.client
	s.createBackend(c, "d1abc", "myapp", "dev")
	s.apiCreate(c, "d1abc", "dev", "todoapi", apiResourceConfig(apiTodoSchema, "API_KEY"))
	s.createBackend(c, "d1abc", "myapp", "empty")

	in := func(app, env, name string) (*string, *string, *string) {
		return aws.String(app), aws.String(env), aws.String(name)
	}
	type call func(app, env, name string) error
	ops := map[string]call{
		"GetBackendAPI": func(app, env, name string) error {
			a, e, n := in(app, env, name)
			_, err := c.GetBackendAPI(&amplifybackend.GetBackendAPIInput{AppId: a, BackendEnvironmentName: e, ResourceName: n})
			return err
		},
		"UpdateBackendAPI": func(app, env, name string) error {
			a, e, n := in(app, env, name)
			_, err := c.UpdateBackendAPI(&amplifybackend.UpdateBackendAPIInput{AppId: a, BackendEnvironmentName: e, ResourceName: n, ResourceConfig: &amplifybackend.BackendAPIResourceConfig{ApiName: aws.String("x")}})
			return err
		},
		"DeleteBackendAPI": func(app, env, name string) error {
			a, e, n := in(app, env, name)
			_, err := c.DeleteBackendAPI(&amplifybackend.DeleteBackendAPIInput{AppId: a, BackendEnvironmentName: e, ResourceName: n})
			return err
		},
		"GenerateBackendAPIModels": func(app, env, name string) error {
			a, e, n := in(app, env, name)
			_, err := c.GenerateBackendAPIModels(&amplifybackend.GenerateBackendAPIModelsInput{AppId: a, BackendEnvironmentName: e, ResourceName: n})
			return err
		},
		"GetBackendAPIModels": func(app, env, name string) error {
			a, e, n := in(app, env, name)
			_, err := c.GetBackendAPIModels(&amplifybackend.GetBackendAPIModelsInput{AppId: a, BackendEnvironmentName: e, ResourceName: n})
			return err
		},
		"CreateBackendAPI": func(app, env, name string) error {
			a, e, n := in(app, env, name)
			_, err := c.CreateBackendAPI(&amplifybackend.CreateBackendAPIInput{AppId: a, BackendEnvironmentName: e, ResourceName: n, ResourceConfig: apiResourceConfig(apiTodoSchema, "API_KEY")})
			return err
		},
	}
	s.Service.GenerateModels = func(context.Context, string) (*amplify.GeneratedModels, error) {
		return &amplify.GeneratedModels{}, nil
	}
	for op, f := range ops {
		t.Run(op, func(t *testing.T) {
			apiWantNotFound(t, f("nope", "dev", "todoapi"), "app")
			apiWantNotFound(t, f("d1abc", "prod", "todoapi"), "environment")
			if op == "CreateBackendAPI" {
				apiWantBadRequest(t, f("d1abc", "dev", "other"), "already has a api resource (todoapi)")
				return
			}
			apiWantNotFound(t, f("d1abc", "dev", "other"), "api")
			apiWantNotFound(t, f("d1abc", "empty", "todoapi"), "api")
		})
	}
	// Another account or region sees nothing.
	_, err := s.clientAs("111111111111", "us-east-1").GetBackendAPI(&amplifybackend.GetBackendAPIInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("todoapi")})
	apiWantNotFound(t, err, "app")

	create := func(body string) (int, string) {
		resp, b := s.raw("POST", "/backend/d1abc/api", body, nil)
		return resp.StatusCode, b
	}
	for name, tc := range map[string]struct{ body, want string }{
		"no schema":         {`{"backendEnvironmentName":"empty","resourceName":"x","resourceConfig":{"apiName":"x"}}`, "Value null at 'resourceConfig.transformSchema'"},
		"empty schema":      {`{"backendEnvironmentName":"empty","resourceName":"x","resourceConfig":{"transformSchema":""}}`, "Value '' at 'resourceConfig.transformSchema'"},
		"no resourceConfig": {`{"backendEnvironmentName":"empty","resourceName":"x"}`, "resourceConfig"},
		"no resourceName":   {`{"backendEnvironmentName":"empty","resourceConfig":{"transformSchema":"type A { a: Int }"}}`, "resourceName"},
		"bad mode":          {`{"backendEnvironmentName":"empty","resourceName":"x","resourceConfig":{"transformSchema":"type A { a: Int }","defaultAuthType":{"mode":"PASSWORD"}}}`, "resourceConfig.defaultAuthType.mode"},
		"bad resourceName":  {`{"backendEnvironmentName":"empty","resourceName":"a/b","resourceConfig":{"transformSchema":"type A { a: Int }"}}`, "resourceName"},
		"schema not string": {`{"backendEnvironmentName":"empty","resourceName":"x","resourceConfig":{"transformSchema":5}}`, "transformSchema"},
	} {
		if code, body := create(tc.body); code != 400 || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s; want 400 naming %s", name, code, body, tc.want)
		}
	}
	// Clearing the schema by update is refused at once too.
	_, err = c.UpdateBackendAPI(&amplifybackend.UpdateBackendAPIInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("todoapi"),
		ResourceConfig: &amplifybackend.BackendAPIResourceConfig{TransformSchema: aws.String("")}})
	apiWantBadRequest(t, err, "Value '' at 'resourceConfig.transformSchema'")

	// One pending job per environment.
	s.apiSubmit(c, "d1abc", "empty", "first", apiResourceConfig(apiTodoSchema, "API_KEY"))
	_, err = c.CreateBackendAPI(&amplifybackend.CreateBackendAPIInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("empty"), ResourceName: aws.String("second"), ResourceConfig: apiResourceConfig(apiTodoSchema, "API_KEY")})
	apiWantBadRequest(t, err, "There is already a pending job for the requested appId: d1abc and backendEnvironmentName: empty")
	s.runJobs()
	if got := s.apiGet("d1abc", "empty", "first"); aws.StringValue(got.ResourceName) != "first" {
		t.Fatalf("GetBackendAPI = %v", got)
	}
}
