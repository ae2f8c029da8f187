package amplify

import "context"

// Reads for the local console (internal/console): what the AWS API has no operation for
// (lists of apps and scopes, a scope's newest jobs, an app's Admin UI config, an
// environment's resources). Each is one read transaction over bounded pages.

// AppPage is one page of a scope's apps, by id.
type AppPage struct {
	Apps []App
	// Next is the id to pass as after for the next page ("" on the last page).
	Next string
}

// MaxAppsPage bounds a page of ListApps.
const MaxAppsPage = 100

// ListApps lists the apps of scope after the id after, at most limit (MaxAppsPage when 0 or
// more).
func (s *Service) ListApps(ctx context.Context, scope Scope, after string, limit int) (*AppPage, error) {
	if limit <= 0 || limit > MaxAppsPage {
		limit = MaxAppsPage
	}
	var apps []App
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		apps, err = tx.Apps(scope, after, limit+1)
		return err
	})
	if err != nil {
		return nil, err
	}
	page := &AppPage{Apps: apps}
	if len(apps) > limit {
		page.Apps = apps[:limit]
		page.Next = apps[limit-1].AppID
	}
	return page, nil
}

// Scopes lists the accounts and regions that hold an app.
func (s *Service) Scopes(ctx context.Context) ([]Scope, error) {
	var out []Scope
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Scopes()
		return err
	})
	return out, err
}

// RecentJobs returns the newest jobs of scope, newest first, at most limit.
func (s *Service) RecentJobs(ctx context.Context, scope Scope, limit int) ([]Job, error) {
	var out []Job
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = tx.RecentJobs(scope, limit)
		return err
	})
	return out, err
}

// AppConfig returns the app's Admin UI config, or nil when the Admin UI is not enabled.
// NotFound if the app does not exist.
func (s *Service) AppConfig(ctx context.Context, key AppKey) (*AppConfig, error) {
	var cfg *AppConfig
	err := s.Store.View(ctx, func(tx Tx) error {
		if _, err := tx.App(key); err != nil {
			return err
		}
		var err error
		cfg, err = tx.Config(key)
		if ErrorCode(err) == NotFound {
			cfg, err = nil, nil
		}
		return err
	})
	return cfg, err
}

// Resources returns the environment's resources (api, auth, storage order). NotFound if the
// environment does not exist.
func (s *Service) Resources(ctx context.Context, key EnvKey) ([]Resource, error) {
	var out []Resource
	err := s.Store.View(ctx, func(tx Tx) error {
		if _, err := tx.Environment(key); err != nil {
			return err
		}
		var err error
		out, err = tx.Resources(key)
		return err
	})
	return out, err
}

// TokenPage is one page of an app's live challenge tokens, by session id.
type TokenPage struct {
	Tokens []Token
	// Next is the session id to pass as after for the next page ("" on the last page).
	Next string
}

// ListTokens lists the app's challenge tokens that have not expired, by session id, those
// after the id after, at most limit (MaxAppsPage when 0 or more). NotFound if the app does
// not exist. Expired tokens answer NotFound to GetToken and are left out here too (the
// sweep deletes them), so a page may hold fewer than limit and still have a next one.
func (s *Service) ListTokens(ctx context.Context, key AppKey, after string, limit int) (*TokenPage, error) {
	if limit <= 0 || limit > MaxAppsPage {
		limit = MaxAppsPage
	}
	var toks []Token
	err := s.Store.View(ctx, func(tx Tx) error {
		if err := appPresent(tx, key); err != nil {
			return err
		}
		var err error
		toks, err = tx.Tokens(key, after, limit+1)
		return err
	})
	if err != nil {
		return nil, err
	}
	page := &TokenPage{}
	if len(toks) > limit {
		toks = toks[:limit]
		page.Next = toks[limit-1].SessionID
	}
	now := s.now()
	for _, tok := range toks {
		if now.Before(tok.Expires) {
			page.Tokens = append(page.Tokens, tok)
		}
	}
	return page, nil
}
