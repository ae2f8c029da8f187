package amplify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// The statuses of GetBackendAPIModels.
const (
	// ModelsLatest says the models were generated from the API's current schema.
	ModelsLatest = "LATEST"
	// ModelsStale says the schema changed since the models were generated, or they never were.
	ModelsStale = "STALE"
)

// APIModels is what GetBackendAPIModels answers: the last generated models (empty before any
// generation) and whether they are up to date with the schema.
type APIModels struct {
	Models        string
	Introspection string
	Status        string
}

// apiPayload is the payload of the API jobs: the resource and, for Create, its configuration,
// for Update, the members to merge into it.
type apiPayload struct {
	Name   string          `json:"name"`
	Config json.RawMessage `json:"config,omitempty"`
}

// CreateBackendAPI submits a job that creates the environment's GraphQL API resource name with
// config (the wire JSON of a BackendAPIResourceConfig). NotFound if the app or environment does
// not exist; BadRequest if the environment has an API or if config has no transformSchema. The
// job validates the schema and fails with the GraphQL error if it does not validate; an API
// that authorizes with Cognito user pools gets the environment's user pool id, and its job
// fails when the environment has no auth resource, as the Amplify CLI refuses such an API.
func (s *Service) CreateBackendAPI(ctx context.Context, key EnvKey, name string, config json.RawMessage) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "resourceName", name); err != nil {
		return nil, err
	}
	c, err := checkAPIConfig(s.configs(), config)
	if err != nil {
		return nil, err
	}
	if c.TransformSchema == "" {
		return nil, noSchema(c)
	}
	return s.submit(ctx, jobSpec{
		key:     key,
		action:  OpCreateBackendAPI,
		payload: apiPayload{Name: name, Config: config},
		check: func(tx Tx, _ time.Time) error {
			if err := envPresent(tx, key); err != nil {
				return err
			}
			return resourceAbsent(tx, key, KindAPI)
		},
	})
}

func (s *Service) createAPIEffect(work *prepared, tx Tx, job *Job, now time.Time) error {
	var p apiPayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return err
	}
	key := EnvKey{AppKey: job.AppKey, Env: job.Env}
	if err := envPresent(tx, key); err != nil {
		return err
	}
	if err := resourceAbsent(tx, key, KindAPI); err != nil {
		return err
	}
	config, err := withUserPool(s.configs(), tx, key, p.Config)
	if err != nil {
		return err
	}
	if err := s.checkSchema(work, p.Name, config); err != nil {
		return err
	}
	r := &Resource{Kind: KindAPI, Name: p.Name, Config: config, Revision: 1, UpdatedAt: now}
	if err := s.deploy(key, r); err != nil {
		return err
	}
	return tx.PutResource(key, r)
}

// UpdateBackendAPI submits a job that merges patch (the wire JSON of the given members of a
// BackendAPIResourceConfig; may be empty) into the API's configuration. NotFound if the app,
// environment or API (by name) does not exist; BadRequest if the result has no schema. The job
// validates the merged schema and sets the environment's user pool id where the result uses
// Cognito user pools; a schema that does not validate, or user pools without an auth
// resource, fails it and leaves the API as it was.
func (s *Service) UpdateBackendAPI(ctx context.Context, key EnvKey, name string, patch json.RawMessage) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "resourceName", name); err != nil {
		return nil, err
	}
	if _, err := checkAPIConfig(s.configs(), patch); err != nil {
		return nil, err
	}
	return s.submit(ctx, jobSpec{
		key:     key,
		action:  OpUpdateBackendAPI,
		payload: apiPayload{Name: name, Config: patch},
		check: func(tx Tx, _ time.Time) error {
			_, _, err := mergeAPI(s.configs(), tx, key, name, patch)
			return err
		},
	})
}

