-- The initial schema, with the semantics of the SQLite store's: times are Unix epoch
-- milliseconds, and every table of state is keyed by account and region first. Names and ids
-- use the "C" collation so that they compare and sort by byte, as in SQLite and Go, whatever
-- the database's default collation (listings are ordered, and paged, by them).

CREATE TABLE apps (
	account    text COLLATE "C" NOT NULL,
	region     text COLLATE "C" NOT NULL,
	app_id     text COLLATE "C" NOT NULL,
	name       text NOT NULL,
	created_at bigint NOT NULL,
	PRIMARY KEY (account, region, app_id)
);

CREATE TABLE environments (
	account      text COLLATE "C" NOT NULL,
	region       text COLLATE "C" NOT NULL,
	app_id       text COLLATE "C" NOT NULL,
	env          text COLLATE "C" NOT NULL,
	created_at   bigint NOT NULL,
	stack_suffix text NOT NULL,
	stack_uuid   text NOT NULL,
	PRIMARY KEY (account, region, app_id, env)
);

-- config, deployed and models are JSON kept as text, not jsonb: the config is returned byte
-- for byte as it was written.
CREATE TABLE resources (
	account    text COLLATE "C" NOT NULL,
	region     text COLLATE "C" NOT NULL,
	app_id     text COLLATE "C" NOT NULL,
	env        text COLLATE "C" NOT NULL,
	kind       text COLLATE "C" NOT NULL,
	name       text NOT NULL,
	config     text NOT NULL,
	deployed   text NOT NULL,
	imported   boolean NOT NULL,
	revision   bigint NOT NULL,
	models     text,
	updated_at bigint NOT NULL,
	PRIMARY KEY (account, region, app_id, env, kind)
);

CREATE TABLE jobs (
	seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	account     text COLLATE "C" NOT NULL,
	region      text COLLATE "C" NOT NULL,
	app_id      text COLLATE "C" NOT NULL,
	job_id      text COLLATE "C" NOT NULL,
	env         text COLLATE "C" NOT NULL, -- '' for a job of the whole app
	operation   text NOT NULL,
	status      text NOT NULL,
	error       text NOT NULL,
	created_at  bigint NOT NULL,
	updated_at  bigint NOT NULL,
	action      text NOT NULL,
	payload     bytea NOT NULL,
	pending     boolean NOT NULL,
	run_at      bigint NOT NULL,
	lease_owner text,
	lease_until bigint
);
CREATE UNIQUE INDEX jobs_by_id ON jobs (account, region, app_id, job_id);
CREATE INDEX jobs_by_env ON jobs (account, region, app_id, env, seq);
CREATE INDEX jobs_due ON jobs (run_at, seq) WHERE pending;

-- The pending-job rule, enforced by the database: one pending job per app and environment...
CREATE UNIQUE INDEX jobs_one_pending ON jobs (account, region, app_id, env) WHERE pending;

-- ...and a pending job of the whole app (env '') excludes every other pending job of the app.
--
-- No unique index can say that (an app job conflicts with the jobs of every environment, and
-- those not with each other), and an exclusion constraint could only with the btree_gist
-- extension and an encoding of the key into ranges. Instead a trigger serializes the pending
-- jobs of each app on a transaction-scoped advisory lock and checks under it. Every
-- transaction that makes a job of the app pending takes the lock first and holds it until it
-- commits or rolls back, and at READ COMMITTED the check, a new statement of a volatile
-- function, takes its snapshot after the lock is granted: it sees every pending job that a
-- previous holder committed. The lock is keyed by a hash of the app: a collision only makes
-- two apps wait for each other. SERIALIZABLE transactions are covered too (a check that
-- misses a concurrent insert is a read-write conflict that fails one of them with 40001).
-- REPEATABLE READ is refused: its snapshot predates the lock, so the check could miss a job.
CREATE FUNCTION jobs_app_pending_check() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
	IF NOT NEW.pending OR (TG_OP = 'UPDATE' AND OLD.pending) THEN
		RETURN NEW;
	END IF;
	IF current_setting('transaction_isolation') = 'repeatable read' THEN
		RAISE EXCEPTION 'pending jobs are written at READ COMMITTED or SERIALIZABLE, not REPEATABLE READ'
			USING ERRCODE = 'feature_not_supported';
	END IF;
	-- 1634560353: this lock class (the two-key advisory locks are a space of their own).
	PERFORM pg_advisory_xact_lock(1634560353, hashtext(NEW.account || '/' || NEW.region || '/' || NEW.app_id));
	IF EXISTS (
		SELECT 1 FROM jobs
		WHERE account = NEW.account AND region = NEW.region AND app_id = NEW.app_id AND pending
		  AND (env = '' OR NEW.env = '') AND seq IS DISTINCT FROM NEW.seq
	) THEN
		RAISE EXCEPTION 'a pending job exists for app %', NEW.app_id
			USING ERRCODE = 'unique_violation', CONSTRAINT = 'jobs_app_pending';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER jobs_app_pending BEFORE INSERT OR UPDATE OF pending ON jobs
FOR EACH ROW EXECUTE FUNCTION jobs_app_pending_check();

CREATE TABLE configs (
	account        text COLLATE "C" NOT NULL,
	region         text COLLATE "C" NOT NULL,
	app_id         text COLLATE "C" NOT NULL,
	manager_app_id text NOT NULL,
	login_auth     text NOT NULL,
	deployed       text NOT NULL,
	updated_at     bigint NOT NULL,
	PRIMARY KEY (account, region, app_id)
);

CREATE TABLE tokens (
	account        text COLLATE "C" NOT NULL,
	region         text COLLATE "C" NOT NULL,
	app_id         text COLLATE "C" NOT NULL,
	session_id     text COLLATE "C" NOT NULL,
	challenge_code text NOT NULL,
	expires_at     bigint NOT NULL,
	PRIMARY KEY (account, region, app_id, session_id)
);

-- Bucket names are unique across all accounts and regions, as in S3.
CREATE TABLE buckets (
	name       text COLLATE "C" NOT NULL,
	account    text COLLATE "C" NOT NULL,
	region     text COLLATE "C" NOT NULL,
	created_at bigint NOT NULL,
	owner      text NOT NULL,
	CONSTRAINT buckets_name PRIMARY KEY (name)
);
CREATE INDEX buckets_by_scope ON buckets (account, region, name);

CREATE TABLE secrets (
	name  text NOT NULL PRIMARY KEY,
	value bytea NOT NULL
);
