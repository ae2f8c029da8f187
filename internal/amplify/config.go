package amplify

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// AdminUIEnvironment is the environment CreateBackendConfig creates in an app that has none,
// as the Amplify console does when it enables the Admin UI for a new app.
const AdminUIEnvironment = "staging"

// createConfigPayload is what a CreateBackendConfig job needs to apply its effect.
type createConfigPayload struct {
	BackendManagerAppID string `json:"backendManagerAppId"`
	// CreateEnv is set when the app had no environment: the job creates its own.
	CreateEnv bool `json:"createEnv,omitempty"`
}

// addConfigEffects registers the job effects of the Admin UI config.
func (s *Service) addConfigEffects(m map[string]effect) {
	m[OpCreateBackendConfig] = plain(s.createBackendConfigEffect)
}

// CreateBackendConfig submits a job that enables the Admin UI for an app: it records an
// AppConfig with a generated login user pool (amplify_backend_manager_<appId>) and identity
// pool, and managerAppID as BackendManagerAppId (the app id when empty). The app need not
// exist: the job creates it, named after its id.
//
// A job belongs to an environment, and the response names it so that the client can poll the
// job: in an app without environments (or no app yet) the job creates AdminUIEnvironment
// ("staging") and belongs to it; otherwise it belongs to the app's first environment by name
// and changes no environment. BadRequest if the app already has an Admin UI config.
func (s *Service) CreateBackendConfig(ctx context.Context, key AppKey, managerAppID string) (*Job, error) {
	if err := CheckName("appId", key.AppID); err != nil {
		return nil, err
	}
	if managerAppID == "" {
		managerAppID = key.AppID
	} else if err := CheckName("backendManagerAppId", managerAppID); err != nil {
		return nil, err
	}
	// Choose the job's environment first: submit needs it before its transaction. If the
	// app's environments change meanwhile the choice is still sound (the job creates staging
	// only when told to, and polling works for any environment name of the app).
	env := AdminUIEnvironment
	createEnv := true
	err := s.Store.View(ctx, func(tx Tx) error {
		envs, err := tx.Environments(key)
		if err != nil {
			return err
		}
		if len(envs) > 0 {
			names := make([]string, len(envs))
			for i := range envs {
				names[i] = envs[i].Env
			}
			sort.Strings(names)
			env, createEnv = names[0], false
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.submit(ctx, jobSpec{
		key:     EnvKey{AppKey: key, Env: env},
		action:  OpCreateBackendConfig,
		payload: createConfigPayload{BackendManagerAppID: managerAppID, CreateEnv: createEnv},
		check: func(tx Tx, _ time.Time) error {
			return configAbsent(tx, key)
		},
	})
}

// configAbsent returns BadRequest if the app has an Admin UI config.
func configAbsent(tx Tx, key AppKey) error {
	_, err := tx.Config(key)
	switch ErrorCode(err) {
	case NotFound:
		return nil
	case "":
		return Invalid("The Admin UI is already enabled for appId: %s; use UpdateBackendConfig to change its config or RemoveBackendConfig to remove it.", key.AppID)
	default:
		return err
	}
}

func (s *Service) createBackendConfigEffect(tx Tx, job *Job, now time.Time) error {
	var p createConfigPayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return err
	}
	if err := configAbsent(tx, job.AppKey); err != nil {
		return err
	}
	if _, err := tx.App(job.AppKey); ErrorCode(err) == NotFound {
		// An app comes into being with CreateBackendConfig, named after its id.
		if err := tx.PutApp(&App{AppKey: job.AppKey, Name: job.AppID, CreatedAt: now}); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if p.CreateEnv {
		key := EnvKey{AppKey: job.AppKey, Env: job.Env}
		if _, err := tx.Environment(key); ErrorCode(err) == NotFound {
			if err := tx.PutEnvironment(s.newEnvironment(key, now)); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
	}
	poolName := "amplify_backend_manager_" + job.AppID
	identityPool, region := job.Region+":"+s.newID(), job.Region
	userPool, webClient := job.Region+"_"+s.randomString(alnum, 9), s.randomString(lowerAlnum, 26)
	raw, err := s.configs().EncodeLoginAuth(LoginAuthConfig{
		IdentityPoolID: &identityPool, Region: &region, UserPoolID: &userPool, WebClientID: &webClient,
	})
	if err != nil {
		return err
	}
	return tx.PutConfig(&AppConfig{
		AppKey:              job.AppKey,
		BackendManagerAppID: p.BackendManagerAppID,
		LoginAuthConfig:     raw,
		Deployed: map[string]string{
			"UserPoolName":   poolName,
			"UserPoolId":     userPool,
			"UserPoolArn":    userPoolArn(job.Account, userPool),
			"AppClientIDWeb": webClient,
			"IdentityPoolId": identityPool,
		},
		UpdatedAt: now,
	})
}

// UpdateBackendConfig overwrites the members patch gives (the wire JSON of a
// LoginAuthConfigReqObj) in the app's Admin UI LoginAuthConfig and returns the config. Given
// members are validated: ids are bounded names, aws_user_pools_id is a user pool id,
// aws_cognito_identity_pool_id an identity pool id and aws_cognito_region a region. NotFound
// if the app or its config does not exist.
func (s *Service) UpdateBackendConfig(ctx context.Context, key AppKey, patch json.RawMessage) (*AppConfig, error) {
	if err := CheckName("appId", key.AppID); err != nil {
		return nil, err
	}
	if err := checkLoginAuthPatch(s.configs(), patch); err != nil {
		return nil, err
	}
	var cfg *AppConfig
	err := s.Store.Update(ctx, func(tx Tx) error {
		var err error
		cfg, err = appConfig(tx, key)
		if err != nil {
			return err
		}
		merged, err := MergeJSON(cfg.LoginAuthConfig, patch)
		if err != nil {
			return fmt.Errorf("merge login auth config: %w", err)
		}
		cfg.LoginAuthConfig = merged
		cfg.UpdatedAt = s.now()
		return tx.PutConfig(cfg)
	})
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// checkLoginAuthPatch validates the members an UpdateBackendConfig gives.
// The members are checked in the order of their names, so that the first broken one (in that
// order) is the one reported.
func checkLoginAuthPatch(cf Configs, patch json.RawMessage) error {
	c, err := cf.LoginAuth(patch)
	if err != nil {
		return Invalid("The loginAuthConfig could not be read: %v", err)
	}
	for _, m := range []struct {
		member string
		value  *string
		check  func(member, v string) error
	}{
		{"loginAuthConfig.aws_cognito_identity_pool_id", c.IdentityPoolID, func(member, v string) error { return checkIdentityPoolID(member, v, "") }},
		{"loginAuthConfig.aws_cognito_region", c.Region, func(member, v string) error {
			if !validRegion(v) {
				return Invalid("The %s %s is not an AWS region name, e.g. us-east-1.", member, sanitize(v))
			}
			return nil
		}},
		{"loginAuthConfig.aws_user_pools_id", c.UserPoolID, func(member, v string) error { return checkUserPoolID(member, v, "") }},
		{"loginAuthConfig.aws_user_pools_web_client_id", c.WebClientID, nil},
	} {
		if m.value == nil {
			continue
		}
		if err := CheckName(m.member, *m.value); err != nil {
			return err
		}
		if m.check != nil {
			if err := m.check(m.member, *m.value); err != nil {
				return err
			}
		}
	}
	return nil
}

// appConfig returns the app's Admin UI config; NotFound (app, then config) otherwise.
func appConfig(tx Tx, key AppKey) (*AppConfig, error) {
	if err := appPresent(tx, key); err != nil {
		return nil, err
	}
	cfg, err := tx.Config(key)
	if ErrorCode(err) == NotFound {
		return nil, NoConfig(key)
	}
	return cfg, err
}

// RemoveBackendConfig deletes the app's Admin UI config. NotFound if the app or its config
// does not exist.
func (s *Service) RemoveBackendConfig(ctx context.Context, key AppKey) error {
	if err := CheckName("appId", key.AppID); err != nil {
		return err
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		if _, err := appConfig(tx, key); err != nil {
			return err
		}
		return tx.DeleteConfig(key)
	})
}
