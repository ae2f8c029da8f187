// What the JS SDK puts on the wire beyond the happy path: path labels with reserved
// characters, an endpoint with the API Gateway stage prefix, request ids, throttling as a
// typed error, and the pending-job rule with the real service's message.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as sdk from "@aws-sdk/client-amplifybackend";
import { startServer } from "../lib/server.js";
import { waitJob, listAllJobs } from "../lib/jobs.js";

const servers = [];
const clients = [];
async function serve(...args) {
  const server = await startServer(...args);
  servers.push(server);
  return server;
}
function clientFor(endpoint, accessKeyId = "AKIDEXAMPLE") {
  const client = new sdk.AmplifyBackendClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId, secretAccessKey: "secret" },
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
}

after(async () => {
  for (const c of clients) c.destroy();
  await Promise.all(servers.map((s) => s.stop()));
});

test("path labels with spaces, reserved and non-ASCII characters round-trip", async () => {
  const server = await serve();
  const client = clientFor(server.url);
  const names = ["qa env+1", "ü-ñ", "a*b'(c)!", "x%41y", "semi;colon=eq&amp", "q?x#y", "tilde~_-.v2"];
  for (const env of names) {
    const out = await client.send(new sdk.CreateBackendCommand({ AppId: "d1wire", AppName: "wire", BackendEnvironmentName: env }));
    assert.equal(out.BackendEnvironmentName, env);
    const job = await waitJob(sdk, client, "d1wire", env, out.JobId);
    assert.equal(job.Status, "COMPLETED", `${env}: ${job.Error}`);
    assert.equal(job.BackendEnvironmentName, env);
    const { jobs } = await listAllJobs(sdk, client, { AppId: "d1wire", BackendEnvironmentName: env });
    assert.deepEqual(jobs.map((j) => j.JobId), [out.JobId], `ListBackendJobs of ${JSON.stringify(env)}`);
    const got = await client.send(new sdk.GetBackendCommand({ AppId: "d1wire", BackendEnvironmentName: env }));
    assert.equal(got.BackendEnvironmentName, env);
  }
  const app = await client.send(new sdk.GetBackendCommand({ AppId: "d1wire" }));
  assert.deepEqual(app.BackendEnvironmentList, [...names].sort());
  // "." and ".." would be path segments a router cleans away: refused, in AWS's words.
  await assert.rejects(client.send(new sdk.CreateBackendCommand({ AppId: "d1wire", AppName: "wire", BackendEnvironmentName: ".." })),
    (err) => err instanceof sdk.BadRequestException && /'backendEnvironmentName'/.test(err.message));
});

