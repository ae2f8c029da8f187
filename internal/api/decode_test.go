package api

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

func TestDecodeBody(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string // message prefix; "" means success
	}{
		{"object", `{"resourceName":"auth","unknown":[1,2]}`, ""},
		{"whitespace only", " \n", ""},
		{"null member", `{"resourceName":null}`, ""},
		{"syntax", `{"resourceName":`, "Could not parse request body into json: "},
		{"garbage", `hello`, "Could not parse request body into json: "},
		{"array body", `[]`, "Could not parse request body into json: "},
		{"string body", `"x"`, "Could not parse request body into json: "},
		{"null body", `null`, "Could not parse request body into json: "},
		{"wrong type string member", `{"resourceName":5}`,
			"1 validation error detected: Value at 'resourceName' failed to satisfy constraint: Member must be of type string"},
		{"wrong type nested", `{"resourceConfig":{"userPoolConfigs":{"userPoolName":true}}}`,
			"1 validation error detected: Value at 'resourceConfig.userPoolConfigs.userPoolName' failed to satisfy constraint: Member must be of type string"},
		{"wrong type structure", `{"resourceConfig":"x"}`,
			"1 validation error detected: Value at 'resourceConfig' failed to satisfy constraint: Member must be of type structure"},
		{"wrong type list", `{"resourceConfig":{"userPoolConfigs":{"requiredSignUpAttributes":"EMAIL"}}}`,
			"1 validation error detected: Value at 'resourceConfig.userPoolConfigs.requiredSignUpAttributes' failed to satisfy constraint: Member must be of type list"},
		{"wrong type number", `{"resourceConfig":{"userPoolConfigs":{"passwordPolicy":{"minimumLength":"8"}}}}`,
			"1 validation error detected: Value at 'resourceConfig.userPoolConfigs.passwordPolicy.minimumLength' failed to satisfy constraint: Member must be of type number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in CreateBackendAuthRequest
			err := decodeBody([]byte(tt.body), &in)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("decodeBody() = %v, want nil", err)
				}
				return
			}
			var ae *amplify.Error
			if !errors.As(err, &ae) {
				t.Fatalf("decodeBody() = %v (%T), want *amplify.Error", err, err)
			}
			if ae.Code != amplify.BadRequest {
				t.Errorf("Code = %q, want %q", ae.Code, amplify.BadRequest)
			}
			if !strings.HasPrefix(ae.Message, tt.want) {
				t.Errorf("Message =\n%s\nwant prefix\n%s", ae.Message, tt.want)
			}
		})
	}
}

func TestDecodeBodyIntegerAndBoolean(t *testing.T) {
	var jobs ListBackendJobsRequest
	err := decodeBody([]byte(`{"maxResults":"ten"}`), &jobs)
	want := "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must be of type integer"
	if ae, ok := err.(*amplify.Error); !ok || ae.Message != want {
		t.Errorf("decodeBody() = %v, want %q", err, want)
	}
	var oauth CreateBackendAuthIdentityPoolConfig
	err = decodeBody([]byte(`{"unauthenticatedLogin":"yes"}`), &oauth)
	want = "1 validation error detected: Value at 'unauthenticatedLogin' failed to satisfy constraint: Member must be of type boolean"
	if ae, ok := err.(*amplify.Error); !ok || ae.Message != want {
		t.Errorf("decodeBody() = %v, want %q", err, want)
	}
}