// mergeAPI returns the API resource name of key and its configuration merged with patch,
// checked for what a submission checks.
func mergeAPI(cf Configs, tx Tx, key EnvKey, name string, patch json.RawMessage) (*Resource, json.RawMessage, error) {
	r, err := resourceNamed(tx, key, KindAPI, name)
	if err != nil {
		return nil, nil, err
	}
	merged, err := MergeJSON(r.Config, patch)
	if err != nil {
		return nil, nil, fmt.Errorf("merge API config: %w", err)
	}
	c, err := checkAPIConfig(cf, merged)
	if err != nil {
		return nil, nil, err
	}
	if c.TransformSchema == "" {
		return nil, nil, noSchema(c)
	}
	return r, merged, nil
}

func (s *Service) updateAPIEffect(work *prepared, tx Tx, job *Job, now time.Time) error {
	var p apiPayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return err
	}
	key := EnvKey{AppKey: job.AppKey, Env: job.Env}
	r, merged, err := mergeAPI(s.configs(), tx, key, p.Name, p.Config)
	if err != nil {
		return err
	}
	if merged, err = withUserPool(s.configs(), tx, key, merged); err != nil {
		return err
	}
	if err := s.checkSchema(work, p.Name, merged); err != nil {
		return err
	}
	oldSchema, newSchema := s.apiSchema(r.Config), s.apiSchema(merged)
	modesBefore := s.apiKeyMode(r.Config)
	r.Config = merged
	r.UpdatedAt = now
	if r.Deployed == nil {
		r.Deployed = map[string]string{}
	}
	if oldSchema != newSchema {
		r.Revision++
	}
	// The API key output exists while API_KEY is an auth mode; the API's id and endpoint stay.
	switch after := s.apiKeyMode(merged); {
	case after && !modesBefore:
		r.Deployed["GraphQLAPIKeyOutput"] = "da2-" + s.randomString(lowerAlnum, 26)
	case !after:
		delete(r.Deployed, "GraphQLAPIKeyOutput")
	}
	return tx.PutResource(key, r)
}

// DeleteBackendAPI submits a job that removes the environment's API. NotFound if the app,
// environment or API (by name) does not exist.
func (s *Service) DeleteBackendAPI(ctx context.Context, key EnvKey, name string) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "resourceName", name); err != nil {
		return nil, err
	}
	return s.submit(ctx, jobSpec{
		key:     key,
		action:  OpDeleteBackendAPI,
		payload: apiPayload{Name: name},
		check: func(tx Tx, _ time.Time) error {
			_, err := resourceNamed(tx, key, KindAPI, name)
			return err
		},
	})
}

func (s *Service) deleteAPIEffect(tx Tx, job *Job, _ time.Time) error {
	var p apiPayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return err
	}
	key := EnvKey{AppKey: job.AppKey, Env: job.Env}
	if _, err := resourceNamed(tx, key, KindAPI, p.Name); err != nil {
		return err
	}
	return tx.DeleteResource(key, KindAPI)
}

// GetBackendAPI returns the environment's API resource, with its configuration as last
// written. NotFound if the app, environment or API (by name) does not exist.
func (s *Service) GetBackendAPI(ctx context.Context, key EnvKey, name string) (*Resource, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "resourceName", name); err != nil {
		return nil, err
	}
	var r *Resource
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		r, err = resourceNamed(tx, key, KindAPI, name)
		return err
	})
	return r, err
}

// GenerateBackendAPIModels submits a job that turns the API's schema into DataStore models
// with s.GenerateModels. NotFound if the app, environment or API (by name) does not exist;
// NotImplemented if the service has no model generator.
func (s *Service) GenerateBackendAPIModels(ctx context.Context, key EnvKey, name string) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "resourceName", name); err != nil {
		return nil, err
	}
	if s.GenerateModels == nil {
		return nil, Errorf(NotImplemented, "GenerateBackendAPIModels is not available: this amplifybackendd runs without a model generator.")
	}
	return s.submit(ctx, jobSpec{
		key:     key,
		action:  OpGenerateBackendAPIModels,
		payload: apiPayload{Name: name},
		check: func(tx Tx, _ time.Time) error {
			_, err := resourceNamed(tx, key, KindAPI, name)
			return err
		},
	})
}