test("an endpoint with the /prod stage prefix; request ids in $metadata match the server log", async () => {
  const server = await serve();
  const client = clientFor(`${server.url}/prod`);
  const out = await client.send(new sdk.CreateBackendCommand({ AppId: "d1prod", AppName: "p", BackendEnvironmentName: "dev" }));
  assert.match(out.$metadata.requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(out.$metadata.httpStatusCode, 200);
  const entry = await server.waitFor((e) => e.requestId === out.$metadata.requestId);
  assert.equal(entry.path, "/prod/backend");
  assert.equal(entry.operation, "CreateBackend");
  const err = await client.send(new sdk.GetBackendCommand({ AppId: "d1none" })).catch((e) => e);
  assert.ok(err instanceof sdk.NotFoundException);
  assert.equal((await server.waitFor((e) => e.requestId === err.$metadata.requestId)).status, 404);
});

test("throttling is a typed TooManyRequestsException with LimitType, per account", async () => {
  // One token per 100 s: the third call is refused however long the three take (at 1 per
  // second, a slow second on a loaded machine refilled the bucket).
  const server = await serve("--rate-limit", "0.01", "--rate-burst", "2");
  const a = clientFor(server.url, "111111111111");
  const get = (client) => client.send(new sdk.GetBackendCommand({ AppId: "d1none" }));
  for (let i = 0; i < 2; i++) await assert.rejects(get(a), sdk.NotFoundException);
  await assert.rejects(get(a), (err) => {
    assert.ok(err instanceof sdk.TooManyRequestsException, `${err.name}: ${err.message}`);
    assert.equal(err.name, "TooManyRequestsException");
    assert.equal(err.$metadata.httpStatusCode, 429);
    assert.equal(typeof err.LimitType, "string");
    assert.ok(err.LimitType.length > 0, "LimitType is empty");
    return true;
  });
  // Another account has a budget of its own.
  await assert.rejects(get(clientFor(server.url, "222222222222")), sdk.NotFoundException);
});

test("one pending job per environment; a job closed by UpdateBackendJob never runs", async () => {
  // The job is due 2 s after its submission: the three calls before UpdateBackendJob must
  // find it pending (with 400 ms, a slow moment of a loaded machine let it run first).
  const duration = 2000;
  const server = await serve("--job-duration", `${duration}ms`);
  const client = clientFor(server.url);
  const input = { AppId: "d1pend", AppName: "pend", BackendEnvironmentName: "dev" };
  const submitted = Date.now();
  const first = await client.send(new sdk.CreateBackendCommand(input));
  await assert.rejects(client.send(new sdk.CreateBackendCommand(input)), (err) => {
    assert.ok(err instanceof sdk.BadRequestException, `${err.name}: ${err.message}`);
    assert.equal(err.message, "ValidationException - An error occurred while processing your request: There is already a pending job " +
      "for the requested appId: d1pend and backendEnvironmentName: dev, wait for it to complete before creating a new job.");
    return true;
  });
  const pending = await client.send(new sdk.GetBackendJobCommand({ AppId: "d1pend", BackendEnvironmentName: "dev", JobId: first.JobId }));
  assert.equal(pending.Status, "IN_PROGRESS");
  const closed = await client.send(new sdk.UpdateBackendJobCommand({ AppId: "d1pend", BackendEnvironmentName: "dev", JobId: first.JobId, Status: "COMPLETED" }));
  assert.equal(closed.Status, "COMPLETED");
  assert.equal(closed.Operation, "CreateBackend");
  // Past the time the job was due: had the runner taken it anyway, the app would exist.
  await new Promise((r) => setTimeout(r, Math.max(0, submitted + duration + 700 - Date.now())));
  await assert.rejects(client.send(new sdk.GetBackendCommand({ AppId: "d1pend" })), (err) => err instanceof sdk.NotFoundException && err.ResourceType === "app");
  // The environment is free again.
  const again = await client.send(new sdk.CreateBackendCommand(input));
  assert.equal((await waitJob(sdk, client, "d1pend", "dev", again.JobId)).Status, "COMPLETED");
});

test("ListBackendJobs pages stay stable while jobs are added; empty lists arrive as []", async () => {
  const server = await serve();
  const client = clientFor(server.url);
  const env = { AppId: "d1page", BackendEnvironmentName: "dev" };
  const created = await client.send(new sdk.CreateBackendCommand({ ...env, AppName: "page" }));
  await waitJob(sdk, client, "d1page", "dev", created.JobId);
  const ids = [created.JobId];
  for (const target of ["e1", "e2", "e3", "e4"]) {
    const clone = await client.send(new sdk.CloneBackendCommand({ ...env, TargetEnvironmentName: target }));
    await waitJob(sdk, client, "d1page", "dev", clone.JobId);
    ids.unshift(clone.JobId);
  }
  // Page 1, then two new jobs, then the remaining pages: exactly the five jobs, newest first.
  const first = await client.send(new sdk.ListBackendJobsCommand({ ...env, MaxResults: 2 }));
  for (const target of ["late1", "late2"]) {
    const clone = await client.send(new sdk.CloneBackendCommand({ ...env, TargetEnvironmentName: target }));
    await waitJob(sdk, client, "d1page", "dev", clone.JobId);
  }
  const seen = first.Jobs.map((j) => j.JobId);
  let NextToken = first.NextToken;
  while (NextToken) {
    const page = await client.send(new sdk.ListBackendJobsCommand({ ...env, MaxResults: 2, NextToken }));
    seen.push(...page.Jobs.map((j) => j.JobId));
    NextToken = page.NextToken;
  }
  assert.deepEqual(seen, ids);
  // A fresh listing shows the new jobs.
  assert.equal((await listAllJobs(sdk, client, env)).jobs.length, 7);

  const none = await client.send(new sdk.ListBackendJobsCommand({ AppId: "d1page", BackendEnvironmentName: "dev", Status: "FAILED" }));
  assert.deepEqual(none.Jobs, []);
  assert.equal(none.NextToken, undefined);
  assert.deepEqual((await client.send(new sdk.ListS3BucketsCommand({}))).Buckets, []);
  // RemoveAllBackends without CleanAmplifyApp keeps the app, with no environment.
  const rm = await client.send(new sdk.RemoveAllBackendsCommand({ AppId: "d1page", CleanAmplifyApp: false }));
  assert.equal((await waitJob(sdk, client, "d1page", "dev", rm.JobId)).Status, "COMPLETED");
  const app = await client.send(new sdk.GetBackendCommand({ AppId: "d1page" }));
  assert.equal(app.AppName, "page");
  assert.deepEqual(app.BackendEnvironmentList, []);
});

test("state is partitioned by account (12-digit access key) and by the signing region", async () => {
  const server = await serve();
  const mine = clientFor(server.url, "123456789012");
  const out = await mine.send(new sdk.CreateBackendCommand({ AppId: "d1part", AppName: "part", BackendEnvironmentName: "dev" }));
  await waitJob(sdk, mine, "d1part", "dev", out.JobId);
  assert.equal((await mine.send(new sdk.GetBackendCommand({ AppId: "d1part" }))).AppName, "part");
  await assert.rejects(clientFor(server.url, "AKIDEXAMPLE").send(new sdk.GetBackendCommand({ AppId: "d1part" })), sdk.NotFoundException);
  const elsewhere = new sdk.AmplifyBackendClient({
    endpoint: server.url, region: "eu-west-1", credentials: { accessKeyId: "123456789012", secretAccessKey: "secret" }, maxAttempts: 1,
  });
  clients.push(elsewhere);
  await assert.rejects(elsewhere.send(new sdk.GetBackendCommand({ AppId: "d1part" })), sdk.NotFoundException);
  const meta = JSON.parse((await mine.send(new sdk.GetBackendCommand({ AppId: "d1part", BackendEnvironmentName: "dev" }))).AmplifyMetaConfig);
  assert.match(meta.providers.awscloudformation.StackId, /^arn:aws:cloudformation:us-east-1:123456789012:stack\/amplify-part-dev-\d{6}\//);
  await server.waitFor((e) => e.msg === "request" && e.account === "123456789012" && e.region === "eu-west-1");
});
