package amplify

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// apiTestTx is an in-memory Tx holding one app with one environment and its resources: enough
// for the API effects, which the end-to-end tests cannot reach in every state (a job re-checks
// preconditions that no other job can change while it is pending).
type apiTestTx struct {
	Tx
	resources map[ResourceKind]*Resource
	puts      int
}

var apiTestKey = EnvKey{AppKey: AppKey{Scope: Scope{Account: "000000000000", Region: "us-east-1"}, AppID: "d1abc"}, Env: "dev"}

func (t *apiTestTx) App(key AppKey) (*App, error) { return &App{AppKey: key, Name: "myapp"}, nil }

func (t *apiTestTx) Environment(key EnvKey) (*Environment, error) {
	return &Environment{EnvKey: key}, nil
}

func (t *apiTestTx) Resource(key EnvKey, kind ResourceKind) (*Resource, error) {
	r, ok := t.resources[kind]
	if !ok {
		return nil, NoResource(key, kind)
	}
	c := *r
	return &c, nil
}

func (t *apiTestTx) PutResource(_ EnvKey, r *Resource) error {
	c := *r
	t.resources[r.Kind] = &c
	t.puts++
	return nil
}

// apiTestJob is a job of apiTestKey with action and the JSON of payload p.
func apiTestJob(t *testing.T, action string, p any) *Job {
	t.Helper()
	payload, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return &Job{JobKey: JobKey{AppKey: apiTestKey.AppKey, JobID: "j"}, Env: apiTestKey.Env, Action: action, Payload: payload}
}

func TestCreateAPIEffectRechecks(t *testing.T) {
	now := time.Date(2026, 7, 7, 15, 4, 5, 0, time.UTC)
	userPools := json.RawMessage(`{"transformSchema":"type A { a: Int }","defaultAuthType":{"mode":"AMAZON_COGNITO_USER_POOLS"}}`)
	s := &Service{Configs: wireConfigs, CheckSchema: func(_ context.Context, schema string) error {
		if strings.Contains(schema, "Strin ") {
			return errors.New("schema.graphql:1:14: Undefined type Strin.")
		}
		return nil
	}}

	// The auth resource went away after submission: the job fails and writes nothing.
	tx := &apiTestTx{resources: map[ResourceKind]*Resource{}}
	err := s.createAPIEffect(nil, tx, apiTestJob(t, OpCreateBackendAPI, apiPayload{Name: "todo", Config: userPools}), now)
	if ErrorCode(err) != BadRequest || !strings.Contains(err.Error(), "add auth first") || tx.puts != 0 {
		t.Fatalf("without auth: %v (%d writes)", err, tx.puts)
	}
	// An API appeared after submission.
	tx.resources[KindAuth] = &Resource{Kind: KindAuth, Name: "myauth", Deployed: map[string]string{"UserPoolId": "us-east-1_abcDEF123"}}
	tx.resources[KindAPI] = &Resource{Kind: KindAPI, Name: "other"}
	err = s.createAPIEffect(nil, tx, apiTestJob(t, OpCreateBackendAPI, apiPayload{Name: "todo", Config: userPools}), now)
	if ErrorCode(err) != BadRequest || !strings.Contains(err.Error(), "already has a api resource (other)") || tx.puts != 0 {
		t.Fatalf("with an API: %v (%d writes)", err, tx.puts)
	}
	delete(tx.resources, KindAPI)
	// The schema does not validate: the error names it, nothing is written.
	bad := json.RawMessage(`{"transformSchema":"type A { a: Strin }"}`)
	err = s.createAPIEffect(nil, tx, apiTestJob(t, OpCreateBackendAPI, apiPayload{Name: "todo", Config: bad}), now)
	if ErrorCode(err) != BadRequest || !strings.Contains(err.Error(), "The transformSchema of API todo is not valid: schema.graphql:1:14: Undefined type Strin.") || tx.puts != 0 {
		t.Fatalf("bad schema: %v (%d writes)", err, tx.puts)
	}
	// A checker that panics fails the job instead of the runner.
	s.CheckSchema = func(context.Context, string) error { panic("checker bug") }
	err = s.createAPIEffect(nil, tx, apiTestJob(t, OpCreateBackendAPI, apiPayload{Name: "todo", Config: userPools}), now)
	if ErrorCode(err) != BadRequest || !strings.Contains(err.Error(), "checker bug") || tx.puts != 0 {
		t.Fatalf("panicking checker: %v", err)
	}
	// Without a checker, the schema is not checked; the API is created at revision 1.
	s.CheckSchema = nil
	if err := s.createAPIEffect(nil, tx, apiTestJob(t, OpCreateBackendAPI, apiPayload{Name: "todo", Config: userPools}), now); err != nil {
		t.Fatal(err)
	}
	r := tx.resources[KindAPI]
	// The stored config carries the environment's user pool id.
	want := `{"defaultAuthType":{"mode":"AMAZON_COGNITO_USER_POOLS","settings":{"cognitoUserPoolId":"us-east-1_abcDEF123"}},"transformSchema":"type A { a: Int }"}`
	if r.Name != "todo" || r.Revision != 1 || string(r.Config) != want || r.Deployed["GraphQLAPIIdOutput"] == "" || !r.UpdatedAt.Equal(now) {
		t.Fatalf("created %+v with config %s; want config %s", r, r.Config, want)
	}
}

