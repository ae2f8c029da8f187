// The same 31 commands with the server in auth mode sigv4: every request the JS SDK signs
// (paths, bodies, GETs without a body) must verify. Wrong keys get AWS's 403 error codes, and
// so do requests altered after signing, signing clocks 20 minutes off and presigned URLs
// used out of their time; the SDK's clock correction from the server's Date header works.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as sdk from "@aws-sdk/client-amplifybackend";
// The signer the SDK signs with (a dependency of @aws-sdk/client-amplifybackend), for URLs.
import { SignatureV4 } from "@smithy/signature-v4";
import { HttpRequest } from "@smithy/core/protocols";
import { scenarioSuite } from "./suite.js";

const dir = mkdtempSync(join(tmpdir(), "amplifybackendd-js-creds-"));
const credentialsFile = join(dir, "credentials");
writeFileSync(credentialsFile, "[e2e]\naws_access_key_id = AKIDJSE2E\naws_secret_access_key = js/e2e+secret\naws_account_id = 123456789012\n");
after(() => rmSync(dir, { recursive: true, force: true }));

const { server } = await scenarioSuite({
  title: "all 31 commands, every request signature verified (auth mode sigv4)",
  app: "d1sig",
  serverArgs: ["--auth", "sigv4", "--credentials", credentialsFile],
  account: "123456789012",
  credentials: { accessKeyId: "AKIDJSE2E", secretAccessKey: "js/e2e+secret" },
});

test("sigv4: a wrong secret, an unknown key: 403 with AWS's error codes", async () => {
  const call = async (accessKeyId, secretAccessKey) => {
    const client = new sdk.AmplifyBackendClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
    try {
      return await client.send(new sdk.GetBackendCommand({ AppId: "d1sig" })).then(() => assert.fail("accepted"), (err) => err);
    } finally {
      client.destroy();
    }
  };
  const bad = await call("AKIDJSE2E", "wrong");
  assert.equal(bad.name, "InvalidSignatureException");
  assert.equal(bad.$metadata.httpStatusCode, 403);
  assert.ok(bad instanceof sdk.AmplifyBackendServiceException, "not an AmplifyBackendServiceException");
  const unknown = await call("AKIDUNKNOWN", "secret");
  assert.equal(unknown.name, "UnrecognizedClientException");
  assert.equal(unknown.$metadata.httpStatusCode, 403);
  // The account comes from the credentials file.
  await server.until(() => server.log.filter((e) => e.msg === "request" && e.status === 403).length === 2);
  assert.ok(server.log.some((e) => e.msg === "request" && e.account === "123456789012"), "no request in the key's account");
});

const credentials = { accessKeyId: "AKIDJSE2E", secretAccessKey: "js/e2e+secret" };
const MISMATCH = "The request signature we calculated does not match the signature you provided.";
const APP = "d1sigjs";

// newClient returns a client with the file's key; options override (maxAttempts 1 unless set).
function newClient(options = {}) {
  return new sdk.AmplifyBackendClient({ endpoint: server.url, region: "us-east-1", credentials, maxAttempts: 1, ...options });
}

// refused sends command on client and returns the error, which must be the typed 403 code
// with fragment in its message.
async function refused(client, command, name, fragment) {
  const err = await client.send(command).then(() => assert.fail(`${command.constructor.name} accepted`), (e) => e);
  assert.equal(err.name, name, `${err.name}: ${err.message}`);
  assert.equal(err.$metadata.httpStatusCode, 403);
  assert.ok(err instanceof sdk.AmplifyBackendServiceException, "not an AmplifyBackendServiceException");
  assert.ok(err.message.includes(fragment), `message ${JSON.stringify(err.message)} lacks ${JSON.stringify(fragment)}`);
  return err;
}

// afterSigning adds a middleware that sees the request the auth middleware signed, as it goes
// to the wire.
function afterSigning(client, name, fn) {
  client.middlewareStack.addRelativeTo((next) => async (args) => {
    fn(args.request);
    return next(args);
  }, { relation: "after", toMiddleware: "awsAuthMiddleware", name });
}

