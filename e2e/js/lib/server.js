// Starts the built amplifybackendd on a free loopback port with a fresh data directory.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export async function startServer(...args) {
  const bin = process.env.AMPLIFYBACKENDD_BIN || "amplifybackendd";
  const dataDir = mkdtempSync(join(tmpdir(), "amplifybackendd-js-"));
  const proc = spawn(bin, ["--addr", "127.0.0.1:0", "--data-dir", dataDir, "--log-format", "json", ...args], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const log = [];
  const otherOutput = []; // stderr lines that are not JSON log entries (flag errors, panics)
  // stopped resolves when the process is gone, however it ended.
  const stopped = new Promise((resolve) => proc.on("close", resolve));
  // kill ends the process: SIGTERM, then SIGKILL if it is still there after a few seconds, so
  // that a server that hangs can never keep the test run alive.
  const kill = async () => {
    if (proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await stopped;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`amplifybackendd did not start within 30s; its log: ${JSON.stringify(log)}`)), 30000);
    proc.on("error", (err) => reject(new Error(`cannot start ${bin} (set AMPLIFYBACKENDD_BIN): ${err.message}`)));
    proc.on("exit", (code) => reject(new Error(`amplifybackendd exited with ${code}: ${otherOutput.join("\n")}`)));
    createInterface({ input: proc.stderr }).on("line", (line) => {
      try {
        const entry = JSON.parse(line);
        log.push(entry);
        if (entry.msg === "amplifybackendd listening") {
          clearTimeout(timer);
          resolve(`http://${entry.addr}`);
        }
      } catch {
        otherOutput.push(line);
      }
    });
  }).catch(async (err) => {
    await kill();
    throw err;
  });
  return {
    url,
    // log holds the server's JSON log entries (the access log included) as they arrive.
    log,
    // until resolves with the first truthy value of check(), polled against the log: the
    // server writes an access log entry after its response, so an entry can arrive just
    // after the client saw the answer.
    async until(check, timeoutMs = 5000) {
      for (const deadline = Date.now() + timeoutMs; ; ) {
        const found = check();
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`the server log never satisfied ${check}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    // waitFor resolves with the first log entry pred accepts.
    waitFor(pred, timeoutMs) {
      return this.until(() => log.find(pred), timeoutMs);
    },
    stop: kill,
  };
}