func TestUpdateAPIEffectRevision(t *testing.T) {
	now := time.Date(2026, 7, 7, 15, 4, 5, 0, time.UTC)
	s := &Service{Configs: wireConfigs}
	tx := &apiTestTx{resources: map[ResourceKind]*Resource{
		KindAPI: {Kind: KindAPI, Name: "todo", Revision: 1, Config: json.RawMessage(`{"apiName":"a","transformSchema":"type A { a: Int }","defaultAuthType":{"mode":"AWS_IAM"}}`),
			Deployed: map[string]string{"GraphQLAPIIdOutput": "id1"}},
	}}
	update := func(patch string) error {
		return s.updateAPIEffect(nil, tx, apiTestJob(t, OpUpdateBackendAPI, apiPayload{Name: "todo", Config: json.RawMessage(patch)}), now)
	}
	if err := update(`{"apiName":"b"}`); err != nil || tx.resources[KindAPI].Revision != 1 {
		t.Fatalf("name change: %v, revision %d; want 1", err, tx.resources[KindAPI].Revision)
	}
	if err := update(`{"transformSchema":"type B { b: Int }"}`); err != nil || tx.resources[KindAPI].Revision != 2 {
		t.Fatalf("schema change: %v, revision %d; want 2", err, tx.resources[KindAPI].Revision)
	}
	r := tx.resources[KindAPI]
	if string(r.Config) != `{"apiName":"b","defaultAuthType":{"mode":"AWS_IAM"},"transformSchema":"type B { b: Int }"}` || r.Deployed["GraphQLAPIIdOutput"] != "id1" {
		t.Fatalf("merged %s, deployed %v", r.Config, r.Deployed)
	}
	// Another name than the API's is NotFound, and the auth requirement is re-checked.
	if err := s.updateAPIEffect(nil, tx, apiTestJob(t, OpUpdateBackendAPI, apiPayload{Name: "other"}), now); ErrorCode(err) != NotFound {
		t.Fatalf("other name: %v", err)
	}
	if err := update(`{"additionalAuthTypes":[{"mode":"AMAZON_COGNITO_USER_POOLS"}]}`); ErrorCode(err) != BadRequest || !strings.Contains(err.Error(), "add auth first") {
		t.Fatalf("user pools without auth: %v", err)
	}
	// With auth, the additional provider gets the environment's pool, whatever the request said.
	tx.resources[KindAuth] = &Resource{Kind: KindAuth, Name: "myauth", Deployed: map[string]string{"UserPoolId": "us-east-1_abcDEF123"}}
	if err := update(`{"additionalAuthTypes":[{"mode":"AMAZON_COGNITO_USER_POOLS","settings":{"cognitoUserPoolId":"us-east-1_other","description":"d"}}]}`); err != nil {
		t.Fatal(err)
	}
	want := `{"additionalAuthTypes":[{"mode":"AMAZON_COGNITO_USER_POOLS","settings":{"cognitoUserPoolId":"us-east-1_abcDEF123","description":"d"}}],"apiName":"b","defaultAuthType":{"mode":"AWS_IAM"},"transformSchema":"type B { b: Int }"}`
	if got := string(tx.resources[KindAPI].Config); got != want {
		t.Fatalf("config %s; want %s", got, want)
	}
}

