package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

func testApps(t *testing.T, s amplify.Store) {
	key := appKey(scope1, "app1")
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.App(key)
		wantNotFound(t, "App before PutApp", err, amplify.ResourceApp)
		return nil
	})
	app := &amplify.App{AppKey: key, Name: "first", CreatedAt: at(time.Second)}
	update(t, s, func(tx amplify.Tx) error {
		check(t, "PutApp", tx.PutApp(app))
		got, err := tx.App(key)
		check(t, "App in the same transaction", err)
		wantEqual(t, "App in the same transaction", got, app)
		return nil
	})
	view(t, s, func(tx amplify.Tx) error {
		got, err := tx.App(key)
		check(t, "App", err)
		wantEqual(t, "App", got, app)
		return nil
	})

	// PutApp replaces the name of an existing app.
	update(t, s, func(tx amplify.Tx) error {
		return tx.PutApp(&amplify.App{AppKey: key, Name: "second", CreatedAt: at(time.Second)})
	})
	view(t, s, func(tx amplify.Tx) error {
		got, err := tx.App(key)
		check(t, "App after replace", err)
		if got.Name != "second" {
			t.Errorf("App after replace: name %q, want %q", got.Name, "second")
		}
		return nil
	})

	update(t, s, func(tx amplify.Tx) error { return tx.DeleteApp(key) })
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.App(key)
		wantNotFound(t, "App after DeleteApp", err, amplify.ResourceApp)
		return nil
	})
	// Deleting what does not exist is not an error.
	update(t, s, func(tx amplify.Tx) error { return tx.DeleteApp(appKey(scope1, "missing")) })
}

func newEnv(key amplify.EnvKey, suffix string) *amplify.Environment {
	return &amplify.Environment{
		EnvKey:      key,
		CreatedAt:   at(time.Minute),
		StackSuffix: suffix,
		StackUUID:   "1b5d9a30-0000-4000-8000-" + fmt.Sprintf("%012s", suffix),
	}
}

func testEnvironments(t *testing.T, s amplify.Store) {
	app := appKey(scope1, "app1")
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.Environment(amplify.EnvKey{AppKey: app, Env: "dev"})
		wantNotFound(t, "Environment before PutEnvironment", err, amplify.ResourceEnvironment)
		envs, err := tx.Environments(app)
		check(t, "Environments of an app without any", err)
		if len(envs) != 0 {
			t.Errorf("Environments of an app without any: %+v", envs)
		}
		return nil
	})

	// Names that sort differently by byte and by a natural-language collation: the order is
	// by byte, as Go's sort.Strings has it.
	names := []string{"staging2", "dev", "Prod", "staging-2", "ab", "a_b", "Zeta", "a"}
	update(t, s, func(tx amplify.Tx) error {
		for i, name := range names {
			check(t, "PutEnvironment", tx.PutEnvironment(newEnv(amplify.EnvKey{AppKey: app, Env: name}, fmt.Sprint(100000+i))))
		}
		// Another app's environment is not listed.
		return tx.PutEnvironment(newEnv(envKey(scope1, "app2", "other"), "999999"))
	})
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	view(t, s, func(tx amplify.Tx) error {
		envs, err := tx.Environments(app)
		check(t, "Environments", err)
		got := make([]string, len(envs))
		for i, e := range envs {
			got[i] = e.Env
			if e.AppKey != app {
				t.Errorf("Environments: %s has key %+v", e.Env, e.AppKey)
			}
		}
		wantEqual(t, "Environments order", got, sorted)

		key := amplify.EnvKey{AppKey: app, Env: "dev"}
		env, err := tx.Environment(key)
		check(t, "Environment", err)
		wantEqual(t, "Environment", env, newEnv(key, "100001"))
		return nil
	})

	// PutEnvironment replaces.
	key := amplify.EnvKey{AppKey: app, Env: "dev"}
	update(t, s, func(tx amplify.Tx) error { return tx.PutEnvironment(newEnv(key, "424242")) })
	view(t, s, func(tx amplify.Tx) error {
		env, err := tx.Environment(key)
		check(t, "Environment after replace", err)
		wantEqual(t, "Environment after replace", env, newEnv(key, "424242"))
		envs, err := tx.Environments(app)
		check(t, "Environments after replace", err)
		if len(envs) != len(names) {
			t.Errorf("Environments after replace: %d, want %d", len(envs), len(names))
		}
		return nil
	})
}

