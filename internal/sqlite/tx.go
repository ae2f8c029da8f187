package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// txn implements amplify.Tx on one database/sql transaction.
type txn struct {
	ctx      context.Context
	w        *wconn     // the writer's connection, in a write transaction
	tx       *sql.Tx    // a read transaction, begun at its first statement
	stmts    *stmtCache // the prepared statements of the pool tx belongs to
	readOnly bool

	// A read transaction begins at its first statement (one answered from the job cache
	// needs none); epoch is the job cache's epoch taken just before it began.
	begin func() (*sql.Tx, error)
	jobs  *jobCache
	epoch uint64
	// touched collects the jobs a write transaction wrote, for the cache to drop.
	touched *[]amplify.JobKey
}

// open begins the transaction if it has not begun.
func (t *txn) open() error {
	if t.tx != nil {
		return nil
	}
	if t.jobs != nil {
		t.epoch = t.jobs.now()
	}
	tx, err := t.begin()
	if err != nil {
		return err
	}
	t.tx = tx
	return nil
}

// rowIter is a statement's rows: *sql.Rows, or the writer's own (wrows).
type rowIter interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// queryRow, query and execResult run a statement: on the writer's connection (wconn),
// prepared once; in a read transaction, prepared once per connection where the cache has it
// (see stmtCache), else unprepared.
func (t *txn) queryRow(query string, args ...any) rowScanner {
	if t.w != nil {
		return t.w.queryRow(query, args)
	}
	if err := t.open(); err != nil {
		return errRow{err}
	}
	if st := t.stmts.get(query); st != nil {
		return t.tx.StmtContext(t.ctx, st).QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

func (t *txn) query(query string, args ...any) (rowIter, error) {
	if t.w != nil {
		r, err := t.w.query(query, args)
		if err != nil {
			return nil, err
		}
		return r, nil
	}
	if err := t.open(); err != nil {
		return nil, err
	}
	if st := t.stmts.get(query); st != nil {
		return t.tx.StmtContext(t.ctx, st).QueryContext(t.ctx, args...)
	}
	return t.tx.QueryContext(t.ctx, query, args...)
}

// result is what a statement that returns no rows reports (sql.Result and driver.Result).
type result interface {
	LastInsertId() (int64, error)
	RowsAffected() (int64, error)
}

func (t *txn) execResult(query string, args ...any) (result, error) {
	if err := amplify.CheckStorable(args...); err != nil {
		return nil, err
	}
	if t.w != nil {
		return t.w.exec(query, args)
	}
	if err := t.open(); err != nil {
		return nil, err
	}
	if st := t.stmts.get(query); st != nil {
		return t.tx.StmtContext(t.ctx, st).ExecContext(t.ctx, args...)
	}
	return t.tx.ExecContext(t.ctx, query, args...)
}

func (t *txn) Savepoint(fn func() error) (err error) {
	if err := t.exec(`SAVEPOINT job`); err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in savepoint: %v", p)
		}
		if err != nil {
			if rerr := t.exec(`ROLLBACK TO job`); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		if rerr := t.exec(`RELEASE job`); rerr != nil && err == nil {
			err = rerr
		}
	}()
	return fn()
}

// rowScanner is a single-row result: *sql.Row, or errRow when the transaction did not begin.
type rowScanner interface{ Scan(...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// touch records that the transaction wrote a job.
func (t *txn) touch(key amplify.JobKey) {
	if t.touched != nil {
		*t.touched = append(*t.touched, key)
	}
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (t *txn) exec(query string, args ...any) error {
	_, err := t.execResult(query, args...)
	return err
}

// notFound turns sql.ErrNoRows into the domain's NotFound error.
func notFound(err error, missing func() error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return missing()
	}
	return err
}

func (t *txn) App(key amplify.AppKey) (*amplify.App, error) {
	app := amplify.App{AppKey: key}
	var created int64
	err := t.queryRow(`SELECT name, created_at FROM apps WHERE account = ? AND region = ? AND app_id = ?`,
		key.Account, key.Region, key.AppID).Scan(&app.Name, &created)
	if err != nil {
		return nil, notFound(err, func() error { return amplify.NoApp(key) })
	}
	app.CreatedAt = fromMS(created)
	return &app, nil
}

func (t *txn) PutApp(app *amplify.App) error {
	return t.exec(`INSERT INTO apps (account, region, app_id, name, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account, region, app_id) DO UPDATE SET name = excluded.name`,
		app.Account, app.Region, app.AppID, app.Name, ms(app.CreatedAt))
}

func (t *txn) AddApp(app *amplify.App) error {
	return t.exec(`INSERT INTO apps (account, region, app_id, name, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account, region, app_id) DO NOTHING`,
		app.Account, app.Region, app.AppID, app.Name, ms(app.CreatedAt))
}

func (t *txn) DeleteApp(key amplify.AppKey) error {
	for _, table := range []string{"apps", "configs", "tokens"} {
		if err := t.exec(`DELETE FROM `+table+` WHERE account = ? AND region = ? AND app_id = ?`, key.Account, key.Region, key.AppID); err != nil {
			return err
		}
	}
	return nil
}

const envColumns = `env, created_at, stack_suffix, stack_uuid`

// selectAll runs a query and scans each row with scan, in order.
func selectAll[T any](t *txn, scan func(interface{ Scan(...any) error }) (*T, error), query string, args ...any) ([]T, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

func scanEnv(s interface{ Scan(...any) error }, key amplify.AppKey) (*amplify.Environment, error) {
	env := amplify.Environment{EnvKey: amplify.EnvKey{AppKey: key}}
	var created int64
	if err := s.Scan(&env.Env, &created, &env.StackSuffix, &env.StackUUID); err != nil {
		return nil, err
	}
	env.CreatedAt = fromMS(created)
	return &env, nil
}

func (t *txn) Environment(key amplify.EnvKey) (*amplify.Environment, error) {
	row := t.queryRow(`SELECT `+envColumns+` FROM environments WHERE account = ? AND region = ? AND app_id = ? AND env = ?`,
		key.Account, key.Region, key.AppID, key.Env)
	env, err := scanEnv(row, key.AppKey)
	if err != nil {
		return nil, notFound(err, func() error { return amplify.NoEnvironment(key) })
	}
	return env, nil
}

func (t *txn) Environments(key amplify.AppKey) ([]amplify.Environment, error) {
	rows, err := t.query(`SELECT `+envColumns+` FROM environments WHERE account = ? AND region = ? AND app_id = ? ORDER BY env`,
		key.Account, key.Region, key.AppID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var envs []amplify.Environment
	for rows.Next() {
		env, err := scanEnv(rows, key)
		if err != nil {
			return nil, err
		}
		envs = append(envs, *env)
	}
	return envs, rows.Err()
}

func (t *txn) PutEnvironment(env *amplify.Environment) error {
	return t.exec(`INSERT OR REPLACE INTO environments (account, region, app_id, env, created_at, stack_suffix, stack_uuid) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		env.Account, env.Region, env.AppID, env.Env, ms(env.CreatedAt), env.StackSuffix, env.StackUUID)
}

func (t *txn) InsertEnvironment(env *amplify.Environment) error {
	res, err := t.execResult(`INSERT INTO environments (account, region, app_id, env, created_at, stack_suffix, stack_uuid) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account, region, app_id, env) DO NOTHING`,
		env.Account, env.Region, env.AppID, env.Env, ms(env.CreatedAt), env.StackSuffix, env.StackUUID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return cmp.Or(err, amplify.ErrEnvironmentExists)
	}
	return nil
}

func (t *txn) DeleteEnvironment(key amplify.EnvKey) error {
	for _, table := range []string{"environments", "resources"} {
		if err := t.exec(`DELETE FROM `+table+` WHERE account = ? AND region = ? AND app_id = ? AND env = ?`,
			key.Account, key.Region, key.AppID, key.Env); err != nil {
			return err
		}
	}
	return nil
}

const resourceColumns = `kind, name, config, deployed, imported, revision, models, updated_at`

func scanResource(s interface{ Scan(...any) error }) (*amplify.Resource, error) {
	var (
		r                  amplify.Resource
		kind, config, depl string
		imported           int
		models             sql.NullString
		updated            int64
	)
	if err := s.Scan(&kind, &r.Name, &config, &depl, &imported, &r.Revision, &models, &updated); err != nil {
		return nil, err
	}
	r.Kind = amplify.ResourceKind(kind)
	r.Config = json.RawMessage(config)
	r.Imported = imported != 0
	r.UpdatedAt = fromMS(updated)
	if err := json.Unmarshal([]byte(depl), &r.Deployed); err != nil {
		return nil, err
	}
	if models.Valid {
		r.Models = new(amplify.GeneratedModels)
		if err := json.Unmarshal([]byte(models.String), r.Models); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

func (t *txn) Resource(key amplify.EnvKey, kind amplify.ResourceKind) (*amplify.Resource, error) {
	row := t.queryRow(`SELECT `+resourceColumns+` FROM resources WHERE account = ? AND region = ? AND app_id = ? AND env = ? AND kind = ?`,
		key.Account, key.Region, key.AppID, key.Env, string(kind))
	r, err := scanResource(row)
	if err != nil {
		return nil, notFound(err, func() error { return amplify.NoResource(key, kind) })
	}
	return r, nil
}

func (t *txn) Resources(key amplify.EnvKey) ([]amplify.Resource, error) {
	return selectAll(t, scanResource, `SELECT `+resourceColumns+` FROM resources WHERE account = ? AND region = ? AND app_id = ? AND env = ? ORDER BY kind`,
		key.Account, key.Region, key.AppID, key.Env)
}

func (t *txn) PutResource(key amplify.EnvKey, r *amplify.Resource) error {
	deployed, err := json.Marshal(r.Deployed)
	if err != nil {
		return err
	}
	var models sql.NullString
	if r.Models != nil {
		b, err := json.Marshal(r.Models)
		if err != nil {
			return err
		}
		models = sql.NullString{String: string(b), Valid: true}
	}
	config := string(r.Config)
	if config == "" {
		config = "{}"
	}
	return t.exec(`INSERT OR REPLACE INTO resources (account, region, app_id, env, kind, name, config, deployed, imported, revision, models, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		key.Account, key.Region, key.AppID, key.Env, string(r.Kind), r.Name, config, string(deployed),
		boolInt(r.Imported), r.Revision, models, ms(r.UpdatedAt))
}

func (t *txn) DeleteResource(key amplify.EnvKey, kind amplify.ResourceKind) error {
	return t.exec(`DELETE FROM resources WHERE account = ? AND region = ? AND app_id = ? AND env = ? AND kind = ?`,
		key.Account, key.Region, key.AppID, key.Env, string(kind))
}

const jobColumns = `seq, account, region, app_id, job_id, env, operation, status, error, created_at, updated_at, action, payload, pending, run_at, injected_error`

func scanJob(s interface{ Scan(...any) error }) (*amplify.Job, error) {
	var (
		j                       amplify.Job
		created, updated, runAt int64
		pending                 int
		payload                 []byte
	)
	err := s.Scan(&j.Seq, &j.Account, &j.Region, &j.AppID, &j.JobID, &j.Env, &j.Operation, &j.Status, &j.Error,
		&created, &updated, &j.Action, &payload, &pending, &runAt, &j.InjectedError)
	if err != nil {
		return nil, err
	}
	j.CreatedAt, j.UpdatedAt, j.RunAt = fromMS(created), fromMS(updated), fromMS(runAt)
	j.Pending = pending != 0
	j.Payload = json.RawMessage(payload)
	return &j, nil
}

func (t *txn) Job(key amplify.JobKey) (*amplify.Job, error) {
	if t.readOnly && t.jobs != nil {
		if job, ok := t.jobs.get(key); ok {
			cp := *job // the cache's own is shared: a transaction's caller may change its copy
			return &cp, nil
		}
		job, err := t.readJob(key)
		if err == nil {
			t.jobs.fill(job, t.epoch)
		}
		return job, err
	}
	return t.readJob(key)
}

func (t *txn) readJob(key amplify.JobKey) (*amplify.Job, error) {
	row := t.queryRow(`SELECT `+jobColumns+` FROM jobs WHERE account = ? AND region = ? AND app_id = ? AND job_id = ?`,
		key.Account, key.Region, key.AppID, key.JobID)
	job, err := scanJob(row)
	if err != nil {
		return nil, notFound(err, func() error { return amplify.NoJob(key) })
	}
	return job, nil
}

func (t *txn) InsertJob(job *amplify.Job) error {
	if err := amplify.CheckStorable(job.AppID, job.JobID, job.Env, job.Operation, job.Status, job.Error, job.Action); err != nil {
		return err
	}
	t.touch(job.JobKey)
	payload := []byte(job.Payload)
	if payload == nil {
		payload = []byte("null")
	}
	// seq is the rowid: the insert's LastInsertId, without a RETURNING row to read.
	res, err := t.execResult(`INSERT INTO jobs (account, region, app_id, job_id, env, operation, status, error, created_at, updated_at, action, payload, pending, run_at, injected_error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		job.Account, job.Region, job.AppID, job.JobID, job.Env, job.Operation, job.Status, job.Error,
		ms(job.CreatedAt), ms(job.UpdatedAt), job.Action, payload, boolInt(job.Pending), ms(job.RunAt), job.InjectedError)
	if err != nil {
		if isPendingViolation(err) {
			return amplify.ErrPendingJob
		}
		return err
	}
	job.Seq, err = res.LastInsertId()
	return err
}

// isPendingViolation reports whether err comes from the pending-job constraint or trigger.
func isPendingViolation(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "pending job exists") ||
		strings.Contains(msg, "UNIQUE constraint failed: jobs.account, jobs.region, jobs.app_id, jobs.env")
}

func (t *txn) UpdateJob(job *amplify.Job, lease *amplify.Lease) error {
	t.touch(job.JobKey)
	// A job read from the store knows its row (Seq): the update finds it by rowid, one seek
	// of the table, instead of a seek of jobs_by_id (whose random job ids make it the index
	// least likely to be in the page cache) followed by the rowid. The key is still compared,
	// so a wrong Seq matches nothing.
	var query string
	var args []any
	switch {
	case lease == nil && job.Seq > 0:
		query = `UPDATE jobs SET operation = ?, status = ?, error = ?, updated_at = ?, pending = ?
			WHERE seq = ? AND account = ? AND region = ? AND app_id = ? AND job_id = ?`
		args = []any{job.Operation, job.Status, job.Error, ms(job.UpdatedAt), boolInt(job.Pending),
			job.Seq, job.Account, job.Region, job.AppID, job.JobID}
	case lease == nil:
		query = `UPDATE jobs SET operation = ?, status = ?, error = ?, updated_at = ?, pending = ?
			WHERE account = ? AND region = ? AND app_id = ? AND job_id = ?`
		args = []any{job.Operation, job.Status, job.Error, ms(job.UpdatedAt), boolInt(job.Pending),
			job.Account, job.Region, job.AppID, job.JobID}
	case job.Seq > 0:
		query = `UPDATE jobs SET status = ?, error = ?, updated_at = ?, pending = ?
			WHERE seq = ? AND account = ? AND region = ? AND app_id = ? AND job_id = ? AND pending = 1 AND lease_owner = ?`
		args = []any{job.Status, job.Error, ms(job.UpdatedAt), boolInt(job.Pending),
			job.Seq, job.Account, job.Region, job.AppID, job.JobID, lease.Owner}
	default:
		query = `UPDATE jobs SET status = ?, error = ?, updated_at = ?, pending = ?
			WHERE account = ? AND region = ? AND app_id = ? AND job_id = ? AND pending = 1 AND lease_owner = ?`
		args = []any{job.Status, job.Error, ms(job.UpdatedAt), boolInt(job.Pending),
			job.Account, job.Region, job.AppID, job.JobID, lease.Owner}
	}
	res, err := t.execResult(query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		if lease != nil {
			return amplify.ErrLeaseLost
		}
		return amplify.NoJob(job.JobKey)
	}
	return nil
}

func (t *txn) PendingJob(key amplify.EnvKey) (*amplify.Job, error) {
	query := `SELECT ` + jobColumns + ` FROM jobs WHERE account = ? AND region = ? AND app_id = ? AND pending = 1`
	args := []any{key.Account, key.Region, key.AppID}
	if key.Env != "" {
		query += ` AND env IN (?, '')`
		args = append(args, key.Env)
	}
	job, err := scanJob(t.queryRow(query+` LIMIT 1`, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return job, err
}

// ListJobs reads a page from jobs_by_env_status alone: one range per environment (the one
// asked for, and the app's own jobs, whose env is empty) and status (the one filtered on, or
// each of the three), each a seek already in seq order, merged by seq. The ranges read only
// the index (seq is in it); the page's rows are read by rowid at the end. A page thus costs
// the same however many jobs are stored; TestListJobsPlans holds every form of the query to
// that.
//
// A listing of every status relies on jobs having one of the three statuses, which every
// writer ensures (the API, the runner, and snapshot import refuse any other).
func (t *txn) ListJobs(q amplify.JobQuery) ([]amplify.Job, error) {
	query, args := listJobsQuery(q)
	return t.selectJobs(query, args...)
}

// jobStatuses are the statuses a page of every status merges.
var jobStatuses = amplify.JobStatuses()

func listJobsQuery(q amplify.JobQuery) (string, []any) {
	where := `account = ? AND region = ? AND app_id = ? AND env = ? AND status = ?`
	var filters []any
	if q.Before > 0 {
		where += ` AND seq < ?`
		filters = append(filters, q.Before)
	}
	if q.JobID != "" {
		where += ` AND job_id = ?`
		filters = append(filters, q.JobID)
	}
	if q.Operation != "" {
		where += ` AND operation = ?`
		filters = append(filters, q.Operation)
	}
	part := `SELECT seq FROM (SELECT seq FROM jobs WHERE ` + where + ` ORDER BY seq DESC LIMIT ?)`
	envs := []string{""}
	if q.Env != "" {
		envs = append(envs, q.Env)
	}
	statuses := jobStatuses
	if q.Status != "" {
		statuses = []string{q.Status}
	}
	var b strings.Builder
	b.WriteString(`SELECT ` + jobColumns + ` FROM jobs WHERE seq IN (`)
	args := make([]any, 0, len(envs)*len(statuses)*(6+len(filters))+1)
	for _, env := range envs {
		for _, status := range statuses {
			if len(args) > 0 {
				b.WriteString(` UNION ALL `)
			}
			b.WriteString(part)
			args = append(args, q.Account, q.Region, q.AppID, env, status)
			args = append(append(args, filters...), q.Limit)
		}
	}
	if len(envs)*len(statuses) > 1 {
		b.WriteString(` ORDER BY seq DESC LIMIT ?`)
		args = append(args, q.Limit)
	}
	b.WriteString(`) ORDER BY seq DESC`)
	return b.String(), args
}

func (t *txn) Config(key amplify.AppKey) (*amplify.AppConfig, error) {
	cfg := amplify.AppConfig{AppKey: key}
	var login, deployed string
	var updated int64
	err := t.queryRow(`SELECT manager_app_id, login_auth, deployed, updated_at FROM configs WHERE account = ? AND region = ? AND app_id = ?`,
		key.Account, key.Region, key.AppID).Scan(&cfg.BackendManagerAppID, &login, &deployed, &updated)
	if err != nil {
		return nil, notFound(err, func() error { return amplify.NoConfig(key) })
	}
	cfg.LoginAuthConfig = json.RawMessage(login)
	cfg.UpdatedAt = fromMS(updated)
	if err := json.Unmarshal([]byte(deployed), &cfg.Deployed); err != nil {
		return nil, err
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
	return t.exec(`INSERT OR REPLACE INTO configs (account, region, app_id, manager_app_id, login_auth, deployed, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		cfg.Account, cfg.Region, cfg.AppID, cfg.BackendManagerAppID, login, string(deployed), ms(cfg.UpdatedAt))
}

func (t *txn) DeleteConfig(key amplify.AppKey) error {
	return t.exec(`DELETE FROM configs WHERE account = ? AND region = ? AND app_id = ?`, key.Account, key.Region, key.AppID)
}

func (t *txn) Token(key amplify.AppKey, sessionID string) (*amplify.Token, error) {
	tok := amplify.Token{AppKey: key, SessionID: sessionID}
	var expires int64
	err := t.queryRow(`SELECT challenge_code, expires_at FROM tokens WHERE account = ? AND region = ? AND app_id = ? AND session_id = ?`,
		key.Account, key.Region, key.AppID, sessionID).Scan(&tok.ChallengeCode, &expires)
	if err != nil {
		return nil, notFound(err, func() error { return amplify.NoToken(key, sessionID) })
	}
	tok.Expires = fromMS(expires)
	return &tok, nil
}

func (t *txn) PutToken(tok *amplify.Token) error {
	return t.exec(`INSERT OR REPLACE INTO tokens (account, region, app_id, session_id, challenge_code, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		tok.Account, tok.Region, tok.AppID, tok.SessionID, tok.ChallengeCode, ms(tok.Expires))
}

func (t *txn) DeleteToken(key amplify.AppKey, sessionID string) error {
	return t.exec(`DELETE FROM tokens WHERE account = ? AND region = ? AND app_id = ? AND session_id = ?`,
		key.Account, key.Region, key.AppID, sessionID)
}

func (t *txn) Tokens(key amplify.AppKey, after string, limit int) ([]amplify.Token, error) {
	rows, err := t.query(`SELECT session_id, challenge_code, expires_at FROM tokens
		WHERE account = ? AND region = ? AND app_id = ? AND session_id > ? ORDER BY session_id LIMIT ?`,
		key.Account, key.Region, key.AppID, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []amplify.Token
	for rows.Next() {
		tok := amplify.Token{AppKey: key}
		var expires int64
		if err := rows.Scan(&tok.SessionID, &tok.ChallengeCode, &expires); err != nil {
			return nil, err
		}
		tok.Expires = fromMS(expires)
		out = append(out, tok)
	}
	return out, rows.Err()
}

const bucketColumns = `name, account, region, created_at, owner`

func scanBucket(s interface{ Scan(...any) error }) (*amplify.Bucket, error) {
	var b amplify.Bucket
	var created int64
	if err := s.Scan(&b.Name, &b.Account, &b.Region, &created, &b.Owner); err != nil {
		return nil, err
	}
	b.CreatedAt = fromMS(created)
	return &b, nil
}

func (t *txn) Bucket(name string) (*amplify.Bucket, error) {
	b, err := scanBucket(t.queryRow(`SELECT `+bucketColumns+` FROM buckets WHERE name = ?`, name))
	if err != nil {
		return nil, notFound(err, func() error { return amplify.NoBucket(name) })
	}
	return b, nil
}

func (t *txn) InsertBucket(b *amplify.Bucket) error {
	err := t.exec(`INSERT INTO buckets (name, account, region, created_at, owner) VALUES (?, ?, ?, ?, ?)`,
		b.Name, b.Account, b.Region, ms(b.CreatedAt), b.Owner)
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed: buckets.name") {
		return amplify.ErrBucketExists
	}
	return err
}

func (t *txn) DeleteBucket(name string) error {
	return t.exec(`DELETE FROM buckets WHERE name = ?`, name)
}

func (t *txn) Buckets(scope amplify.Scope, after string, limit int) ([]amplify.Bucket, error) {
	return selectAll(t, scanBucket, `SELECT `+bucketColumns+` FROM buckets WHERE account = ? AND region = ? AND name > ? ORDER BY name LIMIT ?`,
		scope.Account, scope.Region, after, limit)
}

// LockApps has nothing to do: the one writer runs one transaction at a time.
func (t *txn) LockApps(...amplify.AppKey) error { return nil }

func (t *txn) Apps(scope amplify.Scope, after string, limit int) ([]amplify.App, error) {
	rows, err := t.query(`SELECT app_id, name, created_at FROM apps WHERE account = ? AND region = ? AND app_id > ? ORDER BY app_id LIMIT ?`,
		scope.Account, scope.Region, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []amplify.App
	for rows.Next() {
		a := amplify.App{AppKey: amplify.AppKey{Scope: scope}}
		var created int64
		if err := rows.Scan(&a.AppID, &a.Name, &created); err != nil {
			return nil, err
		}
		a.CreatedAt = fromMS(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Scopes walks the apps' primary key one scope at a time (a seek per scope), not every app.
func (t *txn) Scopes() ([]amplify.Scope, error) {
	var out []amplify.Scope
	var last amplify.Scope
	for {
		var s amplify.Scope
		err := t.queryRow(`SELECT account, region FROM apps WHERE (account, region) > (?, ?) ORDER BY account, region LIMIT 1`,
			last.Account, last.Region).Scan(&s.Account, &s.Region)
		if errors.Is(err, sql.ErrNoRows) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		last = s
	}
}

// RecentJobs walks the jobs' rowid (seq) down from the newest; the unary + keeps SQLite from
// choosing jobs_by_env_status, which would read and sort every job of the scope.
func (t *txn) RecentJobs(scope amplify.Scope, limit int) ([]amplify.Job, error) {
	return t.selectJobs(`SELECT `+jobColumns+` FROM jobs WHERE +account = ? AND +region = ? ORDER BY seq DESC LIMIT ?`,
		scope.Account, scope.Region, limit)
}
