package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

var (
	tokenSessionRE = regexp.MustCompile(`^` + authUUIDText + `$`)
	tokenCodeRE    = regexp.MustCompile(`^[A-Z2-7]{16}$`)
)

func (s *testServer) updateAdminConfig(appID string, login *amplifybackend.LoginAuthConfigReqObj) (*amplifybackend.UpdateBackendConfigOutput, error) {
	return s.client.UpdateBackendConfig(&amplifybackend.UpdateBackendConfigInput{AppId: aws.String(appID), LoginAuthConfig: login})
}

func TestCreateBackendConfigNewApp(t *testing.T) {
	s := startServer(t)
	out, err := s.client.CreateBackendConfig(&amplifybackend.CreateBackendConfigInput{AppId: aws.String("d2new")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.StringValue(out.AppId) != "d2new" || aws.StringValue(out.BackendEnvironmentName) != "staging" ||
		aws.StringValue(out.Status) != "IN_PROGRESS" || !tokenSessionRE.MatchString(aws.StringValue(out.JobId)) {
		t.Fatalf("CreateBackendConfig response = %v", out)
	}
	// Nothing exists until the job has run.
	_, err = s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d2new")})
	wantMissing(t, err, "app")
	job, err := s.client.GetBackendJob(&amplifybackend.GetBackendJobInput{AppId: aws.String("d2new"), BackendEnvironmentName: aws.String("staging"), JobId: out.JobId})
	if err != nil || aws.StringValue(job.Status) != "IN_PROGRESS" || aws.StringValue(job.Operation) != "CreateBackendConfig" {
		t.Fatalf("GetBackendJob = %v, %v", job, err)
	}
	s.mustComplete(s.client, "d2new", "staging", out.JobId)

	b, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d2new")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.StringValue(b.AppName) != "d2new" || strings.Join(aws.StringValueSlice(b.BackendEnvironmentList), ",") != "staging" {
		t.Fatalf("GetBackend = %v; want app d2new with environment staging", b)
	}

	cfg, err := s.updateAdminConfig("d2new", nil)
	if err != nil {
		t.Fatal(err)
	}
	login := cfg.LoginAuthConfig
	if aws.StringValue(cfg.AppId) != "d2new" || aws.StringValue(cfg.BackendManagerAppId) != "d2new" || login == nil {
		t.Fatalf("UpdateBackendConfig = %v", cfg)
	}
	if !authUserPoolIDRE.MatchString(aws.StringValue(login.AwsUserPoolsId)) ||
		!authAppClientIDRE.MatchString(aws.StringValue(login.AwsUserPoolsWebClientId)) ||
		!authIdentityPoolIDRE.MatchString(aws.StringValue(login.AwsCognitoIdentityPoolId)) ||
		aws.StringValue(login.AwsCognitoRegion) != "us-east-1" {
		t.Fatalf("generated LoginAuthConfig = %v", login)
	}

	// Wire names on the raw response.
	resp, body := s.raw("POST", "/backend/d2new/config/update", `{}`, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("raw UpdateBackendConfig: %d %s", resp.StatusCode, body)
	}
	for _, name := range []string{`"aws_user_pools_id"`, `"aws_cognito_identity_pool_id"`, `"aws_cognito_region"`, `"aws_user_pools_web_client_id"`, `"loginAuthConfig"`, `"backendManagerAppId"`} {
		if !strings.Contains(body, name) {
			t.Errorf("raw UpdateBackendConfig response lacks %s: %s", name, body)
		}
	}

	// Update overwrites the given members only.
	updated, err := s.updateAdminConfig("d2new", &amplifybackend.LoginAuthConfigReqObj{AwsUserPoolsWebClientId: aws.String("newclient")})
	if err != nil {
		t.Fatal(err)
	}
	want := *login
	want.AwsUserPoolsWebClientId = aws.String("newclient")
	if got := updated.LoginAuthConfig; got.String() != want.String() {
		t.Fatalf("updated LoginAuthConfig = %v; want %v", got, &want)
	}
	again, err := s.updateAdminConfig("d2new", nil)
	if err != nil || again.LoginAuthConfig.String() != want.String() {
		t.Fatalf("config after update = %v, %v; want %v", again, err, &want)
	}
	for _, bad := range []*amplifybackend.LoginAuthConfigReqObj{
		{AwsUserPoolsId: aws.String("not-a-pool")},
		{AwsCognitoIdentityPoolId: aws.String("us-east-1:nope")},
		{AwsCognitoRegion: aws.String("nowhere")},
		{AwsUserPoolsWebClientId: aws.String("")},
		{AwsUserPoolsWebClientId: aws.String(strings.Repeat("x", 256))},
	} {
		_, err := s.updateAdminConfig("d2new", bad)
		wantCode(t, err, amplifybackend.ErrCodeBadRequestException)
	}
	if got, _ := s.updateAdminConfig("d2new", nil); got.LoginAuthConfig.String() != want.String() {
		t.Fatalf("refused updates changed the config: %v", got.LoginAuthConfig)
	}

	// One config per app.
	_, err = s.client.CreateBackendConfig(&amplifybackend.CreateBackendConfigInput{AppId: aws.String("d2new")})
	wantCode(t, err, amplifybackend.ErrCodeBadRequestException)

	// Remove, then both answer NotFound config.
	if _, err := s.client.RemoveBackendConfig(&amplifybackend.RemoveBackendConfigInput{AppId: aws.String("d2new")}); err != nil {
		t.Fatal(err)
	}
	_, err = s.client.RemoveBackendConfig(&amplifybackend.RemoveBackendConfigInput{AppId: aws.String("d2new")})
	wantMissing(t, err, "config")
	_, err = s.updateAdminConfig("d2new", nil)
	wantMissing(t, err, "config")

	// And it can be enabled again: the app keeps its environment, the job uses it.
	out, err = s.client.CreateBackendConfig(&amplifybackend.CreateBackendConfigInput{AppId: aws.String("d2new")})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(s.client, "d2new", aws.StringValue(out.BackendEnvironmentName), out.JobId)
	if re, err := s.updateAdminConfig("d2new", nil); err != nil || aws.StringValue(re.LoginAuthConfig.AwsUserPoolsId) == aws.StringValue(login.AwsUserPoolsId) {
		t.Fatalf("re-created config = %v, %v; want new ids", re, err)
	}
}

func TestCreateBackendConfigExistingApp(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "d2old", "oldapp", "prod")
	s.createBackend(s.client, "d2old", "oldapp", "dev")
	out, err := s.client.CreateBackendConfig(&amplifybackend.CreateBackendConfigInput{AppId: aws.String("d2old"), BackendManagerAppId: aws.String("mgr1")})
	if err != nil {
		t.Fatal(err)
	}
	// The job belongs to the first environment by name.
	if aws.StringValue(out.BackendEnvironmentName) != "dev" {
		t.Fatalf("CreateBackendConfig environment = %q; want dev", aws.StringValue(out.BackendEnvironmentName))
	}
	_, err = s.updateAdminConfig("d2old", nil)
	wantMissing(t, err, "config")
	s.mustComplete(s.client, "d2old", "dev", out.JobId)

	b, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d2old")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.StringValue(b.AppName) != "oldapp" || strings.Join(aws.StringValueSlice(b.BackendEnvironmentList), ",") != "dev,prod" {
		t.Fatalf("GetBackend = %v; want oldapp with dev,prod only", b)
	}
	cfg, err := s.updateAdminConfig("d2old", nil)
	if err != nil {
		t.Fatal(err)
	}
	if aws.StringValue(cfg.BackendManagerAppId) != "mgr1" {
		t.Errorf("BackendManagerAppId = %q; want mgr1", aws.StringValue(cfg.BackendManagerAppId))
	}
}

