// Bundles the SDK with esbuild, serves the page from one origin, runs amplifybackendd on
// another, and drives headless Chromium (Debian's, through playwright-core) through the page:
// the js-browser snippet of docs/clients.md, then all 31 commands (lib/scenario.js).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { chromium } from "playwright-core";
import * as sdk from "@aws-sdk/client-amplifybackend";
import { startServer } from "../lib/server.js";
import { snippet } from "../lib/snippets.js";
import { scenario } from "../lib/scenario.js";
import { sdkCommands } from "../lib/coverage.js";
import { modelReference } from "../lib/reference.js";

const here = dirname(fileURLToPath(import.meta.url));
const jsRoot = join(here, "..");
const outDir = process.env.E2E_OUT || join(here, "..", "..", "out");
const importBucket = "existing-bucket-web";

let api;
let page;
let browser;
let web;
let tmp;
const consoleMessages = [];
const pageErrors = [];

// bundle builds page.js for the browser. The import "docs-snippet:NAME" resolves to the
// snippet, extracted from docs/clients.md into a temporary module inside e2e/js (so that it
// resolves the SDK from node_modules like any file of the suite).
async function bundle() {
  tmp = mkdtempSync(join(jsRoot, ".snippet-"));
  const snippets = {
    name: "docs-snippets",
    setup(build) {
      build.onResolve({ filter: /^docs-snippet:/ }, (args) => {
        const name = args.path.slice("docs-snippet:".length);
        const file = join(tmp, `${name}.mjs`);
        // The page learns the server's URL only when it loads: the snippet reads it there.
        writeFileSync(file, snippet(name, "PAGE-URL").replaceAll('"PAGE-URL"', "window.AMPLIFYBACKEND_URL"));
        return { path: file };
      });
    },
  };
  const result = await esbuild.build({
    entryPoints: [join(here, "page.js")],
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    plugins: [snippets],
  });
  return result.outputFiles[0].contents;
}

// screenshot saves the page as it is now in the test output folder (the CI artifact). It is
// taken whether the run passed or not, so it never hides the failure that led to it.
async function screenshot() {
  if (!page) {
    console.error("browser.test.js: no page to take a screenshot of (Chromium did not start)");
    return;
  }
  try {
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, "browser.png"), fullPage: true, timeout: 10000 });
  } catch (err) {
    console.error(`browser.test.js: screenshot failed: ${err.message}`);
  }
}

