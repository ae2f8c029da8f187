-- The test control plane (issue 14).
-- Ending a job by its id alone (POST /_amplifybackend/jobs/{jobId}) looks it up across
-- accounts, regions and apps.
CREATE INDEX jobs_by_job_id ON jobs (job_id);
-- An error injected by a fault rule ("jobError"): the job ends FAILED with it when it runs.
-- It is stored with the job so that it survives a restart.
ALTER TABLE jobs ADD COLUMN injected_error text NOT NULL DEFAULT '';
-- Health writes one row here to prove the store can commit.
CREATE TABLE health (
	id         integer PRIMARY KEY,
	checked_at bigint NOT NULL
);