func (s *Service) generateModelsEffect(work *prepared, tx Tx, job *Job, _ time.Time) error {
	var p apiPayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return err
	}
	key := EnvKey{AppKey: job.AppKey, Env: job.Env}
	r, err := resourceNamed(tx, key, KindAPI, p.Name)
	if err != nil {
		return err
	}
	if s.GenerateModels == nil {
		// Submitted by a process that had a generator; this one has none.
		return Errorf(NotImplemented, "The models of API %s could not be generated: this amplifybackendd runs without a model generator.", p.Name)
	}
	models, err := s.generateModels(work, s.apiSchema(r.Config))
	if err != nil {
		return Invalid("The models of API %s could not be generated from its transformSchema: %v", p.Name, err)
	}
	if models == nil {
		return Invalid("The models of API %s could not be generated: the generator returned nothing.", p.Name)
	}
	r.Models = &GeneratedModels{Models: models.Models, Introspection: models.Introspection, Revision: r.Revision}
	// Generating changes no configuration: UpdatedAt (the deployment time in amplify-meta.json)
	// stays.
	return tx.PutResource(key, r)
}

// GetBackendAPIModels returns the API's last generated models: LATEST if they were generated
// from its current schema, else STALE (with empty models before the first generation).
// NotFound if the app, environment or API (by name) does not exist.
func (s *Service) GetBackendAPIModels(ctx context.Context, key EnvKey, name string) (*APIModels, error) {
	r, err := s.GetBackendAPI(ctx, key, name)
	if err != nil {
		return nil, err
	}
	out := &APIModels{Status: ModelsStale}
	if r.Models != nil {
		out.Models, out.Introspection = r.Models.Models, r.Models.Introspection
		if r.Models.Revision == r.Revision {
			out.Status = ModelsLatest
		}
	}
	return out, nil
}

// addAPIEffects registers the job effects of the GraphQL API resource.
func (s *Service) addAPIEffects(m map[string]effect) {
	m[OpCreateBackendAPI] = s.createAPIEffect
	m[OpUpdateBackendAPI] = s.updateAPIEffect
	m[OpDeleteBackendAPI] = plain(s.deleteAPIEffect)
	m[OpGenerateBackendAPIModels] = s.generateModelsEffect
}

// prepared is the slow, pure work of an API job (validating its schema, generating models),
// done before the job's transaction from a snapshot of the store. The effect uses a result
// only when the schema it sees in the transaction is the one the result was computed from,
// and otherwise does the work itself.
type prepared struct {
	schema   string
	checked  bool
	checkErr error
	models   *GeneratedModels
	genErr   error
}

// prepare does the slow work of the API jobs ahead of their transaction; nil for other jobs
// or when the snapshot cannot be read (the effect then does the work itself).
func (s *Service) prepare(ctx context.Context, job *Job) *prepared {
	var p apiPayload
	switch job.Action {
	case OpCreateBackendAPI, OpUpdateBackendAPI, OpGenerateBackendAPIModels:
		if json.Unmarshal(job.Payload, &p) != nil {
			return nil
		}
	default:
		return nil
	}
	key := EnvKey{AppKey: job.AppKey, Env: job.Env}
	schema := ""
	var err error
	switch job.Action {
	case OpCreateBackendAPI:
		schema = s.apiSchema(p.Config)
	case OpUpdateBackendAPI:
		err = s.Store.View(ctx, func(tx Tx) error {
			_, merged, err := mergeAPI(s.configs(), tx, key, p.Name, p.Config)
			schema = s.apiSchema(merged)
			return err
		})
	case OpGenerateBackendAPIModels:
		err = s.Store.View(ctx, func(tx Tx) error {
			r, err := resourceNamed(tx, key, KindAPI, p.Name)
			if err == nil {
				schema = s.apiSchema(r.Config)
			}
			return err
		})
	}
	if err != nil {
		return nil
	}
	work := &prepared{schema: schema}
	if job.Action == OpGenerateBackendAPIModels {
		if s.GenerateModels != nil {
			work.models, work.genErr = guard(func() (*GeneratedModels, error) { return s.GenerateModels(ctx, schema) })
		}
	} else if s.CheckSchema != nil {
		_, work.checkErr = guard(func() (struct{}, error) { return struct{}{}, s.CheckSchema(ctx, schema) })
		work.checked = true
	}
	if ctx.Err() != nil {
		// Stopped, not done: the job stays pending, and its result is not the schema's.
		return nil
	}
	return work
}