before(async () => {
  const js = await bundle();
  web = createServer((req, res) => {
    if (req.url === "/page.js") {
      res.writeHead(200, { "Content-Type": "text/javascript" });
      res.end(js);
    } else if (req.url === "/") {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end(`<!doctype html><meta charset="utf-8"><title>amplifybackendd in a browser</title>
<style>body{font:14px sans-serif;margin:2em}.pass{color:#070}.fail{color:#b00}</style>
<h1>AWS SDK for JavaScript v3 &rarr; amplifybackendd</h1><p>API: <code>${api.url}</code>. Status: <b id="status">running</b></p><ul id="log"></ul>
<script>window.AMPLIFYBACKEND_URL = ${JSON.stringify(api.url)};</script>
<script type="module" src="/page.js"></script>`);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => web.listen(0, "127.0.0.1", r));
  // The page is served from http://localhost:<port>; the API is on http://127.0.0.1:<port>:
  // different origins, so the browser preflights every call.
  const origin = `http://localhost:${web.address().port}`;
  api = await startServer("--cors-origins", origin, "--s3-buckets", importBucket);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage();
  page.on("console", (msg) => consoleMessages.push({ type: msg.type(), text: msg.text() }));
  page.on("pageerror", (err) => pageErrors.push(err.message));
  let loaded = false;
  try {
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => typeof window.runSuite === "function", null, { timeout: 15000 })
      .catch((err) => assert.fail(`the page did not load: ${err.message}; page errors: ${pageErrors.join("; ")}`));
    loaded = true;
  } finally {
    // A page that failed to load is kept as it was; a loaded one is taken after the run.
    if (!loaded) await screenshot();
  }
});

after(async () => {
  await browser?.close();
  await api?.stop();
  web?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test("docs/clients.md js-browser snippet logs NotFoundException", async () => {
  // The snippet ran while the bundle loaded, before runSuite was defined.
  const logged = consoleMessages.filter((m) => m.type === "log").map((m) => m.text);
  assert.deepEqual(logged, ["NotFoundException"], `console: ${JSON.stringify(consoleMessages)}`);
  const served = await api.waitFor((e) => e.msg === "request" && e.operation === "GetBackend" && e.path === "/backend/d1missing/details");
  assert.equal(served.status, 404);
});

test("all 31 commands from a web page on another origin", async () => {
  let run;
  try {
    run = await page.evaluate((options) => window.runSuite(options), {
      app: "d1web",
      importBucket,
      reference: modelReference(),
    });
  } finally {
    await screenshot();
  }
  const { results, coverage } = run;
  const failed = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`);
  assert.deepEqual(failed, [], "steps failed in the page");
  const steps = scenario({ sdk, client: null, app: "d1web", importBucket, reference: null }).length;
  assert.equal(results.length, steps + 1, `${results.length} results for ${steps} steps and the coverage check`);
  // The coverage check ran in the page over the bundled SDK's exports: the same list of commands
  // as the SDK module in Node, every one of them sent.
  assert.deepEqual(coverage.commands, sdkCommands(sdk), "the bundle's commands differ from the SDK module's");
  assert.deepEqual(coverage.missing, [], "commands the page never sent");
  assert.deepEqual(pageErrors, [], "uncaught errors in the page");
  const cors = consoleMessages.filter((m) => /CORS|Access-Control/i.test(m.text));
  assert.deepEqual(cors, [], "the browser reported CORS errors");
});

test("every call was preflighted, and the server served every operation to the page", async () => {
  const operations = sdkCommands(sdk).map((c) => c.replace(/Command$/, ""));
  const requests = await api.until(() => {
    const logged = api.log.filter((e) => e.msg === "request");
    return operations.every((op) => logged.some((e) => e.operation === op)) && logged;
  }, 2000).catch(() => api.log.filter((e) => e.msg === "request"));
  const preflighted = new Set();
  const served = new Set();
  for (const e of requests) {
    if (e.method === "OPTIONS") {
      assert.equal(e.status, 200, `preflight of ${e.path}`);
      preflighted.add(e.path);
      continue;
    }
    // Chromium caches a preflight per URL: the first call to each URL must follow one.
    assert.ok(preflighted.has(e.path), `${e.method} ${e.path} (${e.operation}) was not preflighted`);
    served.add(e.operation);
  }
  const unserved = operations.filter((op) => !served.has(op));
  assert.deepEqual(unserved, [], "operations the server never served to the page");
  assert.ok(preflighted.size > 40, `only ${preflighted.size} URLs were preflighted`);
});

test("CORS: --cors-origins * serves the page; an origin not listed is refused by the browser", async () => {
  const open = await startServer();
  const closed = await startServer("--cors-origins", "https://console.example.com");
  try {
    const viaStar = await page.evaluate((endpoint) => window.probe({ endpoint }), open.url);
    assert.equal(viaStar.name, "NotFoundException", JSON.stringify(viaStar));
    assert.equal(viaStar.status, 404);
    assert.match(viaStar.requestId, /^[0-9a-f-]{36}$/, "x-amzn-RequestId is not exposed to the page");
    const refused = await page.evaluate((endpoint) => window.probe({ endpoint }), closed.url);
    assert.equal(refused.name, "TypeError", `an unlisted origin read the answer: ${JSON.stringify(refused)}`);
    // The preflight got no CORS headers, so the browser never sent the call itself.
    const preflight = await closed.waitFor((e) => e.msg === "request" && e.method === "OPTIONS");
    assert.equal(preflight.path, "/backend/d1probe/details");
    assert.deepEqual(closed.log.filter((e) => e.msg === "request" && e.method !== "OPTIONS"), []);
  } finally {
    await Promise.all([open.stop(), closed.stop()]);
  }
});

test("sigv4 from the browser: the page's signatures verify, and a 403 reaches the page typed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "amplifybackendd-web-creds-"));
  writeFileSync(join(dir, "credentials"), "[web]\naws_access_key_id = AKIDWEB\naws_secret_access_key = web/secret+1\naws_account_id = 210987654321\n");
  const signed = await startServer("--auth", "sigv4", "--credentials", join(dir, "credentials"), "--cors-origins", new URL(page.url()).origin);
  try {
    const good = await page.evaluate((endpoint) => window.probe({ endpoint, accessKeyId: "AKIDWEB", secretAccessKey: "web/secret+1" }), signed.url);
    assert.equal(good.name, "NotFoundException", JSON.stringify(good));
    const bad = await page.evaluate((endpoint) => window.probe({ endpoint, accessKeyId: "AKIDWEB", secretAccessKey: "wrong" }), signed.url);
    assert.equal(bad.name, "InvalidSignatureException", JSON.stringify(bad));
    assert.equal(bad.status, 403);
    const unknown = await page.evaluate((endpoint) => window.probe({ endpoint, accessKeyId: "AKIDNOBODY" }), signed.url);
    assert.equal(unknown.name, "UnrecognizedClientException", JSON.stringify(unknown));
    await signed.waitFor((e) => e.msg === "request" && e.account === "210987654321" && e.status === 404);
  } finally {
    await signed.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("throttling reaches the page as a typed TooManyRequestsException (CORS headers on the 429)", async () => {
  // One token per 100 s: the second probe is refused however long the page takes (at 1 per
  // second, a slow second of the browser refilled the bucket).
  const limited = await startServer("--rate-limit", "0.01", "--rate-burst", "1", "--cors-origins", new URL(page.url()).origin);
  try {
    const probe = () => page.evaluate((endpoint) => window.probe({ endpoint, accessKeyId: "111111111111" }), limited.url);
    assert.equal((await probe()).name, "NotFoundException");
    const throttled = await probe();
    assert.equal(throttled.name, "TooManyRequestsException", JSON.stringify(throttled));
    assert.equal(throttled.status, 429);
    assert.ok(throttled.limitType, `no LimitType: ${JSON.stringify(throttled)}`);
  } finally {
    await limited.stop();
  }
});
