package amplify

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Backend is what GetBackend answers: the app, its environments and, when one environment was
// asked for, that environment's amplify-meta.json and cli.json.
type Backend struct {
	App          App
	Environments []string
	// MetaConfig and FeatureFlags are set when an environment was asked for.
	MetaConfig   string
	FeatureFlags string
}

type createBackendPayload struct {
	AppName string `json:"appName"`
}

// CreateBackend submits a job that records the app (named appName, unless it exists) and the
// environment. BadRequest if the environment exists.
func (s *Service) CreateBackend(ctx context.Context, key EnvKey, appName string) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "appName", appName); err != nil {
		return nil, err
	}
	return s.submit(ctx, jobSpec{
		key:     key,
		action:  OpCreateBackend,
		payload: createBackendPayload{AppName: appName},
		check: func(tx Tx, _ time.Time) error {
			return envAbsent(tx, key)
		},
	})
}

func envAbsent(tx Tx, key EnvKey) error {
	_, err := tx.Environment(key)
	switch ErrorCode(err) {
	case NotFound:
		return nil
	case "":
		return envExists(key)
	default:
		return err
	}
}

func envExists(key EnvKey) error {
	return Invalid("The backend environment %s already exists for appId: %s", key.Env, key.AppID)
}

func (s *Service) createBackendEffect(tx Tx, job *Job, now time.Time) error {
	var p createBackendPayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return err
	}
	// One statement each: the app unless it exists, then the environment unless it exists
	// (a refusal, which undoes the app's insert with the rest of the job).
	if err := tx.AddApp(&App{AppKey: job.AppKey, Name: p.AppName, CreatedAt: now}); err != nil {
		return err
	}
	key := EnvKey{AppKey: job.AppKey, Env: job.Env}
	err := tx.InsertEnvironment(s.newEnvironment(key, now))
	if errors.Is(err, ErrEnvironmentExists) {
		return envExists(key)
	}
	return err
}

func (s *Service) newEnvironment(key EnvKey, now time.Time) *Environment {
	return &Environment{
		EnvKey:      key,
		CreatedAt:   now,
		StackSuffix: s.randomString("0123456789", 6),
		StackUUID:   s.newID(),
	}
}

// GetBackend returns the app and its environment names; with env not empty, also that
// environment's amplify-meta.json and feature flags. NotFound if the app or the environment
// does not exist.
func (s *Service) GetBackend(ctx context.Context, key AppKey, env string) (*Backend, error) {
	var b Backend
	err := s.Store.View(ctx, func(tx Tx) error {
		app, err := tx.App(key)
		if err != nil {
			return err
		}
		b.App = *app
		envs, err := tx.Environments(key)
		if err != nil {
			return err
		}
		b.Environments = make([]string, 0, len(envs))
		var found *Environment
		for i := range envs {
			b.Environments = append(b.Environments, envs[i].Env)
			if envs[i].Env == env {
				found = &envs[i]
			}
		}
		if env == "" {
			return nil
		}
		if found == nil {
			return NoEnvironment(EnvKey{AppKey: key, Env: env})
		}
		resources, err := tx.Resources(found.EnvKey)
		if err != nil {
			return err
		}
		b.MetaConfig, err = amplifyMeta(s.configs(), app, found, resources)
		if err != nil {
			return err
		}
		b.FeatureFlags = featureFlags
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &b, nil
}

type clonePayload struct {
	Target string `json:"target"`
}

// CloneBackend submits a job that copies an environment, with all its resources, to target.
// NotFound if the app or environment does not exist; BadRequest if target exists.
func (s *Service) CloneBackend(ctx context.Context, key EnvKey, target string) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "targetEnvironmentName", target); err != nil {
		return nil, err
	}
	targetKey := EnvKey{AppKey: key.AppKey, Env: target}
	return s.submit(ctx, jobSpec{
		key:     key,
		action:  OpCloneBackend,
		payload: clonePayload{Target: target},
		check: func(tx Tx, _ time.Time) error {
			if err := envPresent(tx, key); err != nil {
				return err
			}
			return envAbsent(tx, targetKey)
		},
	})
}

