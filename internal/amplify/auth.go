package amplify

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"
)

// The values of an auth ResourceConfig's authResources.
const (
	authUserPoolOnly     = "USER_POOL_ONLY"
	authWithIdentityPool = "IDENTITY_POOL_AND_USER_POOL"
)

// authPayload is what an auth job needs to apply its effect.
type authPayload struct {
	Name string `json:"name,omitempty"`
	// Config is the whole configuration (CreateBackendAuth) or the members to merge into the
	// stored one (UpdateBackendAuth).
	Config json.RawMessage `json:"config,omitempty"`
	Import *ImportedAuth   `json:"import,omitempty"`
}

// ImportedAuth names the existing Cognito resources ImportBackendAuth imports.
type ImportedAuth struct {
	UserPoolID     string `json:"userPoolId"`
	WebClientID    string `json:"webClientId"`
	NativeClientID string `json:"nativeClientId"`
	// IdentityPoolID is optional: without it, only the user pool is imported.
	IdentityPoolID string `json:"identityPoolId,omitempty"`
}

// addAuthEffects registers the job effects of the Cognito auth resource.
func (s *Service) addAuthEffects(m map[string]effect) {
	m[OpCreateBackendAuth] = plain(s.createBackendAuthEffect)
	m[OpUpdateBackendAuth] = plain(s.updateBackendAuthEffect)
	m[OpDeleteBackendAuth] = plain(s.deleteBackendAuthEffect)
	m[OpImportBackendAuth] = plain(s.importBackendAuthEffect)
}

// CreateBackendAuth submits a job that records the environment's auth resource, named name,
// with config (the wire JSON of a CreateBackendAuth ResourceConfig, already validated against
// the model) and deploys it: a user pool with its app clients and, for
// IDENTITY_POOL_AND_USER_POOL, an identity pool. NotFound if the app or the environment does
// not exist; BadRequest if the environment already has an auth resource.
func (s *Service) CreateBackendAuth(ctx context.Context, key EnvKey, name string, config json.RawMessage) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "resourceName", name); err != nil {
		return nil, err
	}
	if err := checkAuthNames(s.configs(), config); err != nil {
		return nil, err
	}
	return s.submit(ctx, jobSpec{
		key:     key,
		action:  OpCreateBackendAuth,
		payload: authPayload{Name: name, Config: config},
		check: func(tx Tx, _ time.Time) error {
			return authCreatable(tx, key)
		},
	})
}

// authCreatable returns nil if the environment exists and has no auth resource yet.
func authCreatable(tx Tx, key EnvKey) error {
	if err := envPresent(tx, key); err != nil {
		return err
	}
	return resourceAbsent(tx, key, KindAuth)
}

func (s *Service) createBackendAuthEffect(tx Tx, job *Job, now time.Time) error {
	var p authPayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return err
	}
	key := EnvKey{AppKey: job.AppKey, Env: job.Env}
	if err := authCreatable(tx, key); err != nil {
		return err
	}
	r := &Resource{Kind: KindAuth, Name: p.Name, Config: p.Config, Revision: 1, UpdatedAt: now}
	if err := s.deploy(key, r); err != nil {
		return err
	}
	return tx.PutResource(key, r)
}

// checkAuthNames bounds the names an auth configuration gives.
func checkAuthNames(cf Configs, raw json.RawMessage) error {
	c, err := cf.Auth(raw)
	if err != nil {
		return Invalid("The auth resourceConfig could not be read: %v", err)
	}
	if ip := c.IdentityPool; ip != nil && ip.Name != "" {
		if err := CheckName("resourceConfig.identityPoolConfigs.identityPoolName", ip.Name); err != nil {
			return err
		}
	}
	if up := c.UserPool; up != nil {
		if up.Name != "" {
			if err := CheckName("resourceConfig.userPoolConfigs.userPoolName", up.Name); err != nil {
				return err
			}
		}
		if up.OAuth != nil && up.OAuth.DomainPrefix != "" {
			if err := CheckName("resourceConfig.userPoolConfigs.oAuth.domainPrefix", up.OAuth.DomainPrefix); err != nil {
				return err
			}
		}
	}
	return nil
}

