// The `js-node` snippet of docs/clients.md, run as a user would: written to a module inside
// e2e/js (so that it resolves the SDK from node_modules) and run by node against a fresh
// server, whose URL takes the place of the README's.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startServer } from "../lib/server.js";
import { snippet } from "../lib/snippets.js";

const jsRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const server = await startServer();
const tmp = mkdtempSync(join(jsRoot, ".snippet-"));

after(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await server.stop();
});

test("docs/clients.md js-node snippet runs and prints the job status", async () => {
  const file = join(tmp, "js-node.mjs");
  writeFileSync(file, snippet("js-node", server.url));
  const { stdout } = await promisify(execFile)(process.execPath, [file], {
    env: process.env,
    timeout: 30000,
  }).catch((err) => assert.fail(`the snippet exited with ${err.code}:\n${err.stdout}\n${err.stderr}`));
  assert.match(stdout.trim(), /^(IN_PROGRESS|COMPLETED)$/);
  // It really talked to the server.
  await server.until(() => server.log.filter((e) => e.msg === "request").length >= 2);
  const ops = server.log.filter((e) => e.msg === "request").map((e) => `${e.operation} ${e.status}`);
  assert.deepEqual(ops, ["CreateBackend 200", "GetBackendJob 200"]);
});
