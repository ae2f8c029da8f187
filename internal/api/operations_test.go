package api

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"sort"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// modelRoutes reads name -> "METHOD path" from the API model.
func modelRoutes(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("../../model/amplifybackend-2020-08-11.api.json")
	if err != nil {
		t.Fatal(err)
	}
	var model struct {
		Operations map[string]struct {
			HTTP struct{ Method, RequestURI string } `json:"http"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(data, &model); err != nil {
		t.Fatal(err)
	}
	routes := map[string]string{}
	for name, op := range model.Operations {
		routes[name] = op.HTTP.Method + " " + op.HTTP.RequestURI
	}
	return routes
}

func TestOperationList(t *testing.T) {
	routes := modelRoutes(t)
	ops := OperationList()
	if len(ops) != 31 || len(routes) != 31 {
		t.Fatalf("len(OperationList()) = %d, model has %d, want 31", len(ops), len(routes))
	}
	if !sort.SliceIsSorted(ops, func(i, j int) bool { return ops[i].Name < ops[j].Name }) {
		t.Error("OperationList is not sorted by name")
	}
	paramRE := regexp.MustCompile(`\{([^}]+)\}`)
	for _, op := range ops {
		if got, want := op.Method+" "+op.Path, routes[op.Name]; got != want {
			t.Errorf("%s: route %q, want %q", op.Name, got, want)
		}
		var params []string
		for _, m := range paramRE.FindAllStringSubmatch(op.Path, -1) {
			params = append(params, m[1])
		}
		if len(params) != len(op.Params) {
			t.Errorf("%s: Params %v, want %v", op.Name, op.Params, params)
			continue
		}
		for i := range params {
			if params[i] != op.Params[i] {
				t.Errorf("%s: Params %v, want %v", op.Name, op.Params, params)
			}
		}
		if op.Invoke == nil {
			t.Errorf("%s: nil Invoke", op.Name)
		}
	}
	ops[0].Name = "mutated"
	if OperationList()[0].Name == "mutated" {
		t.Error("OperationList shares its slice")
	}
}

// fakeOps records calls; methods it does not override panic (nil embedded interface).
type fakeOps struct {
	Operations
	calls    []string
	job      *GetBackendJobRequest
	auth     *CreateBackendAuthRequest
	failWith error
}

func (f *fakeOps) GetBackendJob(_ context.Context, in *GetBackendJobRequest) (*GetBackendJobResponse, error) {
	f.calls = append(f.calls, "GetBackendJob")
	f.job = in
	return &GetBackendJobResponse{AppId: in.AppId, JobId: in.JobId}, nil
}

func (f *fakeOps) CreateBackendAuth(_ context.Context, in *CreateBackendAuthRequest) (*CreateBackendAuthResponse, error) {
	f.calls = append(f.calls, "CreateBackendAuth")
	f.auth = in
	if f.failWith != nil {
		return nil, f.failWith
	}
	return &CreateBackendAuthResponse{AppId: in.AppId}, nil
}

func (f *fakeOps) ListS3Buckets(_ context.Context, _ *ListS3BucketsRequest) (*ListS3BucketsResponse, error) {
	f.calls = append(f.calls, "ListS3Buckets")
	return &ListS3BucketsResponse{Buckets: []S3BucketInfo{{Name: String("b")}}}, nil
}

// operation returns the named operation of OperationList.
func operation(t *testing.T, name string) Operation {
	t.Helper()
	for _, op := range OperationList() {
		if op.Name == name {
			return op
		}
	}
	t.Fatalf("no operation %s", name)
	return Operation{}
}

func TestInvokeFillsURIParams(t *testing.T) {
	f := new(fakeOps)
	op := operation(t, "GetBackendJob")
	out, err := op.Invoke(context.Background(), f, []string{"app1", "dev", "job1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.calls) != 1 || f.calls[0] != "GetBackendJob" {
		t.Fatalf("calls = %v", f.calls)
	}
	if StringValue(f.job.AppId) != "app1" || StringValue(f.job.BackendEnvironmentName) != "dev" || StringValue(f.job.JobId) != "job1" {
		t.Errorf("request = %+v", f.job)
	}
	resp, ok := out.(*GetBackendJobResponse)
	if !ok || StringValue(resp.JobId) != "job1" {
		t.Errorf("out = %#v", out)
	}
}

func TestInvokeBodyAndPath(t *testing.T) {
	f := new(fakeOps)
	op := operation(t, "CreateBackendAuth")
	body := `{"appId":"ignored","backendEnvironmentName":"dev","resourceName":"auth","resourceConfig":{` +
		`"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"requiredSignUpAttributes":["EMAIL"],` +
		`"signInMethod":"EMAIL","userPoolName":"pool"}}}`
	if _, err := op.Invoke(context.Background(), f, []string{"app1"}, []byte(body)); err != nil {
		t.Fatal(err)
	}
	if StringValue(f.auth.AppId) != "app1" {
		t.Errorf("AppId = %q, want the path value", StringValue(f.auth.AppId))
	}
	if StringValue(f.auth.BackendEnvironmentName) != "dev" {
		t.Errorf("BackendEnvironmentName (a body member) = %q", StringValue(f.auth.BackendEnvironmentName))
	}
}

func TestInvokeNoBody(t *testing.T) {
	f := new(fakeOps)
	out, err := operation(t, "ListS3Buckets").Invoke(context.Background(), f, nil, nil)
	if err != nil || len(f.calls) != 1 {
		t.Fatalf("Invoke = %v, %v; calls %v", out, err, f.calls)
	}
}

func TestInvokeErrors(t *testing.T) {
	f := new(fakeOps)
	op := operation(t, "CreateBackendAuth")

	_, err := op.Invoke(context.Background(), f, []string{"app1"}, []byte(`{"resourceName":`))
	if amplify.ErrorCode(err) != amplify.BadRequest {
		t.Errorf("bad JSON: %v", err)
	}
	out, err := op.Invoke(context.Background(), f, []string{"app1"}, []byte(`{}`))
	want := "3 validation errors detected: Value null at 'backendEnvironmentName' failed to satisfy constraint: Member must not be null; " +
		"Value null at 'resourceConfig' failed to satisfy constraint: Member must not be null; " +
		"Value null at 'resourceName' failed to satisfy constraint: Member must not be null"
	var ae *amplify.Error
	if !errors.As(err, &ae) || ae.Message != want {
		t.Errorf("invalid input: %v, want %q", err, want)
	}
	if out != nil {
		t.Errorf("out = %#v, want nil", out)
	}
	if len(f.calls) != 0 {
		t.Errorf("operation called on invalid input: %v", f.calls)
	}

	f.failWith = amplify.Missing(amplify.ResourceApp, "app")
	valid := `{"backendEnvironmentName":"dev","resourceName":"auth","resourceConfig":{"authResources":"USER_POOL_ONLY",` +
		`"service":"COGNITO","userPoolConfigs":{"requiredSignUpAttributes":[],"signInMethod":"EMAIL","userPoolName":"p"}}}`
	out, err = op.Invoke(context.Background(), f, []string{"app1"}, []byte(valid))
	if !errors.Is(err, f.failWith) {
		t.Errorf("err = %v, want %v", err, f.failWith)
	}
	if out != nil {
		t.Errorf("out = %#v, want untyped nil", out)
	}

	if _, err := op.Invoke(context.Background(), f, nil, nil); err == nil {
		t.Error("wrong param count accepted")
	}
}
