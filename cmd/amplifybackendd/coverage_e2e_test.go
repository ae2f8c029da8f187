package main

import (
	"reflect"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/request"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// watchSuccesses makes c record in r the operations that got a successful (HTTP 200) answer
// that the client parsed without error. The Complete handlers run once a request is over,
// after unmarshalling, with req.Error set if anything failed.
func (r *opRecorder) watchSuccesses(c *amplifybackend.AmplifyBackend) *amplifybackend.AmplifyBackend {
	c.Handlers.Complete.PushBack(func(req *request.Request) {
		if req.Error == nil && req.HTTPResponse != nil && req.HTTPResponse.StatusCode == 200 {
			r.record(req)
		}
	})
	return c
}

// clientOperations returns the operations aws-sdk-go's client offers: every method X that
// comes with XRequest, XWithContext and an XInput type.
func clientOperations() []string {
	typ := reflect.TypeOf(&amplifybackend.AmplifyBackend{})
	var ops []string
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		_, req := typ.MethodByName(name + "Request")
		_, ctx := typ.MethodByName(name + "WithContext")
		if req && ctx {
			ops = append(ops, name)
		}
	}
	sort.Strings(ops)
	return ops
}

// TestEveryOperationSucceeds drives each of the service's 31 operations to a successful
// answer through aws-sdk-go against the real server, in the order a backend's life takes
// them, and fails naming any operation that never answered 200. The list of operations is
// the pinned API model's, checked against the client's own.
func TestEveryOperationSucceeds(t *testing.T) {
	ops := modelOperations(t)
	if got := clientOperations(); !reflect.DeepEqual(got, ops) {
		t.Fatalf("aws-sdk-go's client has the operations %v; the model has %v", got, ops)
	}
	const bucket = "cov-existing-bucket"
	s := startServer(t, func(m *Main) { m.Config.S3Buckets = "000000000000:" + bucket })
	rec := &opRecorder{}
	c := rec.watchSuccesses(s.clientAs("AKIDEXAMPLE", "us-east-1"))
	app, env := aws.String("d1cov"), aws.String("dev")
	must := func(op string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
	}
	// done runs due jobs and checks, through GetBackendJob, that the job completed.
	done := func(env, jobID *string) {
		t.Helper()
		s.mustComplete(c, aws.StringValue(app), aws.StringValue(env), jobID)
	}

	created, err := c.CreateBackend(&amplifybackend.CreateBackendInput{AppId: app, AppName: aws.String("coverage"), BackendEnvironmentName: env})
	must("CreateBackend", err)
	done(env, created.JobId)
	_, err = c.GetBackend(&amplifybackend.GetBackendInput{AppId: app, BackendEnvironmentName: env})
	must("GetBackend", err)

	// Auth.
	auth, err := c.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("covauth"), ResourceConfig: minimalAuthConfig()})
	must("CreateBackendAuth", err)
	done(env, auth.JobId)
	_, err = c.GetBackendAuth(&amplifybackend.GetBackendAuthInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("covauth")})
	must("GetBackendAuth", err)
	upAuth, err := c.UpdateBackendAuth(&amplifybackend.UpdateBackendAuthInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("covauth"),
		ResourceConfig: &amplifybackend.UpdateBackendAuthResourceConfig{
			AuthResources: aws.String("USER_POOL_ONLY"), Service: aws.String("COGNITO"),
			UserPoolConfigs: &amplifybackend.UpdateBackendAuthUserPoolConfig{
				PasswordPolicy: &amplifybackend.UpdateBackendAuthPasswordPolicyConfig{MinimumLength: aws.Float64(10)},
			},
		}})
	must("UpdateBackendAuth", err)
	done(env, upAuth.JobId)

	// API and its models.
	api, err := c.CreateBackendAPI(&amplifybackend.CreateBackendAPIInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("covapi"), ResourceConfig: apiResourceConfig(apiTodoSchema, "API_KEY")})
	must("CreateBackendAPI", err)
	done(env, api.JobId)
	_, err = c.GetBackendAPI(&amplifybackend.GetBackendAPIInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("covapi")})
	must("GetBackendAPI", err)
	upAPI, err := c.UpdateBackendAPI(&amplifybackend.UpdateBackendAPIInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("covapi"),
		ResourceConfig: &amplifybackend.BackendAPIResourceConfig{TransformSchema: aws.String(apiTodoSchema + "type Tag @model { id: ID! label: String }\n")}})
	must("UpdateBackendAPI", err)
	done(env, upAPI.JobId)
	gen, err := c.GenerateBackendAPIModels(&amplifybackend.GenerateBackendAPIModelsInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("covapi")})
	must("GenerateBackendAPIModels", err)
	done(env, gen.JobId)
	models, err := c.GetBackendAPIModels(&amplifybackend.GetBackendAPIModelsInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("covapi")})
	must("GetBackendAPIModels", err)
	if aws.StringValue(models.Status) != "LATEST" || aws.StringValue(models.Models) == "" {
		t.Fatalf("GetBackendAPIModels after generation: %s, %d bytes of models", aws.StringValue(models.Status), len(aws.StringValue(models.Models)))
	}

	// Storage.
	st, err := c.CreateBackendStorage(&amplifybackend.CreateBackendStorageInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("covfiles"), ResourceConfig: storageConfig("cov-created-bucket")})
	must("CreateBackendStorage", err)
	done(env, st.JobId)
	_, err = c.GetBackendStorage(&amplifybackend.GetBackendStorageInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("covfiles")})
	must("GetBackendStorage", err)
	upSt, err := c.UpdateBackendStorage(&amplifybackend.UpdateBackendStorageInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("covfiles"),
		ResourceConfig: &amplifybackend.UpdateBackendStorageResourceConfig{
			ServiceName: aws.String("S3"), Permissions: &amplifybackend.BackendStoragePermissions{Authenticated: aws.StringSlice([]string{"READ"})},
		}})
	must("UpdateBackendStorage", err)
	done(env, upSt.JobId)
	buckets, err := c.ListS3Buckets(&amplifybackend.ListS3BucketsInput{})
	must("ListS3Buckets", err)
	if len(buckets.Buckets) == 0 {
		t.Fatal("ListS3Buckets lists no buckets")
	}

	// Imports, into an environment of their own.
	imp := aws.String("imp")
	created, err = c.CreateBackend(&amplifybackend.CreateBackendInput{AppId: app, AppName: aws.String("coverage"), BackendEnvironmentName: imp})
	must("CreateBackend", err)
	done(imp, created.JobId)
	impAuth, err := c.ImportBackendAuth(authImportInput(aws.StringValue(app), aws.StringValue(imp)))
	must("ImportBackendAuth", err)
	done(imp, impAuth.JobId)
	impSt, err := c.ImportBackendStorage(&amplifybackend.ImportBackendStorageInput{AppId: app, BackendEnvironmentName: imp, BucketName: aws.String(bucket), ServiceName: aws.String("S3")})
	must("ImportBackendStorage", err)
	done(imp, impSt.JobId)

	// Jobs.
	jobs, err := c.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: app, BackendEnvironmentName: env, MaxResults: aws.Int64(2)})
	must("ListBackendJobs", err)
	if len(jobs.Jobs) == 0 {
		t.Fatal("ListBackendJobs lists no jobs")
	}
	_, err = c.UpdateBackendJob(&amplifybackend.UpdateBackendJobInput{AppId: app, BackendEnvironmentName: env, JobId: jobs.Jobs[0].JobId, Operation: aws.String("Reviewed"), Status: aws.String("COMPLETED")})
	must("UpdateBackendJob", err)

	// The Admin UI config and its tokens.
	cfg, err := c.CreateBackendConfig(&amplifybackend.CreateBackendConfigInput{AppId: app})
	must("CreateBackendConfig", err)
	done(cfg.BackendEnvironmentName, cfg.JobId)
	_, err = c.UpdateBackendConfig(&amplifybackend.UpdateBackendConfigInput{AppId: app, LoginAuthConfig: &amplifybackend.LoginAuthConfigReqObj{AwsUserPoolsWebClientId: aws.String("webclient1234567890abcdefg")}})
	must("UpdateBackendConfig", err)
	tok, err := c.CreateToken(&amplifybackend.CreateTokenInput{AppId: app})
	must("CreateToken", err)
	_, err = c.GetToken(&amplifybackend.GetTokenInput{AppId: app, SessionId: tok.SessionId})
	must("GetToken", err)
	_, err = c.DeleteToken(&amplifybackend.DeleteTokenInput{AppId: app, SessionId: tok.SessionId})
	must("DeleteToken", err)
	_, err = c.RemoveBackendConfig(&amplifybackend.RemoveBackendConfigInput{AppId: app})
	must("RemoveBackendConfig", err)

	// Environments: clone one, delete the clone.
	clone, err := c.CloneBackend(&amplifybackend.CloneBackendInput{AppId: app, BackendEnvironmentName: env, TargetEnvironmentName: aws.String("copy")})
	must("CloneBackend", err)
	done(env, clone.JobId) // the job belongs to the source environment
	del, err := c.DeleteBackend(&amplifybackend.DeleteBackendInput{AppId: app, BackendEnvironmentName: aws.String("copy")})
	must("DeleteBackend", err)
	if del.JobId == nil {
		t.Fatal("DeleteBackend answered no job")
	}
	// Once the job has run the environment, its jobs included, is gone.
	s.runJobs()
	_, err = c.GetBackend(&amplifybackend.GetBackendInput{AppId: app, BackendEnvironmentName: aws.String("copy")})
	wantCode(t, err, amplifybackend.ErrCodeNotFoundException)

	// Tear down: storage before auth, which it depends on.
	delSt, err := c.DeleteBackendStorage(&amplifybackend.DeleteBackendStorageInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("covfiles"), ServiceName: aws.String("S3")})
	must("DeleteBackendStorage", err)
	done(env, delSt.JobId)
	delAPI, err := c.DeleteBackendAPI(&amplifybackend.DeleteBackendAPIInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("covapi")})
	must("DeleteBackendAPI", err)
	done(env, delAPI.JobId)
	delAuth, err := c.DeleteBackendAuth(&amplifybackend.DeleteBackendAuthInput{AppId: app, BackendEnvironmentName: env, ResourceName: aws.String("covauth")})
	must("DeleteBackendAuth", err)
	done(env, delAuth.JobId)
	rm, err := c.RemoveAllBackends(&amplifybackend.RemoveAllBackendsInput{AppId: app, CleanAmplifyApp: aws.Bool(true)})
	must("RemoveAllBackends", err)
	if rm.JobId == nil {
		t.Fatal("RemoveAllBackends answered no job")
	}
	s.runJobs()
	_, err = c.GetBackend(&amplifybackend.GetBackendInput{AppId: app})
	wantCode(t, err, amplifybackend.ErrCodeNotFoundException)

	if missing := rec.missing(ops); len(missing) > 0 {
		t.Fatalf("%d of %d operations never answered 200: %v", len(missing), len(ops), missing)
	}
}
