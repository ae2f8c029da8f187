// Registers the shared scenario (lib/scenario.js: all 31 commands) as node:test tests against
// a fresh server, followed by the coverage check: the last test fails if any command the SDK
// module exports was not sent, or if the server did not serve every operation.
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import * as sdk from "@aws-sdk/client-amplifybackend";
import { startServer } from "../lib/server.js";
import { scenario } from "../lib/scenario.js";
import { trackCommands, coverage } from "../lib/coverage.js";
import { modelReference } from "../lib/reference.js";

// account: the account the credentials act in (a pre-existing bucket is put there).
// title names the group of tests in the report.
export async function scenarioSuite({
  title, app, serverArgs = [], account = "000000000000",
  credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
}) {
  const importBucket = `${app}-existing`;
  const server = await startServer("--s3-buckets", `${account}:${importBucket},111111111111:${app}-foreign`, ...serverArgs);
  const client = new sdk.AmplifyBackendClient({ endpoint: server.url, region: "us-east-1", credentials, maxAttempts: 1 });
  const seen = trackCommands(client);
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe(title, () => {
    for (const step of scenario({ sdk, client, app, importBucket, reference: modelReference() })) {
      test(step.name, step.run);
    }

    test("coverage: every command the SDK exports was sent, and the server served each operation", async () => {
      const { commands, missing } = coverage(sdk, seen);
      assert.ok(commands.length >= 31, `the SDK module exports only ${commands.length} commands: ${commands}`);
      assert.deepEqual(missing, [], `commands never sent: ${missing.join(", ")}`);
      const unserved = () => {
        const served = new Set(server.log.filter((e) => e.msg === "request" && e.status < 500).map((e) => e.operation));
        return commands.map((c) => c.replace(/Command$/, "")).filter((op) => !served.has(op));
      };
      await server.until(() => unserved().length === 0, 2000).catch(() => {});
      assert.deepEqual(unserved(), [], `operations the server never served: ${unserved().join(", ")}`);
    });
  });
  return { server, client };
}
