package main

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

const authUUIDText = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`

var (
	authUserPoolIDRE     = regexp.MustCompile(`^us-east-1_[A-Za-z0-9]{9}$`)
	authAppClientIDRE    = regexp.MustCompile(`^[a-z0-9]{26}$`)
	authIdentityPoolIDRE = regexp.MustCompile(`^us-east-1:` + authUUIDText + `$`)
)

// maximalAuthConfig sets every member of a CreateBackendAuth ResourceConfig.
func maximalAuthConfig() *amplifybackend.CreateBackendAuthResourceConfig {
	return &amplifybackend.CreateBackendAuthResourceConfig{
		AuthResources: aws.String("IDENTITY_POOL_AND_USER_POOL"),
		Service:       aws.String("COGNITO"),
		IdentityPoolConfigs: &amplifybackend.CreateBackendAuthIdentityPoolConfig{
			IdentityPoolName:     aws.String("myIdentityPool"),
			UnauthenticatedLogin: aws.Bool(true),
		},
		UserPoolConfigs: &amplifybackend.CreateBackendAuthUserPoolConfig{
			ForgotPassword: &amplifybackend.CreateBackendAuthForgotPasswordConfig{
				DeliveryMethod: aws.String("EMAIL"),
				EmailSettings:  &amplifybackend.EmailSettings{EmailMessage: aws.String("Your code is {####}"), EmailSubject: aws.String("Reset")},
				SmsSettings:    &amplifybackend.SmsSettings{SmsMessage: aws.String("Code {####}")},
			},
			Mfa: &amplifybackend.CreateBackendAuthMFAConfig{
				MFAMode: aws.String("OPTIONAL"),
				Settings: &amplifybackend.Settings{
					MfaTypes:   aws.StringSlice([]string{"SMS", "TOTP"}),
					SmsMessage: aws.String("MFA code {####}"),
				},
			},
			OAuth: &amplifybackend.CreateBackendAuthOAuthConfig{
				DomainPrefix:        aws.String("myapp-login"),
				OAuthGrantType:      aws.String("CODE"),
				OAuthScopes:         aws.StringSlice([]string{"PHONE", "EMAIL", "OPENID", "PROFILE", "AWS_COGNITO_SIGNIN_USER_ADMIN"}),
				RedirectSignInURIs:  aws.StringSlice([]string{"https://example.com/signin", "myapp://signin/"}),
				RedirectSignOutURIs: aws.StringSlice([]string{"https://example.com/signout"}),
				SocialProviderSettings: &amplifybackend.SocialProviderSettings{
					Facebook:        &amplifybackend.BackendAuthSocialProviderConfig{ClientId: aws.String("fb-id"), ClientSecret: aws.String("fb-secret")},
					Google:          &amplifybackend.BackendAuthSocialProviderConfig{ClientId: aws.String("g-id"), ClientSecret: aws.String("g-secret")},
					LoginWithAmazon: &amplifybackend.BackendAuthSocialProviderConfig{ClientId: aws.String("amzn-id"), ClientSecret: aws.String("amzn-secret")},
					SignInWithApple: &amplifybackend.BackendAuthAppleProviderConfig{
						ClientId:   aws.String("com.example.app"),
						KeyId:      aws.String("KEY123"),
						PrivateKey: aws.String("-----BEGIN PRIVATE KEY-----\nMIGT\n-----END PRIVATE KEY-----"),
						TeamId:     aws.String("TEAM456"),
					},
				},
			},
			PasswordPolicy: &amplifybackend.CreateBackendAuthPasswordPolicyConfig{
				AdditionalConstraints: aws.StringSlice([]string{"REQUIRE_DIGIT", "REQUIRE_LOWERCASE", "REQUIRE_SYMBOL", "REQUIRE_UPPERCASE"}),
				MinimumLength:         aws.Float64(12),
			},
			RequiredSignUpAttributes: aws.StringSlice([]string{"EMAIL", "NAME", "PHONE_NUMBER"}),
			SignInMethod:             aws.String("EMAIL_AND_PHONE_NUMBER"),
			UserPoolName:             aws.String("myUserPool"),
			VerificationMessage: &amplifybackend.CreateBackendAuthVerificationMessageConfig{
				DeliveryMethod: aws.String("SMS"),
				EmailSettings:  &amplifybackend.EmailSettings{EmailMessage: aws.String("Verify {####}"), EmailSubject: aws.String("Verify")},
				SmsSettings:    &amplifybackend.SmsSettings{SmsMessage: aws.String("Verify {####}")},
			},
		},
	}
}

// minimalAuthConfig is a USER_POOL_ONLY configuration with a few nested members.
func minimalAuthConfig() *amplifybackend.CreateBackendAuthResourceConfig {
	return &amplifybackend.CreateBackendAuthResourceConfig{
		AuthResources: aws.String("USER_POOL_ONLY"),
		Service:       aws.String("COGNITO"),
		UserPoolConfigs: &amplifybackend.CreateBackendAuthUserPoolConfig{
			RequiredSignUpAttributes: aws.StringSlice([]string{"EMAIL"}),
			SignInMethod:             aws.String("EMAIL"),
			UserPoolName:             aws.String("pool1"),
			PasswordPolicy: &amplifybackend.CreateBackendAuthPasswordPolicyConfig{
				AdditionalConstraints: aws.StringSlice([]string{"REQUIRE_DIGIT"}),
				MinimumLength:         aws.Float64(8),
			},
			OAuth: &amplifybackend.CreateBackendAuthOAuthConfig{
				OAuthGrantType:      aws.String("CODE"),
				OAuthScopes:         aws.StringSlice([]string{"OPENID"}),
				RedirectSignInURIs:  aws.StringSlice([]string{"https://a.example/in"}),
				RedirectSignOutURIs: aws.StringSlice([]string{"https://a.example/out"}),
				SocialProviderSettings: &amplifybackend.SocialProviderSettings{
					Facebook: &amplifybackend.BackendAuthSocialProviderConfig{ClientId: aws.String("fb"), ClientSecret: aws.String("fbs")},
					Google:   &amplifybackend.BackendAuthSocialProviderConfig{ClientId: aws.String("g"), ClientSecret: aws.String("gs")},
				},
			},
		},
	}
}

// submitAuth submits CreateBackendAuth and returns the response without running the job.
func (s *testServer) submitAuth(appID, env, name string, cfg *amplifybackend.CreateBackendAuthResourceConfig) *amplifybackend.CreateBackendAuthOutput {
	s.t.Helper()
	out, err := s.client.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{
		AppId: aws.String(appID), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name), ResourceConfig: cfg,
	})
	if err != nil {
		s.t.Fatalf("CreateBackendAuth: %v", err)
	}
	return out
}

// createAuth creates an auth resource and waits for the job.
func (s *testServer) createAuth(appID, env, name string, cfg *amplifybackend.CreateBackendAuthResourceConfig) {
	s.t.Helper()
	out := s.submitAuth(appID, env, name, cfg)
	s.mustComplete(s.client, appID, env, out.JobId)
}

func (s *testServer) getAuth(appID, env, name string) (*amplifybackend.GetBackendAuthOutput, error) {
	return s.client.GetBackendAuth(&amplifybackend.GetBackendAuthInput{
		AppId: aws.String(appID), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name),
	})
}

func (s *testServer) mustGetAuth(appID, env, name string) *amplifybackend.GetBackendAuthOutput {
	s.t.Helper()
	out, err := s.getAuth(appID, env, name)
	if err != nil {
		s.t.Fatalf("GetBackendAuth %s/%s/%s: %v", appID, env, name, err)
	}
	return out
}

// meta returns an environment's amplify-meta.json, parsed.
func (s *testServer) amplifyMeta(appID, env string) map[string]any {
	s.t.Helper()
	out, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String(appID), BackendEnvironmentName: aws.String(env)})
	if err != nil {
		s.t.Fatalf("GetBackend %s/%s: %v", appID, env, err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(aws.StringValue(out.AmplifyMetaConfig)), &m); err != nil {
		s.t.Fatalf("AmplifyMetaConfig is not JSON: %v\n%s", err, aws.StringValue(out.AmplifyMetaConfig))
	}
	return m
}

// authMeta returns the auth section of an environment's amplify-meta.json.
func (s *testServer) authMeta(appID, env string) map[string]any {
	s.t.Helper()
	auth, _ := s.amplifyMeta(appID, env)["auth"].(map[string]any)
	return auth
}

// authOutput returns auth.<name>.output of an environment's amplify-meta.json.
func (s *testServer) authOutput(appID, env, name string) map[string]any {
	s.t.Helper()
	entry, ok := s.authMeta(appID, env)[name].(map[string]any)
	if !ok {
		s.t.Fatalf("amplify-meta.json of %s/%s has no auth.%s", appID, env, name)
	}
	out, _ := entry["output"].(map[string]any)
	return out
}

// wantNotFound fails unless err is a NotFoundException naming resourceType.
func wantMissing(t testing.TB, err error, resourceType string) {
	t.Helper()
	wantCode(t, err, amplifybackend.ErrCodeNotFoundException)
	var nf *amplifybackend.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("error %v is not a *NotFoundException", err)
	}
	if got := aws.StringValue(nf.ResourceType); got != resourceType {
		t.Fatalf("NotFoundException resourceType = %q (%s); want %q", got, nf.Message(), resourceType)
	}
}

func prettyJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func TestAuthCreateGetRoundTrip(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "d1auth", "authapp", "dev")
	cfg := maximalAuthConfig()

	out := s.submitAuth("d1auth", "dev", "myauth", cfg)
	if aws.StringValue(out.Status) != "IN_PROGRESS" || aws.StringValue(out.Operation) != "CreateBackendAuth" ||
		aws.StringValue(out.AppId) != "d1auth" || aws.StringValue(out.BackendEnvironmentName) != "dev" || out.JobId == nil {
		t.Fatalf("CreateBackendAuth response = %v", out)
	}
	// Before the job runs, the resource does not exist.
	_, err := s.getAuth("d1auth", "dev", "myauth")
	wantMissing(t, err, "auth")
	if _, ok := s.amplifyMeta("d1auth", "dev")["auth"]; ok {
		t.Fatalf("amplify-meta.json shows auth before the job ran")
	}
	job, err := s.client.GetBackendJob(&amplifybackend.GetBackendJobInput{AppId: aws.String("d1auth"), BackendEnvironmentName: aws.String("dev"), JobId: out.JobId})
	if err != nil || aws.StringValue(job.Status) != "IN_PROGRESS" {
		t.Fatalf("GetBackendJob before run = %v, %v; want IN_PROGRESS", job, err)
	}
	s.mustComplete(s.client, "d1auth", "dev", out.JobId)

	got := s.mustGetAuth("d1auth", "dev", "myauth")
	if aws.StringValue(got.AppId) != "d1auth" || aws.StringValue(got.BackendEnvironmentName) != "dev" || aws.StringValue(got.ResourceName) != "myauth" {
		t.Fatalf("GetBackendAuth identity = %v", got)
	}
	if !reflect.DeepEqual(got.ResourceConfig, cfg) {
		t.Fatalf("GetBackendAuth ResourceConfig differs from what was created:\ngot  %s\nwant %s", prettyJSON(got.ResourceConfig), prettyJSON(cfg))
	}

	// The wire names, as a browser or any client sees them.
	resp, body := s.raw("POST", "/backend/d1auth/auth/dev/details", `{"resourceName":"myauth"}`, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("raw GetBackendAuth: %d %s", resp.StatusCode, body)
	}
	for _, name := range []string{`"client_id"`, `"client_secret"`, `"key_id"`, `"private_key"`, `"team_id"`, `"MFAMode"`,
		`"Facebook"`, `"SignInWithApple"`, `"LoginWithAmazon"`, `"Google"`, `"resourceConfig"`, `"userPoolConfigs"`} {
		if !strings.Contains(body, name) {
			t.Errorf("raw GetBackendAuth response lacks %s: %s", name, body)
		}
	}

	// amplify-meta.json shows the deployed ids, stable across reads.
	o1 := s.authOutput("d1auth", "dev", "myauth")
	o2 := s.authOutput("d1auth", "dev", "myauth")
	if !reflect.DeepEqual(o1, o2) {
		t.Fatalf("auth outputs differ between two GetBackend calls:\n%v\n%v", o1, o2)
	}
	checkAuthOutput(t, o1, true)
	if o1["UserPoolName"] != "myUserPool" || o1["IdentityPoolName"] != "myIdentityPool" {
		t.Errorf("pool names = %v, %v", o1["UserPoolName"], o1["IdentityPoolName"])
	}
	entry := s.authMeta("d1auth", "dev")["myauth"].(map[string]any)
	if entry["service"] != "Cognito" || entry["providerPlugin"] != "awscloudformation" {
		t.Errorf("auth meta entry = %v", entry)
	}
	if _, imported := entry["serviceType"]; imported {
		t.Errorf("created auth shows serviceType %v", entry["serviceType"])
	}
	fac, _ := entry["frontendAuthConfig"].(map[string]any)
	if got := prettyJSON(fac["socialProviders"]); got != prettyJSON([]string{"FACEBOOK", "GOOGLE", "AMAZON", "APPLE"}) {
		t.Errorf("frontendAuthConfig.socialProviders = %s", got)
	}

	// A clone has the same configuration and new ids.
	clone, err := s.client.CloneBackend(&amplifybackend.CloneBackendInput{
		AppId: aws.String("d1auth"), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String("prod"),
	})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(s.client, "d1auth", "dev", clone.JobId)
	cloned := s.mustGetAuth("d1auth", "prod", "myauth")
	if !reflect.DeepEqual(cloned.ResourceConfig, cfg) {
		t.Fatalf("cloned configuration differs:\ngot  %s\nwant %s", prettyJSON(cloned.ResourceConfig), prettyJSON(cfg))
	}
	co := s.authOutput("d1auth", "prod", "myauth")
	checkAuthOutput(t, co, true)
	for _, k := range []string{"UserPoolId", "UserPoolArn", "AppClientIDWeb", "AppClientID", "IdentityPoolId"} {
		if co[k] == o1[k] {
			t.Errorf("clone kept %s %v; want a new id", k, co[k])
		}
	}
	if !reflect.DeepEqual(s.authOutput("d1auth", "dev", "myauth"), o1) {
		t.Errorf("cloning changed the source's ids")
	}
}

// checkAuthOutput checks the formats of an auth resource's deployed ids.
func checkAuthOutput(t *testing.T, o map[string]any, identityPool bool) {
	t.Helper()
	str := func(k string) string { v, _ := o[k].(string); return v }
	if !authUserPoolIDRE.MatchString(str("UserPoolId")) {
		t.Errorf("UserPoolId = %q", str("UserPoolId"))
	}
	if want := "arn:aws:cognito-idp:us-east-1:000000000000:userpool/" + str("UserPoolId"); str("UserPoolArn") != want {
		t.Errorf("UserPoolArn = %q; want %q", str("UserPoolArn"), want)
	}
	for _, k := range []string{"AppClientID", "AppClientIDWeb"} {
		if !authAppClientIDRE.MatchString(str(k)) {
			t.Errorf("%s = %q", k, str(k))
		}
	}
	if str("AppClientID") == str("AppClientIDWeb") {
		t.Errorf("AppClientID and AppClientIDWeb are both %q", str("AppClientID"))
	}
	if identityPool {
		if !authIdentityPoolIDRE.MatchString(str("IdentityPoolId")) {
			t.Errorf("IdentityPoolId = %q", str("IdentityPoolId"))
		}
	} else if _, ok := o["IdentityPoolId"]; ok {
		t.Errorf("IdentityPoolId = %v without an identity pool", o["IdentityPoolId"])
	}
}

func (s *testServer) updateAuth(appID, env, name string, cfg *amplifybackend.UpdateBackendAuthResourceConfig) (*amplifybackend.UpdateBackendAuthOutput, error) {
	return s.client.UpdateBackendAuth(&amplifybackend.UpdateBackendAuthInput{
		AppId: aws.String(appID), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name), ResourceConfig: cfg,
	})
}

func TestUpdateBackendAuthMerges(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "d1upd", "updapp", "dev")
	s.createAuth("d1upd", "dev", "auth1", minimalAuthConfig())
	before := s.authOutput("d1upd", "dev", "auth1")

	// Change one nested member of the password policy and one social provider.
	out, err := s.updateAuth("d1upd", "dev", "auth1", &amplifybackend.UpdateBackendAuthResourceConfig{
		AuthResources: aws.String("USER_POOL_ONLY"),
		Service:       aws.String("COGNITO"),
		UserPoolConfigs: &amplifybackend.UpdateBackendAuthUserPoolConfig{
			PasswordPolicy: &amplifybackend.UpdateBackendAuthPasswordPolicyConfig{MinimumLength: aws.Float64(10)},
			OAuth: &amplifybackend.UpdateBackendAuthOAuthConfig{
				SocialProviderSettings: &amplifybackend.SocialProviderSettings{
					Google: &amplifybackend.BackendAuthSocialProviderConfig{ClientId: aws.String("g2"), ClientSecret: aws.String("gs2")},
				},
			},
		},
	})
	if err != nil {
		t.Fatalf("UpdateBackendAuth: %v", err)
	}
	if aws.StringValue(out.Status) != "IN_PROGRESS" || aws.StringValue(out.Operation) != "UpdateBackendAuth" {
		t.Fatalf("UpdateBackendAuth response = %v", out)
	}
	// The change is invisible until the job completes.
	if got := s.mustGetAuth("d1upd", "dev", "auth1"); !reflect.DeepEqual(got.ResourceConfig, minimalAuthConfig()) {
		t.Fatalf("update visible before its job ran: %s", prettyJSON(got.ResourceConfig))
	}
	s.mustComplete(s.client, "d1upd", "dev", out.JobId)

	want := minimalAuthConfig()
	want.UserPoolConfigs.PasswordPolicy.MinimumLength = aws.Float64(10)
	want.UserPoolConfigs.OAuth.SocialProviderSettings.Google = &amplifybackend.BackendAuthSocialProviderConfig{ClientId: aws.String("g2"), ClientSecret: aws.String("gs2")}
	if got := s.mustGetAuth("d1upd", "dev", "auth1"); !reflect.DeepEqual(got.ResourceConfig, want) {
		t.Fatalf("merged configuration:\ngot  %s\nwant %s", prettyJSON(got.ResourceConfig), prettyJSON(want))
	}
	after := s.authOutput("d1upd", "dev", "auth1")
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("update changed the deployed ids:\nbefore %v\nafter  %v", before, after)
	}
	checkAuthOutput(t, after, false)

	// Adding an identity pool deploys it and keeps the user pool.
	out, err = s.updateAuth("d1upd", "dev", "auth1", &amplifybackend.UpdateBackendAuthResourceConfig{
		AuthResources:       aws.String("IDENTITY_POOL_AND_USER_POOL"),
		Service:             aws.String("COGNITO"),
		IdentityPoolConfigs: &amplifybackend.UpdateBackendAuthIdentityPoolConfig{UnauthenticatedLogin: aws.Bool(true)},
		UserPoolConfigs:     &amplifybackend.UpdateBackendAuthUserPoolConfig{},
	})
	if err != nil {
		t.Fatalf("UpdateBackendAuth (identity pool): %v", err)
	}
	s.mustComplete(s.client, "d1upd", "dev", out.JobId)
	want.AuthResources = aws.String("IDENTITY_POOL_AND_USER_POOL")
	want.IdentityPoolConfigs = &amplifybackend.CreateBackendAuthIdentityPoolConfig{
		IdentityPoolName: aws.String("auth1_identitypool"), UnauthenticatedLogin: aws.Bool(true),
	}
	if got := s.mustGetAuth("d1upd", "dev", "auth1"); !reflect.DeepEqual(got.ResourceConfig, want) {
		t.Fatalf("configuration with identity pool:\ngot  %s\nwant %s", prettyJSON(got.ResourceConfig), prettyJSON(want))
	}
	withIP := s.authOutput("d1upd", "dev", "auth1")
	checkAuthOutput(t, withIP, true)
	if withIP["IdentityPoolName"] != "auth1_identitypool" {
		t.Errorf("IdentityPoolName = %v", withIP["IdentityPoolName"])
	}
	for _, k := range []string{"UserPoolId", "UserPoolArn", "UserPoolName", "AppClientIDWeb", "AppClientID"} {
		if withIP[k] != before[k] {
			t.Errorf("adding the identity pool changed %s: %v -> %v", k, before[k], withIP[k])
		}
	}

	// Back to USER_POOL_ONLY: the identity pool goes, the user pool stays.
	out, err = s.updateAuth("d1upd", "dev", "auth1", &amplifybackend.UpdateBackendAuthResourceConfig{
		AuthResources:   aws.String("USER_POOL_ONLY"),
		Service:         aws.String("COGNITO"),
		UserPoolConfigs: &amplifybackend.UpdateBackendAuthUserPoolConfig{},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(s.client, "d1upd", "dev", out.JobId)
	want.AuthResources = aws.String("USER_POOL_ONLY")
	want.IdentityPoolConfigs = nil
	if got := s.mustGetAuth("d1upd", "dev", "auth1"); !reflect.DeepEqual(got.ResourceConfig, want) {
		t.Fatalf("configuration without identity pool:\ngot  %s\nwant %s", prettyJSON(got.ResourceConfig), prettyJSON(want))
	}
	if o := s.authOutput("d1upd", "dev", "auth1"); o["UserPoolId"] != before["UserPoolId"] {
		t.Errorf("UserPoolId changed: %v", o["UserPoolId"])
	} else {
		checkAuthOutput(t, o, false)
	}

	// An update that leaves an invalid configuration is refused at once: the stored config
	// has no MFA, so the update must give MFAMode.
	_, err = s.updateAuth("d1upd", "dev", "auth1", &amplifybackend.UpdateBackendAuthResourceConfig{
		AuthResources: aws.String("USER_POOL_ONLY"),
		Service:       aws.String("COGNITO"),
		UserPoolConfigs: &amplifybackend.UpdateBackendAuthUserPoolConfig{
			Mfa: &amplifybackend.UpdateBackendAuthMFAConfig{Settings: &amplifybackend.Settings{MfaTypes: aws.StringSlice([]string{"TOTP"})}},
		},
	})
	if ae := wantCode(t, err, amplifybackend.ErrCodeBadRequestException); !strings.Contains(ae.Message(), "resourceConfig.userPoolConfigs.mfa.MFAMode") {
		t.Errorf("message = %q; want it to name the missing member", ae.Message())
	}
	// ... and accepted with it.
	out, err = s.updateAuth("d1upd", "dev", "auth1", &amplifybackend.UpdateBackendAuthResourceConfig{
		AuthResources: aws.String("USER_POOL_ONLY"),
		Service:       aws.String("COGNITO"),
		UserPoolConfigs: &amplifybackend.UpdateBackendAuthUserPoolConfig{
			Mfa: &amplifybackend.UpdateBackendAuthMFAConfig{MFAMode: aws.String("ON"), Settings: &amplifybackend.Settings{MfaTypes: aws.StringSlice([]string{"TOTP"})}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(s.client, "d1upd", "dev", out.JobId)
	want.UserPoolConfigs.Mfa = &amplifybackend.CreateBackendAuthMFAConfig{MFAMode: aws.String("ON"), Settings: &amplifybackend.Settings{MfaTypes: aws.StringSlice([]string{"TOTP"})}}
	if got := s.mustGetAuth("d1upd", "dev", "auth1"); !reflect.DeepEqual(got.ResourceConfig, want) {
		t.Fatalf("configuration with MFA:\ngot  %s\nwant %s", prettyJSON(got.ResourceConfig), prettyJSON(want))
	}
	fac := s.authMeta("d1upd", "dev")["auth1"].(map[string]any)["frontendAuthConfig"].(map[string]any)
	if fac["mfaConfiguration"] != "ON" {
		t.Errorf("frontendAuthConfig.mfaConfiguration = %v", fac["mfaConfiguration"])
	}
}

func TestDeleteBackendAuth(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "d1del", "delapp", "dev")
	s.createAuth("d1del", "dev", "auth1", minimalAuthConfig())
	out, err := s.client.DeleteBackendAuth(&amplifybackend.DeleteBackendAuthInput{
		AppId: aws.String("d1del"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("auth1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.StringValue(out.Status) != "IN_PROGRESS" || aws.StringValue(out.Operation) != "DeleteBackendAuth" {
		t.Fatalf("DeleteBackendAuth response = %v", out)
	}
	s.mustGetAuth("d1del", "dev", "auth1") // still there until the job runs
	s.mustComplete(s.client, "d1del", "dev", out.JobId)
	_, err = s.getAuth("d1del", "dev", "auth1")
	wantMissing(t, err, "auth")
	if auth, ok := s.amplifyMeta("d1del", "dev")["auth"]; ok {
		t.Errorf("amplify-meta.json still shows auth: %v", auth)
	}
	// The environment can have auth again.
	s.createAuth("d1del", "dev", "auth2", minimalAuthConfig())
	s.mustGetAuth("d1del", "dev", "auth2")
}

func TestAuthNotFound(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "d1nf", "nfapp", "dev")
	s.createBackend(s.client, "d1nf", "nfapp", "empty")
	s.createAuth("d1nf", "dev", "auth1", minimalAuthConfig())
	cases := []struct {
		name, app, env, resource, wantType string
	}{
		{"no app", "nosuchapp", "dev", "auth1", "app"},
		{"no environment", "d1nf", "nosuchenv", "auth1", "environment"},
		{"no auth resource", "d1nf", "empty", "auth1", "auth"},
		{"other resource name", "d1nf", "dev", "auth2", "auth"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.getAuth(c.app, c.env, c.resource)
			wantMissing(t, err, c.wantType)
			_, err = s.updateAuth(c.app, c.env, c.resource, &amplifybackend.UpdateBackendAuthResourceConfig{
				AuthResources: aws.String("USER_POOL_ONLY"), Service: aws.String("COGNITO"),
				UserPoolConfigs: &amplifybackend.UpdateBackendAuthUserPoolConfig{},
			})
			wantMissing(t, err, c.wantType)
			_, err = s.client.DeleteBackendAuth(&amplifybackend.DeleteBackendAuthInput{
				AppId: aws.String(c.app), BackendEnvironmentName: aws.String(c.env), ResourceName: aws.String(c.resource),
			})
			wantMissing(t, err, c.wantType)
		})
	}
	for _, c := range cases[:2] {
		t.Run("create/import "+c.name, func(t *testing.T) {
			_, err := s.client.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{
				AppId: aws.String(c.app), BackendEnvironmentName: aws.String(c.env), ResourceName: aws.String("x"), ResourceConfig: minimalAuthConfig(),
			})
			wantMissing(t, err, c.wantType)
			_, err = s.client.ImportBackendAuth(authImportInput(c.app, c.env))
			wantMissing(t, err, c.wantType)
		})
	}
	// Nothing was recorded: no job is pending for dev.
	if got := len(s.jobsOf("d1nf", "dev", "IN_PROGRESS")); got != 0 {
		t.Errorf("%d pending jobs after refused requests", got)
	}
}

func (s *testServer) jobsOf(appID, env, status string) []*amplifybackend.BackendJobRespObj {
	s.t.Helper()
	in := &amplifybackend.ListBackendJobsInput{AppId: aws.String(appID), BackendEnvironmentName: aws.String(env)}
	if status != "" {
		in.Status = aws.String(status)
	}
	out, err := s.client.ListBackendJobs(in)
	if err != nil {
		s.t.Fatalf("ListBackendJobs: %v", err)
	}
	return out.Jobs
}

func authImportInput(appID, env string) *amplifybackend.ImportBackendAuthInput {
	return &amplifybackend.ImportBackendAuthInput{
		AppId:                  aws.String(appID),
		BackendEnvironmentName: aws.String(env),
		UserPoolId:             aws.String("us-east-1_AbC123xyZ"),
		WebClientId:            aws.String("webclient1234567890abcdefg"),
		NativeClientId:         aws.String("nativeclient1234567890abcd"),
		IdentityPoolId:         aws.String("us-east-1:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"),
	}
}

func TestAuthBadRequest(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "d1bad", "badapp", "dev")
	s.createAuth("d1bad", "dev", "auth1", minimalAuthConfig())

	t.Run("duplicate create", func(t *testing.T) {
		_, err := s.client.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{
			AppId: aws.String("d1bad"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("auth2"), ResourceConfig: minimalAuthConfig(),
		})
		wantCode(t, err, amplifybackend.ErrCodeBadRequestException)
	})
	t.Run("import over existing auth", func(t *testing.T) {
		_, err := s.client.ImportBackendAuth(authImportInput("d1bad", "dev"))
		wantCode(t, err, amplifybackend.ErrCodeBadRequestException)
	})
	t.Run("overlong resource name", func(t *testing.T) {
		_, err := s.client.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{
			AppId: aws.String("d1bad"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String(strings.Repeat("a", 256)), ResourceConfig: minimalAuthConfig(),
		})
		wantCode(t, err, amplifybackend.ErrCodeBadRequestException)
	})

	s.createBackend(s.client, "d1bad", "badapp", "imp")
	ids := []struct {
		name                                string
		userPool, web, native, identityPool string
	}{
		{"no underscore", "us-east-1AbC123xyZ", "web", "native", ""},
		{"no region", "_AbC123xyZ", "web", "native", ""},
		{"implausible region", "moon-base_AbC123xyZ", "web", "native", ""},
		{"empty pool part", "us-east-1_", "web", "native", ""},
		{"non-alphanumeric pool part", "us-east-1_AbC-123", "web", "native", ""},
		{"other region", "eu-west-1_AbC123xyZ", "web", "native", ""},
		{"empty web client", "us-east-1_AbC123xyZ", "", "native", ""},
		{"empty native client", "us-east-1_AbC123xyZ", "web", "", ""},
		{"identity pool not a uuid", "us-east-1_AbC123xyZ", "web", "native", "us-east-1:not-a-uuid"},
		{"identity pool without region", "us-east-1_AbC123xyZ", "web", "native", "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"},
		{"identity pool in other region", "us-east-1_AbC123xyZ", "web", "native", "eu-west-1:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"},
		{"identity pool with underscore", "us-east-1_AbC123xyZ", "web", "native", "us-east-1_0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"},
	}
	for _, c := range ids {
		t.Run("import "+c.name, func(t *testing.T) {
			in := &amplifybackend.ImportBackendAuthInput{
				AppId: aws.String("d1bad"), BackendEnvironmentName: aws.String("imp"),
				UserPoolId: aws.String(c.userPool), WebClientId: aws.String(c.web), NativeClientId: aws.String(c.native),
			}
			if c.identityPool != "" {
				in.IdentityPoolId = aws.String(c.identityPool)
			}
			_, err := s.client.ImportBackendAuth(in)
			wantCode(t, err, amplifybackend.ErrCodeBadRequestException)
		})
	}
	if n := len(s.jobsOf("d1bad", "imp", "")); n != 1 { // the CreateBackend job only
		t.Errorf("imp has %d jobs after refused imports; want 1", n)
	}

	t.Run("delete auth the API uses", func(t *testing.T) {
		key := amplify.EnvKey{AppKey: amplify.AppKey{Scope: amplify.Scope{Account: "000000000000", Region: "us-east-1"}, AppID: "d1bad"}, Env: "dev"}
		putAPI := func(mode string) {
			t.Helper()
			cfg := `{"apiName":"api1","defaultAuthType":{"mode":"` + mode + `"},"transformSchema":"type Todo @model { id: ID! }"}`
			err := s.Store.Update(context.Background(), func(tx amplify.Tx) error {
				return tx.PutResource(key, &amplify.Resource{Kind: amplify.KindAPI, Name: "api1", Config: json.RawMessage(cfg), Revision: 1})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		del := func() (*amplifybackend.DeleteBackendAuthOutput, error) {
			return s.client.DeleteBackendAuth(&amplifybackend.DeleteBackendAuthInput{
				AppId: aws.String("d1bad"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("auth1"),
			})
		}
		putAPI("AMAZON_COGNITO_USER_POOLS")
		_, err := del()
		if ae := wantCode(t, err, amplifybackend.ErrCodeBadRequestException); !strings.Contains(ae.Message(), "API") {
			t.Errorf("message = %q; want it to point at the API", ae.Message())
		}
		// Submitted while the API does not use the user pool, refused when it runs.
		putAPI("API_KEY")
		out, err := del()
		if err != nil {
			t.Fatal(err)
		}
		putAPI("AMAZON_COGNITO_USER_POOLS")
		job := s.finish(s.client, "d1bad", "dev", out.JobId)
		if aws.StringValue(job.Status) != "FAILED" || !strings.Contains(aws.StringValue(job.Error), "AMAZON_COGNITO_USER_POOLS") {
			t.Fatalf("job = %v; want FAILED naming AMAZON_COGNITO_USER_POOLS", job)
		}
		s.mustGetAuth("d1bad", "dev", "auth1")
		// Once the API no longer uses the user pool, auth can go.
		putAPI("API_KEY")
		out, err = del()
		if err != nil {
			t.Fatal(err)
		}
		s.mustComplete(s.client, "d1bad", "dev", out.JobId)
		_, err = s.getAuth("d1bad", "dev", "auth1")
		wantMissing(t, err, "auth")
	})

	t.Run("pending job", func(t *testing.T) {
		first := s.submitAuth("d1bad", "imp", "authx", minimalAuthConfig())
		_, err := s.client.ImportBackendAuth(authImportInput("d1bad", "imp"))
		wantCode(t, err, amplifybackend.ErrCodeBadRequestException)
		s.mustComplete(s.client, "d1bad", "imp", first.JobId)
	})
}

// TestDeleteAuthUsedByAPIClient drives the dependency through the client alone: an API created
// with AMAZON_COGNITO_USER_POOLS as its default auth keeps DeleteBackendAuth refused, with a
// message naming the API, until the API stops using the user pool.
func TestDeleteAuthUsedByAPIClient(t *testing.T) {
	s := startServer(t)
	c := s.client
	s.createBackend(c, "d1dep", "dep", "dev")
	s.createAuth("d1dep", "dev", "depauth", minimalAuthConfig())
	s.apiCreate(c, "d1dep", "dev", "depapi", apiResourceConfig(apiTodoSchema, "AMAZON_COGNITO_USER_POOLS"))
	del := func() (*amplifybackend.DeleteBackendAuthOutput, error) {
		return c.DeleteBackendAuth(&amplifybackend.DeleteBackendAuthInput{
			AppId: aws.String("d1dep"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("depauth"),
		})
	}
	_, err := del()
	ae := wantCode(t, err, amplifybackend.ErrCodeBadRequestException)
	want := "The auth resource depauth cannot be deleted: the API resource depapi of appId: d1dep and backendEnvironmentName: dev authorizes with AMAZON_COGNITO_USER_POOLS."
	if !strings.Contains(ae.Message(), want) {
		t.Errorf("message = %q; want it to contain %q", ae.Message(), want)
	}
	if n := len(s.jobsOf("d1dep", "dev", "IN_PROGRESS")); n != 0 {
		t.Errorf("a refused DeleteBackendAuth left %d jobs in progress", n)
	}
	s.mustGetAuth("d1dep", "dev", "depauth")

	if job := s.apiUpdate("d1dep", "dev", "depapi", apiResourceConfig(apiTodoSchema, "API_KEY")); aws.StringValue(job.Status) != "COMPLETED" {
		t.Fatalf("UpdateBackendAPI to API_KEY: %v", job)
	}
	out, err := del()
	if err != nil {
		t.Fatalf("DeleteBackendAuth once the API uses API_KEY: %v", err)
	}
	s.mustComplete(c, "d1dep", "dev", out.JobId)
	_, err = s.getAuth("d1dep", "dev", "depauth")
	wantMissing(t, err, "auth")
}

func TestCreateAuthEffectRechecks(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "d1re", "reapp", "dev")
	out := s.submitAuth("d1re", "dev", "auth1", minimalAuthConfig())
	// The environment goes away before the job runs (a direct store change: the API refuses
	// a second job while this one is pending).
	key := amplify.EnvKey{AppKey: amplify.AppKey{Scope: amplify.Scope{Account: "000000000000", Region: "us-east-1"}, AppID: "d1re"}, Env: "dev"}
	if err := s.Store.Update(context.Background(), func(tx amplify.Tx) error { return tx.DeleteEnvironment(key) }); err != nil {
		t.Fatal(err)
	}
	job := s.finish(s.client, "d1re", "dev", out.JobId)
	if aws.StringValue(job.Status) != "FAILED" || !strings.Contains(aws.StringValue(job.Error), "dev") {
		t.Fatalf("job = %v; want FAILED naming the environment", job)
	}
}

func TestImportBackendAuth(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "d1imp", "My App", "dev")
	in := authImportInput("d1imp", "dev")
	out, err := s.client.ImportBackendAuth(in)
	if err != nil {
		t.Fatal(err)
	}
	if aws.StringValue(out.Status) != "IN_PROGRESS" || aws.StringValue(out.Operation) != "ImportBackendAuth" || aws.StringValue(out.BackendEnvironmentName) != "dev" {
		t.Fatalf("ImportBackendAuth response = %v", out)
	}
	if _, ok := s.amplifyMeta("d1imp", "dev")["auth"]; ok {
		t.Fatal("imported auth visible before its job ran")
	}
	s.mustComplete(s.client, "d1imp", "dev", out.JobId)

	auth := s.authMeta("d1imp", "dev")
	if len(auth) != 1 {
		t.Fatalf("auth section = %v; want one resource", auth)
	}
	var name string
	for k := range auth {
		name = k
	}
	if !regexp.MustCompile(`^my_app[0-9a-f]{8}$`).MatchString(name) {
		t.Errorf("imported resource name = %q; want my_app<8 hex>", name)
	}
	entry := auth[name].(map[string]any)
	if entry["serviceType"] != "imported" || entry["service"] != "Cognito" {
		t.Errorf("imported auth meta = %v", entry)
	}
	output := entry["output"].(map[string]any)
	wantOut := map[string]any{
		"UserPoolId":     "us-east-1_AbC123xyZ",
		"UserPoolArn":    "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_AbC123xyZ",
		"AppClientIDWeb": "webclient1234567890abcdefg",
		"AppClientID":    "nativeclient1234567890abcd",
		"IdentityPoolId": "us-east-1:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
	}
	if !reflect.DeepEqual(output, wantOut) {
		t.Errorf("imported output = %v; want %v", output, wantOut)
	}

	got := s.mustGetAuth("d1imp", "dev", name)
	wantCfg := &amplifybackend.CreateBackendAuthResourceConfig{
		AuthResources:       aws.String("IDENTITY_POOL_AND_USER_POOL"),
		Service:             aws.String("COGNITO"),
		IdentityPoolConfigs: &amplifybackend.CreateBackendAuthIdentityPoolConfig{IdentityPoolName: in.IdentityPoolId},
		UserPoolConfigs:     &amplifybackend.CreateBackendAuthUserPoolConfig{UserPoolName: in.UserPoolId},
	}
	if !reflect.DeepEqual(got.ResourceConfig, wantCfg) {
		t.Errorf("GetBackendAuth of imported auth:\ngot  %s\nwant %s", prettyJSON(got.ResourceConfig), prettyJSON(wantCfg))
	}

	_, err = s.updateAuth("d1imp", "dev", name, &amplifybackend.UpdateBackendAuthResourceConfig{
		AuthResources: aws.String("USER_POOL_ONLY"), Service: aws.String("COGNITO"),
		UserPoolConfigs: &amplifybackend.UpdateBackendAuthUserPoolConfig{},
	})
	wantCode(t, err, amplifybackend.ErrCodeBadRequestException)

	// A clone shares the imported pools.
	clone, err := s.client.CloneBackend(&amplifybackend.CloneBackendInput{
		AppId: aws.String("d1imp"), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String("test"),
	})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(s.client, "d1imp", "dev", clone.JobId)
	if o := s.authOutput("d1imp", "test", name); !reflect.DeepEqual(o, wantOut) {
		t.Errorf("cloned imported output = %v; want %v", o, wantOut)
	}

	// Removing it only forgets it.
	del, err := s.client.DeleteBackendAuth(&amplifybackend.DeleteBackendAuthInput{
		AppId: aws.String("d1imp"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String(name),
	})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(s.client, "d1imp", "dev", del.JobId)
	_, err = s.getAuth("d1imp", "dev", name)
	wantMissing(t, err, "auth")

	// A user pool alone.
	in.IdentityPoolId = nil
	out, err = s.client.ImportBackendAuth(in)
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(s.client, "d1imp", "dev", out.JobId)
	for k, v := range s.authMeta("d1imp", "dev") {
		o := v.(map[string]any)["output"].(map[string]any)
		if _, ok := o["IdentityPoolId"]; ok || o["UserPoolId"] != "us-east-1_AbC123xyZ" {
			t.Errorf("user-pool-only import output = %v", o)
		}
		if got := s.mustGetAuth("d1imp", "dev", k); aws.StringValue(got.ResourceConfig.AuthResources) != "USER_POOL_ONLY" || got.ResourceConfig.IdentityPoolConfigs != nil {
			t.Errorf("user-pool-only import config = %s", prettyJSON(got.ResourceConfig))
		}
	}
}