// check validates schema, reusing the prepared result when it was made from schema.
func (w *prepared) check(s *Service, schema string) error {
	if w != nil && w.checked && w.schema == schema {
		return w.checkErr
	}
	// In the job's transaction, when prepare did not do it (rare: the schema changed since,
	// or the snapshot could not be read): CheckSchema's own limits bound the work.
	_, err := guard(func() (struct{}, error) { return struct{}{}, s.CheckSchema(context.Background(), schema) })
	return err
}

// generateModels generates models from schema, reusing the prepared result when it was made
// from schema.
func (s *Service) generateModels(w *prepared, schema string) (*GeneratedModels, error) {
	if w != nil && (w.models != nil || w.genErr != nil) && w.schema == schema {
		return w.models, w.genErr
	}
	return guard(func() (*GeneratedModels, error) { return s.GenerateModels(context.Background(), schema) })
}

// checkAPIConfig parses an API config (or patch) as far as the service reads it.
func checkAPIConfig(cf Configs, raw json.RawMessage) (*APIConfig, error) {
	c, err := cf.API(raw)
	if err != nil {
		return nil, Errorf(BadRequest, "The resourceConfig is not a valid API configuration: %v", err)
	}
	return c, nil
}

// noSchema is the BadRequest for an API config without a schema: the Amplify tool chain
// builds an AppSync API from its annotated schema, so an API without one cannot exist.
func noSchema(c *APIConfig) error {
	value := "null"
	if c.SchemaGiven {
		value = "''"
	}
	return Errorf(BadRequest, "1 validation error detected: Value %s at 'resourceConfig.transformSchema' failed to satisfy constraint: Member must not be null or empty (a GraphQL API is built from its annotated schema)", value)
}

// withUserPool returns config with the user pool id of the environment's auth resource in the
// settings.cognitoUserPoolId of every AMAZON_COGNITO_USER_POOLS auth type: AppSync authorizes
// those requests with the environment's user pool, whatever id a request named. BadRequest if
// config uses user pools and the environment has no auth resource, as the Amplify CLI says.
func withUserPool(cf Configs, tx Tx, key EnvKey, config json.RawMessage) (json.RawMessage, error) {
	if !usesUserPools(cf, config) {
		return config, nil
	}
	auth, err := tx.Resource(key, KindAuth)
	if ErrorCode(err) == NotFound {
		return nil, Invalid("The API uses the AMAZON_COGNITO_USER_POOLS auth mode, but backend environment %s of appId: %s has no auth resource: add auth first (CreateBackendAuth or ImportBackendAuth), or choose another auth mode.",
			key.Env, key.AppID)
	}
	if err != nil {
		return nil, err
	}
	return cf.SetAPIUserPool(config, auth.Deployed["UserPoolId"])
}

// checkSchema validates the TransformSchema of an API config with s.CheckSchema; a schema that
// does not validate is a BadRequest that carries the GraphQL error with its line and column.
func (s *Service) checkSchema(work *prepared, name string, config json.RawMessage) error {
	if s.CheckSchema == nil {
		return nil
	}
	err := work.check(s, s.apiSchema(config))
	if err != nil {
		return Invalid("The transformSchema of API %s is not valid: %v", name, err)
	}
	return nil
}

func (s *Service) apiSchema(config json.RawMessage) string {
	c, err := s.configs().API(config)
	if err != nil {
		return ""
	}
	return c.TransformSchema
}

func (s *Service) apiKeyMode(config json.RawMessage) bool {
	c, err := s.configs().API(config)
	if err != nil {
		return false
	}
	for _, m := range c.modes() {
		if m == "API_KEY" {
			return true
		}
	}
	return false
}

// guard calls fn, turning a panic into an error: the schema checker and the model generator
// take client input, and a bug there must fail the job, not the job runner.
func guard[T any](fn func() (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error: %v", p)
		}
	}()
	return fn()
}
