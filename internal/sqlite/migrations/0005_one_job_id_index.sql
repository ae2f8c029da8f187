-- One index on the job id instead of two. jobs_by_id (account, region, app_id, job_id) and
-- jobs_by_job_id (job_id) both ordered the random job ids, so every inserted job dirtied a
-- random page of each, and each such page is a frame written to the WAL at every commit.
-- With the job id first, one unique index serves both lookups: by key (every column
-- equal) and by job id alone (the control plane's), and keeps the key unique.
DROP INDEX jobs_by_job_id;
DROP INDEX jobs_by_id;
CREATE UNIQUE INDEX jobs_by_id ON jobs (job_id, account, region, app_id);
