// Bundles the SDK with esbuild, serves the page from one origin, runs amplifybackendd on
// another, and drives headless Chromium (Debian's, through playwright-core) through the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { chromium } from "playwright-core";
import { startServer } from "../lib/server.js";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.env.E2E_OUT || join(here, "..", "..", "out");

let api;
let page;
let browser;
let web;

before(async () => {
  const bundle = await esbuild.build({
    entryPoints: [join(here, "page.js")],
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
  });
  const html = `<!doctype html><meta charset="utf-8"><title>amplifybackendd in a browser</title>
<style>body{font:14px sans-serif;margin:2em}.pass{color:#070}.fail{color:#b00}</style>
<h1>AWS SDK for JavaScript v3 &rarr; amplifybackendd</h1><p>Status: <b id="status">running</b></p><ul id="log"></ul>
<script type="module" src="/page.js"></script>`;
  web = createServer((req, res) => {
    if (req.url === "/page.js") {
      res.writeHead(200, { "Content-Type": "text/javascript" });
      res.end(bundle.outputFiles[0].contents);
    } else {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end(html);
    }
  });
  await new Promise((r) => web.listen(0, "127.0.0.1", r));
  // The page is served from http://localhost:<port>; the API is on http://127.0.0.1:<port>:
  // different origins, so the browser preflights every call.
  const origin = `http://localhost:${web.address().port}`;
  api = await startServer("--cors-origins", origin);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => typeof window.runSuite === "function");
});

after(async () => {
  await browser?.close();
  await api?.stop();
  web?.close();
});

test("the SDK works from a web page on another origin", async () => {
  const results = await page.evaluate((endpoint) => window.runSuite(endpoint), api.url);
  mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: join(outDir, "browser.png"), fullPage: true });
  for (const r of results) {
    assert.ok(r.ok, `${r.name}: ${r.detail}`);
  }
  assert.ok(results.length >= 8, `only ${results.length} results`);
  // Every call came from another origin: the server answered the browser's preflights.
  const served = api.log.filter((e) => e.msg === "request" && e.method === "OPTIONS" && e.status === 200);
  assert.ok(served.length > 0, "the server saw no CORS preflight");
});
