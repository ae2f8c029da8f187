package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// errSentinel is what sentinelOps answers: an Invoke that returns it decoded and validated its
// input and called the operation.
var errSentinel = errors.New("sentinel: the operation was called")

// sentinelOps implements every operation by recording its input and answering errSentinel.
type sentinelOps struct {
	last any
}

var _ Operations = (*sentinelOps)(nil)

func stub[Out any](o *sentinelOps, in any) (*Out, error) {
	o.last = in
	return nil, errSentinel
}

func (o *sentinelOps) CloneBackend(_ context.Context, in *CloneBackendRequest) (*CloneBackendResponse, error) {
	return stub[CloneBackendResponse](o, in)
}
func (o *sentinelOps) CreateBackend(_ context.Context, in *CreateBackendRequest) (*CreateBackendResponse, error) {
	return stub[CreateBackendResponse](o, in)
}
func (o *sentinelOps) CreateBackendAPI(_ context.Context, in *CreateBackendAPIRequest) (*CreateBackendAPIResponse, error) {
	return stub[CreateBackendAPIResponse](o, in)
}
func (o *sentinelOps) CreateBackendAuth(_ context.Context, in *CreateBackendAuthRequest) (*CreateBackendAuthResponse, error) {
	return stub[CreateBackendAuthResponse](o, in)
}
func (o *sentinelOps) CreateBackendConfig(_ context.Context, in *CreateBackendConfigRequest) (*CreateBackendConfigResponse, error) {
	return stub[CreateBackendConfigResponse](o, in)
}
func (o *sentinelOps) CreateBackendStorage(_ context.Context, in *CreateBackendStorageRequest) (*CreateBackendStorageResponse, error) {
	return stub[CreateBackendStorageResponse](o, in)
}
func (o *sentinelOps) CreateToken(_ context.Context, in *CreateTokenRequest) (*CreateTokenResponse, error) {
	return stub[CreateTokenResponse](o, in)
}
func (o *sentinelOps) DeleteBackend(_ context.Context, in *DeleteBackendRequest) (*DeleteBackendResponse, error) {
	return stub[DeleteBackendResponse](o, in)
}
func (o *sentinelOps) DeleteBackendAPI(_ context.Context, in *DeleteBackendAPIRequest) (*DeleteBackendAPIResponse, error) {
	return stub[DeleteBackendAPIResponse](o, in)
}
func (o *sentinelOps) DeleteBackendAuth(_ context.Context, in *DeleteBackendAuthRequest) (*DeleteBackendAuthResponse, error) {
	return stub[DeleteBackendAuthResponse](o, in)
}
func (o *sentinelOps) DeleteBackendStorage(_ context.Context, in *DeleteBackendStorageRequest) (*DeleteBackendStorageResponse, error) {
	return stub[DeleteBackendStorageResponse](o, in)
}
func (o *sentinelOps) DeleteToken(_ context.Context, in *DeleteTokenRequest) (*DeleteTokenResponse, error) {
	return stub[DeleteTokenResponse](o, in)
}
func (o *sentinelOps) GenerateBackendAPIModels(_ context.Context, in *GenerateBackendAPIModelsRequest) (*GenerateBackendAPIModelsResponse, error) {
	return stub[GenerateBackendAPIModelsResponse](o, in)
}
func (o *sentinelOps) GetBackend(_ context.Context, in *GetBackendRequest) (*GetBackendResponse, error) {
	return stub[GetBackendResponse](o, in)
}
func (o *sentinelOps) GetBackendAPI(_ context.Context, in *GetBackendAPIRequest) (*GetBackendAPIResponse, error) {
	return stub[GetBackendAPIResponse](o, in)
}
func (o *sentinelOps) GetBackendAPIModels(_ context.Context, in *GetBackendAPIModelsRequest) (*GetBackendAPIModelsResponse, error) {
	return stub[GetBackendAPIModelsResponse](o, in)
}
func (o *sentinelOps) GetBackendAuth(_ context.Context, in *GetBackendAuthRequest) (*GetBackendAuthResponse, error) {
	return stub[GetBackendAuthResponse](o, in)
}
func (o *sentinelOps) GetBackendJob(_ context.Context, in *GetBackendJobRequest) (*GetBackendJobResponse, error) {
	return stub[GetBackendJobResponse](o, in)
}
func (o *sentinelOps) GetBackendStorage(_ context.Context, in *GetBackendStorageRequest) (*GetBackendStorageResponse, error) {
	return stub[GetBackendStorageResponse](o, in)
}
func (o *sentinelOps) GetToken(_ context.Context, in *GetTokenRequest) (*GetTokenResponse, error) {
	return stub[GetTokenResponse](o, in)
}
func (o *sentinelOps) ImportBackendAuth(_ context.Context, in *ImportBackendAuthRequest) (*ImportBackendAuthResponse, error) {
	return stub[ImportBackendAuthResponse](o, in)
}
func (o *sentinelOps) ImportBackendStorage(_ context.Context, in *ImportBackendStorageRequest) (*ImportBackendStorageResponse, error) {
	return stub[ImportBackendStorageResponse](o, in)
}
func (o *sentinelOps) ListBackendJobs(_ context.Context, in *ListBackendJobsRequest) (*ListBackendJobsResponse, error) {
	return stub[ListBackendJobsResponse](o, in)
}
func (o *sentinelOps) ListS3Buckets(_ context.Context, in *ListS3BucketsRequest) (*ListS3BucketsResponse, error) {
	return stub[ListS3BucketsResponse](o, in)
}
func (o *sentinelOps) RemoveAllBackends(_ context.Context, in *RemoveAllBackendsRequest) (*RemoveAllBackendsResponse, error) {
	return stub[RemoveAllBackendsResponse](o, in)
}
func (o *sentinelOps) RemoveBackendConfig(_ context.Context, in *RemoveBackendConfigRequest) (*RemoveBackendConfigResponse, error) {
	return stub[RemoveBackendConfigResponse](o, in)
}
func (o *sentinelOps) UpdateBackendAPI(_ context.Context, in *UpdateBackendAPIRequest) (*UpdateBackendAPIResponse, error) {
	return stub[UpdateBackendAPIResponse](o, in)
}
func (o *sentinelOps) UpdateBackendAuth(_ context.Context, in *UpdateBackendAuthRequest) (*UpdateBackendAuthResponse, error) {
	return stub[UpdateBackendAuthResponse](o, in)
}
func (o *sentinelOps) UpdateBackendConfig(_ context.Context, in *UpdateBackendConfigRequest) (*UpdateBackendConfigResponse, error) {
	return stub[UpdateBackendConfigResponse](o, in)
}
func (o *sentinelOps) UpdateBackendJob(_ context.Context, in *UpdateBackendJobRequest) (*UpdateBackendJobResponse, error) {
	return stub[UpdateBackendJobResponse](o, in)
}
func (o *sentinelOps) UpdateBackendStorage(_ context.Context, in *UpdateBackendStorageRequest) (*UpdateBackendStorageResponse, error) {
	return stub[UpdateBackendStorageResponse](o, in)
}

