package sqlite

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// The primitives of the test control plane: whole-state reset, dump and load, counts, jobs by
// id alone, held-job release, and a health write.

// CheckWrite commits a one-row write through the writer, as every Update does (fsync
// included), so that it fails when the disk is full or the database is read-only.
func (db *DB) CheckWrite(ctx context.Context) error {
	return db.Update(ctx, func(tx amplify.Tx) error {
		return tx.(*txn).exec(`INSERT INTO health (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`,
			time.Now().UnixMilli())
	})
}

// scopeWhere is the WHERE condition (with its arguments) of the rows in scope of a table
// keyed by account, region and app_id.
func scopeWhere(scope amplify.StateScope) (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	for _, c := range []struct{ col, v string }{{"account", scope.Account}, {"region", scope.Region}, {"app_id", scope.AppID}} {
		if c.v != "" {
			conds = append(conds, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	return strings.Join(conds, " AND "), args
}

// bucketWhere selects the buckets in scope: by account and region, and for an app scope the
// buckets its storage resources created (their owner names the app, see amplify.bucketOwner).
func bucketWhere(scope amplify.StateScope) (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	if scope.Account != "" {
		conds = append(conds, "account = ?")
		args = append(args, scope.Account)
	}
	if scope.Region != "" {
		conds = append(conds, "region = ?")
		args = append(args, scope.Region)
	}
	if scope.AppID != "" {
		prefix := scope.Account + "/" + scope.Region + "/" + scope.AppID + "/"
		conds = append(conds, "substr(owner, 1, ?) = ?")
		args = append(args, len(prefix), prefix)
	}
	return strings.Join(conds, " AND "), args
}

// touchAll tells the writer to empty the job cache after the commit.
func (t *txn) touchAll() { t.touch(amplify.JobKey{}) }

func (t *txn) JobByID(jobID string) (*amplify.Job, error) {
	job, err := scanJob(t.queryRow(`SELECT `+jobColumns+` FROM jobs WHERE job_id = ? ORDER BY seq LIMIT 1`, jobID))
	if err != nil {
		return nil, notFound(err, func() error { return amplify.Missing(amplify.ResourceJob, "No job found with jobId: %s", jobID) })
	}
	return job, nil
}

func (t *txn) PendingJobs(scope amplify.StateScope) ([]amplify.Job, error) {
	where, args := scopeWhere(scope)
	return t.selectJobs(`SELECT `+jobColumns+` FROM jobs WHERE pending = 1 AND `+where+` ORDER BY seq`, args...)
}

func (t *txn) selectJobs(query string, args ...any) ([]amplify.Job, error) {
	return selectAll(t, scanJob, query, args...)
}

func (t *txn) ReleaseJobs(held time.Time, actions []string, runAt time.Time) (int, error) {
	if len(actions) == 0 {
		return 0, nil
	}
	args := []any{ms(runAt), ms(held)}
	for _, a := range actions {
		args = append(args, a)
	}
	res, err := t.execResult(`UPDATE jobs SET run_at = ? WHERE pending = 1 AND run_at = ? AND action IN (?`+strings.Repeat(", ?", len(actions)-1)+`)`, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if n > 0 {
		t.touchAll()
	}
	return int(n), err
}

func (t *txn) DeleteState(scope amplify.StateScope) (amplify.Removed, error) {
	t.touchAll()
	var removed amplify.Removed
	where, args := scopeWhere(scope)
	for _, d := range []struct {
		table string
		count *int
	}{
		{"apps", &removed.Apps}, {"environments", &removed.Environments}, {"resources", nil},
		{"configs", nil}, {"tokens", &removed.Tokens}, {"jobs", &removed.Jobs},
	} {
		res, err := t.execResult(`DELETE FROM `+d.table+` WHERE `+where, args...)
		if err != nil {
			return removed, err
		}
		if d.count != nil {
			n, err := res.RowsAffected()
			if err != nil {
				return removed, err
			}
			*d.count = int(n)
		}
	}
	bwhere, bargs := bucketWhere(scope)
	res, err := t.execResult(`DELETE FROM buckets WHERE owner <> '' AND `+bwhere, bargs...)
	if err != nil {
		return removed, err
	}
	n, err := res.RowsAffected()
	removed.Buckets = int(n)
	return removed, err
}

func (t *txn) DumpState(scope amplify.StateScope) (*amplify.State, error) {
	where, args := scopeWhere(scope)
	var rows amplify.StateRows
	err := t.each(`SELECT account, region, app_id, name, created_at FROM apps WHERE `+where, args, func(r rowIter) error {
		var a amplify.App
		var created int64
		if err := r.Scan(&a.Account, &a.Region, &a.AppID, &a.Name, &created); err != nil {
			return err
		}
		a.CreatedAt = fromMS(created)
		rows.Apps = append(rows.Apps, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = t.each(`SELECT account, region, app_id, `+envColumns+` FROM environments WHERE `+where, args, func(r rowIter) error {
		var key amplify.AppKey
		env, err := scanEnv(prefixed(r, &key.Account, &key.Region, &key.AppID), amplify.AppKey{})
		if err != nil {
			return err
		}
		env.AppKey = key
		rows.Environments = append(rows.Environments, *env)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = t.each(`SELECT account, region, app_id, env, `+resourceColumns+` FROM resources WHERE `+where, args, func(r rowIter) error {
		var key amplify.EnvKey
		res, err := scanResource(prefixed(r, &key.Account, &key.Region, &key.AppID, &key.Env))
		if err != nil {
			return err
		}
		rows.Resources = append(rows.Resources, amplify.EnvResource{EnvKey: key, Resource: *res})
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = t.each(`SELECT account, region, app_id, manager_app_id, login_auth, deployed, updated_at FROM configs WHERE `+where, args, func(r rowIter) error {
		var cfg amplify.AppConfig
		var login, deployed string
		var updated int64
		if err := r.Scan(&cfg.Account, &cfg.Region, &cfg.AppID, &cfg.BackendManagerAppID, &login, &deployed, &updated); err != nil {
			return err
		}
		cfg.LoginAuthConfig = json.RawMessage(login)
		cfg.UpdatedAt = fromMS(updated)
		if err := json.Unmarshal([]byte(deployed), &cfg.Deployed); err != nil {
			return err
		}
		rows.Configs = append(rows.Configs, cfg)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = t.each(`SELECT account, region, app_id, session_id, challenge_code, expires_at FROM tokens WHERE `+where, args, func(r rowIter) error {
		var tok amplify.Token
		var expires int64
		if err := r.Scan(&tok.Account, &tok.Region, &tok.AppID, &tok.SessionID, &tok.ChallengeCode, &expires); err != nil {
			return err
		}
		tok.Expires = fromMS(expires)
		rows.Tokens = append(rows.Tokens, tok)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if rows.Jobs, err = t.selectJobs(`SELECT `+jobColumns+` FROM jobs WHERE `+where+` ORDER BY seq`, args...); err != nil {
		return nil, err
	}
	bwhere, bargs := bucketWhere(scope)
	err = t.each(`SELECT `+bucketColumns+` FROM buckets WHERE `+bwhere, bargs, func(r rowIter) error {
		b, err := scanBucket(r)
		if err == nil {
			rows.Buckets = append(rows.Buckets, *b)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return amplify.BuildState(rows)
}

// prefixedRow scans leading columns into dest before handing the rest to a scanner.
type prefixedRow struct {
	r    rowIter
	dest []any
}

func prefixed(r rowIter, dest ...any) prefixedRow { return prefixedRow{r, dest} }

func (p prefixedRow) Scan(rest ...any) error { return p.r.Scan(append(p.dest, rest...)...) }

// each runs fn on every row of query.
func (t *txn) each(query string, args []any, fn func(rowIter) error) error {
	rows, err := t.query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *txn) LoadState(st *amplify.State) error {
	t.touchAll()
	return amplify.LoadState(t, st)
}

func (t *txn) Counts() (*amplify.Counts, error) {
	c := &amplify.Counts{Jobs: map[string]int{}}
	err := t.queryRow(`SELECT (SELECT count(DISTINCT account) FROM apps), (SELECT count(*) FROM apps), (SELECT count(*) FROM environments)`).
		Scan(&c.Accounts, &c.Apps, &c.Environments)
	if err != nil {
		return nil, err
	}
	err = t.each(`SELECT status, count(*) FROM jobs GROUP BY status`, nil, func(r rowIter) error {
		var status string
		var n int
		if err := r.Scan(&status, &n); err != nil {
			return err
		}
		c.Jobs[status] = n
		return nil
	})
	return c, err
}
