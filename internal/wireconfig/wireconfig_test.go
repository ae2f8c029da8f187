package wireconfig

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

func TestStorage(t *testing.T) {
	var c Configs
	got, err := c.Storage(json.RawMessage(`{"bucketName":"my-files","serviceName":"S3","permissions":{"authenticated":["READ"]}}`))
	if err != nil || *got != (amplify.StorageConfig{BucketName: "my-files", ServiceName: "S3"}) {
		t.Fatalf("Storage = %+v, %v", got, err)
	}
	if got, err := c.Storage(nil); err != nil || *got != (amplify.StorageConfig{}) {
		t.Fatalf("Storage(nil) = %+v, %v", got, err)
	}
	if _, err := c.Storage(json.RawMessage(`{"bucketName":5}`)); err == nil {
		t.Fatal("Storage read a number as the bucket name")
	}
	raw, err := c.EncodeStorage(amplify.StorageConfig{BucketName: "seeded-bucket", ServiceName: "S3"})
	if want := `{"bucketName":"seeded-bucket","serviceName":"S3"}`; err != nil || string(raw) != want {
		t.Fatalf("EncodeStorage = %s, %v; want %s", raw, err, want)
	}
}

func TestSetAPIUserPool(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"default", `{"defaultAuthType":{"mode":"AMAZON_COGNITO_USER_POOLS"}}`,
			`{"defaultAuthType":{"mode":"AMAZON_COGNITO_USER_POOLS","settings":{"cognitoUserPoolId":"P"}}}`},
		{"null settings", `{"defaultAuthType":{"mode":"AMAZON_COGNITO_USER_POOLS","settings":null}}`,
			`{"defaultAuthType":{"mode":"AMAZON_COGNITO_USER_POOLS","settings":{"cognitoUserPoolId":"P"}}}`},
		{"other modes untouched", `{"defaultAuthType":{"mode":"API_KEY","settings":{"expirationTime":7}},"additionalAuthTypes":[{"mode":"AWS_IAM"},{"mode":"AMAZON_COGNITO_USER_POOLS","settings":{"cognitoUserPoolId":"old"}}]}`,
			`{"additionalAuthTypes":[{"mode":"AWS_IAM"},{"mode":"AMAZON_COGNITO_USER_POOLS","settings":{"cognitoUserPoolId":"P"}}],"defaultAuthType":{"mode":"API_KEY","settings":{"expirationTime":7}}}`},
		{"no auth types", `{"transformSchema":"s"}`, `{"transformSchema":"s"}`},
	}
	for _, tt := range tests {
		got, err := Configs{}.SetAPIUserPool(json.RawMessage(tt.in), "P")
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: SetAPIUserPool(%s) = %s, %v; want %s", tt.name, tt.in, got, err, tt.want)
		}
	}
}

