// The same 31 commands with the server in auth mode sigv4: every request the JS SDK signs
// (paths, bodies, GETs without a body) must verify. Wrong keys get AWS's 403 error codes.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as sdk from "@aws-sdk/client-amplifybackend";
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
