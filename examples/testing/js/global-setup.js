// Vitest globalSetup: starts the built amplifybackendd once for the whole run, on a free
// loopback port (--addr 127.0.0.1:0; the address is read from its "listening" log line) with
// an in-memory store (--ephemeral), and hands its URL to the tests (inject("amplifybackendUrl")).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export default async function setup(project) {
  // AMPLIFYBACKENDD_BIN names the binary; otherwise amplifybackendd is looked up on PATH.
  const bin = process.env.AMPLIFYBACKENDD_BIN || "amplifybackendd";
  const proc = spawn(bin, ["--addr", "127.0.0.1:0", "--ephemeral", "--log-format", "json"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise((resolve) => proc.on("close", resolve));
  const output = [];
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`amplifybackendd did not start in 30s:\n${output.join("\n")}`)), 30000);
    proc.on("error", (err) => reject(new Error(`cannot run ${bin} (set AMPLIFYBACKENDD_BIN): ${err.message}`)));
    proc.on("exit", (code) => reject(new Error(`amplifybackendd exited with status ${code}:\n${output.join("\n")}`)));
    createInterface({ input: proc.stderr }).on("line", (line) => {
      if (output.length < 100) output.push(line);
      try {
        const entry = JSON.parse(line);
        if (entry.msg === "amplifybackendd listening") {
          clearTimeout(timer);
          resolve(`http://${entry.addr}`);
        }
      } catch {
        // not a log entry (a flag error, say): kept in output for the message above
      }
    });
  }).catch(async (err) => {
    proc.kill("SIGKILL");
    await exited;
    throw err;
  });
  project.provide("amplifybackendUrl", url);

  // The teardown: SIGTERM lets the server finish what is in flight; an ephemeral store
  // leaves nothing behind.
  return async () => {
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 10000);
    await exited;
    clearTimeout(timer);
  };
}