// FuzzDecode invokes every operation with the fuzzed body and path parameters. Nothing may
// panic. Every request either reaches the operation, validated (its strings and lists within
// the service's bounds, its path members the path parameters, and its re-encoding valid too),
// or is refused, without calling the operation, with a BadRequest *amplify.Error.
func FuzzDecode(f *testing.F) {
	for _, seed := range []struct {
		body       string
		p1, p2, p3 string
	}{
		{`{"appId":"d1abc","appName":"app","backendEnvironmentName":"dev","resourceConfig":{},"resourceName":"r"}`, "d1abc", "dev", "job1"},
		{`{"backendEnvironmentName":"dev","resourceName":"auth","resourceConfig":{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"requiredSignUpAttributes":["EMAIL"],"signInMethod":"EMAIL","userPoolName":"p","mfa":{"MFAMode":"ON","settings":{"mfaTypes":["SMS","TOTP"]}}}}}`, "d1abc", "dev", "x"},
		{`{"maxResults":26,"nextToken":"abc","status":"BOGUS","operation":"op"}`, "a", "b", "c"},
		{`{"maxResults":"1"}`, "a", "b", "c"},
		{`{"maxResults":1e400}`, "a", "b", "c"},
		{`{"resourceConfig":[]}`, "", "", ""},
		{`{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`, "a/b", "\x00", "\xff"},
		{`[]`, "a", "b", "c"},
		{`{"appId":"a","APPID":"b","appId":null}`, "a", "b", "c"},
		{`{"resourceConfig":{"permissions":{"authenticated":["READ","",null,"X"],"unAuthenticated":[1]}}}`, "a", "b", "c"},
		{`{"s":"\ud800\u0000"}`, "\u00fc\u2713", "..", "%2F"},
		{`{`, "a", "b", "c"},
	} {
		f.Add([]byte(seed.body), seed.p1, seed.p2, seed.p3)
	}
	ops := OperationList()
	f.Fuzz(func(t *testing.T, body []byte, p1, p2, p3 string) {
		all := []string{p1, p2, p3}
		for _, op := range ops {
			params := all[:len(op.Params)]
			stub := &sentinelOps{}
			out, err := op.Invoke(context.Background(), stub, params, body)
			if out != nil {
				t.Fatalf("%s: output %#v from an operation that only fails", op.Name, out)
			}
			if errors.Is(err, errSentinel) {
				checkValidated(t, op, params, stub.last, body)
				// What was accepted, encoded again, is accepted again.
				again, merr := json.Marshal(stub.last)
				if merr != nil {
					t.Fatalf("%s: encode the accepted input: %v", op.Name, merr)
				}
				if _, err := op.Invoke(context.Background(), &sentinelOps{}, params, again); !errors.Is(err, errSentinel) {
					t.Fatalf("%s: accepted %q but not its re-encoding %s: %v", op.Name, body, again, err)
				}
				continue
			}
			var ae *amplify.Error
			if !errors.As(err, &ae) || ae.Code != amplify.BadRequest || ae.Message == "" {
				t.Fatalf("%s: error %T %v; want a BadRequest *amplify.Error", op.Name, err, err)
			}
			if stub.last != nil {
				t.Fatalf("%s: the operation was called on a refused input", op.Name)
			}
		}
	})
}