func newResource(kind amplify.ResourceKind, name string, withModels bool) *amplify.Resource {
	r := &amplify.Resource{
		Kind: kind,
		Name: name,
		// Stored as given, byte for byte: spacing and key order are kept.
		Config:    json.RawMessage(`{"z": 1,  "a": [true, null, "x"], "name": "` + name + `"}`),
		Deployed:  map[string]string{"Id": name + "-id", "Arn": "arn:aws:x:::" + name},
		Imported:  kind == amplify.KindStorage,
		Revision:  3,
		UpdatedAt: at(2 * time.Minute),
	}
	if withModels {
		r.Models = &amplify.GeneratedModels{Models: "models of " + name, Introspection: `{"data":{}}`, Revision: 2}
	}
	return r
}

func testResources(t *testing.T, s amplify.Store) {
	key := envKey(scope1, "app1", "dev")
	view(t, s, func(tx amplify.Tx) error {
		for _, kind := range []amplify.ResourceKind{amplify.KindAPI, amplify.KindAuth, amplify.KindStorage} {
			_, err := tx.Resource(key, kind)
			wantNotFound(t, "Resource "+string(kind), err, string(kind))
		}
		rs, err := tx.Resources(key)
		check(t, "Resources of an environment without any", err)
		if len(rs) != 0 {
			t.Errorf("Resources of an environment without any: %+v", rs)
		}
		return nil
	})
	storage := newResource(amplify.KindStorage, "s3", false)
	auth := newResource(amplify.KindAuth, "cognito", false)
	api := newResource(amplify.KindAPI, "graphql", true)
	update(t, s, func(tx amplify.Tx) error {
		check(t, "PutEnvironment", tx.PutEnvironment(newEnv(key, "123456")))
		for _, r := range []*amplify.Resource{storage, auth, api} {
			check(t, "PutResource", tx.PutResource(key, r))
		}
		// Another environment's resource is not listed.
		return tx.PutResource(envKey(scope1, "app1", "prod"), newResource(amplify.KindAPI, "other", false))
	})
	view(t, s, func(tx amplify.Tx) error {
		rs, err := tx.Resources(key)
		check(t, "Resources", err)
		wantEqual(t, "Resources (in kind order)", rs, []amplify.Resource{*api, *auth, *storage})
		got, err := tx.Resource(key, amplify.KindAPI)
		check(t, "Resource", err)
		wantEqual(t, "Resource", got, api)
		if string(got.Config) != string(api.Config) {
			t.Errorf("Resource config %s, want the bytes written %s", got.Config, api.Config)
		}
		return nil
	})

	// PutResource replaces the resource of its kind, models included.
	replaced := newResource(amplify.KindAPI, "graphql2", false)
	replaced.Revision = 4
	update(t, s, func(tx amplify.Tx) error { return tx.PutResource(key, replaced) })
	view(t, s, func(tx amplify.Tx) error {
		got, err := tx.Resource(key, amplify.KindAPI)
		check(t, "Resource after replace", err)
		wantEqual(t, "Resource after replace", got, replaced)
		return nil
	})

	update(t, s, func(tx amplify.Tx) error { return tx.DeleteResource(key, amplify.KindAuth) })
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.Resource(key, amplify.KindAuth)
		wantNotFound(t, "Resource after DeleteResource", err, amplify.ResourceAuth)
		rs, err := tx.Resources(key)
		check(t, "Resources after DeleteResource", err)
		wantEqual(t, "Resources after DeleteResource", rs, []amplify.Resource{*replaced, *storage})
		return nil
	})
	update(t, s, func(tx amplify.Tx) error { return tx.DeleteResource(key, amplify.KindAuth) })
}

func newConfig(key amplify.AppKey, manager string) *amplify.AppConfig {
	return &amplify.AppConfig{
		AppKey:              key,
		BackendManagerAppID: manager,
		LoginAuthConfig:     json.RawMessage(`{"aws_cognito_region": "us-east-1","aws_user_pools_id":"us-east-1_abc"}`),
		Deployed:            map[string]string{"UserPoolId": "us-east-1_abc", "ClientId": manager},
		UpdatedAt:           at(3 * time.Minute),
	}
}