func TestGenerateModelsEffect(t *testing.T) {
	now := time.Date(2026, 7, 7, 15, 4, 5, 0, time.UTC)
	tx := &apiTestTx{resources: map[ResourceKind]*Resource{
		KindAPI: {Kind: KindAPI, Name: "todo", Revision: 3, Config: json.RawMessage(`{"transformSchema":"type A @model { id: ID! }"}`)},
	}}
	s := &Service{Configs: wireConfigs}
	job := apiTestJob(t, OpGenerateBackendAPIModels, apiPayload{Name: "todo"})
	if err := s.generateModelsEffect(nil, tx, job, now); ErrorCode(err) != NotImplemented {
		t.Fatalf("without a generator: %v", err)
	}
	s.GenerateModels = func(_ context.Context, schema string) (*GeneratedModels, error) {
		return &GeneratedModels{Models: "m:" + schema, Introspection: "i", Revision: 99}, nil
	}
	if err := s.generateModelsEffect(nil, tx, job, now); err != nil {
		t.Fatal(err)
	}
	if m := tx.resources[KindAPI].Models; m == nil || m.Models != "m:type A @model { id: ID! }" || m.Introspection != "i" || m.Revision != 3 {
		t.Fatalf("stored models %+v; want the API's revision 3", m)
	}
	s.GenerateModels = func(context.Context, string) (*GeneratedModels, error) { return nil, nil }
	if err := s.generateModelsEffect(nil, tx, job, now); ErrorCode(err) != BadRequest {
		t.Fatalf("nil models: %v", err)
	}
}

// TestPreparedWorkIsReusedOnlyForItsSchema: RunJob validates a schema before the job's
// transaction; the effect may reuse that result only for the very schema it sees.
func TestPreparedWorkIsReusedOnlyForItsSchema(t *testing.T) {
	now := time.Date(2026, 7, 7, 15, 4, 5, 0, time.UTC)
	calls := 0
	s := &Service{Configs: wireConfigs, CheckSchema: func(_ context.Context, schema string) error {
		calls++
		if strings.Contains(schema, "Strin ") {
			return errors.New("schema.graphql:1:14: Undefined type Strin.")
		}
		return nil
	}}
	good := json.RawMessage(`{"transformSchema":"type A { a: Int }","defaultAuthType":{"mode":"API_KEY"}}`)
	bad := json.RawMessage(`{"transformSchema":"type A { a: Strin }","defaultAuthType":{"mode":"API_KEY"}}`)

	// Prepared for this schema: no second validation inside the transaction.
	work := &prepared{schema: "type A { a: Int }", checked: true}
	tx := &apiTestTx{resources: map[ResourceKind]*Resource{}}
	if err := s.createAPIEffect(work, tx, apiTestJob(t, OpCreateBackendAPI, apiPayload{Name: "todo", Config: good}), now); err != nil {
		t.Fatal(err)
	}
	if calls != 0 {
		t.Errorf("CheckSchema ran %d times although the prepared result matched", calls)
	}
	// Prepared for another schema: the effect validates what it sees, and refuses it.
	tx = &apiTestTx{resources: map[ResourceKind]*Resource{}}
	err := s.createAPIEffect(work, tx, apiTestJob(t, OpCreateBackendAPI, apiPayload{Name: "todo", Config: bad}), now)
	if ErrorCode(err) != BadRequest || calls != 1 || tx.puts != 0 {
		t.Errorf("stale prepared result used: err %v, %d checks, %d writes", err, calls, tx.puts)
	}
}
