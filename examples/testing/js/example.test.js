// Recipe: tests of code that calls the Amplify Admin API, against amplifybackendd, with the
// AWS SDK for JavaScript v3. The server is started once by global-setup.js and reset before
// each test through its control plane.
import { beforeEach, expect, inject, test } from "vitest";
import {
  AmplifyBackendClient,
  CreateBackendCommand,
  GetBackendCommand,
  GetBackendJobCommand,
} from "@aws-sdk/client-amplifybackend";
import { controlPlane } from "./control.js";

const url = inject("amplifybackendUrl");
const control = controlPlane(url);
// Credentials and region inline: nothing is read from the machine's AWS configuration.
// maxAttempts 1 shows the first answer; leave the default to test your retries.
const client = new AmplifyBackendClient({
  endpoint: url,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
});

beforeEach(() => control.resetAll());

const env = { AppId: "app1", BackendEnvironmentName: "dev" };

// waitForJob polls GetBackendJob, as an app's code does, until the job has ended.
async function waitForJob(jobId) {
  for (const deadline = Date.now() + 10000; Date.now() < deadline; ) {
    const job = await client.send(new GetBackendJobCommand({ ...env, JobId: jobId }));
    if (job.Status !== "IN_PROGRESS") return job;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`job ${jobId} still IN_PROGRESS after 10s`);
}

test("a new backend's job completes", async () => {
  const { JobId } = await client.send(new CreateBackendCommand({ ...env, AppName: "shop" }));
  expect((await waitForJob(JobId)).Status).toBe("COMPLETED");
  const backend = await client.send(new GetBackendCommand(env));
  expect(backend.AppName).toBe("shop");
});

test("each test starts from an empty server", async () => {
  const { counts } = await control.info();
  expect(counts.apps).toBe(0);
});

test("a job held IN_PROGRESS, then failed with a chosen error", async () => {
  await control.setJobSettings({ mode: "manual" });
  const { JobId } = await client.send(new CreateBackendCommand({ ...env, AppName: "shop" }));
  let job = await client.send(new GetBackendJobCommand({ ...env, JobId }));
  expect(job.Status).toBe("IN_PROGRESS");

  await control.finishJob(JobId, "FAILED", "quota exceeded");
  job = await client.send(new GetBackendJobCommand({ ...env, JobId }));
  expect(job.Status).toBe("FAILED");
  expect(job.Error).toBe("quota exceeded");
});

test("a throttled call is the SDK's typed error", async () => {
  await client.send(new CreateBackendCommand({ ...env, AppName: "shop" }));
  await control.addFault({
    operation: "GetBackend",
    times: 1,
    error: { status: 429, code: "TooManyRequestsException", message: "Rate exceeded" },
  });
  const err = await client.send(new GetBackendCommand(env)).catch((e) => e);
  expect(err.name).toBe("TooManyRequestsException");
  expect(err.$metadata.httpStatusCode).toBe(429);
});

test("the journal shows what the code called", async () => {
  await client.send(new CreateBackendCommand({ ...env, AppName: "shop" }));
  const calls = await control.requests("?operation=CreateBackend");
  expect(calls).toHaveLength(1);
  expect(calls[0]).toMatchObject({ operation: "CreateBackend", appId: "app1", status: 200 });
});

test("a test starts from a fixture", async () => {
  // Build the fixture once (here in the test; usually a file saved from GET /state).
  await control.setJobSettings({ mode: "manual" });
  const { JobId } = await client.send(new CreateBackendCommand({ ...env, AppName: "shop" }));
  await control.finishJob(JobId, "COMPLETED");
  const fixture = await control.call("GET", "/state");

  await control.call("POST", "/reset");
  const err = await client.send(new GetBackendCommand(env)).catch((e) => e);
  expect(err.name).toBe("NotFoundException");

  await control.call("PUT", "/state", fixture);
  expect((await client.send(new GetBackendCommand(env))).AppName).toBe("shop");
});
