-- jobs_by_env (account, region, app_id, env, seq) goes: jobs_by_env_status (account, region,
-- app_id, env, status, seq) serves every listing, a page of all statuses being a merge of
-- one range per status (ListJobs), and each index is a page written to the WAL for every
-- job inserted (with a fresh environment per job, about 1.2 frames per job of 5.9).
--
-- With both indexes, SQLite's planner (no statistics) also chose jobs_by_env_status for a
-- listing of all statuses, where the status column breaks the seq order: every page read
-- and sorted every job of the environment (73 to 104 ms a page at 100,000 jobs).
DROP INDEX jobs_by_env;