func TestAPI(t *testing.T) {
	var c Configs
	got, err := c.API(json.RawMessage(`{"apiName":"todo","transformSchema":"type T @model { id: ID! }",
		"defaultAuthType":{"mode":"API_KEY","settings":{"expirationTime":30,"description":"k"}},
		"additionalAuthTypes":[{"mode":"AWS_IAM"},{"mode":"OPENID_CONNECT","settings":{"openIDProviderName":"p","openIDIssueURL":"https://i","openIDClientId":"c"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	days := 30.0
	want := &amplify.APIConfig{
		TransformSchema: "type T @model { id: ID! }", SchemaGiven: true,
		DefaultAuthType: &amplify.APIAuthType{Mode: "API_KEY", Settings: &amplify.APIAuthSettings{ExpirationTime: &days, Description: "k"}},
		AdditionalAuthTypes: []amplify.APIAuthType{{Mode: "AWS_IAM"},
			{Mode: "OPENID_CONNECT", Settings: &amplify.APIAuthSettings{OpenIDProviderName: "p", OpenIDIssueURL: "https://i", OpenIDClientID: "c"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("API = %+v; want %+v", got, want)
	}
	// noSchema tells an empty schema from a missing or null one.
	for raw, given := range map[string]bool{`{"transformSchema":""}`: true, `{"transformSchema":null}`: false, `{}`: false} {
		got, err := c.API(json.RawMessage(raw))
		if err != nil || got.TransformSchema != "" || got.SchemaGiven != given {
			t.Errorf("API(%s) = %+v, %v; want SchemaGiven %v", raw, got, err, given)
		}
	}
	if _, err := c.API(json.RawMessage(`{"transformSchema":1}`)); err == nil {
		t.Error("API read a number as the schema")
	}
}

func TestAuth(t *testing.T) {
	var c Configs
	got, err := c.Auth(json.RawMessage(`{"authResources":"IDENTITY_POOL_AND_USER_POOL","service":"COGNITO",
		"identityPoolConfigs":{"identityPoolName":"ip","unauthenticatedLogin":true},
		"userPoolConfigs":{"userPoolName":"pool","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL","NAME"],
			"mfa":{"MFAMode":"OPTIONAL","settings":{"mfaTypes":["TOTP"]}},
			"oAuth":{"domainPrefix":"dp","socialProviderSettings":{"SignInWithApple":{"clientId":"a"},"Google":{"clientId":"g","clientSecret":"s"}}},
			"passwordPolicy":{"minimumLength":12,"additionalConstraints":["REQUIRE_DIGIT"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	twelve := 12.0
	want := &amplify.AuthConfig{AuthResources: "IDENTITY_POOL_AND_USER_POOL", Service: "COGNITO",
		IdentityPool: &amplify.AuthIdentityPool{Name: "ip"},
		UserPool: &amplify.AuthUserPool{Name: "pool", SignInMethod: "EMAIL", RequiredSignUpAttributes: []string{"EMAIL", "NAME"},
			MFAMode: "OPTIONAL", MFATypes: []string{"TOTP"},
			OAuth:             &amplify.AuthOAuth{DomainPrefix: "dp", SocialProviders: []string{"GOOGLE", "APPLE"}},
			PasswordMinLength: &twelve, PasswordConstraints: []string{"REQUIRE_DIGIT"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Auth =\n %+v\nwant\n %+v", got, want)
	}
	// An update's members read as the create's; what is absent stays nil.
	got, err = c.Auth(json.RawMessage(`{"authResources":"USER_POOL_ONLY","userPoolConfigs":{"passwordPolicy":{"minimumLength":9}}}`))
	if err != nil || got.IdentityPool != nil || got.UserPool == nil || got.UserPool.OAuth != nil || *got.UserPool.PasswordMinLength != 9 {
		t.Fatalf("Auth(update) = %+v, %v", got, err)
	}
	raw, err := c.EncodeAuth(amplify.AuthConfig{AuthResources: "USER_POOL_ONLY", Service: "COGNITO", UserPool: &amplify.AuthUserPool{Name: "us-east-1_A"}})
	if want := `{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"userPoolName":"us-east-1_A"}}`; err != nil || string(raw) != want {
		t.Fatalf("EncodeAuth = %s, %v; want %s", raw, err, want)
	}
	// What EncodeAuth writes, Auth reads back.
	w := *want
	w.UserPool = &amplify.AuthUserPool{}
	*w.UserPool = *want.UserPool
	w.UserPool.OAuth = &amplify.AuthOAuth{DomainPrefix: "dp"}
	raw, err = c.EncodeAuth(w)
	if err != nil {
		t.Fatal(err)
	}
	back, err := c.Auth(raw)
	if err != nil || !reflect.DeepEqual(back, &w) {
		t.Fatalf("Auth(EncodeAuth(c)) = %+v, %v; want %+v", back, err, &w)
	}
}

func TestLoginAuth(t *testing.T) {
	var c Configs
	got, err := c.LoginAuth(json.RawMessage(`{"aws_cognito_region":"us-east-1","aws_user_pools_id":"us-east-1_AbC"}`))
	if err != nil || got.Region == nil || *got.Region != "us-east-1" || got.UserPoolID == nil || *got.UserPoolID != "us-east-1_AbC" ||
		got.IdentityPoolID != nil || got.WebClientID != nil {
		t.Fatalf("LoginAuth = %+v, %v", got, err)
	}
	if _, err := c.LoginAuth(json.RawMessage(`{"aws_cognito_region":1}`)); err == nil {
		t.Fatal("LoginAuth read a number as a region")
	}
	ip, region, pool, web := "us-east-1:x", "us-east-1", "us-east-1_A", "w"
	raw, err := c.EncodeLoginAuth(amplify.LoginAuthConfig{IdentityPoolID: &ip, Region: &region, UserPoolID: &pool, WebClientID: &web})
	want := `{"aws_cognito_identity_pool_id":"us-east-1:x","aws_cognito_region":"us-east-1","aws_user_pools_id":"us-east-1_A","aws_user_pools_web_client_id":"w"}`
	if err != nil || string(raw) != want {
		t.Fatalf("EncodeLoginAuth = %s, %v; want %s", raw, err, want)
	}
}
