-- The app-wide pending-job triggers of 0001 tested (env = '' OR NEW.env = ''), which no index
-- can seek: every insert of a pending job scanned all the pending jobs of its app, so inserts
-- slowed down as a backlog grew. Each case is now a seek on jobs_one_pending: a job of the
-- whole app (NEW.env = '') conflicts with any pending job of the app, a job of one
-- environment with a pending job of the whole app (env = '').
DROP TRIGGER jobs_app_wide_pending_insert;
DROP TRIGGER jobs_app_wide_pending_update;

CREATE TRIGGER jobs_app_wide_pending_insert BEFORE INSERT ON jobs
WHEN NEW.pending = 1 AND (
	(NEW.env = '' AND EXISTS (
		SELECT 1 FROM jobs
		WHERE account = NEW.account AND region = NEW.region AND app_id = NEW.app_id AND pending = 1))
	OR (NEW.env <> '' AND EXISTS (
		SELECT 1 FROM jobs
		WHERE account = NEW.account AND region = NEW.region AND app_id = NEW.app_id AND env = '' AND pending = 1))
)
BEGIN
	SELECT RAISE(ABORT, 'pending job exists');
END;

CREATE TRIGGER jobs_app_wide_pending_update BEFORE UPDATE OF pending ON jobs
WHEN NEW.pending = 1 AND OLD.pending = 0 AND (
	(NEW.env = '' AND EXISTS (
		SELECT 1 FROM jobs
		WHERE account = NEW.account AND region = NEW.region AND app_id = NEW.app_id AND pending = 1
		  AND seq <> NEW.seq))
	OR (NEW.env <> '' AND EXISTS (
		SELECT 1 FROM jobs
		WHERE account = NEW.account AND region = NEW.region AND app_id = NEW.app_id AND env = '' AND pending = 1
		  AND seq <> NEW.seq))
)
BEGIN
	SELECT RAISE(ABORT, 'pending job exists');
END;