// checkValidated checks what validation promises of an input that reached the operation.
func checkValidated(t *testing.T, op Operation, params []string, in any, body []byte) {
	t.Helper()
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		t.Fatalf("%s: the operation got %T", op.Name, in)
	}
	for i, name := range op.Params {
		got, ok := pathMember(v.Elem(), name)
		if !ok {
			t.Fatalf("%s: no member %s for the path parameter", op.Name, name)
		}
		if got.Kind() != reflect.Pointer || got.IsNil() || got.Elem().String() != params[i] {
			t.Fatalf("%s: member %s = %v; want the path parameter %q", op.Name, name, got, params[i])
		}
	}
	walkBounded(t, op.Name, "", v, body)
}

// pathMember returns the field of struct v that holds the path parameter name: the generator
// names it after the parameter and keeps it out of the JSON body.
func pathMember(v reflect.Value, name string) (reflect.Value, bool) {
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if strings.EqualFold(f.Name, name) && f.Tag.Get("json") == "-" {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// sentReplacementChar reports whether body holds U+FFFD itself, raw or escaped: only then may
// a decoded string hold it.
func sentReplacementChar(body []byte) bool {
	return bytes.Contains(body, []byte("\uFFFD")) || bytes.Contains(bytes.ToLower(body), []byte(`\ufffd`))
}

// walkBounded fails if a string from body is not valid UTF-8, holds a U+FFFD the body did not
// send or holds U+0000 (body is nil below path parameters), or if a string (but a TransformSchema, bounded by the body limit only) is
// longer than MaxStringLength or a list longer than MaxListLength.
func walkBounded(t *testing.T, op, path string, v reflect.Value, body []byte) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkBounded(t, op, path, v.Elem(), body)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Type().Field(i); f.IsExported() {
				b := body
				if f.Tag.Get("json") == "-" {
					b = nil // a path parameter: the router checks it (amplify.CheckName), Invoke does not
				}
				walkBounded(t, op, path+"."+f.Name, v.Field(i), b)
			}
		}
	case reflect.Slice:
		if v.Len() > MaxListLength {
			t.Fatalf("%s: %s has %d elements, over %d, and was accepted", op, path, v.Len(), MaxListLength)
		}
		for i := 0; i < v.Len(); i++ {
			walkBounded(t, op, path, v.Index(i), body)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			walkBounded(t, op, path, v.MapIndex(k), body)
		}
	case reflect.String:
		if v.Len() > MaxStringLength && !strings.HasSuffix(path, ".TransformSchema") {
			t.Fatalf("%s: %s is %d bytes, over %d, and was accepted", op, path, v.Len(), MaxStringLength)
		}
		if s := v.String(); body != nil && (!utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) && !sentReplacementChar(body)) {
			t.Fatalf("%s: %s = %q, not what the body sent as valid UTF-8 (invalid UTF-8 is refused, never replaced)", op, path, s)
		}
		if body != nil && strings.IndexByte(v.String(), 0) >= 0 {
			t.Fatalf("%s: %s = %q holds U+0000 and was accepted", op, path, v.String())
		}
	}
}

