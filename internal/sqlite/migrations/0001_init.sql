-- The initial schema. Times are Unix epoch milliseconds. Every table of state is keyed by
-- account and region first: tenants never share a row or an index range.

CREATE TABLE apps (
	account    TEXT NOT NULL,
	region     TEXT NOT NULL,
	app_id     TEXT NOT NULL,
	name       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (account, region, app_id)
) WITHOUT ROWID;

CREATE TABLE environments (
	account      TEXT NOT NULL,
	region       TEXT NOT NULL,
	app_id       TEXT NOT NULL,
	env          TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	stack_suffix TEXT NOT NULL,
	stack_uuid   TEXT NOT NULL,
	PRIMARY KEY (account, region, app_id, env)
) WITHOUT ROWID;

CREATE TABLE resources (
	account    TEXT NOT NULL,
	region     TEXT NOT NULL,
	app_id     TEXT NOT NULL,
	env        TEXT NOT NULL,
	kind       TEXT NOT NULL,
	name       TEXT NOT NULL,
	config     TEXT NOT NULL,
	deployed   TEXT NOT NULL,
	imported   INTEGER NOT NULL,
	revision   INTEGER NOT NULL,
	models     TEXT,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (account, region, app_id, env, kind)
) WITHOUT ROWID;

CREATE TABLE jobs (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	account     TEXT NOT NULL,
	region      TEXT NOT NULL,
	app_id      TEXT NOT NULL,
	job_id      TEXT NOT NULL,
	env         TEXT NOT NULL, -- '' for a job of the whole app
	operation   TEXT NOT NULL,
	status      TEXT NOT NULL,
	error       TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	action      TEXT NOT NULL,
	payload     BLOB NOT NULL,
	pending     INTEGER NOT NULL,
	run_at      INTEGER NOT NULL,
	lease_owner TEXT,
	lease_until INTEGER
);
CREATE UNIQUE INDEX jobs_by_id ON jobs (account, region, app_id, job_id);
CREATE INDEX jobs_by_env ON jobs (account, region, app_id, env, seq);
CREATE INDEX jobs_by_env_status ON jobs (account, region, app_id, env, status, seq);
CREATE INDEX jobs_due ON jobs (run_at) WHERE pending = 1;

-- The pending-job rule, enforced by the database: one pending job per app and environment...
CREATE UNIQUE INDEX jobs_one_pending ON jobs (account, region, app_id, env) WHERE pending = 1;
-- ...and a pending job of the whole app (env '') excludes every other pending job of the app.
CREATE TRIGGER jobs_app_wide_pending_insert BEFORE INSERT ON jobs
WHEN NEW.pending = 1 AND EXISTS (
	SELECT 1 FROM jobs
	WHERE account = NEW.account AND region = NEW.region AND app_id = NEW.app_id AND pending = 1
	  AND (env = '' OR NEW.env = '')
)
BEGIN
	SELECT RAISE(ABORT, 'pending job exists');
END;
CREATE TRIGGER jobs_app_wide_pending_update BEFORE UPDATE OF pending ON jobs
WHEN NEW.pending = 1 AND OLD.pending = 0 AND EXISTS (
	SELECT 1 FROM jobs
	WHERE account = NEW.account AND region = NEW.region AND app_id = NEW.app_id AND pending = 1
	  AND (env = '' OR NEW.env = '') AND seq <> NEW.seq
)
BEGIN
	SELECT RAISE(ABORT, 'pending job exists');
END;

CREATE TABLE configs (
	account          TEXT NOT NULL,
	region           TEXT NOT NULL,
	app_id           TEXT NOT NULL,
	manager_app_id   TEXT NOT NULL,
	login_auth       TEXT NOT NULL,
	deployed         TEXT NOT NULL,
	updated_at       INTEGER NOT NULL,
	PRIMARY KEY (account, region, app_id)
) WITHOUT ROWID;

CREATE TABLE tokens (
	account        TEXT NOT NULL,
	region         TEXT NOT NULL,
	app_id         TEXT NOT NULL,
	session_id     TEXT NOT NULL,
	challenge_code TEXT NOT NULL,
	expires_at     INTEGER NOT NULL,
	PRIMARY KEY (account, region, app_id, session_id)
) WITHOUT ROWID;

-- Bucket names are unique across all accounts and regions, as in S3.
CREATE TABLE buckets (
	name       TEXT NOT NULL PRIMARY KEY,
	account    TEXT NOT NULL,
	region     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	owner      TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX buckets_by_scope ON buckets (account, region, name);

CREATE TABLE secrets (
	name  TEXT NOT NULL PRIMARY KEY,
	value BLOB NOT NULL
) WITHOUT ROWID;
