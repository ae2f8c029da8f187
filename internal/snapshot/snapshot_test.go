package snapshot

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

var t0 = time.UnixMilli(1_700_000_000_123).UTC()

// sample holds every kind of data, in two accounts and regions.
func sample() *amplify.State {
	scope := amplify.Scope{Account: "111111111111", Region: "us-east-1"}
	key := amplify.AppKey{Scope: scope, AppID: "d1abc"}
	env := amplify.EnvKey{AppKey: key, Env: "dev"}
	return &amplify.State{
		Apps: []amplify.AppState{
			{
				App: amplify.App{AppKey: key, Name: "My app", CreatedAt: t0},
				Environments: []amplify.EnvironmentState{{
					Environment: amplify.Environment{EnvKey: env, CreatedAt: t0, StackSuffix: "123456", StackUUID: "0b0e4f2c-1111-4222-8333-444455556666"},
					Resources: []amplify.Resource{
						{Kind: amplify.KindAPI, Name: "api1", Config: []byte(`{"transformSchema":"type Todo @model { id: ID! }"}`),
							Deployed: map[string]string{"GraphQLAPIIdOutput": "abc"}, Revision: 2, UpdatedAt: t0,
							Models: &amplify.GeneratedModels{Models: "models", Introspection: `{"version":1}`, Revision: 2}},
						{Kind: amplify.KindStorage, Name: "s3", Config: []byte(`{}`), Deployed: map[string]string{}, Imported: true, UpdatedAt: t0},
					},
				}},
				Config: &amplify.AppConfig{AppKey: key, BackendManagerAppID: "d1abc", LoginAuthConfig: []byte(`{"aws_cognito_region":"us-east-1"}`),
					Deployed: map[string]string{"UserPoolId": "us-east-1_X"}, UpdatedAt: t0},
				Tokens: []amplify.Token{{AppKey: key, SessionID: "s1", ChallengeCode: "c0de", Expires: t0.Add(time.Minute)}},
				Jobs: []amplify.Job{
					{JobKey: amplify.JobKey{AppKey: key, JobID: "j1"}, Env: "dev", Operation: "CreateBackend", Status: amplify.StatusCompleted,
						CreatedAt: t0, UpdatedAt: t0, Action: "CreateBackend", Payload: []byte(`{"appName":"My app"}`), RunAt: t0},
					{JobKey: amplify.JobKey{AppKey: key, JobID: "j2"}, Env: "", Operation: "RemoveAllBackends", Status: amplify.StatusInProgress,
						CreatedAt: t0, UpdatedAt: t0, Action: "RemoveAllBackends", Payload: []byte(`{}`), Pending: true, RunAt: amplify.HeldRunAt,
						InjectedError: "boom"},
				},
			},
			{App: amplify.App{AppKey: amplify.AppKey{Scope: scope, AppID: "gone1"}}, Gone: true, Jobs: []amplify.Job{
				{JobKey: amplify.JobKey{AppKey: amplify.AppKey{Scope: scope, AppID: "gone1"}, JobID: "j3"}, Operation: "RemoveAllBackends",
					Status: amplify.StatusFailed, Error: "no", CreatedAt: t0, UpdatedAt: t0, Action: "RemoveAllBackends", Payload: []byte(`{}`), RunAt: t0},
			}},
		},
		Buckets: []amplify.Bucket{
			{Scope: amplify.Scope{Account: "000000000000", Region: "eu-west-1"}, Name: "configured-bucket", CreatedAt: t0},
			{Scope: scope, Name: "owned-bucket", CreatedAt: t0, Owner: "111111111111/us-east-1/d1abc/dev/storage"},
		},
	}
}

func TestRoundTrip(t *testing.T) {
	doc, err := Encode(sample(), t0)
	if err != nil {
		t.Fatal(err)
	}
	st, err := Decode(doc)
	if err != nil {
		t.Fatalf("Decode: %v\n%s", err, doc)
	}
	again, err := Encode(st, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, again) {
		t.Errorf("encode, decode, encode differs:\n%s\n---\n%s", doc, again)
	}
	for _, want := range []string{`"format": "amplifybackendd-state"`, `"version": 1`, `"exportedAt": "2023-11-14T22:13:20.123Z"`,
		`"accountId": "000000000000"`, `"removed": true`, `"runAt": "9999-12-31T00:00:00.000Z"`, `"injectedError": "boom"`} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("document lacks %s:\n%s", want, doc)
		}
	}
	// Accounts in order: 000000000000 (only a bucket) before 111111111111.
	if strings.Index(string(doc), "000000000000") > strings.Index(string(doc), "111111111111") {
		t.Errorf("accounts out of order:\n%s", doc)
	}
}

func TestDecodeRefuses(t *testing.T) {
	good, err := Encode(sample(), t0)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(good)
	tests := []struct {
		name, doc, want string
	}{
		{"not json", `{"format":`, "malformed snapshot"},
		{"no format", `{"version":1}`, `no "format"`},
		{"other format", `{"format":"moto","version":1}`, `format "moto"`},
		{"no version", `{"format":"amplifybackendd-state"}`, `no "version"`},
		{"other version", `{"format":"amplifybackendd-state","version":2}`, "version 2 is not supported"},
		{"unknown member", strings.Replace(doc, `"appName"`, `"appNme"`, 1), `unknown field "appNme"`},
		{"trailing data", doc + "{}", "malformed snapshot"},
		{"bad account", strings.Replace(doc, `"111111111111"`, `"1111"`, 1), "accountId: must be 12 digits"},
		{"duplicate account", `{"format":"amplifybackendd-state","version":1,"accounts":[{"accountId":"000000000000","regions":[]},{"accountId":"000000000000","regions":[]}]}`, "given twice"},
		{"bad app id", strings.Replace(doc, `"appId": "d1abc"`, `"appId": "d1/abc"`, 1), "apps[0].appId"},
		{"duplicate job", strings.Replace(doc, `"jobId": "j2"`, `"jobId": "j1"`, 1), "job j1 is given twice"},
		{"duplicate bucket", strings.Replace(doc, `"name": "owned-bucket"`, `"name": "configured-bucket"`, 1), "bucket configured-bucket is given twice"},
		{"bad bucket", strings.Replace(doc, `"name": "owned-bucket"`, `"name": "Owned_Bucket"`, 1), "buckets[0].name"},
		{"bad kind", strings.Replace(doc, `"kind": "api"`, `"kind": "function"`, 1), "must be api, auth or storage"},
		{"bad time", strings.Replace(doc, `"createdAt": "2023-11-14T22:13:20.123Z"`, `"createdAt": "yesterday"`, 1), "not an RFC 3339 time"},
		{"unknown action", strings.Replace(doc, `"action": "CreateBackend"`, `"action": "Launch"`, 1), "not an operation that runs as a job"},
		{"unknown status", strings.Replace(doc, `"status": "FAILED"`, `"status": "CANCELLED"`, 1), `"CANCELLED" is not a job status`},
		{"removed app with environments", strings.Replace(doc, `"appId": "d1abc",`, `"appId": "d1abc", "removed": true,`, 1), "a removed app has only jobs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.doc == doc {
				t.Fatal("the test's replacement changed nothing")
			}
			_, err := Decode([]byte(tc.doc))
			if amplify.ErrorCode(err) != amplify.BadRequest || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Decode: %v, want BadRequest containing %q", err, tc.want)
			}
		})
	}
}