// TestFuzzDecodeSeedsAccepted keeps FuzzDecode's checks of accepted inputs from being vacuous:
// the valid seeds reach their operations.
func TestFuzzDecodeSeedsAccepted(t *testing.T) {
	tests := []struct {
		op     string
		seed   string
		params []string
	}{
		{"CreateBackendAuth", "create-backend-auth-maximal", []string{"d1abc"}},
		{"CreateBackendAPI", "create-backend-api", []string{"d1abc"}},
		{"CreateBackendStorage", "create-backend-storage", []string{"d1abc"}},
		{"UpdateBackendConfig", "update-backend-config", []string{"d1abc"}},
		{"ListBackendJobs", "list-backend-jobs-page", []string{"d1abc", "dev"}},
		{"ImportBackendAuth", "import-backend-auth", []string{"d1abc", "dev"}},
		{"UpdateBackendJob", "update-backend-job", []string{"d1abc", "dev", "j1"}},
	}
	for _, tt := range tests {
		t.Run(tt.seed, func(t *testing.T) {
			data, err := os.ReadFile("testdata/fuzz/FuzzDecode/" + tt.seed)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(data), "\n")
			quoted, ok := strings.CutPrefix(lines[1], "[]byte(")
			if !ok {
				t.Fatalf("seed %s: line 2 is %q", tt.seed, lines[1])
			}
			body, err := strconv.Unquote(strings.TrimSuffix(quoted, ")"))
			if err != nil {
				t.Fatal(err)
			}
			var op Operation
			for _, o := range OperationList() {
				if o.Name == tt.op {
					op = o
				}
			}
			if _, err := op.Invoke(context.Background(), &sentinelOps{}, tt.params, []byte(body)); !errors.Is(err, errSentinel) {
				t.Fatalf("%s refused seed %s: %v", tt.op, tt.seed, err)
			}
		})
	}
}

// TestValidationMessageBounded: a request cannot make its BadRequest message (and the memory
// that builds it) grow without bound. Every element of an over-long list is validated and
// each bad one adds a violation, so a body of N empty strings in an enum list answers a
// message of about 170*N bytes: 3 bytes of body buy 170 bytes of message. A 6 MiB body (the
// default --max-body) answers 340 MB and takes the server past 2 GB of memory.
func TestValidationMessageBounded(t *testing.T) {
	const n = 100000
	tests := []struct {
		op, body string
		params   []string
	}{
		{"CreateBackendStorage", `{"resourceName":"x","backendEnvironmentName":"dev","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":[` + strings.Repeat(`"",`, n) + `""]}}}`, []string{"d1abc"}},
		{"CreateBackendAuth", `{"resourceName":"x","backendEnvironmentName":"dev","resourceConfig":{"userPoolConfigs":{"oAuth":{"oAuthScopes":[` + strings.Repeat(`"",`, n) + `""]}}}}`, []string{"d1abc"}},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			var op Operation
			for _, o := range OperationList() {
				if o.Name == tt.op {
					op = o
				}
			}
			_, err := op.Invoke(context.Background(), &sentinelOps{}, tt.params, []byte(tt.body))
			var ae *amplify.Error
			if !errors.As(err, &ae) || ae.Code != amplify.BadRequest {
				t.Fatalf("error %v; want BadRequest", err)
			}
			if limit := 64 << 10; len(ae.Message) > limit {
				t.Errorf("BUG: a %d-byte body answers a %d-byte message (limit %d): %.200s...", len(tt.body), len(ae.Message), limit, ae.Message)
			}
		})
	}
}
