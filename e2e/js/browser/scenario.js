// The browser scenario: each step records a named result.
import { waitJob, listAllJobs } from "../lib/jobs.js";

export async function runScenario(sdk, client, record) {
  const step = async (name, fn) => {
    try {
      await fn();
      record(name, true);
    } catch (err) {
      record(name, false, `${err.name}: ${err.message}`);
    }
  };
  const check = (cond, msg) => {
    if (!cond) throw new Error(msg);
  };
  await step("CreateBackend", async () => {
    const out = await client.send(new sdk.CreateBackendCommand({ AppId: "d1web", AppName: "webapp", BackendEnvironmentName: "dev" }));
    check(out.Status === "IN_PROGRESS", `status ${out.Status}`);
    const job = await waitJob(sdk, client, "d1web", "dev", out.JobId);
    check(job.Status === "COMPLETED", `job ${job.Status}`);
  });
  await step("GetBackend", async () => {
    const out = await client.send(new sdk.GetBackendCommand({ AppId: "d1web", BackendEnvironmentName: "dev" }));
    check(out.AppName === "webapp", `AppName ${out.AppName}`);
    check(JSON.parse(out.AmplifyMetaConfig).providers.awscloudformation.AmplifyAppId === "d1web", "meta");
  });
  await step("CloneBackend", async () => {
    const out = await client.send(new sdk.CloneBackendCommand({ AppId: "d1web", BackendEnvironmentName: "dev", TargetEnvironmentName: "prod" }));
    check((await waitJob(sdk, client, "d1web", "dev", out.JobId)).Status === "COMPLETED", "clone");
  });
  await step("ListBackendJobs", async () => {
    const { jobs, pages } = await listAllJobs(sdk, client, { AppId: "d1web", BackendEnvironmentName: "dev", MaxResults: 1 });
    check(jobs.length === 2 && pages === 2, `${jobs.length} jobs in ${pages} pages`);
  });
  await step("UpdateBackendJob", async () => {
    const { jobs } = await listAllJobs(sdk, client, { AppId: "d1web", BackendEnvironmentName: "dev" });
    const out = await client.send(new sdk.UpdateBackendJobCommand({ AppId: "d1web", BackendEnvironmentName: "dev", JobId: jobs[0].JobId, Operation: "Relabelled" }));
    check(out.Operation === "Relabelled", out.Operation);
  });
  await step("DeleteBackend", async () => {
    const out = await client.send(new sdk.DeleteBackendCommand({ AppId: "d1web", BackendEnvironmentName: "prod" }));
    check((await waitJob(sdk, client, "d1web", "prod", out.JobId)).Status === "COMPLETED", "delete");
  });
  await step("RemoveAllBackends", async () => {
    const out = await client.send(new sdk.RemoveAllBackendsCommand({ AppId: "d1web", CleanAmplifyApp: true }));
    check((await waitJob(sdk, client, "d1web", "dev", out.JobId)).Status === "COMPLETED", "remove all");
  });
  await step("NotFoundException is typed", async () => {
    try {
      await client.send(new sdk.GetBackendCommand({ AppId: "d1web" }));
      throw new Error("no error");
    } catch (err) {
      check(err instanceof sdk.NotFoundException && err.name === "NotFoundException", `${err.name}`);
    }
  });
}
