// Signs requests to a test server with the AWS JavaScript SDK v3 (the amplifybackend client
// and @smithy/signature-v4) and prints one JSON line per case: the case name, the error code
// the client saw ("" for success) and what the server echoed (region as AppId, key as AppName).
//
// Usage: NODE_PATH=e2e/js/node_modules node jsv3_client.cjs ENDPOINT ACCESS_KEY_ID SECRET_ACCESS_KEY
"use strict";
const crypto = require("node:crypto");
const sdk = require("@aws-sdk/client-amplifybackend");
const { SignatureV4 } = require("@smithy/signature-v4");
const { HttpRequest } = require("@smithy/core/protocols");

const [endpoint, key, secret] = process.argv.slice(2);
const url = new URL(endpoint);

class Sha256 {
  constructor(secret) {
    this.h = secret ? crypto.createHmac("sha256", secret) : crypto.createHash("sha256");
  }
  update(data) {
    this.h.update(typeof data === "string" ? Buffer.from(data) : data);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

function client({ region = "us-east-1", accessKeyId = key, secretAccessKey = secret, sessionToken } = {}) {
  return new sdk.AmplifyBackendClient({
    endpoint,
    region,
    credentials: { accessKeyId, secretAccessKey, sessionToken },
    maxAttempts: 1,
  });
}

async function report(name, fn) {
  try {
    const out = await fn();
    console.log(JSON.stringify({ case: name, code: "", region: out.AppId || "", key: out.AppName || "" }));
  } catch (e) {
    console.log(JSON.stringify({ case: name, code: e.name || "", message: e.message || "" }));
  }
}

// send sends a signed HttpRequest with fetch, as a browser would.
async function send(req) {
  const qs = Object.entries(req.query || {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`))
    .join("&");
  const target = `${url.origin}${req.path}${qs ? "?" + qs : ""}`;
  const headers = { ...req.headers };
  delete headers.host;
  const resp = await fetch(target, { method: req.method, headers, body: req.body });
  const body = await resp.json();
  if (!resp.ok) {
    const e = new Error(body.message);
    e.name = resp.headers.get("x-amzn-errortype");
    throw e;
  }
  return { AppId: body.appId, AppName: body.appName };
}

function request(method, path, query = {}, headers = {}, body) {
  return new HttpRequest({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query,
    headers: { host: url.host, ...headers },
    body,
  });
}

function signer(region = "us-east-1") {
  return new SignatureV4({
    credentials: { accessKeyId: key, secretAccessKey: secret },
    region,
    service: "amplifybackend",
    sha256: Sha256,
  });
}

(async () => {
  const c = client();
  await report("get_backend", () => c.send(new sdk.GetBackendCommand({ AppId: "app1" })));
  const odd = ["a/b", "a b", "a~b", "\u00fc\u2713", "a+b", "a!'()*", "a;b=c:d@e", "a%2Fb", "a%b", "..", ".", "x..y", "-_.~"];
  for (const [i, app] of odd.entries()) {
    await report(`odd_app_id_${i}`, () => c.send(new sdk.GetBackendCommand({ AppId: app, BackendEnvironmentName: "dev env" })));
  }
  await report("get_backend_job", () => c.send(new sdk.GetBackendJobCommand({ AppId: "d1abc", BackendEnvironmentName: "dev", JobId: "j/1" })));
  await report("list_backend_jobs", () => c.send(new sdk.ListBackendJobsCommand({ AppId: "d1abc", BackendEnvironmentName: "dev", MaxResults: 5 })));
  await report("region", () => client({ region: "eu-central-1" }).send(new sdk.GetBackendCommand({ AppId: "app1" })));
  await report("session_token", () => client({ sessionToken: "FwoGZXIvYXdzEJr//////////wEaDExampleToken" }).send(new sdk.GetBackendCommand({ AppId: "app1" })));
  await report("wrong_secret", () => client({ secretAccessKey: "wrong" + secret }).send(new sdk.GetBackendCommand({ AppId: "app1" })));
  await report("unknown_key", () => client({ accessKeyId: "AKIAUNKNOWN000000000" }).send(new sdk.GetBackendCommand({ AppId: "app1" })));

  await report("presigned", async () => send(await signer("us-west-2").presign(request("GET", "/backend/d1abc/job/dev/j1"), { expiresIn: 300 })));
  await report("presigned_query", async () =>
    send(await signer("us-west-2").presign(request("GET", "/backend/d1abc/challenge/s1", { b: "2", a: ["\u2713", "1"] }), { expiresIn: 300 })));
  await report("raw_query", async () => send(await signer().sign(request("GET", "/backend/x", { b: "2", a: ["2", "1"], c: "/ " }))));
  await report("raw_headers", async () =>
    send(await signer().sign(request("POST", "/backend", {}, { "x-custom": "  a   b\tc ", "content-type": "application/json" }, '{"appName":"x"}'))));
  await report("raw_unsigned_payload", async () =>
    send(await signer().sign(request("POST", "/backend", {}, { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }, "{}"))));
})();
