// Runs in headless Chromium: the AWS JavaScript SDK v3, bundled by esbuild, calls
// amplifybackendd on another origin, so every call is preceded by a real CORS preflight.
import * as sdk from "@aws-sdk/client-amplifybackend";
import { runScenario } from "./scenario.js";

window.runSuite = async (endpoint) => {
  const client = new sdk.AmplifyBackendClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    maxAttempts: 1,
  });
  const results = [];
  const log = document.getElementById("log");
  const record = (name, ok, detail = "") => {
    results.push({ name, ok, detail });
    const li = document.createElement("li");
    li.textContent = `${ok ? "PASS" : "FAIL"} ${name}${detail ? ": " + detail : ""}`;
    li.className = ok ? "pass" : "fail";
    log.appendChild(li);
  };
  try {
    await runScenario(sdk, client, record);
  } catch (err) {
    record("scenario", false, `${err.name}: ${err.message}`);
  }
  document.getElementById("status").textContent = results.every((r) => r.ok) ? "all passed" : "failures";
  return results;
};
