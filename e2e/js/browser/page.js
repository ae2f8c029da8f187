// Runs in headless Chromium: the AWS JavaScript SDK v3, bundled by esbuild, calls
// amplifybackendd on another origin, so every call is preceded by a real CORS preflight.
import * as sdk from "@aws-sdk/client-amplifybackend";
// The js-browser snippet of docs/clients.md, extracted at test time (browser.test.js). It runs
// when the bundle loads, with window.AMPLIFYBACKEND_URL (set by the page beforehand) in place of
// the README's server.
import "docs-snippet:js-browser";
import { runScenario } from "./scenario.js";

// probe sends one GetBackend of a missing app to endpoint with the given keys and reports
// how it ended: the typed NotFoundException when the server answered and the browser let the
// page read the answer (CORS), a TypeError when it did not.
window.probe = async ({ endpoint, accessKeyId = "AKIDEXAMPLE", secretAccessKey = "secret" }) => {
  const client = new sdk.AmplifyBackendClient({ endpoint, region: "us-east-1", credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
  try {
    await client.send(new sdk.GetBackendCommand({ AppId: "d1probe" }));
    return { name: "none" };
  } catch (err) {
    return { name: err.name, status: err.$metadata?.httpStatusCode, requestId: err.$metadata?.requestId, message: err.message, limitType: err.LimitType };
  } finally {
    client.destroy();
  }
};

window.runSuite = async (options) => {
  const client = new sdk.AmplifyBackendClient({
    endpoint: window.AMPLIFYBACKEND_URL,
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
  let coverage;
  try {
    coverage = await runScenario(sdk, client, options, record);
  } catch (err) {
    record("scenario", false, `${err.name}: ${err.message}`);
  }
  client.destroy();
  document.getElementById("status").textContent = results.every((r) => r.ok) ? "all passed" : "failures";
  return { results, coverage };
};