func TestBackendConfigNotFound(t *testing.T) {
	s := startServer(t)
	_, err := s.updateAdminConfig("nosuchapp", nil)
	wantMissing(t, err, "app")
	_, err = s.client.RemoveBackendConfig(&amplifybackend.RemoveBackendConfigInput{AppId: aws.String("nosuchapp")})
	wantMissing(t, err, "app")
	s.createBackend(s.client, "d2nf", "nfapp", "dev")
	_, err = s.updateAdminConfig("d2nf", &amplifybackend.LoginAuthConfigReqObj{AwsCognitoRegion: aws.String("us-east-1")})
	wantMissing(t, err, "config")
	_, err = s.client.RemoveBackendConfig(&amplifybackend.RemoveBackendConfigInput{AppId: aws.String("d2nf")})
	wantMissing(t, err, "config")
}

func TestChallengeTokens(t *testing.T) {
	s := startServer(t)
	_, err := s.client.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String("d3none")})
	wantMissing(t, err, "app")

	s.createBackend(s.client, "d3tok", "tokapp", "dev")
	tok, err := s.client.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String("d3tok")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.StringValue(tok.AppId) != "d3tok" || !tokenSessionRE.MatchString(aws.StringValue(tok.SessionId)) ||
		!tokenCodeRE.MatchString(aws.StringValue(tok.ChallengeCode)) {
		t.Fatalf("CreateToken = %v", tok)
	}
	if want := strconv.FormatInt(s.clock.Now().Add(10*time.Minute).Unix(), 10); aws.StringValue(tok.Ttl) != want {
		t.Fatalf("Ttl = %s; want %s (now + 10 minutes, epoch seconds)", aws.StringValue(tok.Ttl), want)
	}
	other, err := s.client.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String("d3tok")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.StringValue(other.SessionId) == aws.StringValue(tok.SessionId) || aws.StringValue(other.ChallengeCode) == aws.StringValue(tok.ChallengeCode) {
		t.Fatalf("two tokens share a session id or code: %v %v", tok, other)
	}

	get := func(appID string, sessionID *string) (*amplifybackend.GetTokenOutput, error) {
		return s.client.GetToken(&amplifybackend.GetTokenInput{AppId: aws.String(appID), SessionId: sessionID})
	}
	got, err := get("d3tok", tok.SessionId)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != (&amplifybackend.GetTokenOutput{AppId: tok.AppId, ChallengeCode: tok.ChallengeCode, SessionId: tok.SessionId, Ttl: tok.Ttl}).String() {
		t.Fatalf("GetToken = %v; want what CreateToken returned: %v", got, tok)
	}
	// Tokens belong to their app.
	s.createBackend(s.client, "d3other", "otherapp", "dev")
	_, err = get("d3other", tok.SessionId)
	wantMissing(t, err, "token")
	_, err = get("d3tok", aws.String("00000000-0000-4000-8000-000000000000"))
	wantMissing(t, err, "token")

	// Valid until the expiry, by the server's clock.
	s.clock.Advance(10*time.Minute - time.Second)
	if _, err := get("d3tok", tok.SessionId); err != nil {
		t.Fatalf("GetToken 1s before expiry: %v", err)
	}
	s.clock.Advance(time.Second)
	_, err = get("d3tok", tok.SessionId)
	wantMissing(t, err, "token")
	_, err = s.client.DeleteToken(&amplifybackend.DeleteTokenInput{AppId: aws.String("d3tok"), SessionId: tok.SessionId})
	wantMissing(t, err, "token")

	// Deletion.
	fresh, err := s.client.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String("d3tok")})
	if err != nil {
		t.Fatal(err)
	}
	del, err := s.client.DeleteToken(&amplifybackend.DeleteTokenInput{AppId: aws.String("d3tok"), SessionId: fresh.SessionId})
	if err != nil || !aws.BoolValue(del.IsSuccess) {
		t.Fatalf("DeleteToken = %v, %v; want IsSuccess true", del, err)
	}
	_, err = get("d3tok", fresh.SessionId)
	wantMissing(t, err, "token")
	_, err = s.client.DeleteToken(&amplifybackend.DeleteTokenInput{AppId: aws.String("d3tok"), SessionId: fresh.SessionId})
	wantMissing(t, err, "token")

	// Raw wire names.
	resp, body := s.raw("POST", "/backend/d3tok/challenge", "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("raw CreateToken: %d %s", resp.StatusCode, body)
	}
	for _, name := range []string{`"appId"`, `"challengeCode"`, `"sessionId"`, `"ttl"`} {
		if !strings.Contains(body, name) {
			t.Errorf("raw CreateToken response lacks %s: %s", name, body)
		}
	}
}