func testConfigs(t *testing.T, s amplify.Store) {
	key := appKey(scope1, "app1")
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.Config(key)
		wantNotFound(t, "Config before PutConfig", err, amplify.ResourceConfig)
		return nil
	})
	cfg := newConfig(key, "manager1")
	update(t, s, func(tx amplify.Tx) error { return tx.PutConfig(cfg) })
	view(t, s, func(tx amplify.Tx) error {
		got, err := tx.Config(key)
		check(t, "Config", err)
		wantEqual(t, "Config", got, cfg)
		return nil
	})
	replaced := newConfig(key, "manager2")
	replaced.LoginAuthConfig = json.RawMessage(`{}`)
	update(t, s, func(tx amplify.Tx) error { return tx.PutConfig(replaced) })
	view(t, s, func(tx amplify.Tx) error {
		got, err := tx.Config(key)
		check(t, "Config after replace", err)
		wantEqual(t, "Config after replace", got, replaced)
		return nil
	})
	update(t, s, func(tx amplify.Tx) error { return tx.DeleteConfig(key) })
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.Config(key)
		wantNotFound(t, "Config after DeleteConfig", err, amplify.ResourceConfig)
		return nil
	})
	update(t, s, func(tx amplify.Tx) error { return tx.DeleteConfig(key) })
}

func newToken(key amplify.AppKey, session, code string) *amplify.Token {
	return &amplify.Token{AppKey: key, SessionID: session, ChallengeCode: code, Expires: at(10 * time.Minute)}
}

func testTokens(t *testing.T, s amplify.Store) {
	key := appKey(scope1, "app1")
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.Token(key, "s1")
		wantNotFound(t, "Token before PutToken", err, amplify.ResourceToken)
		return nil
	})
	t1, t2 := newToken(key, "s1", "code1"), newToken(key, "s2", "code2")
	update(t, s, func(tx amplify.Tx) error {
		check(t, "PutToken", tx.PutToken(t1))
		return tx.PutToken(t2)
	})
	view(t, s, func(tx amplify.Tx) error {
		for _, want := range []*amplify.Token{t1, t2} {
			got, err := tx.Token(key, want.SessionID)
			check(t, "Token", err)
			wantEqual(t, "Token", got, want)
		}
		_, err := tx.Token(appKey(scope1, "app2"), "s1")
		wantNotFound(t, "Token of another app", err, amplify.ResourceToken)
		return nil
	})
	replaced := newToken(key, "s1", "code3")
	replaced.Expires = at(20 * time.Minute)
	update(t, s, func(tx amplify.Tx) error {
		check(t, "PutToken (replace)", tx.PutToken(replaced))
		return tx.DeleteToken(key, "s2")
	})
	view(t, s, func(tx amplify.Tx) error {
		got, err := tx.Token(key, "s1")
		check(t, "Token after replace", err)
		wantEqual(t, "Token after replace", got, replaced)
		_, err = tx.Token(key, "s2")
		wantNotFound(t, "Token after DeleteToken", err, amplify.ResourceToken)
		return nil
	})
	update(t, s, func(tx amplify.Tx) error { return tx.DeleteToken(key, "s2") })
}

// testDeleteExpiredTokens checks that expired tokens (of any scope) go, the earliest first
// and at most limit at a time, and live ones stay.
func testDeleteExpiredTokens(t *testing.T, s amplify.Store) {
	ctx := context.Background()
	var expired, live []*amplify.Token
	update(t, s, func(tx amplify.Tx) error {
		for i, sc := range []amplify.Scope{scope1, scope2, scope3} {
			for j := range 3 {
				tok := newToken(appKey(sc, "app1"), fmt.Sprintf("old%d", j), "code")
				tok.Expires = at(time.Duration(i*3+j) * time.Second)
				expired = append(expired, tok)
				check(t, "PutToken", tx.PutToken(tok))
			}
			tok := newToken(appKey(sc, "app1"), "live", "code")
			tok.Expires = at(time.Hour)
			live = append(live, tok)
			check(t, "PutToken", tx.PutToken(tok))
		}
		return nil
	})
	now := at(time.Minute)
	exists := func(tok *amplify.Token) bool {
		var err error
		view(t, s, func(tx amplify.Tx) error { _, err = tx.Token(tok.AppKey, tok.SessionID); return nil })
		return err == nil
	}
	n, err := s.DeleteExpiredTokens(ctx, now, 4)
	check(t, "DeleteExpiredTokens", err)
	if n != 4 {
		t.Fatalf("deleted %d tokens with limit 4; want 4", n)
	}
	for i, tok := range expired {
		if gone := !exists(tok); gone != (i < 4) {
			t.Errorf("token expiring at %v: deleted %v; want the 4 earliest deleted", tok.Expires, gone)
		}
	}
	n, err = s.DeleteExpiredTokens(ctx, now, 100)
	check(t, "DeleteExpiredTokens", err)
	if n != len(expired)-4 {
		t.Errorf("second sweep deleted %d tokens; want %d", n, len(expired)-4)
	}
	for _, tok := range live {
		if !exists(tok) {
			t.Errorf("live token %s/%s deleted", tok.Account, tok.Region)
		}
	}
	// A token expiring exactly now is expired (GetToken answers NotFound for it).
	n, err = s.DeleteExpiredTokens(ctx, at(time.Hour), 100)
	check(t, "DeleteExpiredTokens", err)
	if n != len(live) {
		t.Errorf("at their expiry, deleted %d tokens; want %d", n, len(live))
	}
}