// GetBackendAuth returns the environment's auth resource named name: its configuration as
// last written, its deployed ids and whether it was imported. NotFound if the app, the
// environment or the resource does not exist, or the resource has another name.
func (s *Service) GetBackendAuth(ctx context.Context, key EnvKey, name string) (*Resource, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "resourceName", name); err != nil {
		return nil, err
	}
	var r *Resource
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		r, err = resourceNamed(tx, key, KindAuth, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// UpdateBackendAuth submits a job that merges patch (the wire JSON of an UpdateBackendAuth
// ResourceConfig) into the configuration of the environment's auth resource named name (see
// mergeAuthConfig). The deployed ids stay, except that the identity pool is deployed when the
// update adds one and removed when it switches to USER_POOL_ONLY.
//
// check validates the merged configuration against the constraints of a CreateBackendAuth
// ResourceConfig (the model's, which the caller holds); an update may leave out what a create
// requires, but not when the stored configuration has nothing to fill it in with.
//
// NotFound if the app, the environment or the resource does not exist or has another name;
// BadRequest if the resource is imported or the merged configuration fails check.
func (s *Service) UpdateBackendAuth(ctx context.Context, key EnvKey, name string, patch json.RawMessage, check func(merged json.RawMessage) error) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "resourceName", name); err != nil {
		return nil, err
	}
	if err := checkAuthNames(s.configs(), patch); err != nil {
		return nil, err
	}
	return s.submit(ctx, jobSpec{
		key:     key,
		action:  OpUpdateBackendAuth,
		payload: authPayload{Name: name, Config: patch},
		check: func(tx Tx, _ time.Time) error {
			r, err := authUpdatable(tx, key, name)
			if err != nil {
				return err
			}
			merged, err := mergeAuthConfig(s.configs(), r.Config, patch, name)
			if err != nil {
				return err
			}
			if check == nil {
				return nil
			}
			if err := check(merged); err != nil {
				var e *Error
				if errors.As(err, &e) && e.Code == BadRequest {
					return &Error{Code: BadRequest, Message: e.Message + " (in the auth configuration this update would leave: the stored configuration with the given members merged in)"}
				}
				return err
			}
			return nil
		},
	})
}

// authUpdatable returns the environment's auth resource named name unless it is imported.
func authUpdatable(tx Tx, key EnvKey, name string) (*Resource, error) {
	r, err := resourceNamed(tx, key, KindAuth, name)
	if err != nil {
		return nil, err
	}
	if r.Imported {
		return nil, Invalid("The auth resource %s of appId: %s and backendEnvironmentName: %s is imported and cannot be updated; remove it and import the Cognito resources again.",
			name, key.AppID, key.Env)
	}
	return r, nil
}

func (s *Service) updateBackendAuthEffect(tx Tx, job *Job, now time.Time) error {
	var p authPayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return err
	}
	key := EnvKey{AppKey: job.AppKey, Env: job.Env}
	r, err := authUpdatable(tx, key, p.Name)
	if err != nil {
		return err
	}
	// While this job is pending no other job of the environment can change the resource, so
	// this merge is the one the submission checked.
	merged, err := mergeAuthConfig(s.configs(), r.Config, p.Config, p.Name)
	if err != nil {
		return err
	}
	r.Config = merged
	r.Revision++
	r.UpdatedAt = now
	if err := s.redeployIdentityPool(key, r); err != nil {
		return err
	}
	return tx.PutResource(key, r)
}

// mergeAuthConfig merges an UpdateBackendAuth ResourceConfig into a stored CreateBackendAuth
// one (Configs.MergeAuth): what the Update shapes lack (userPoolName, signInMethod,
// requiredSignUpAttributes, identityPoolName) keeps its stored value, USER_POOL_ONLY drops the
// identity pool, and an identity pool the update introduces gets the name it is deployed with.
func mergeAuthConfig(cf Configs, stored, patch json.RawMessage, name string) (json.RawMessage, error) {
	merged, err := cf.MergeAuth(stored, patch, defaultIdentityPoolName(name))
	if err != nil {
		return nil, Invalid("The auth resourceConfig could not be merged: %v", err)
	}
	return merged, nil
}

// defaultIdentityPoolName names the identity pool of the auth resource name when its
// configuration does not.
func defaultIdentityPoolName(name string) string {
	return name + "_identitypool"
}

// deployIdentityPool adds the deployed ids of an auth resource's identity pool to d.
func (s *Service) deployIdentityPool(key EnvKey, name string, c *AuthConfig, d map[string]string) {
	d["IdentityPoolId"] = key.Region + ":" + s.newID()
	ipName := defaultIdentityPoolName(name)
	if c.IdentityPool != nil && c.IdentityPool.Name != "" {
		ipName = c.IdentityPool.Name
	}
	d["IdentityPoolName"] = ipName
}

