// Helpers shared by the Node and browser suites: they take the SDK module as an argument so
// the same code runs in both.
export async function waitJob(sdk, client, AppId, BackendEnvironmentName, JobId) {
  for (let i = 0; i < 500; i++) {
    const job = await client.send(new sdk.GetBackendJobCommand({ AppId, BackendEnvironmentName, JobId }));
    if (job.Status === "COMPLETED" || job.Status === "FAILED") return job;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`job ${JobId} did not finish`);
}

// listAllJobs walks ListBackendJobs by NextToken: the JS SDK v3 client for this service has
// no paginateListBackendJobs (its model carries no paginated trait).
export async function listAllJobs(sdk, client, input) {
  const jobs = [];
  let pages = 0;
  let NextToken;
  do {
    const page = await client.send(new sdk.ListBackendJobsCommand({ ...input, NextToken }));
    jobs.push(...page.Jobs);
    pages++;
    NextToken = page.NextToken;
  } while (NextToken);
  return { jobs, pages };
}

// listAllBuckets walks ListS3Buckets by NextToken, the same way.
export async function listAllBuckets(sdk, client) {
  const buckets = [];
  let NextToken;
  do {
    const page = await client.send(new sdk.ListS3BucketsCommand({ NextToken }));
    buckets.push(...page.Buckets);
    NextToken = page.NextToken;
  } while (NextToken);
  return buckets;
}