let jobId;
test("sigv4: setup: an app to read", async () => {
  const c = newClient();
  try {
    jobId = (await c.send(new sdk.CreateBackendCommand({ AppId: APP, AppName: "sigjs", BackendEnvironmentName: "dev" }))).JobId;
    assert.ok(jobId);
    // The tests below read the app: wait until its job has created it (a busy machine may
    // take a moment), with a deadline.
    let status;
    for (const deadline = Date.now() + 20000; status !== "COMPLETED"; await new Promise((r) => setTimeout(r, 20))) {
      assert.ok(Date.now() < deadline, `CreateBackend job still ${status} after 20s`);
      status = (await c.send(new sdk.GetBackendJobCommand({ AppId: APP, BackendEnvironmentName: "dev", JobId: jobId }))).Status;
      assert.notEqual(status, "FAILED");
    }
  } finally {
    c.destroy();
  }
});

test("sigv4: a body altered after signing (same length) is refused", async () => {
  const c = newClient();
  try {
    const sent = [];
    afterSigning(c, "tamperBody", (req) => {
      assert.ok(req.headers.authorization, "the request is not signed yet");
      assert.ok(req.headers["x-amz-content-sha256"], "no payload hash header");
      const body = typeof req.body === "string" ? req.body : Buffer.from(req.body).toString();
      const altered = body.replace("original", "Xriginal");
      assert.equal(altered.length, body.length);
      assert.notEqual(altered, body);
      req.body = altered;
      sent.push(altered);
    });
    // The JS SDK signs X-Amz-Content-Sha256 (botocore does not): the server names the payload.
    await refused(c, new sdk.CreateBackendCommand({ AppId: "d1tamperjs", AppName: "original", BackendEnvironmentName: "dev" }),
      "InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed");
    assert.equal(sent.length, 1);
  } finally {
    c.destroy();
  }
  const check = newClient();
  try {
    const err = await check.send(new sdk.GetBackendCommand({ AppId: "d1tamperjs" })).then(() => null, (e) => e);
    assert.equal(err?.name, "NotFoundException", "the refused request created its app");
  } finally {
    check.destroy();
  }
});

test("sigv4: a signed header altered after signing is refused", async () => {
  const c = newClient();
  try {
    let signedHeaders = "";
    c.middlewareStack.add((next) => async (args) => {
      args.request.headers["x-team"] = "alpha";
      return next(args);
    }, { step: "build", name: "addTeamHeader" });
    afterSigning(c, "readSignedHeaders", (req) => {
      signedHeaders = /SignedHeaders=([^,]+)/.exec(req.headers.authorization)[1];
    });
    // Sent as signed: accepted.
    assert.equal((await c.send(new sdk.GetBackendCommand({ AppId: APP }))).AppId, APP);
    assert.ok(signedHeaders.split(";").includes("x-team"), `x-team not signed: ${signedHeaders}`);
    afterSigning(c, "alterTeamHeader", (req) => {
      req.headers["x-team"] = "omega";
    });
    await refused(c, new sdk.GetBackendCommand({ AppId: APP }), "InvalidSignatureException", MISMATCH);
    assert.ok(signedHeaders.split(";").includes("x-team"));
  } finally {
    c.destroy();
  }
});

test("sigv4: a signing clock 20 minutes off is refused as expired or not yet current", async () => {
  for (const [offset, fragment] of [[-20 * 60e3, "Signature expired"], [20 * 60e3, "Signature not yet current"]]) {
    const c = newClient({ systemClockOffset: offset });
    try {
      await refused(c, new sdk.GetBackendCommand({ AppId: APP }), "InvalidSignatureException", fragment);
    } finally {
      c.destroy();
    }
  }
  // 14 minutes off either way is within the allowed skew.
  for (const offset of [-14 * 60e3, 14 * 60e3]) {
    const c = newClient({ systemClockOffset: offset });
    try {
      assert.equal((await c.send(new sdk.GetBackendCommand({ AppId: APP }))).AppId, APP);
    } finally {
      c.destroy();
    }
  }
});