// redeployIdentityPool brings an updated auth resource's identity pool in line with its
// configuration: deployed when it is asked for and missing, removed when it is not asked for.
// Every other deployed id stays.
func (s *Service) redeployIdentityPool(key EnvKey, r *Resource) error {
	c, err := s.configs().Auth(r.Config)
	if err != nil {
		return err
	}
	d := make(map[string]string, len(r.Deployed)+2)
	for k, v := range r.Deployed {
		d[k] = v
	}
	switch {
	case c.AuthResources == authWithIdentityPool && d["IdentityPoolId"] == "":
		s.deployIdentityPool(key, r.Name, c, d)
	case c.AuthResources != authWithIdentityPool:
		delete(d, "IdentityPoolId")
		delete(d, "IdentityPoolName")
	}
	r.Deployed = d
	return nil
}

// DeleteBackendAuth submits a job that removes the environment's auth resource named name
// (an imported one only from the environment: its Cognito resources stay). NotFound if the
// app, the environment or the resource does not exist or has another name; BadRequest while
// the environment's API authorizes with AMAZON_COGNITO_USER_POOLS, which needs the user pool,
// or while the environment has storage, which needs auth (as `amplify remove auth` refuses).
func (s *Service) DeleteBackendAuth(ctx context.Context, key EnvKey, name string) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "resourceName", name); err != nil {
		return nil, err
	}
	return s.submit(ctx, jobSpec{
		key:     key,
		action:  OpDeleteBackendAuth,
		payload: authPayload{Name: name},
		check: func(tx Tx, _ time.Time) error {
			return authDeletable(s.configs(), tx, key, name)
		},
	})
}

// authDeletable returns nil if the environment's auth resource is named name, no API resource
// depends on its user pool and the environment has no storage resource.
func authDeletable(cf Configs, tx Tx, key EnvKey, name string) error {
	if _, err := resourceNamed(tx, key, KindAuth, name); err != nil {
		return err
	}
	apiRes, err := tx.Resource(key, KindAPI)
	switch ErrorCode(err) {
	case NotFound:
	case "":
		if usesUserPools(cf, apiRes.Config) {
			return Invalid("The auth resource %s cannot be deleted: the API resource %s of appId: %s and backendEnvironmentName: %s authorizes with AMAZON_COGNITO_USER_POOLS. Delete the API resource, or update it to stop using Cognito user pools, first.",
				name, apiRes.Name, key.AppID, key.Env)
		}
	default:
		return err
	}
	storageRes, err := tx.Resource(key, KindStorage)
	switch ErrorCode(err) {
	case NotFound:
		return nil
	case "":
		return Invalid("The auth resource %s cannot be deleted: the storage resource %s of appId: %s and backendEnvironmentName: %s depends on it. Delete the storage resource (DeleteBackendStorage) first.",
			name, storageRes.Name, key.AppID, key.Env)
	default:
		return err
	}
}

func (s *Service) deleteBackendAuthEffect(tx Tx, job *Job, _ time.Time) error {
	var p authPayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return err
	}
	key := EnvKey{AppKey: job.AppKey, Env: job.Env}
	if err := authDeletable(s.configs(), tx, key, p.Name); err != nil {
		return err
	}
	return tx.DeleteResource(key, KindAuth)
}

// ImportBackendAuth submits a job that records existing Cognito resources as the
// environment's auth resource, marked imported: nothing is deployed, the given ids are its
// outputs. The ids are validated: a user pool id is <region>_<alphanumerics>, an identity
// pool id <region>:<uuid>, and both must be in the environment's region (the Amplify CLI
// imports only from the project's region). The resource is named as the Amplify CLI names
// imported auth: the app name (lower case, runs of other characters than letters, digits
// and '_' replaced by '_') followed by 8 random hex digits; amplify-meta.json shows it.
// NotFound if the app or the environment does not exist; BadRequest if it already has an
// auth resource or an id is malformed.
func (s *Service) ImportBackendAuth(ctx context.Context, key EnvKey, ids ImportedAuth) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env,
		"userPoolId", ids.UserPoolID, "webClientId", ids.WebClientID, "nativeClientId", ids.NativeClientID); err != nil {
		return nil, err
	}
	if err := checkUserPoolID("userPoolId", ids.UserPoolID, key.Region); err != nil {
		return nil, err
	}
	if ids.IdentityPoolID != "" {
		if err := CheckName("identityPoolId", ids.IdentityPoolID); err != nil {
			return nil, err
		}
		if err := checkIdentityPoolID("identityPoolId", ids.IdentityPoolID, key.Region); err != nil {
			return nil, err
		}
	}
	return s.submit(ctx, jobSpec{
		key:     key,
		action:  OpImportBackendAuth,
		payload: authPayload{Import: &ids},
		check: func(tx Tx, _ time.Time) error {
			return authCreatable(tx, key)
		},
	})
}

