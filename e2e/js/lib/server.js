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
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("amplifybackendd did not start")), 30000);
    proc.on("exit", (code) => reject(new Error(`amplifybackendd exited with ${code}`)));
    createInterface({ input: proc.stderr }).on("line", (line) => {
      try {
        const entry = JSON.parse(line);
        log.push(entry);
        if (entry.msg === "amplifybackendd listening") {
          clearTimeout(timer);
          resolve(`http://${entry.addr}`);
        }
      } catch {
        // not a log line
      }
    });
  });
  return {
    url,
    // log holds the server's JSON log entries (the access log included) as they arrive.
    log,
    async stop() {
      proc.kill("SIGTERM");
      await new Promise((resolve) => (proc.exitCode !== null ? resolve() : proc.on("exit", resolve)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
