// The AWS JavaScript SDK v3 drives the backend / environment / job lifecycle.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as sdk from "@aws-sdk/client-amplifybackend";
import { startServer } from "../lib/server.js";
import { waitJob, listAllJobs } from "../lib/jobs.js";

let server;
let client;

before(async () => {
  server = await startServer();
  client = new sdk.AmplifyBackendClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    maxAttempts: 1,
  });
});

after(async () => {
  client.destroy();
  await server.stop();
});

test("create, clone, list, update, delete, remove all", async () => {
  const created = await client.send(new sdk.CreateBackendCommand({ AppId: "d1js", AppName: "jsapp", BackendEnvironmentName: "dev" }));
  assert.equal(created.Status, "IN_PROGRESS");
  assert.equal(created.Operation, "CreateBackend");
  const job = await waitJob(sdk, client, "d1js", "dev", created.JobId);
  assert.equal(job.Status, "COMPLETED");
  assert.match(job.CreateTime, /^\d{13}$/);

  const got = await client.send(new sdk.GetBackendCommand({ AppId: "d1js", BackendEnvironmentName: "dev" }));
  assert.equal(got.AppName, "jsapp");
  assert.deepEqual(got.BackendEnvironmentList, ["dev"]);
  assert.match(JSON.parse(got.AmplifyMetaConfig).providers.awscloudformation.StackName, /^amplify-jsapp-dev-\d{6}$/);

  for (const target of ["prod", "e1", "e2", "e3"]) {
    const clone = await client.send(new sdk.CloneBackendCommand({ AppId: "d1js", BackendEnvironmentName: "dev", TargetEnvironmentName: target }));
    await waitJob(sdk, client, "d1js", "dev", clone.JobId);
  }
  const { jobs, pages } = await listAllJobs(sdk, client, { AppId: "d1js", BackendEnvironmentName: "dev", MaxResults: 2 });
  assert.equal(jobs.length, 5);
  assert.equal(pages, 3);
  assert.equal(jobs.at(-1).Operation, "CreateBackend");

  const upd = await client.send(new sdk.UpdateBackendJobCommand({ AppId: "d1js", BackendEnvironmentName: "dev", JobId: jobs[0].JobId, Operation: "Relabelled" }));
  assert.equal(upd.Operation, "Relabelled");

  const del = await client.send(new sdk.DeleteBackendCommand({ AppId: "d1js", BackendEnvironmentName: "prod" }));
  await waitJob(sdk, client, "d1js", "prod", del.JobId);
  const rm = await client.send(new sdk.RemoveAllBackendsCommand({ AppId: "d1js", CleanAmplifyApp: true }));
  assert.equal((await waitJob(sdk, client, "d1js", "dev", rm.JobId)).Status, "COMPLETED");

  await assert.rejects(client.send(new sdk.GetBackendCommand({ AppId: "d1js" })), (err) => {
    assert.ok(err instanceof sdk.NotFoundException, `${err.name} is not a NotFoundException`);
    assert.equal(err.name, "NotFoundException");
    assert.equal(err.$metadata.httpStatusCode, 404);
    assert.equal(err.ResourceType, "app");
    return true;
  });
});

test("typed BadRequestException", async () => {
  await assert.rejects(
    client.send(new sdk.ListBackendJobsCommand({ AppId: "x", BackendEnvironmentName: "dev", NextToken: "forged" })),
    (err) => err instanceof sdk.BadRequestException && /NextToken/.test(err.message),
  );
});