// testDeleteApp checks that DeleteApp takes the app's config and tokens, and leaves its
// environments and jobs (and other apps) alone.
func testDeleteApp(t *testing.T, s amplify.Store) {
	key, other := appKey(scope1, "app1"), appKey(scope1, "app2")
	env := amplify.EnvKey{AppKey: key, Env: "dev"}
	job := newJob(env, "job1", false, 0)
	update(t, s, func(tx amplify.Tx) error {
		for _, k := range []amplify.AppKey{key, other} {
			check(t, "PutApp", tx.PutApp(&amplify.App{AppKey: k, Name: k.AppID, CreatedAt: base}))
			check(t, "PutConfig", tx.PutConfig(newConfig(k, "m")))
			check(t, "PutToken", tx.PutToken(newToken(k, "s1", "c")))
			check(t, "PutToken", tx.PutToken(newToken(k, "s2", "c")))
		}
		check(t, "PutEnvironment", tx.PutEnvironment(newEnv(env, "123456")))
		check(t, "PutResource", tx.PutResource(env, newResource(amplify.KindAuth, "a", false)))
		return tx.InsertJob(job)
	})
	update(t, s, func(tx amplify.Tx) error { return tx.DeleteApp(key) })
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.App(key)
		wantNotFound(t, "App after DeleteApp", err, amplify.ResourceApp)
		_, err = tx.Config(key)
		wantNotFound(t, "Config after DeleteApp", err, amplify.ResourceConfig)
		for _, session := range []string{"s1", "s2"} {
			_, err = tx.Token(key, session)
			wantNotFound(t, "Token after DeleteApp", err, amplify.ResourceToken)
		}
		_, err = tx.Environment(env)
		check(t, "Environment after DeleteApp (stays)", err)
		_, err = tx.Resource(env, amplify.KindAuth)
		check(t, "Resource after DeleteApp (stays)", err)
		got, err := tx.Job(job.JobKey)
		check(t, "Job after DeleteApp (stays)", err)
		wantEqual(t, "Job after DeleteApp", got, job)

		_, err = tx.App(other)
		check(t, "other App", err)
		_, err = tx.Config(other)
		check(t, "other Config", err)
		_, err = tx.Token(other, "s2")
		check(t, "other Token", err)
		return nil
	})
}

