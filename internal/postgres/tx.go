package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// txn implements amplify.Tx on one pgx transaction.
//
// In a read-write transaction every lookup of one row by key locks it (FOR UPDATE) until the
// transaction ends. Update runs at READ COMMITTED, where two transactions could both read a
// row, decide, and write it, one overwriting the other: a job that a client closes while a
// runner applies it, two merges into one app's config. SQLite, with one writer at a time,
// never interleaves them; the lock gives PostgreSQL the same order for every row that is read
// and then written (the second transaction waits, then reads what the first committed).
type txn struct {
	ctx      context.Context
	tx       pgx.Tx
	readOnly bool
	locked   map[amplify.AppKey]bool // the apps LockApps has locked
}

// scanner is a row to scan: pgx.Row or pgx.CollectableRow.
type scanner interface {
	Scan(dest ...any) error
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func (t *txn) Savepoint(fn func() error) (err error) {
	if _, err := t.tx.Exec(t.ctx, `SAVEPOINT job`); err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in savepoint: %v", p)
		}
		if err != nil {
			if _, rerr := t.tx.Exec(t.ctx, `ROLLBACK TO SAVEPOINT job`); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		if _, rerr := t.tx.Exec(t.ctx, `RELEASE SAVEPOINT job`); rerr != nil && err == nil {
			err = rerr
		}
	}()
	return fn()
}

// appLockClass is the first key of the per-app advisory locks, the one the pending-job
// trigger takes (migration 0001): LockApps and the trigger take the same lock, so that a
// transaction that locked its app first finds the trigger's lock already held.
const appLockClass = 1634560353