func TestDecodeBodyValues(t *testing.T) {
	var in CreateBackendAuthRequest
	body := `{"resourceName":"auth","backendEnvironmentName":"dev","resourceConfig":{"authResources":"USER_POOL_ONLY",` +
		`"userPoolConfigs":{"requiredSignUpAttributes":["EMAIL","NAME"],"mfa":{"MFAMode":"ON"}}}}`
	if err := decodeBody([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	if StringValue(in.ResourceName) != "auth" || StringValue(in.BackendEnvironmentName) != "dev" {
		t.Errorf("strings: %+v", in)
	}
	upc := in.ResourceConfig.UserPoolConfigs
	if got := upc.RequiredSignUpAttributes; len(got) != 2 || got[1] != RequiredSignUpAttributesElementName {
		t.Errorf("RequiredSignUpAttributes = %v", got)
	}
	if *upc.Mfa.MFAMode != MFAModeOn {
		t.Errorf("MFAMode = %v", *upc.Mfa.MFAMode)
	}
	if in.AppId != nil {
		t.Errorf("AppId (uri member) decoded from body: %v", *in.AppId)
	}
}

func TestBounds(t *testing.T) {
	deep := `{"appId":"a","appName":"n","backendEnvironmentName":"dev","x":` + strings.Repeat(`[`, MaxNesting-1) + strings.Repeat(`]`, MaxNesting-1) + `}`
	deeper := `{"x":` + strings.Repeat(`[`, MaxNesting) + strings.Repeat(`]`, MaxNesting) + `}`
	long := strings.Repeat("x", MaxStringLength+1)
	schema := strings.Repeat("type A { id: ID! }\n", 10000)
	tests := []struct {
		name, body, want string
	}{
		{"nesting at the limit", deep, ""},
		{"nesting over the limit", deeper, "nest 33 levels deep; the limit is 32"},
		{"brackets inside strings do not nest", `{"appId":"` + strings.Repeat("[{", 100) + `","appName":"n","backendEnvironmentName":"dev"}`, ""},
		{"string over the limit", `{"appId":"a","appName":"` + long + `","backendEnvironmentName":"dev"}`, "Value at 'appName' failed to satisfy constraint: Member must have length less than or equal to 65536"},
		{"long TransformSchema is fine", `{"backendEnvironmentName":"dev","resourceName":"r","resourceConfig":{"apiName":"a","service":"AppSync","transformSchema":"` + strings.ReplaceAll(schema, "\n", `\n`) + `"}}`, ""},
		{"list over the limit", `{"backendEnvironmentName":"dev","resourceName":"r","resourceConfig":{"apiName":"a","service":"AppSync","additionalAuthTypes":[` + strings.TrimSuffix(strings.Repeat(`{"mode":"API_KEY"},`, MaxListLength+1), ",") + `]}}`, "Value at 'resourceConfig.additionalAuthTypes' failed to satisfy constraint: Member must have length less than or equal to 100"},
		{"long enum value is not echoed whole", `{"backendEnvironmentName":"dev","resourceName":"r","resourceConfig":{"authResources":"` + long + `","service":"COGNITO","userPoolConfigs":{"requiredSignUpAttributes":[],"signInMethod":"EMAIL","userPoolName":"p"}}}`, "xxx...' at 'resourceConfig.authResources'"},
	}
	ops := map[string]Operation{}
	for _, op := range OperationList() {
		ops[op.Name] = op
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := ops["CreateBackend"]
			switch {
			case strings.Contains(tt.body, "transformSchema") || strings.Contains(tt.body, "additionalAuthTypes"):
				op = ops["CreateBackendAPI"]
			case strings.Contains(tt.body, "authResources"):
				op = ops["CreateBackendAuth"]
			}
			params := make([]string, len(op.Params))
			for i := range params {
				params[i] = "p"
			}
			_, err := op.Invoke(context.Background(), nopOperations{}, params, []byte(tt.body))
			if tt.want == "" {
				if err != errReached {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v; want it to contain %q", err, tt.want)
			}
			if len(err.Error()) > 1024 {
				t.Errorf("error message of %d bytes", len(err.Error()))
			}
		})
	}
}

// nopOperations answers the operations TestBounds calls with an error that is not
// BadRequest: reaching it means the request passed decoding and validation.
type nopOperations struct{ Operations }

var errReached = &amplify.Error{Code: amplify.NotImplemented, Message: "reached"}

func (nopOperations) CreateBackend(context.Context, *CreateBackendRequest) (*CreateBackendResponse, error) {
	return nil, errReached
}

func (nopOperations) CreateBackendAPI(context.Context, *CreateBackendAPIRequest) (*CreateBackendAPIResponse, error) {
	return nil, errReached
}

func (nopOperations) CreateBackendAuth(context.Context, *CreateBackendAuthRequest) (*CreateBackendAuthResponse, error) {
	return nil, errReached
}