// testDeleteEnvironment checks that DeleteEnvironment takes the environment's resources and
// nothing of another environment.
func testDeleteEnvironment(t *testing.T, s amplify.Store) {
	dev, prod := envKey(scope1, "app1", "dev"), envKey(scope1, "app1", "prod")
	update(t, s, func(tx amplify.Tx) error {
		for _, key := range []amplify.EnvKey{dev, prod} {
			check(t, "PutEnvironment", tx.PutEnvironment(newEnv(key, "123456")))
			for _, kind := range []amplify.ResourceKind{amplify.KindAPI, amplify.KindAuth, amplify.KindStorage} {
				check(t, "PutResource", tx.PutResource(key, newResource(kind, string(kind), false)))
			}
		}
		return nil
	})
	update(t, s, func(tx amplify.Tx) error { return tx.DeleteEnvironment(dev) })
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.Environment(dev)
		wantNotFound(t, "Environment after DeleteEnvironment", err, amplify.ResourceEnvironment)
		rs, err := tx.Resources(dev)
		check(t, "Resources after DeleteEnvironment", err)
		if len(rs) != 0 {
			t.Errorf("Resources after DeleteEnvironment: %+v", rs)
		}
		_, err = tx.Resource(dev, amplify.KindStorage)
		wantNotFound(t, "Resource after DeleteEnvironment", err, amplify.ResourceStorage)

		envs, err := tx.Environments(dev.AppKey)
		check(t, "Environments", err)
		if len(envs) != 1 || envs[0].Env != "prod" {
			t.Errorf("Environments after deleting dev: %+v", envs)
		}
		rs, err = tx.Resources(prod)
		check(t, "Resources of prod", err)
		if len(rs) != 3 {
			t.Errorf("Resources of prod: %d, want 3", len(rs))
		}
		return nil
	})
	// A new environment of the same name starts empty.
	update(t, s, func(tx amplify.Tx) error { return tx.PutEnvironment(newEnv(dev, "654321")) })
	view(t, s, func(tx amplify.Tx) error {
		rs, err := tx.Resources(dev)
		check(t, "Resources of a re-created environment", err)
		if len(rs) != 0 {
			t.Errorf("Resources of a re-created environment: %+v", rs)
		}
		return nil
	})
	update(t, s, func(tx amplify.Tx) error { return tx.DeleteEnvironment(envKey(scope1, "app1", "missing")) })
}

// testScopes writes the same ids in three scopes (two accounts, two regions) and checks that
// each scope reads, lists and deletes only its own.
func testScopes(t *testing.T, s amplify.Store) {
	scopes := []amplify.Scope{scope1, scope2, scope3}
	name := func(sc amplify.Scope) string { return sc.Account + "/" + sc.Region }
	update(t, s, func(tx amplify.Tx) error {
		for i, sc := range scopes {
			app := appKey(sc, "app1")
			env := amplify.EnvKey{AppKey: app, Env: "dev"}
			check(t, "PutApp", tx.PutApp(&amplify.App{AppKey: app, Name: name(sc), CreatedAt: base}))
			check(t, "PutEnvironment", tx.PutEnvironment(newEnv(env, fmt.Sprint(100000+i))))
			check(t, "PutResource", tx.PutResource(env, newResource(amplify.KindAuth, name(sc), false)))
			check(t, "PutConfig", tx.PutConfig(newConfig(app, name(sc))))
			check(t, "PutToken", tx.PutToken(newToken(app, "session", name(sc))))
			// The same job id, pending, in the same app and environment of every scope: the
			// pending rule is per scope too.
			check(t, "InsertJob", tx.InsertJob(newJob(env, "job1", true, 0)))
			check(t, "InsertBucket", tx.InsertBucket(&amplify.Bucket{Scope: sc, Name: fmt.Sprintf("bucket-%d", i), CreatedAt: base}))
		}
		return nil
	})
	checkScope := func(i int, sc amplify.Scope, present bool) {
		t.Helper()
		// found checks a lookup's error: none if the scope's state is present, else NotFound.
		found := func(what string, err error, resourceType string) bool {
			t.Helper()
			if !present {
				wantNotFound(t, name(sc)+" "+what, err, resourceType)
				return false
			}
			check(t, name(sc)+" "+what, err)
			return true
		}
		count := 0
		if present {
			count = 1
		}
		view(t, s, func(tx amplify.Tx) error {
			app := appKey(sc, "app1")
			env := amplify.EnvKey{AppKey: app, Env: "dev"}
			if got, err := tx.App(app); found("App", err, amplify.ResourceApp) && got.Name != name(sc) {
				t.Errorf("App of %s is named %q", name(sc), got.Name)
			}
			if e, err := tx.Environment(env); found("Environment", err, amplify.ResourceEnvironment) && e.StackSuffix != fmt.Sprint(100000+i) {
				t.Errorf("Environment of %s has suffix %s", name(sc), e.StackSuffix)
			}
			envs, err := tx.Environments(app)
			check(t, "Environments", err)
			if len(envs) != count {
				t.Errorf("Environments of %s: %d, want %d", name(sc), len(envs), count)
			}
			if r, err := tx.Resource(env, amplify.KindAuth); found("Resource", err, amplify.ResourceAuth) && r.Name != name(sc) {
				t.Errorf("Resource of %s is named %q", name(sc), r.Name)
			}
			rs, err := tx.Resources(env)
			check(t, "Resources", err)
			if len(rs) != count {
				t.Errorf("Resources of %s: %d, want %d", name(sc), len(rs), count)
			}
			if c, err := tx.Config(app); found("Config", err, amplify.ResourceConfig) && c.BackendManagerAppID != name(sc) {
				t.Errorf("Config of %s has manager %q", name(sc), c.BackendManagerAppID)
			}
			if tok, err := tx.Token(app, "session"); found("Token", err, amplify.ResourceToken) && tok.ChallengeCode != name(sc) {
				t.Errorf("Token of %s has code %q", name(sc), tok.ChallengeCode)
			}
			// Jobs stay when their app goes; each scope sees its own one.
			job, err := tx.Job(amplify.JobKey{AppKey: app, JobID: "job1"})
			check(t, "Job", err)
			if job.Scope != sc {
				t.Errorf("Job of %s has scope %+v", name(sc), job.Scope)
			}
			jobs, err := tx.ListJobs(amplify.JobQuery{EnvKey: env, Limit: 10})
			check(t, "ListJobs", err)
			if len(jobs) != 1 || jobs[0].Scope != sc {
				t.Errorf("ListJobs of %s: %+v", name(sc), jobs)
			}
			p, err := tx.PendingJob(env)
			check(t, "PendingJob", err)
			if p == nil || p.Scope != sc {
				t.Errorf("PendingJob of %s: %+v", name(sc), p)
			}
			bs, err := tx.Buckets(sc, "", 10)
			check(t, "Buckets", err)
			if len(bs) != 1 || bs[0].Name != fmt.Sprintf("bucket-%d", i) || bs[0].Scope != sc {
				t.Errorf("Buckets of %s: %+v", name(sc), bs)
			}
			return nil
		})
	}
	for i, sc := range scopes {
		checkScope(i, sc, true)
	}
	// Deleting in one scope leaves the others alone.
	update(t, s, func(tx amplify.Tx) error {
		app := appKey(scope1, "app1")
		env := amplify.EnvKey{AppKey: app, Env: "dev"}
		check(t, "DeleteResource", tx.DeleteResource(env, amplify.KindAuth))
		check(t, "DeleteEnvironment", tx.DeleteEnvironment(env))
		check(t, "DeleteConfig", tx.DeleteConfig(app))
		check(t, "DeleteToken", tx.DeleteToken(app, "session"))
		return tx.DeleteApp(app)
	})
	checkScope(0, scope1, false)
	checkScope(1, scope2, true)
	checkScope(2, scope3, true)
}