// LockApps takes the transaction-scoped advisory lock of each app, keyed as the pending-job
// trigger keys it, in one statement and in the order of the keys' hashes, the same order in
// every transaction, so that two transactions locking several apps never deadlock. At READ
// COMMITTED every later statement sees what the transactions that held the lock before
// committed. A read-only transaction writes nothing to protect: it locks nothing.
//
// Each app has two keys, both taken: the trigger's since migration 0005, which starts with
// the schema (advisory locks are the database's, and the trigger's locks, taken in the order
// jobs are inserted, deadlocked with those of stores in other schemas of it), and the key
// without the schema that the release before took here, so that during a rolling upgrade
// this replica and an older one still exclude each other. A later release drops the second.
func (t *txn) LockApps(keys ...amplify.AppKey) error {
	if t.readOnly {
		return nil
	}
	var names []string
	for _, k := range keys {
		if !t.locked[k] {
			names = append(names, k.Account+"/"+k.Region+"/"+k.AppID)
		}
	}
	if len(names) == 0 {
		return nil
	}
	// An aggregate over a sorted subquery takes its rows in order; DISTINCT drops keys whose
	// hashes collide (one lock covers them).
	_, err := t.tx.Exec(t.ctx, `SELECT count(pg_advisory_xact_lock($1, h))
		FROM (SELECT DISTINCT v.h FROM unnest($2::text[]) AS k,
			LATERAL (VALUES (hashtext(current_schema() || '/' || k)), (hashtext(k))) AS v(h) ORDER BY v.h) AS s`, appLockClass, names)
	if err != nil {
		return storeError(err, "lock apps", nil)
	}
	if t.locked == nil {
		t.locked = map[amplify.AppKey]bool{}
	}
	for _, k := range keys {
		t.locked[k] = true
	}
	return nil
}

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// storeError turns a driver error into the domain's answer where there is one, in one place:
// no rows into the NotFound error missing returns (when given), a unique violation of the
// pending-job rule into ErrPendingJob and of a bucket name into ErrBucketExists (both
// unwrapped: callers compare them with ==). Anything else is wrapped with what was done.
func storeError(err error, what string, missing func() error) error {
	if err == nil {
		return nil
	}
	if missing != nil && errors.Is(err, pgx.ErrNoRows) {
		return missing()
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		switch pgErr.ConstraintName {
		case "jobs_one_pending", "jobs_app_pending":
			return amplify.ErrPendingJob
		case "buckets_name":
			return amplify.ErrBucketExists
		}
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// forUpdate is the locking clause of a lookup of one row (see txn).
func (t *txn) forUpdate() string {
	if t.readOnly {
		return ""
	}
	return " FOR UPDATE"
}

func (t *txn) exec(what, query string, args ...any) error {
	if err := amplify.CheckStorable(args...); err != nil {
		return err
	}
	_, err := t.tx.Exec(t.ctx, query, args...)
	return storeError(err, what, nil)
}

// collect scans every row of a query.
func collect[T any](t *txn, what string, scan func(scanner) (*T, error), query string, args ...any) ([]T, error) {
	rows, err := t.tx.Query(t.ctx, query, args...)
	if err != nil {
		return nil, storeError(err, what, nil)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) {
		v, err := scan(row)
		if err != nil {
			var zero T
			return zero, err
		}
		return *v, nil
	})
	return out, storeError(err, what, nil)
}

func (t *txn) App(key amplify.AppKey) (*amplify.App, error) {
	app := amplify.App{AppKey: key}
	var created int64
	err := t.tx.QueryRow(t.ctx, `SELECT name, created_at FROM apps WHERE account = $1 AND region = $2 AND app_id = $3`+t.forUpdate(),
		key.Account, key.Region, key.AppID).Scan(&app.Name, &created)
	if err != nil {
		return nil, storeError(err, "read app", func() error { return amplify.NoApp(key) })
	}
	app.CreatedAt = fromMS(created)
	return &app, nil
}

// PutApp inserts an app, or renames it: an app keeps the time it was created.
func (t *txn) PutApp(app *amplify.App) error {
	return t.exec("put app", `INSERT INTO apps (account, region, app_id, name, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (account, region, app_id) DO UPDATE SET name = EXCLUDED.name`,
		app.Account, app.Region, app.AppID, app.Name, ms(app.CreatedAt))
}

// AddApp inserts an app unless it exists.
func (t *txn) AddApp(app *amplify.App) error {
	return t.exec("add app", `INSERT INTO apps (account, region, app_id, name, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (account, region, app_id) DO NOTHING`,
		app.Account, app.Region, app.AppID, app.Name, ms(app.CreatedAt))
}

func (t *txn) DeleteApp(key amplify.AppKey) error {
	return t.exec("delete app", `WITH
		c AS (DELETE FROM configs WHERE account = $1 AND region = $2 AND app_id = $3),
		k AS (DELETE FROM tokens WHERE account = $1 AND region = $2 AND app_id = $3)
		DELETE FROM apps WHERE account = $1 AND region = $2 AND app_id = $3`,
		key.Account, key.Region, key.AppID)
}

const envColumns = `env, created_at, stack_suffix, stack_uuid`

func scanEnv(s scanner, key amplify.AppKey) (*amplify.Environment, error) {
	env := amplify.Environment{EnvKey: amplify.EnvKey{AppKey: key}}
	var created int64
	if err := s.Scan(&env.Env, &created, &env.StackSuffix, &env.StackUUID); err != nil {
		return nil, err
	}
	env.CreatedAt = fromMS(created)
	return &env, nil
}

func (t *txn) Environment(key amplify.EnvKey) (*amplify.Environment, error) {
	row := t.tx.QueryRow(t.ctx, `SELECT `+envColumns+` FROM environments WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4`+t.forUpdate(),
		key.Account, key.Region, key.AppID, key.Env)
	env, err := scanEnv(row, key.AppKey)
	if err != nil {
		return nil, storeError(err, "read environment", func() error { return amplify.NoEnvironment(key) })
	}
	return env, nil
}

func (t *txn) Environments(key amplify.AppKey) ([]amplify.Environment, error) {
	scan := func(s scanner) (*amplify.Environment, error) { return scanEnv(s, key) }
	return collect(t, "list environments", scan,
		`SELECT `+envColumns+` FROM environments WHERE account = $1 AND region = $2 AND app_id = $3 ORDER BY env`,
		key.Account, key.Region, key.AppID)
}

func (t *txn) PutEnvironment(env *amplify.Environment) error {
	return t.exec("put environment", `INSERT INTO environments (account, region, app_id, env, created_at, stack_suffix, stack_uuid)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (account, region, app_id, env) DO UPDATE SET
			created_at = EXCLUDED.created_at, stack_suffix = EXCLUDED.stack_suffix, stack_uuid = EXCLUDED.stack_uuid`,
		env.Account, env.Region, env.AppID, env.Env, ms(env.CreatedAt), env.StackSuffix, env.StackUUID)
}

// InsertEnvironment records a new environment; ErrEnvironmentExists if it exists (ON
// CONFLICT DO NOTHING: a failed statement would end the transaction).
func (t *txn) InsertEnvironment(env *amplify.Environment) error {
	if err := amplify.CheckStorable(env.Account, env.Region, env.AppID, env.Env, env.StackSuffix, env.StackUUID); err != nil {
		return err
	}
	tag, err := t.tx.Exec(t.ctx, `INSERT INTO environments (account, region, app_id, env, created_at, stack_suffix, stack_uuid)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account, region, app_id, env) DO NOTHING`,
		env.Account, env.Region, env.AppID, env.Env, ms(env.CreatedAt), env.StackSuffix, env.StackUUID)
	if err != nil {
		return storeError(err, "insert environment", nil)
	}
	if tag.RowsAffected() == 0 {
		return amplify.ErrEnvironmentExists
	}
	return nil
}

func (t *txn) DeleteEnvironment(key amplify.EnvKey) error {
	return t.exec("delete environment", `WITH
		r AS (DELETE FROM resources WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4)
		DELETE FROM environments WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4`,
		key.Account, key.Region, key.AppID, key.Env)
}

const resourceColumns = `kind, name, config, deployed, imported, revision, models, updated_at`

func scanResource(s scanner) (*amplify.Resource, error) {
	var (
		r                  amplify.Resource
		kind, config, depl string
		models             *string
		updated            int64
	)
	if err := s.Scan(&kind, &r.Name, &config, &depl, &r.Imported, &r.Revision, &models, &updated); err != nil {
		return nil, err
	}
	r.Kind = amplify.ResourceKind(kind)
	r.Config = json.RawMessage(config)
	r.UpdatedAt = fromMS(updated)
	if err := json.Unmarshal([]byte(depl), &r.Deployed); err != nil {
		return nil, fmt.Errorf("resource %s: deployed: %w", kind, err)
	}
	if models != nil {
		r.Models = new(amplify.GeneratedModels)
		if err := json.Unmarshal([]byte(*models), r.Models); err != nil {
			return nil, fmt.Errorf("resource %s: models: %w", kind, err)
		}
	}
	return &r, nil
}

func (t *txn) Resource(key amplify.EnvKey, kind amplify.ResourceKind) (*amplify.Resource, error) {
	row := t.tx.QueryRow(t.ctx, `SELECT `+resourceColumns+` FROM resources
		WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4 AND kind = $5`+t.forUpdate(),
		key.Account, key.Region, key.AppID, key.Env, string(kind))
	r, err := scanResource(row)
	if err != nil {
		return nil, storeError(err, "read resource", func() error { return amplify.NoResource(key, kind) })
	}
	return r, nil
}

// Resources returns the environment's resources by kind, which is the order api, auth, storage.
func (t *txn) Resources(key amplify.EnvKey) ([]amplify.Resource, error) {
	return collect(t, "list resources", scanResource,
		`SELECT `+resourceColumns+` FROM resources WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4 ORDER BY kind`,
		key.Account, key.Region, key.AppID, key.Env)
}

func (t *txn) PutResource(key amplify.EnvKey, r *amplify.Resource) error {
	deployed, err := json.Marshal(r.Deployed)
	if err != nil {
		return err
	}
	var models *string
	if r.Models != nil {
		b, err := json.Marshal(r.Models)
		if err != nil {
			return err
		}
		s := string(b)
		models = &s
	}
	config := string(r.Config)
	if config == "" {
		config = "{}"
	}
	return t.exec("put resource", `INSERT INTO resources (account, region, app_id, env, kind, name, config, deployed, imported, revision, models, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (account, region, app_id, env, kind) DO UPDATE SET
			name = EXCLUDED.name, config = EXCLUDED.config, deployed = EXCLUDED.deployed, imported = EXCLUDED.imported,
			revision = EXCLUDED.revision, models = EXCLUDED.models, updated_at = EXCLUDED.updated_at`,
		key.Account, key.Region, key.AppID, key.Env, string(r.Kind), r.Name, config, string(deployed),
		r.Imported, r.Revision, models, ms(r.UpdatedAt))
}

func (t *txn) DeleteResource(key amplify.EnvKey, kind amplify.ResourceKind) error {
	return t.exec("delete resource", `DELETE FROM resources WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4 AND kind = $5`,
		key.Account, key.Region, key.AppID, key.Env, string(kind))
}

const jobColumns = `seq, account, region, app_id, job_id, env, operation, status, error, created_at, updated_at, action, payload, pending, run_at, injected_error`

func scanJob(s scanner) (*amplify.Job, error) {
	var (
		j                       amplify.Job
		created, updated, runAt int64
		payload                 []byte
	)
	err := s.Scan(&j.Seq, &j.Account, &j.Region, &j.AppID, &j.JobID, &j.Env, &j.Operation, &j.Status, &j.Error,
		&created, &updated, &j.Action, &payload, &j.Pending, &runAt, &j.InjectedError)
	if err != nil {
		return nil, err
	}
	j.CreatedAt, j.UpdatedAt, j.RunAt = fromMS(created), fromMS(updated), fromMS(runAt)
	j.Payload = json.RawMessage(payload)
	return &j, nil
}

func (t *txn) Job(key amplify.JobKey) (*amplify.Job, error) {
	row := t.tx.QueryRow(t.ctx, `SELECT `+jobColumns+` FROM jobs WHERE account = $1 AND region = $2 AND app_id = $3 AND job_id = $4`+t.forUpdate(),
		key.Account, key.Region, key.AppID, key.JobID)
	job, err := scanJob(row)
	if err != nil {
		return nil, storeError(err, "read job", func() error { return amplify.NoJob(key) })
	}
	return job, nil
}

// InsertJob inserts the job in a savepoint. PostgreSQL aborts a whole transaction on an
// error; the savepoint confines a refusal (ErrPendingJob) to the insert, so that, as with
// SQLite, it is an answer the caller may go on from.
func (t *txn) InsertJob(job *amplify.Job) error {
	payload := []byte(job.Payload)
	if payload == nil {
		payload = []byte("null")
	}
	if err := amplify.CheckStorable(job.AppID, job.JobID, job.Env, job.Operation, job.Status, job.Error, job.Action); err != nil {
		return err
	}
	sp, err := t.tx.Begin(t.ctx)
	if err != nil {
		return storeError(err, "insert job", nil)
	}
	var seq int64
	err = sp.QueryRow(t.ctx, `INSERT INTO jobs (account, region, app_id, job_id, env, operation, status, error, created_at, updated_at, action, payload, pending, run_at, injected_error)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING seq`,
		job.Account, job.Region, job.AppID, job.JobID, job.Env, job.Operation, job.Status, job.Error,
		ms(job.CreatedAt), ms(job.UpdatedAt), job.Action, payload, job.Pending, ms(job.RunAt), job.InjectedError).Scan(&seq)
	if err != nil {
		if rbErr := sp.Rollback(t.ctx); rbErr != nil {
			return storeError(errors.Join(err, rbErr), "insert job", nil)
		}
		return storeError(err, "insert job "+job.JobID, nil)
	}
	if err := sp.Commit(t.ctx); err != nil {
		return storeError(err, "insert job", nil)
	}
	job.Seq = seq
	return nil
}

func (t *txn) UpdateJob(job *amplify.Job, lease *amplify.Lease) error {
	var query string
	var args []any
	if lease == nil {
		query = `UPDATE jobs SET operation = $1, status = $2, error = $3, updated_at = $4, pending = $5
			WHERE account = $6 AND region = $7 AND app_id = $8 AND job_id = $9`
		args = []any{job.Operation, job.Status, job.Error, ms(job.UpdatedAt), job.Pending,
			job.Account, job.Region, job.AppID, job.JobID}
	} else {
		query = `UPDATE jobs SET status = $1, error = $2, updated_at = $3, pending = $4
			WHERE account = $5 AND region = $6 AND app_id = $7 AND job_id = $8 AND pending AND lease_owner = $9`
		args = []any{job.Status, job.Error, ms(job.UpdatedAt), job.Pending,
			job.Account, job.Region, job.AppID, job.JobID, lease.Owner}
	}
	if err := amplify.CheckStorable(args...); err != nil {
		return err
	}
	tag, err := t.tx.Exec(t.ctx, query, args...)
	if err != nil {
		return storeError(err, "update job "+job.JobID, nil)
	}
	if tag.RowsAffected() == 0 {
		if lease != nil {
			return amplify.ErrLeaseLost
		}
		return amplify.NoJob(job.JobKey)
	}
	return nil
}

func (t *txn) PendingJob(key amplify.EnvKey) (*amplify.Job, error) {
	query := `SELECT ` + jobColumns + ` FROM jobs WHERE account = $1 AND region = $2 AND app_id = $3 AND pending`
	args := []any{key.Account, key.Region, key.AppID}
	if key.Env != "" {
		query += ` AND env IN ($4, '')`
		args = append(args, key.Env)
	}
	job, err := scanJob(t.tx.QueryRow(t.ctx, query+` LIMIT 1`, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, storeError(err, "read pending job", nil)
	}
	return job, nil
}

// ListJobs merges two index range scans, the environment's jobs and the app-wide ones, each
// already in seq order, so a page costs the same however many jobs are stored.
func (t *txn) ListJobs(q amplify.JobQuery) ([]amplify.Job, error) {
	args := []any{q.Account, q.Region, q.AppID}
	filters := ""
	add := func(cond string, v any) {
		args = append(args, v)
		filters += fmt.Sprintf(" AND "+cond, len(args))
	}
	if q.Before > 0 {
		add("seq < $%d", q.Before)
	}
	if q.JobID != "" {
		add("job_id = $%d", q.JobID)
	}
	if q.Operation != "" {
		add("operation = $%d", q.Operation)
	}
	if q.Status != "" {
		add("status = $%d", q.Status)
	}
	var limit any // NULL: no limit, as a negative one is in SQLite
	if q.Limit >= 0 {
		limit = q.Limit
	}
	args = append(args, limit)
	limitParam := fmt.Sprintf("$%d", len(args))
	part := func(env string) string {
		return `(SELECT ` + jobColumns + ` FROM jobs WHERE account = $1 AND region = $2 AND app_id = $3 AND env = ` + env +
			filters + ` ORDER BY seq DESC LIMIT ` + limitParam + `)`
	}
	query := part("''")
	if q.Env != "" {
		args = append(args, q.Env)
		query = part(fmt.Sprintf("$%d", len(args))) + ` UNION ALL ` + query + ` ORDER BY seq DESC LIMIT ` + limitParam
	}
	return collect(t, "list jobs", scanJob, query, args...)
}

func (t *txn) Config(key amplify.AppKey) (*amplify.AppConfig, error) {
	cfg := amplify.AppConfig{AppKey: key}
	var login, deployed string
	var updated int64
	err := t.tx.QueryRow(t.ctx, `SELECT manager_app_id, login_auth, deployed, updated_at FROM configs
		WHERE account = $1 AND region = $2 AND app_id = $3`+t.forUpdate(),
		key.Account, key.Region, key.AppID).Scan(&cfg.BackendManagerAppID, &login, &deployed, &updated)
	if err != nil {
		return nil, storeError(err, "read config", func() error { return amplify.NoConfig(key) })
	}
	cfg.LoginAuthConfig = json.RawMessage(login)
	cfg.UpdatedAt = fromMS(updated)
	if err := json.Unmarshal([]byte(deployed), &cfg.Deployed); err != nil {
		return nil, fmt.Errorf("postgres: config of %s: deployed: %w", key.AppID, err)
	}
	return &cfg, nil
}

func (t *txn) PutConfig(cfg *amplify.AppConfig) error {
	deployed, err := json.Marshal(cfg.Deployed)
	if err != nil {
		return err
	}
	login := string(cfg.LoginAuthConfig)
	if login == "" {
		login = "{}"
	}
	return t.exec("put config", `INSERT INTO configs (account, region, app_id, manager_app_id, login_auth, deployed, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (account, region, app_id) DO UPDATE SET
			manager_app_id = EXCLUDED.manager_app_id, login_auth = EXCLUDED.login_auth,
			deployed = EXCLUDED.deployed, updated_at = EXCLUDED.updated_at`,
		cfg.Account, cfg.Region, cfg.AppID, cfg.BackendManagerAppID, login, string(deployed), ms(cfg.UpdatedAt))
}

func (t *txn) DeleteConfig(key amplify.AppKey) error {
	return t.exec("delete config", `DELETE FROM configs WHERE account = $1 AND region = $2 AND app_id = $3`,
		key.Account, key.Region, key.AppID)
}

func (t *txn) Token(key amplify.AppKey, sessionID string) (*amplify.Token, error) {
	tok := amplify.Token{AppKey: key, SessionID: sessionID}
	var expires int64
	err := t.tx.QueryRow(t.ctx, `SELECT challenge_code, expires_at FROM tokens
		WHERE account = $1 AND region = $2 AND app_id = $3 AND session_id = $4`+t.forUpdate(),
		key.Account, key.Region, key.AppID, sessionID).Scan(&tok.ChallengeCode, &expires)
	if err != nil {
		return nil, storeError(err, "read token", func() error { return amplify.NoToken(key, sessionID) })
	}
	tok.Expires = fromMS(expires)
	return &tok, nil
}

func (t *txn) PutToken(tok *amplify.Token) error {
	return t.exec("put token", `INSERT INTO tokens (account, region, app_id, session_id, challenge_code, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (account, region, app_id, session_id) DO UPDATE SET
			challenge_code = EXCLUDED.challenge_code, expires_at = EXCLUDED.expires_at`,
		tok.Account, tok.Region, tok.AppID, tok.SessionID, tok.ChallengeCode, ms(tok.Expires))
}

func (t *txn) DeleteToken(key amplify.AppKey, sessionID string) error {
	return t.exec("delete token", `DELETE FROM tokens WHERE account = $1 AND region = $2 AND app_id = $3 AND session_id = $4`,
		key.Account, key.Region, key.AppID, sessionID)
}

func (t *txn) Tokens(key amplify.AppKey, after string, limit int) ([]amplify.Token, error) {
	return collect(t, "list tokens", func(s scanner) (*amplify.Token, error) {
		tok := amplify.Token{AppKey: key}
		var expires int64
		if err := s.Scan(&tok.SessionID, &tok.ChallengeCode, &expires); err != nil {
			return nil, err
		}
		tok.Expires = fromMS(expires)
		return &tok, nil
	}, `SELECT session_id, challenge_code, expires_at FROM tokens
		WHERE account = $1 AND region = $2 AND app_id = $3 AND session_id > $4 ORDER BY session_id LIMIT $5`,
		key.Account, key.Region, key.AppID, after, limit)
}

const bucketColumns = `name, account, region, created_at, owner`

func scanBucket(s scanner) (*amplify.Bucket, error) {
	var b amplify.Bucket
	var created int64
	if err := s.Scan(&b.Name, &b.Account, &b.Region, &created, &b.Owner); err != nil {
		return nil, err
	}
	b.CreatedAt = fromMS(created)
	return &b, nil
}

func (t *txn) Bucket(name string) (*amplify.Bucket, error) {
	b, err := scanBucket(t.tx.QueryRow(t.ctx, `SELECT `+bucketColumns+` FROM buckets WHERE name = $1`+t.forUpdate(), name))
	if err != nil {
		return nil, storeError(err, "read bucket", func() error { return amplify.NoBucket(name) })
	}
	return b, nil
}

// InsertBucket inserts unless the name is taken: ON CONFLICT DO NOTHING answers
// ErrBucketExists without an error that would abort the transaction.
func (t *txn) InsertBucket(b *amplify.Bucket) error {
	if err := amplify.CheckStorable(b.Name, b.Account, b.Region, b.Owner); err != nil {
		return err
	}
	tag, err := t.tx.Exec(t.ctx, `INSERT INTO buckets (name, account, region, created_at, owner) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (name) DO NOTHING`,
		b.Name, b.Account, b.Region, ms(b.CreatedAt), b.Owner)
	if err != nil {
		return storeError(err, "insert bucket "+b.Name, nil)
	}
	if tag.RowsAffected() == 0 {
		return amplify.ErrBucketExists
	}
	return nil
}

func (t *txn) DeleteBucket(name string) error {
	return t.exec("delete bucket", `DELETE FROM buckets WHERE name = $1`, name)
}

func (t *txn) Buckets(scope amplify.Scope, after string, limit int) ([]amplify.Bucket, error) {
	var max any // NULL: no limit, as a negative one is in SQLite
	if limit >= 0 {
		max = limit
	}
	return collect(t, "list buckets", scanBucket,
		`SELECT `+bucketColumns+` FROM buckets WHERE account = $1 AND region = $2 AND name > $3 ORDER BY name LIMIT $4`,
		scope.Account, scope.Region, after, max)
}

func (t *txn) Apps(scope amplify.Scope, after string, limit int) ([]amplify.App, error) {
	return collect(t, "list apps", func(s scanner) (*amplify.App, error) {
		a := amplify.App{AppKey: amplify.AppKey{Scope: scope}}
		var created int64
		if err := s.Scan(&a.AppID, &a.Name, &created); err != nil {
			return nil, err
		}
		a.CreatedAt = fromMS(created)
		return &a, nil
	}, `SELECT app_id, name, created_at FROM apps WHERE account = $1 AND region = $2 AND app_id > $3 ORDER BY app_id LIMIT $4`,
		scope.Account, scope.Region, after, limit)
}

// Scopes walks the apps' primary key one scope at a time (a seek per scope), not every app.
func (t *txn) Scopes() ([]amplify.Scope, error) {
	var out []amplify.Scope
	var last amplify.Scope
	for {
		var s amplify.Scope
		err := t.tx.QueryRow(t.ctx, `SELECT account, region FROM apps WHERE (account, region) > ($1, $2) ORDER BY account, region LIMIT 1`,
			last.Account, last.Region).Scan(&s.Account, &s.Region)
		if errors.Is(err, pgx.ErrNoRows) {
			return out, nil
		}
		if err != nil {
			return nil, storeError(err, "list scopes", nil)
		}
		out = append(out, s)
		last = s
	}
}

// RecentJobs walks the jobs' primary key (seq) down from the newest.
func (t *txn) RecentJobs(scope amplify.Scope, limit int) ([]amplify.Job, error) {
	return collect(t, "recent jobs", scanJob,
		`SELECT `+jobColumns+` FROM jobs WHERE account = $1 AND region = $2 ORDER BY seq DESC LIMIT $3`,
		scope.Account, scope.Region, limit)
}