func (s *Service) importBackendAuthEffect(tx Tx, job *Job, now time.Time) error {
	var p authPayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return err
	}
	if p.Import == nil {
		return Errorf(Internal, "ImportBackendAuth job %s has no ids", job.JobID)
	}
	ids := *p.Import
	key := EnvKey{AppKey: job.AppKey, Env: job.Env}
	if err := authCreatable(tx, key); err != nil {
		return err
	}
	app, err := tx.App(key.AppKey)
	if err != nil {
		return err
	}
	config, err := importedAuthConfig(s.configs(), ids)
	if err != nil {
		return err
	}
	d := map[string]string{
		"UserPoolId":     ids.UserPoolID,
		"UserPoolArn":    userPoolArn(key.Account, ids.UserPoolID),
		"AppClientIDWeb": ids.WebClientID,
		"AppClientID":    ids.NativeClientID,
	}
	if ids.IdentityPoolID != "" {
		d["IdentityPoolId"] = ids.IdentityPoolID
	}
	return tx.PutResource(key, &Resource{
		Kind:      KindAuth,
		Name:      importedAuthName(app.Name, s.randomString("0123456789abcdef", 8)),
		Config:    config,
		Deployed:  d,
		Imported:  true,
		Revision:  1,
		UpdatedAt: now,
	})
}

// importedAuthConfig is what GetBackendAuth answers for imported auth: the emulator knows only
// the ids, so it reports authResources from whether an identity pool was imported, service
// COGNITO, the user pool id as userPoolName and the identity pool id as identityPoolName;
// members it cannot know (sign-in method, attributes, MFA, OAuth, ...) are left out.
func importedAuthConfig(cf Configs, ids ImportedAuth) (json.RawMessage, error) {
	c := AuthConfig{AuthResources: authUserPoolOnly, Service: "COGNITO", UserPool: &AuthUserPool{Name: ids.UserPoolID}}
	if ids.IdentityPoolID != "" {
		c.AuthResources = authWithIdentityPool
		c.IdentityPool = &AuthIdentityPool{Name: ids.IdentityPoolID}
	}
	return cf.EncodeAuth(c)
}

var nonResourceChars = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// importedAuthName is the Amplify CLI's name for imported auth: the project (app) name in
// lower case with runs of other characters than letters, digits and '_' replaced by '_',
// followed by a short random id.
func importedAuthName(appName, shortID string) string {
	return nonResourceChars.ReplaceAllString(strings.ToLower(appName), "_") + shortID
}

func userPoolArn(account, poolID string) string {
	region, _, _ := strings.Cut(poolID, "_")
	return "arn:aws:cognito-idp:" + region + ":" + account + ":userpool/" + poolID
}

var (
	regionPattern       = regexp.MustCompile(`^[a-z]{2}(-[a-z]+){1,2}-[0-9]{1,2}$`)
	userPoolIDPattern   = regexp.MustCompile(`^([a-z0-9-]+)_([0-9A-Za-z]{1,55})$`)
	identityPoolPattern = regexp.MustCompile(`^([a-z0-9-]+):([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$`)
)

// validRegion reports whether s looks like an AWS region name (us-east-1, us-gov-west-1).
func validRegion(s string) bool {
	return regionPattern.MatchString(s)
}

// checkUserPoolID validates a Cognito user pool id, <region>_<alphanumerics>, in member. With
// region not empty, the pool must be in that region.
func checkUserPoolID(member, id, region string) error {
	m := userPoolIDPattern.FindStringSubmatch(id)
	if m == nil || !validRegion(m[1]) {
		return Invalid("The %s %s is not a Cognito user pool id: it must be <region>_<alphanumerics>, e.g. us-east-1_AbCdEf123.", member, sanitize(id))
	}
	if region != "" && m[1] != region {
		return Invalid("The %s %s is in region %s; only Cognito resources of the backend's region %s can be used.", member, sanitize(id), m[1], region)
	}
	return nil
}

// checkIdentityPoolID validates a Cognito identity pool id, <region>:<uuid>, in member. With
// region not empty, the pool must be in that region.
func checkIdentityPoolID(member, id, region string) error {
	m := identityPoolPattern.FindStringSubmatch(id)
	if m == nil || !validRegion(m[1]) {
		return Invalid("The %s %s is not a Cognito identity pool id: it must be <region>:<uuid>, e.g. us-east-1:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b.", member, sanitize(id))
	}
	if region != "" && m[1] != region {
		return Invalid("The %s %s is in region %s; only Cognito resources of the backend's region %s can be used.", member, sanitize(id), m[1], region)
	}
	return nil
}