// testAddAndInsert covers AddApp (inserts an app unless it exists) and InsertEnvironment
// (refuses an environment that exists, writing nothing, and leaves the transaction usable).
func testAddAndInsert(t *testing.T, s amplify.Store) {
	key := appKey(scope1, "app1")
	first := &amplify.App{AppKey: key, Name: "first", CreatedAt: at(time.Second)}
	env := newEnv(amplify.EnvKey{AppKey: key, Env: "dev"}, "111111")
	update(t, s, func(tx amplify.Tx) error {
		check(t, "AddApp", tx.AddApp(first))
		check(t, "AddApp of an existing app", tx.AddApp(&amplify.App{AppKey: key, Name: "second", CreatedAt: at(time.Minute)}))
		check(t, "InsertEnvironment", tx.InsertEnvironment(env))
		other := newEnv(amplify.EnvKey{AppKey: key, Env: "dev"}, "222222")
		if err := tx.InsertEnvironment(other); !errors.Is(err, amplify.ErrEnvironmentExists) {
			t.Errorf("InsertEnvironment of an existing environment: %v; want ErrEnvironmentExists", err)
		}
		// The transaction goes on after the refusal.
		return tx.InsertEnvironment(newEnv(amplify.EnvKey{AppKey: key, Env: "prod"}, "333333"))
	})
	view(t, s, func(tx amplify.Tx) error {
		app, err := tx.App(key)
		check(t, "App", err)
		wantEqual(t, "App after AddApp twice", app, first)
		got, err := tx.Environment(env.EnvKey)
		check(t, "Environment", err)
		wantEqual(t, "Environment after a refused insert", got, env)
		_, err = tx.Environment(amplify.EnvKey{AppKey: key, Env: "prod"})
		check(t, "Environment inserted after the refusal", err)
		return nil
	})
}
