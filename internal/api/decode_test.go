package api

import (
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
