-- The per-app advisory lock of the pending-job trigger was keyed by the app alone, but
-- advisory locks belong to the whole database, not to a schema: stores in two schemas of one
-- database (the tests, each in a schema of its own; staging beside production) waited for
-- each other's apps of the same name, and two transactions that inserted pending jobs of two
-- apps in different orders deadlocked across schemas. The key now starts with the schema (the
-- function's search_path, fixed at its creation, names it). LockApps takes this key and, for
-- a rolling upgrade, the old one, which older replicas' LockApps take: replicas of both
-- releases still exclude each other; an older replica's transaction may now meet a deadlock
-- between its two locks and a newer one's, which PostgreSQL breaks and the store retries.
CREATE OR REPLACE FUNCTION jobs_app_pending_check() RETURNS trigger
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
	PERFORM pg_advisory_xact_lock(1634560353, hashtext(current_schema() || '/' || NEW.account || '/' || NEW.region || '/' || NEW.app_id));
	IF (NEW.env = '' AND EXISTS (
			SELECT 1 FROM jobs
			WHERE account = NEW.account AND region = NEW.region AND app_id = NEW.app_id AND pending
			  AND seq IS DISTINCT FROM NEW.seq))
		OR (NEW.env <> '' AND EXISTS (
			SELECT 1 FROM jobs
			WHERE account = NEW.account AND region = NEW.region AND app_id = NEW.app_id AND env = '' AND pending
			  AND seq IS DISTINCT FROM NEW.seq)) THEN
		RAISE EXCEPTION 'a pending job exists for app %', NEW.app_id
			USING ERRCODE = 'unique_violation', CONSTRAINT = 'jobs_app_pending';
	END IF;
	RETURN NEW;
END
$$;