func TestTokenTTLConfigurable(t *testing.T) {
	s := startServer(t, func(m *Main) { m.Config.TokenTTL = time.Minute })
	s.createBackend(s.client, "d3ttl", "ttlapp", "dev")
	tok, err := s.client.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String("d3ttl")})
	if err != nil {
		t.Fatal(err)
	}
	if want := strconv.FormatInt(s.clock.Now().Add(time.Minute).Unix(), 10); aws.StringValue(tok.Ttl) != want {
		t.Fatalf("Ttl = %s; want %s", aws.StringValue(tok.Ttl), want)
	}
	s.clock.Advance(time.Minute)
	_, err = s.client.GetToken(&amplifybackend.GetTokenInput{AppId: aws.String("d3ttl"), SessionId: tok.SessionId})
	wantMissing(t, err, "token")
}

func TestCleanAppRemovesConfigAndTokens(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "d3clean", "cleanapp", "dev")
	out, err := s.client.CreateBackendConfig(&amplifybackend.CreateBackendConfigInput{AppId: aws.String("d3clean")})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(s.client, "d3clean", "dev", out.JobId)
	tok, err := s.client.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String("d3clean")})
	if err != nil {
		t.Fatal(err)
	}
	rm, err := s.client.RemoveAllBackends(&amplifybackend.RemoveAllBackendsInput{AppId: aws.String("d3clean"), CleanAmplifyApp: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(s.client, "d3clean", "dev", rm.JobId)
	// Recreate the app: the old config and token must not come back with it.
	s.createBackend(s.client, "d3clean", "cleanapp", "dev")
	_, err = s.updateAdminConfig("d3clean", nil)
	wantMissing(t, err, "config")
	_, err = s.client.GetToken(&amplifybackend.GetTokenInput{AppId: aws.String("d3clean"), SessionId: tok.SessionId})
	wantMissing(t, err, "token")
}