// withSlowClock runs fn with this machine's clock (Date.now, which the SDK signs with) 20
// minutes slow, as on a machine whose clock has drifted.
async function withSlowClock(fn) {
  const realNow = Date.now;
  Date.now = () => realNow() - 20 * 60e3;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

test("sigv4: a machine clock 20 minutes slow: the SDK corrects it from the server's Date header and retries", async () => {
  // Counted by time, not against a count taken now: the server writes its access log in
  // batches (up to 100 ms late), so lines of the tests before may still be on their way.
  const since = Date.now();
  const refusedSince = () => server.log.filter((e) => e.msg === "request" && e.operation === "GetBackend" && e.status === 403 &&
    Date.parse(e.time.slice(0, 23) + "Z") >= since).length;
  const c = newClient({ maxAttempts: 2 });
  try {
    const out = await withSlowClock(() => c.send(new sdk.GetBackendCommand({ AppId: APP })));
    assert.equal(out.AppId, APP);
    assert.equal(out.$metadata.attempts, 2, "not retried");
    // The offset the SDK learnt is the 20 minutes, within the Date header's second.
    assert.ok(Math.abs(c.config.systemClockOffset - 20 * 60e3) < 5000, `systemClockOffset ${c.config.systemClockOffset}`);
  } finally {
    c.destroy();
  }
  // The first attempt was refused (expired), the retry accepted.
  await server.until(() => refusedSince() === 1);

  // Without retries the first call fails, but its answer's Date header corrects the clock:
  // the next call on the same client works.
  const once = newClient();
  try {
    await withSlowClock(async () => {
      await refused(once, new sdk.GetBackendCommand({ AppId: APP }), "InvalidSignatureException", "Signature expired");
      assert.equal((await once.send(new sdk.GetBackendCommand({ AppId: APP }))).AppId, APP);
    });
  } finally {
    once.destroy();
  }
});

class Sha256 {
  constructor(secret) {
    this.h = secret ? createHmac("sha256", secret) : createHash("sha256");
  }
  update(data) {
    this.h.update(typeof data === "string" ? Buffer.from(data) : data);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

// presignedURL presigns GET path with the SDK's signer, signed at signingDate.
async function presignedURL(path, { expiresIn, signingDate = new Date() }) {
  const url = new URL(server.url);
  const signer = new SignatureV4({ credentials, region: "us-east-1", service: "amplifybackend", sha256: Sha256 });
  const req = await signer.presign(new HttpRequest({
    method: "GET", protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path, query: {}, headers: { host: url.host },
  }), { expiresIn, signingDate });
  const qs = Object.entries(req.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  return `${url.origin}${path}?${qs}`;
}

async function fetchJSON(url) {
  const resp = await fetch(url);
  return { status: resp.status, errorType: resp.headers.get("x-amzn-errortype") || "", body: await resp.json() };
}

test("sigv4: presigned URLs: fresh works; altered, expired or not yet valid refused", async () => {
  const path = `/backend/${APP}/job/dev/${jobId}`;
  const fresh = await fetchJSON(await presignedURL(path, { expiresIn: 300 }));
  assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
  assert.equal(fresh.body.jobId, jobId);

  const altered = await fetchJSON((await presignedURL(path, { expiresIn: 300 })).replace(jobId, "00000000-0000-4000-8000-000000000000"));
  assert.deepEqual([altered.status, altered.errorType], [403, "InvalidSignatureException"]);
  assert.ok(altered.body.message.includes(MISMATCH), altered.body.message);

  const expired = await fetchJSON(await presignedURL(path, { expiresIn: 60, signingDate: new Date(Date.now() - 10 * 60e3) }));
  assert.deepEqual([expired.status, expired.errorType], [403, "InvalidSignatureException"]);
  assert.ok(expired.body.message.includes("Signature expired"), expired.body.message);

  const future = await fetchJSON(await presignedURL(path, { expiresIn: 3600, signingDate: new Date(Date.now() + 20 * 60e3) }));
  assert.deepEqual([future.status, future.errorType], [403, "InvalidSignatureException"]);
  assert.ok(future.body.message.includes("Signature not yet current"), future.body.message);
});
