package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// The primitives of the test control plane: whole-state reset, dump and load, counts, jobs by
// id alone, held-job release, and a health write.

// CheckWrite commits a one-row write, so that it fails when the database cannot write
// (read-only, out of space, gone).
func (db *DB) CheckWrite(ctx context.Context) error {
	return db.Update(ctx, func(tx amplify.Tx) error {
		return tx.(*txn).exec("health write", `INSERT INTO health (id, checked_at) VALUES (1, $1)
			ON CONFLICT (id) DO UPDATE SET checked_at = EXCLUDED.checked_at`, time.Now().UnixMilli())
	})
}

// where builds a WHERE condition with numbered parameters.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	for _, a := range args {
		w.args = append(w.args, a)
		cond = strings.Replace(cond, "?", fmt.Sprintf("$%d", len(w.args)), 1)
	}
	w.conds = append(w.conds, cond)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return "TRUE"
	}
	return strings.Join(w.conds, " AND ")
}

// scopeWhere selects the rows in scope of a table keyed by account, region and app_id.
func scopeWhere(scope amplify.StateScope) *where {
	w := &where{}
	if scope.Account != "" {
		w.add("account = ?", scope.Account)
	}
	if scope.Region != "" {
		w.add("region = ?", scope.Region)
	}
	if scope.AppID != "" {
		w.add("app_id = ?", scope.AppID)
	}
	return w
}

// bucketWhere selects the buckets in scope: by account and region, and for an app scope the
// buckets its storage resources created (their owner names the app, see amplify.bucketOwner).
func bucketWhere(scope amplify.StateScope) *where {
	w := &where{}
	if scope.Account != "" {
		w.add("account = ?", scope.Account)
	}
	if scope.Region != "" {
		w.add("region = ?", scope.Region)
	}
	if scope.AppID != "" {
		w.add("starts_with(owner, ?)", scope.Account+"/"+scope.Region+"/"+scope.AppID+"/")
	}
	return w
}

func (t *txn) JobByID(jobID string) (*amplify.Job, error) {
	job, err := scanJob(t.tx.QueryRow(t.ctx, `SELECT `+jobColumns+` FROM jobs WHERE job_id = $1 ORDER BY seq LIMIT 1`+t.forUpdate(), jobID))
	if err != nil {
		return nil, storeError(err, "read job", func() error {
			return amplify.Missing(amplify.ResourceJob, "No job found with jobId: %s", jobID)
		})
	}
	return job, nil
}

func (t *txn) PendingJobs(scope amplify.StateScope) ([]amplify.Job, error) {
	w := scopeWhere(scope)
	return collect(t, "list pending jobs", scanJob, `SELECT `+jobColumns+` FROM jobs WHERE pending AND `+w.String()+` ORDER BY seq`, w.args...)
}

func (t *txn) ReleaseJobs(held time.Time, actions []string, runAt time.Time) (int, error) {
	if len(actions) == 0 {
		return 0, nil
	}
	tag, err := t.tx.Exec(t.ctx, `UPDATE jobs SET run_at = $1 WHERE pending AND run_at = $2 AND action = ANY($3)`,
		ms(runAt), ms(held), actions)
	if err != nil {
		return 0, storeError(err, "release held jobs", nil)
	}
	return int(tag.RowsAffected()), nil
}

func (t *txn) DeleteState(scope amplify.StateScope) (amplify.Removed, error) {
	var removed amplify.Removed
	w := scopeWhere(scope)
	for _, d := range []struct {
		table string
		count *int
	}{
		{"apps", &removed.Apps}, {"environments", &removed.Environments}, {"resources", nil},
		{"configs", nil}, {"tokens", &removed.Tokens}, {"jobs", &removed.Jobs},
	} {
		tag, err := t.tx.Exec(t.ctx, `DELETE FROM `+d.table+` WHERE `+w.String(), w.args...)
		if err != nil {
			return removed, storeError(err, "reset "+d.table, nil)
		}
		if d.count != nil {
			*d.count = int(tag.RowsAffected())
		}
	}
	bw := bucketWhere(scope)
	bw.add("owner <> ''")
	tag, err := t.tx.Exec(t.ctx, `DELETE FROM buckets WHERE `+bw.String(), bw.args...)
	if err != nil {
		return removed, storeError(err, "reset buckets", nil)
	}
	removed.Buckets = int(tag.RowsAffected())
	return removed, nil
}

