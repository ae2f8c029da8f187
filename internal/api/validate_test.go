package api

import (
	"errors"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// validAuthRequest is a CreateBackendAuthRequest without violations.
func validAuthRequest() *CreateBackendAuthRequest {
	return &CreateBackendAuthRequest{
		AppId:                  String("app"),
		BackendEnvironmentName: String("dev"),
		ResourceName:           String("auth"),
		ResourceConfig: &CreateBackendAuthResourceConfig{
			AuthResources: new(AuthResourcesUserPoolOnly),
			Service:       new(ServiceCognito),
			UserPoolConfigs: &CreateBackendAuthUserPoolConfig{
				RequiredSignUpAttributes: []RequiredSignUpAttributesElement{RequiredSignUpAttributesElementEmail},
				SignInMethod:             new(SignInMethodEmail),
				UserPoolName:             String("pool"),
			},
		},
	}
}

func TestValidate(t *testing.T) {
	const (
		null  = "failed to satisfy constraint: Member must not be null"
		inSet = "failed to satisfy constraint: Member must satisfy enum value set: "
	)
	tests := []struct {
		name string
		in   interface{ Validate() error }
		want string // "" means valid
	}{
		{"valid", validAuthRequest(), ""},
		{"valid list jobs", &ListBackendJobsRequest{AppId: String("a"), BackendEnvironmentName: String("b"), MaxResults: Int64(25)}, ""},
		{"missing top level", func() *CreateBackendAuthRequest {
			r := validAuthRequest()
			r.ResourceName = nil
			return r
		}(), "1 validation error detected: Value null at 'resourceName' " + null},
		{"missing uri member", &GetBackendRequest{}, "1 validation error detected: Value null at 'appId' " + null},
		{"missing nested", func() *CreateBackendAuthRequest {
			r := validAuthRequest()
			r.ResourceConfig.UserPoolConfigs.UserPoolName = nil
			return r
		}(), "1 validation error detected: Value null at 'resourceConfig.userPoolConfigs.userPoolName' " + null},
		{"bad enum top level", &CreateBackendStorageRequest{
			AppId: String("a"), BackendEnvironmentName: String("b"), ResourceName: String("r"),
			ResourceConfig: &CreateBackendStorageResourceConfig{
				Permissions: &BackendStoragePermissions{Authenticated: []AuthenticatedElement{AuthenticatedElementRead}},
				ServiceName: new(ServiceName("EFS")),
			},
		}, "1 validation error detected: Value 'EFS' at 'resourceConfig.serviceName' " + inSet + "[S3]"},
		{"bad enum in list", func() *CreateBackendAuthRequest {
			r := validAuthRequest()
			r.ResourceConfig.UserPoolConfigs.RequiredSignUpAttributes = append(
				r.ResourceConfig.UserPoolConfigs.RequiredSignUpAttributes, "SHOE_SIZE")
			return r
		}(), "1 validation error detected: Value 'SHOE_SIZE' at 'resourceConfig.userPoolConfigs.requiredSignUpAttributes.member.2' " +
			inSet + "[ADDRESS, BIRTHDATE, EMAIL, FAMILY_NAME, GENDER, GIVEN_NAME, LOCALE, MIDDLE_NAME, NAME, NICKNAME, " +
			"PHONE_NUMBER, PICTURE, PREFERRED_USERNAME, PROFILE, UPDATED_AT, WEBSITE, ZONE_INFO]"},
		{"range too small", &ListBackendJobsRequest{AppId: String("a"), BackendEnvironmentName: String("b"), MaxResults: Int64(0)},
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"range too large", &ListBackendJobsRequest{AppId: String("a"), BackendEnvironmentName: String("b"), MaxResults: Int64(30)},
			"1 validation error detected: Value '30' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 25"},
		{"brief example", func() *CreateBackendAuthRequest {
			r := validAuthRequest()
			r.ResourceConfig.UserPoolConfigs = nil
			r.ResourceConfig.Service = new(Service("FOO"))
			return r
		}(), "2 validation errors detected: Value null at 'resourceConfig.userPoolConfigs' " + null +
			"; Value 'FOO' at 'resourceConfig.service' " + inSet + "[COGNITO]"},
		{"many, in order", &CreateBackendAuthRequest{
			ResourceConfig: &CreateBackendAuthResourceConfig{AuthResources: new(AuthResources("BOTH"))},
		}, "6 validation errors detected: Value null at 'appId' " + null +
			"; Value null at 'backendEnvironmentName' " + null +
			"; Value null at 'resourceName' " + null +
			"; Value null at 'resourceConfig.service' " + null +
			"; Value null at 'resourceConfig.userPoolConfigs' " + null +
			"; Value 'BOTH' at 'resourceConfig.authResources' " + inSet + "[USER_POOL_ONLY, IDENTITY_POOL_AND_USER_POOL]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var ae *amplify.Error
			if !errors.As(err, &ae) {
				t.Fatalf("Validate() = %v (%T), want *amplify.Error", err, err)
			}
			if ae.Code != amplify.BadRequest {
				t.Errorf("Code = %q, want %q", ae.Code, amplify.BadRequest)
			}
			if ae.Message != tt.want {
				t.Errorf("Message =\n%s\nwant\n%s", ae.Message, tt.want)
			}
		})
	}
}

func TestValidateNilErrorIsUntypedNil(t *testing.T) {
	if err := validAuthRequest().Validate(); err != nil {
		t.Fatalf("Validate() = %#v, want untyped nil", err)
	}
}
