-- The app-wide pending-job check of 0001 tested (env = '' OR NEW.env = ''), which no index
-- can seek: every insert of a pending job scanned all the pending jobs of its app, so inserts
-- slowed down as a backlog grew. Each case is now a seek on jobs_one_pending: a job of the
-- whole app (NEW.env = '') conflicts with any pending job of the app, a job of one
-- environment with a pending job of the whole app (env = ''). Locking is unchanged.
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
	PERFORM pg_advisory_xact_lock(1634560353, hashtext(NEW.account || '/' || NEW.region || '/' || NEW.app_id));
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