func (t *txn) DumpState(scope amplify.StateScope) (*amplify.State, error) {
	w := scopeWhere(scope)
	cond := w.String()
	var rows amplify.StateRows
	var err error
	rows.Apps, err = collect(t, "dump apps", func(s scanner) (*amplify.App, error) {
		var a amplify.App
		var created int64
		if err := s.Scan(&a.Account, &a.Region, &a.AppID, &a.Name, &created); err != nil {
			return nil, err
		}
		a.CreatedAt = fromMS(created)
		return &a, nil
	}, `SELECT account, region, app_id, name, created_at FROM apps WHERE `+cond, w.args...)
	if err != nil {
		return nil, err
	}
	rows.Environments, err = collect(t, "dump environments", func(s scanner) (*amplify.Environment, error) {
		var key amplify.AppKey
		env, err := scanEnv(prefixed{s, []any{&key.Account, &key.Region, &key.AppID}}, amplify.AppKey{})
		if err != nil {
			return nil, err
		}
		env.AppKey = key
		return env, nil
	}, `SELECT account, region, app_id, `+envColumns+` FROM environments WHERE `+cond, w.args...)
	if err != nil {
		return nil, err
	}
	rows.Resources, err = collect(t, "dump resources", func(s scanner) (*amplify.EnvResource, error) {
		var key amplify.EnvKey
		r, err := scanResource(prefixed{s, []any{&key.Account, &key.Region, &key.AppID, &key.Env}})
		if err != nil {
			return nil, err
		}
		return &amplify.EnvResource{EnvKey: key, Resource: *r}, nil
	}, `SELECT account, region, app_id, env, `+resourceColumns+` FROM resources WHERE `+cond, w.args...)
	if err != nil {
		return nil, err
	}
	rows.Configs, err = collect(t, "dump configs", func(s scanner) (*amplify.AppConfig, error) {
		var cfg amplify.AppConfig
		var login, deployed string
		var updated int64
		if err := s.Scan(&cfg.Account, &cfg.Region, &cfg.AppID, &cfg.BackendManagerAppID, &login, &deployed, &updated); err != nil {
			return nil, err
		}
		cfg.LoginAuthConfig = json.RawMessage(login)
		cfg.UpdatedAt = fromMS(updated)
		if err := json.Unmarshal([]byte(deployed), &cfg.Deployed); err != nil {
			return nil, err
		}
		return &cfg, nil
	}, `SELECT account, region, app_id, manager_app_id, login_auth, deployed, updated_at FROM configs WHERE `+cond, w.args...)
	if err != nil {
		return nil, err
	}
	rows.Tokens, err = collect(t, "dump tokens", func(s scanner) (*amplify.Token, error) {
		var tok amplify.Token
		var expires int64
		if err := s.Scan(&tok.Account, &tok.Region, &tok.AppID, &tok.SessionID, &tok.ChallengeCode, &expires); err != nil {
			return nil, err
		}
		tok.Expires = fromMS(expires)
		return &tok, nil
	}, `SELECT account, region, app_id, session_id, challenge_code, expires_at FROM tokens WHERE `+cond, w.args...)
	if err != nil {
		return nil, err
	}
	rows.Jobs, err = collect(t, "dump jobs", scanJob, `SELECT `+jobColumns+` FROM jobs WHERE `+cond+` ORDER BY seq`, w.args...)
	if err != nil {
		return nil, err
	}
	bw := bucketWhere(scope)
	rows.Buckets, err = collect(t, "dump buckets", scanBucket, `SELECT `+bucketColumns+` FROM buckets WHERE `+bw.String(), bw.args...)
	if err != nil {
		return nil, err
	}
	return amplify.BuildState(rows)
}

// prefixed scans leading columns into dest before handing the rest to a scanner.
type prefixed struct {
	s    scanner
	dest []any
}

func (p prefixed) Scan(rest ...any) error { return p.s.Scan(append(p.dest, rest...)...) }

func (t *txn) LoadState(st *amplify.State) error { return amplify.LoadState(t, st) }

func (t *txn) Counts() (*amplify.Counts, error) {
	c := &amplify.Counts{Jobs: map[string]int{}}
	err := t.tx.QueryRow(t.ctx, `SELECT (SELECT count(DISTINCT account) FROM apps), (SELECT count(*) FROM apps), (SELECT count(*) FROM environments)`).
		Scan(&c.Accounts, &c.Apps, &c.Environments)
	if err != nil {
		return nil, storeError(err, "count", nil)
	}
	rows, err := t.tx.Query(t.ctx, `SELECT status, count(*) FROM jobs GROUP BY status`)
	if err != nil {
		return nil, storeError(err, "count jobs", nil)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, storeError(err, "count jobs", nil)
		}
		c.Jobs[status] = n
	}
	return c, storeError(rows.Err(), "count jobs", nil)
}