// envPresent returns NotFound (app or environment) unless the environment exists.
func envPresent(tx Tx, key EnvKey) error {
	if _, err := tx.App(key.AppKey); err != nil {
		if ErrorCode(err) == NotFound {
			return NoApp(key.AppKey)
		}
		return err
	}
	if _, err := tx.Environment(key); err != nil {
		if ErrorCode(err) == NotFound {
			return NoEnvironment(key)
		}
		return err
	}
	return nil
}

func (s *Service) cloneBackendEffect(tx Tx, job *Job, now time.Time) error {
	var p clonePayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return err
	}
	from := EnvKey{AppKey: job.AppKey, Env: job.Env}
	to := EnvKey{AppKey: job.AppKey, Env: p.Target}
	if err := envPresent(tx, from); err != nil {
		return err
	}
	if err := envAbsent(tx, to); err != nil {
		return err
	}
	if err := tx.PutEnvironment(s.newEnvironment(to, now)); err != nil {
		return err
	}
	resources, err := tx.Resources(from)
	if err != nil {
		return err
	}
	for i := range resources {
		if err := s.cloneResource(tx, to, &resources[i], now); err != nil {
			return err
		}
	}
	// The clone's auth has a user pool of its own: its API authorizes with that one.
	api, err := tx.Resource(to, KindAPI)
	switch {
	case ErrorCode(err) == NotFound:
		return nil
	case err != nil:
		return err
	case !usesUserPools(s.configs(), api.Config):
		return nil
	}
	if api.Config, err = withUserPool(s.configs(), tx, to, api.Config); err != nil {
		return err
	}
	return tx.PutResource(to, api)
}

// DeleteBackend submits a job that removes an environment with its resources.
func (s *Service) DeleteBackend(ctx context.Context, key EnvKey) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env); err != nil {
		return nil, err
	}
	return s.submit(ctx, jobSpec{
		key:    key,
		action: OpDeleteBackend,
		check: func(tx Tx, _ time.Time) error {
			return envPresent(tx, key)
		},
	})
}

func (s *Service) deleteBackendEffect(tx Tx, job *Job, _ time.Time) error {
	key := EnvKey{AppKey: job.AppKey, Env: job.Env}
	if err := envPresent(tx, key); err != nil {
		return err
	}
	return s.deleteEnvironment(tx, key)
}

// deleteEnvironment removes an environment, its resources and the buckets they created.
func (s *Service) deleteEnvironment(tx Tx, key EnvKey) error {
	resources, err := tx.Resources(key)
	if err != nil {
		return err
	}
	for i := range resources {
		if err := s.releaseResource(tx, key, &resources[i]); err != nil {
			return err
		}
	}
	return tx.DeleteEnvironment(key)
}

type removeAllPayload struct {
	CleanAmplifyApp bool `json:"cleanAmplifyApp"`
}

// RemoveAllBackends submits a job of the whole app that removes every environment and, with
// clean, the app itself with its Admin UI config and tokens. NotFound if the app does not exist.
func (s *Service) RemoveAllBackends(ctx context.Context, key AppKey, clean bool) (*Job, error) {
	if err := CheckName("appId", key.AppID); err != nil {
		return nil, err
	}
	return s.submit(ctx, jobSpec{
		key:     EnvKey{AppKey: key},
		action:  OpRemoveAllBackends,
		payload: removeAllPayload{CleanAmplifyApp: clean},
		check: func(tx Tx, _ time.Time) error {
			return appPresent(tx, key)
		},
	})
}

func appPresent(tx Tx, key AppKey) error {
	_, err := tx.App(key)
	if ErrorCode(err) == NotFound {
		return NoApp(key)
	}
	return err
}

func (s *Service) removeAllBackendsEffect(tx Tx, job *Job, _ time.Time) error {
	var p removeAllPayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return err
	}
	if err := appPresent(tx, job.AppKey); err != nil {
		return err
	}
	envs, err := tx.Environments(job.AppKey)
	if err != nil {
		return err
	}
	for _, env := range envs {
		if err := s.deleteEnvironment(tx, env.EnvKey); err != nil {
			return err
		}
	}
	if p.CleanAmplifyApp {
		return tx.DeleteApp(job.AppKey)
	}
	return nil
}
