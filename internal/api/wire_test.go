package api

import (
	"encoding/json"
	"testing"
	"time"
)

func TestWireNames(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"social provider", &BackendAuthSocialProviderConfig{ClientId: String("id"), ClientSecret: String("secret")},
			`{"client_id":"id","client_secret":"secret"}`},
		{"apple provider", &BackendAuthAppleProviderConfig{ClientId: String("c"), KeyId: String("k"), PrivateKey: String("p"), TeamId: String("t")},
			`{"client_id":"c","key_id":"k","private_key":"p","team_id":"t"}`},
		{"login auth config", &LoginAuthConfigReqObj{
			AwsCognitoIdentityPoolId: String("ip"), AwsCognitoRegion: String("us-east-1"),
			AwsUserPoolsId: String("up"), AwsUserPoolsWebClientId: String("wc"),
		}, `{"aws_cognito_identity_pool_id":"ip","aws_cognito_region":"us-east-1","aws_user_pools_id":"up","aws_user_pools_web_client_id":"wc"}`},
		{"mfa", &CreateBackendAuthMFAConfig{MFAMode: new(MFAModeOptional)}, `{"MFAMode":"OPTIONAL"}`},
		{"social providers", &SocialProviderSettings{
			Facebook:        &BackendAuthSocialProviderConfig{ClientId: String("f")},
			Google:          &BackendAuthSocialProviderConfig{ClientId: String("g")},
			LoginWithAmazon: &BackendAuthSocialProviderConfig{ClientId: String("l")},
			SignInWithApple: &BackendAuthAppleProviderConfig{TeamId: String("a")},
		}, `{"Facebook":{"client_id":"f"},"Google":{"client_id":"g"},"LoginWithAmazon":{"client_id":"l"},"SignInWithApple":{"team_id":"a"}}`},
		{"uri members are not in the body", &CreateBackendAuthRequest{AppId: String("app"), BackendEnvironmentName: String("dev")},
			`{"backendEnvironmentName":"dev"}`},
		{"lists and enums", &ListBackendJobsResponse{Jobs: []BackendJobRespObj{{JobId: String("j")}}, NextToken: String("n")},
			`{"jobs":[{"jobId":"j"}],"nextToken":"n"}`},
		{"empty", &GetBackendResponse{}, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Marshal =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestWireNamesRoundTrip(t *testing.T) {
	raw := `{"client_id":"c","key_id":"k","private_key":"p","team_id":"t"}`
	var v BackendAuthAppleProviderConfig
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatal(err)
	}
	if StringValue(v.ClientId) != "c" || StringValue(v.KeyId) != "k" || StringValue(v.PrivateKey) != "p" || StringValue(v.TeamId) != "t" {
		t.Errorf("Unmarshal = %+v", v)
	}
}

func TestEnums(t *testing.T) {
	if ModeApiKey != "API_KEY" || OAuthScopesElementAwsCognitoSigninUserAdmin != "AWS_COGNITO_SIGNIN_USER_ADMIN" {
		t.Error("enum constants")
	}
	got := ModeValues()
	want := []string{"API_KEY", "AWS_IAM", "AMAZON_COGNITO_USER_POOLS", "OPENID_CONNECT"}
	if len(got) != len(want) {
		t.Fatalf("ModeValues() = %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ModeValues() = %v, want %v", got, want)
		}
	}
	got[0] = "mutated"
	if ModeValues()[0] != "API_KEY" {
		t.Error("ModeValues shares its slice")
	}
}

func TestExceptionStatus(t *testing.T) {
	for code, want := range map[string]int{
		"BadRequestException": 400, "NotFoundException": 404, "TooManyRequestsException": 429, "GatewayTimeoutException": 504,
	} {
		if got, ok := ExceptionStatus(code); !ok || got != want {
			t.Errorf("ExceptionStatus(%q) = %d, %v; want %d", code, got, ok, want)
		}
	}
	if _, ok := ExceptionStatus("InternalFailure"); ok {
		t.Error("ExceptionStatus(InternalFailure) is modeled")
	}
	if n := len(Exceptions()); n != 4 {
		t.Errorf("len(Exceptions()) = %d", n)
	}
}

func TestTimes(t *testing.T) {
	ts := time.Date(2021, 7, 7, 15, 4, 5, 123_000_000, time.UTC)
	type pair struct {
		ISO  *ISO8601Time `json:"iso,omitempty"`
		Unix *UnixTime    `json:"unix,omitempty"`
	}
	got, err := json.Marshal(pair{ISO: new(ISO8601Time(ts)), Unix: new(UnixTime(ts))})
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"iso":"2021-07-07T15:04:05.123Z","unix":1625670245.123}`
	if string(got) != want {
		t.Fatalf("Marshal = %s, want %s", got, want)
	}
	var back pair
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if !back.ISO.Time().Equal(ts) || !back.Unix.Time().Equal(ts) {
		t.Errorf("round trip = %v, %v; want %v", back.ISO.Time(), back.Unix.Time(), ts)
	}
	whole, _ := json.Marshal(UnixTime(ts.Truncate(time.Second)))
	if string(whole) != "1625670245" {
		t.Errorf("whole seconds = %s", whole)
	}
	var bad pair
	if err := json.Unmarshal([]byte(`{"unix":"x"}`), &bad); err == nil {
		t.Error("string accepted as UnixTime")
	}
	if err := json.Unmarshal([]byte(`{"iso":"yesterday"}`), &bad); err == nil {
		t.Error("bad ISO 8601 accepted")
	}
}
