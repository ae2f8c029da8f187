package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/api"
	"github.com/amplifybackendd/amplifybackendd/internal/sigv4"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

const (
	aliceKey    = "AKIAALICE0000000000"
	aliceSecret = "alice/Secret+Key0000000000000000000000000"
	bobKey      = "AKIABOB00000000000000"
	bobSecret   = "bobSecretKey000000000000000000000000000000"
)

func testKeyring(t *testing.T) *sigv4.Keyring {
	t.Helper()
	kr, err := sigv4.NewKeyring([]sigv4.Key{
		{Profile: "alice", AccessKeyID: aliceKey, SecretAccessKey: aliceSecret, AccountID: "111111111111"},
		{Profile: "bob", AccessKeyID: bobKey, SecretAccessKey: bobSecret, AccountID: "222222222222"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func signedRequest(t *testing.T, key, secret, region string, at time.Time) (*http.Request, []byte) {
	t.Helper()
	body := []byte(`{"backendEnvironmentName":"dev"}`)
	r := httptest.NewRequest("POST", "http://127.0.0.1:4580/backend/d1abc/details", bytes.NewReader(body))
	s := v4.NewSigner(credentials.NewStaticCredentials(key, secret, ""))
	if _, err := s.Sign(r, bytes.NewReader(body), sigv4.ServiceName, region, at); err != nil {
		t.Fatal(err)
	}
	return r, body
}

func TestSigV4AuthAuthenticate(t *testing.T) {
	now := time.Date(2026, 7, 7, 15, 34, 5, 0, time.UTC)
	auth := SigV4Auth{Keys: testKeyring(t), Now: func() time.Time { return now }}
	tests := []struct {
		name   string
		auth   SigV4Auth
		req    func() (*http.Request, []byte)
		scope  amplify.Scope
		code   string
		detail string
	}{
		{"alice in eu-west-1", auth, func() (*http.Request, []byte) {
			return signedRequest(t, aliceKey, aliceSecret, "eu-west-1", now)
		}, amplify.Scope{Account: "111111111111", Region: "eu-west-1"}, "", ""},
		{"bob in us-east-1", auth, func() (*http.Request, []byte) {
			return signedRequest(t, bobKey, bobSecret, "us-east-1", now.Add(-time.Minute))
		}, amplify.Scope{Account: "222222222222", Region: "us-east-1"}, "", ""},
		{"bob signing with alice's secret", auth, func() (*http.Request, []byte) {
			return signedRequest(t, bobKey, aliceSecret, "us-east-1", now)
		}, amplify.Scope{}, amplify.InvalidSignature, sigv4.MismatchMessage},
		{"unknown key", auth, func() (*http.Request, []byte) {
			return signedRequest(t, "AKIAUNKNOWN", aliceSecret, "us-east-1", now)
		}, amplify.Scope{}, amplify.UnrecognizedClient, sigv4.UnknownKeyMessage},
		{"account id as key, as in auth mode any", auth, func() (*http.Request, []byte) {
			return signedRequest(t, "111111111111", aliceSecret, "us-east-1", now)
		}, amplify.Scope{}, amplify.UnrecognizedClient, sigv4.UnknownKeyMessage},
		{"unsigned", auth, func() (*http.Request, []byte) {
			return httptest.NewRequest("POST", "/backend/d1abc/details", nil), nil
		}, amplify.Scope{}, amplify.MissingAuthenticationToken, sigv4.MissingTokenMessage},
		{"clock 20 minutes later", auth, func() (*http.Request, []byte) {
			return signedRequest(t, aliceKey, aliceSecret, "us-east-1", now.Add(-20*time.Minute))
		}, amplify.Scope{}, amplify.InvalidSignature, "Signature expired"},
		{"no keyring", SigV4Auth{Now: auth.Now}, func() (*http.Request, []byte) {
			return signedRequest(t, aliceKey, aliceSecret, "us-east-1", now)
		}, amplify.Scope{}, amplify.UnrecognizedClient, sigv4.UnknownKeyMessage},
		{"default clock", SigV4Auth{Keys: auth.Keys}, func() (*http.Request, []byte) {
			return signedRequest(t, aliceKey, aliceSecret, "us-east-1", time.Now())
		}, amplify.Scope{Account: "111111111111", Region: "us-east-1"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := tt.req()
			scope, err := tt.auth.Authenticate(r, body)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if scope != tt.scope {
					t.Fatalf("scope %+v, want %+v", scope, tt.scope)
				}
				return
			}
			var e *amplify.Error
			if !errors.As(err, &e) || e.Code != tt.code || !strings.Contains(e.Message, tt.detail) {
				t.Fatalf("error %v, want %s containing %q", err, tt.code, tt.detail)
			}
			if scope != (amplify.Scope{}) {
				t.Fatalf("scope %+v on error", scope)
			}
		})
	}
}

// scopeEcho answers GetBackend and GetBackendJob with the scope the request acts in, so that a
// test can see what authentication decided without a store.
type scopeEcho struct{ api.Operations }

func (scopeEcho) GetBackend(ctx context.Context, in *api.GetBackendRequest) (*api.GetBackendResponse, error) {
	s := ScopeFrom(ctx)
	return &api.GetBackendResponse{AppId: &s.Account, AppName: &s.Region}, nil
}

func (scopeEcho) GetBackendJob(ctx context.Context, in *api.GetBackendJobRequest) (*api.GetBackendJobResponse, error) {
	s := ScopeFrom(ctx)
	return &api.GetBackendJobResponse{AppId: &s.Account, BackendEnvironmentName: &s.Region, JobId: in.JobId}, nil
}

// TestSigV4AuthServer runs the real server in auth mode sigv4 and calls it with the real
// aws-sdk-go v1 amplifybackend client: each key acts in its own account, failures reach the
// client as the AWS error codes with status 403, and no secret reaches the log.
func TestSigV4AuthServer(t *testing.T) {
	keys := testKeyring(t)
	var logs bytes.Buffer
	srv := New(Config{Auth: SigV4Auth{Keys: keys}, Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	srv.ops = scopeEcho{}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	client := func(creds *credentials.Credentials, region string) *amplifybackend.AmplifyBackend {
		sess := session.Must(session.NewSession(&aws.Config{
			Endpoint:    aws.String(hs.URL),
			Region:      aws.String(region),
			Credentials: creds,
			MaxRetries:  aws.Int(0),
		}))
		return amplifybackend.New(sess)
	}
	getBackend := func(c *amplifybackend.AmplifyBackend, appID string) (*amplifybackend.GetBackendOutput, error) {
		return c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String(appID), BackendEnvironmentName: aws.String("dev")})
	}

	alice := client(credentials.NewStaticCredentials(aliceKey, aliceSecret, ""), "eu-west-1")
	for _, app := range []string{"d1abc", "a b", "a~b", "ü"} {
		out, err := getBackend(alice, app)
		if err != nil {
			t.Fatalf("alice, app %q: %v", app, err)
		}
		if aws.StringValue(out.AppId) != "111111111111" || aws.StringValue(out.AppName) != "eu-west-1" {
			t.Fatalf("alice acts in %s/%s", aws.StringValue(out.AppId), aws.StringValue(out.AppName))
		}
	}
	out, err := getBackend(client(credentials.NewStaticCredentials(bobKey, bobSecret, "a-session-token"), "us-east-1"), "d1abc")
	if err != nil || aws.StringValue(out.AppId) != "222222222222" || aws.StringValue(out.AppName) != "us-east-1" {
		t.Fatalf("bob: %v, %v", out, err)
	}

	// A presigned GET (GetBackendJob) by bob.
	req, _ := client(credentials.NewStaticCredentials(bobKey, bobSecret, ""), "ap-south-1").GetBackendJobRequest(&amplifybackend.GetBackendJobInput{
		AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), JobId: aws.String("j1"),
	})
	u, err := req.Presign(5 * time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("presigned GetBackendJob: %s", resp.Status)
	}

	failures := []struct {
		name  string
		creds *credentials.Credentials
		code  string
	}{
		{"wrong secret", credentials.NewStaticCredentials(aliceKey, bobSecret, ""), amplify.InvalidSignature},
		{"unknown key", credentials.NewStaticCredentials("AKIANOBODY", aliceSecret, ""), amplify.UnrecognizedClient},
		{"anonymous", credentials.AnonymousCredentials, amplify.MissingAuthenticationToken},
	}
	for _, f := range failures {
		_, err := getBackend(client(f.creds, "us-east-1"), "d1abc")
		var rf awserr.RequestFailure
		if !errors.As(err, &rf) || rf.Code() != f.code || rf.StatusCode() != http.StatusForbidden {
			t.Errorf("%s: error %v, want %s with status 403", f.name, err, f.code)
		}
	}

	// Expired: signed 20 minutes ago, rendered as AWS renders it.
	body := []byte(`{}`)
	stale, _ := http.NewRequest("POST", hs.URL+"/backend/d1abc/details", bytes.NewReader(body))
	v4.NewSigner(credentials.NewStaticCredentials(aliceKey, aliceSecret, "")).Sign(stale, bytes.NewReader(body), sigv4.ServiceName, "us-east-1", time.Now().Add(-20*time.Minute))
	resp, err = http.DefaultClient.Do(stale)
	if err != nil {
		t.Fatal(err)
	}
	var msg struct{ Message string }
	json.NewDecoder(resp.Body).Decode(&msg)
	resp.Body.Close()
	if resp.StatusCode != 403 || resp.Header.Get("X-Amzn-ErrorType") != amplify.InvalidSignature || !strings.HasPrefix(msg.Message, "Signature expired: ") {
		t.Errorf("stale request: %s, %q, %q", resp.Status, resp.Header.Get("X-Amzn-ErrorType"), msg.Message)
	}

	// A reload moves alice to another account for the very next request.
	if err := keys.Replace([]sigv4.Key{{Profile: "alice", AccessKeyID: aliceKey, SecretAccessKey: aliceSecret, AccountID: "333333333333"}}); err != nil {
		t.Fatal(err)
	}
	if out, err := getBackend(alice, "d1abc"); err != nil || aws.StringValue(out.AppId) != "333333333333" {
		t.Fatalf("after reload: %v, %v", out, err)
	}

	for _, secret := range []string{aliceSecret, bobSecret} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("a secret reached the log:\n%s", logs.String())
		}
	}
	if !strings.Contains(logs.String(), amplify.InvalidSignature) {
		t.Fatalf("failures not logged:\n%s", logs.String())
	}
}

// A refused signature becomes the domain's error of the same code, with sigv4's message.
func TestSignatureErrorCodes(t *testing.T) {
	for _, tt := range []struct {
		code sigv4.Code
		want string
	}{
		{sigv4.MissingAuthenticationToken, amplify.MissingAuthenticationToken},
		{sigv4.UnrecognizedClient, amplify.UnrecognizedClient},
		{sigv4.InvalidSignature, amplify.InvalidSignature},
	} {
		err := signatureError(&sigv4.Error{Code: tt.code, Message: "m"})
		var e *amplify.Error
		if !errors.As(err, &e) || e.Code != tt.want || e.Message != "m" || string(tt.code) != tt.want {
			t.Errorf("%s: %v; want %s", tt.code, err, tt.want)
		}
	}
}
