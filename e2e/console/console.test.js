// The local console in headless Chromium (Debian's, driven by playwright-core): one realistic
// session through every page, as issue 18 lists it. Every page must pass axe-core with no
// serious or critical violation, raise no Content-Security-Policy violation and no script
// error; controls are reached and used by keyboard; each page's screenshot is saved to
// e2e/out/console/ (docs/console.md shows copies).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "../js/lib/server.js";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(process.env.E2E_OUT || join(here, "..", "out"), "console");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let api;
let context;
let page;
let profile;
const problems = []; // CSP violations, script errors, failed requests
const audited = [];

before(async () => {
  mkdirSync(outDir, { recursive: true });
  api = await startServer("--s3-buckets", "existing-console-bucket");
  profile = mkdtempSync(join(tmpdir(), "amplifybackendd-console-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  page = context.pages()[0] || (await context.newPage());
  page.on("console", (msg) => {
    // A form answered with its errors (400) is logged as a failed load; responses are
    // checked below.
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) problems.push(`console error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("response", (res) => {
    if (res.status() >= 400 && !res.url().includes("/_amplifybackend/console/apps/")) problems.push(`${res.status()} for ${res.url()}`);
  });
  page.on("request", (req) => {
    if (!req.url().startsWith(api.url) && !req.url().startsWith("data:")) problems.push(`request left the origin: ${req.url()}`);
  });
});

after(async () => {
  await context?.close();
  await api?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

// audit runs axe-core on the page as it is (with the page's CSP in force: the script is
// evaluated through the DevTools protocol, not injected as an inline tag) and saves the
// screenshot, scrolled to show when given (none with screenshot false).
async function audit(name, show, { screenshot = true } = {}) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), [],
    `axe-core on ${name}`);
  if (show) await page.locator(show).scrollIntoViewIfNeeded();
  if (screenshot) await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: false });
  audited.push(name);
  assert.deepEqual(problems, [], `problems on ${name}`);
}

// openDetails opens every closed section (<details>) of the page, so that axe sees its fields.
async function openDetails() {
  await page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = true; }));
}

// tabTo presses Tab until the focused element matches selector (at most 150 times): the
// control is reachable by keyboard.
async function tabTo(selector) {
  for (let i = 0; i < 150; i++) {
    await page.keyboard.press("Tab");
    if (await page.locator(selector).evaluate((el) => el === document.activeElement)) return;
  }
  assert.fail(`no Tab press reached ${selector}`);
}

// submitByKeyboard tabs to the button and presses Enter, then waits for the next page.
async function submitByKeyboard(selector) {
  await tabTo(selector);
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
}

const console_ = () => `${api.url}/_amplifybackend/console`;
const scope = "?account=000000000000&region=us-east-1";

test("a realistic session through every page", async () => {
  // A browser asking for / lands on the console.
  await page.goto(`${api.url}/`);
  assert.equal(new URL(page.url()).pathname, "/_amplifybackend/console/");
  await page.getByText("No apps yet").waitFor();

  // Create an app and an environment, by keyboard.
  await page.fill("#c-app", "todoapp");
  await page.fill("#c-name", "Todo app");
  await page.fill("#c-env", "dev");
  await submitByKeyboard('button:has-text("Create app")');
  await page.locator(".flash", { hasText: "CreateBackend started" }).waitFor();
  // The list is live: the app shows up when its job completes, without a reload.
  await page.locator("#app-list a", { hasText: "todoapp" }).waitFor();
  await audit("overview");

  await page.click('#app-list a:has-text("todoapp")');
  await page.locator("h1", { hasText: "App Todo app" }).waitFor();
  // A challenge token: created (its code shown this once), listed by session id, deleted.
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Create a token")')]);
  const session = (await page.locator('dl[aria-label="Challenge token"] dd code').first().textContent()).trim();
  await page.locator("#tokens code", { hasText: session }).waitFor();
  await audit("app");
  await Promise.all([page.waitForNavigation(), page.click(`button[aria-label="Delete token ${session}"]`)]);
  await page.locator("#tokens", { hasText: "No live tokens." }).waitFor();

  // Add auth with email sign-in.
  await page.click('a:has-text("dev") >> nth=0');
  await page.locator("h1", { hasText: "Environment dev" }).waitFor();
  // Every choice of the create forms, the closed sections opened, passes axe too.
  await openDetails();
  await audit("environment-create-forms", undefined, { screenshot: false });
  await page.selectOption("#ac-signin", "EMAIL");
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Add auth")')]);
  await page.locator(".flash", { hasText: "CreateBackendAuth started" }).waitFor();
  await page.getByText("UserPoolId").first().waitFor(); // the resources refresh live
  await page.locator("#meta", { hasText: "UserPoolId" }).waitFor();
  const meta = await page.textContent("#meta");
  assert.match(meta, /"signupAttributes"|"UserPoolId"/);
  await audit("environment");
  await openDetails();
  await audit("environment-update-forms", undefined, { screenshot: false });

  // The data model: a schema with an error, seen at its line before saving; fixed; saved.
  await page.click('a:has-text("Data model") >> nth=0');
  await page.locator("h1", { hasText: "Data model of dev" }).waitFor();
  await openDetails();
  await audit("model-create-form", undefined, { screenshot: false });
  await page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = false; }));
  const broken = "type Todo @model {\n  id: ID!\n  name: String!\n  done: Bool\n}\n";
  await page.fill("#schema", broken);
  await page.locator("#schema-problems", { hasText: "Line 4, column" }).waitFor(); // the live check
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Check")')]);
  await page.locator("#schema-problems", { hasText: "Line 4, column 9" }).waitFor(); // the server-rendered check
  await audit("model-error");
  const fixed = "type Todo @model {\n  id: ID!\n  name: String!\n  done: Boolean\n  notes: [Note] @hasMany\n}\n\ntype Note @model {\n  id: ID!\n  text: String!\n}\n";
  await page.fill("#schema", fixed);
  await page.locator("#schema-problems", { hasText: "No errors" }).waitFor();
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Save (CreateBackendAPI)")')]);
  await page.locator(".flash", { hasText: "CreateBackendAPI started" }).waitFor();
  // Generate models once the API exists.
  for (let i = 0; !(await page.locator('button:has-text("Generate models")').count()); i++) {
    assert.ok(i < 50, "the API never appeared");
    await page.waitForTimeout(100);
    await page.reload();
  }
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Generate models")')]);
  await page.locator("#models-status", { hasText: "LATEST" }).waitFor();
  await page.click('summary:has-text("schema.js")');
  await page.getByText("export const schema").waitFor();
  await page.locator("svg.diagram text", { hasText: "@hasMany" }).waitFor();
  await audit("model");

  // Jobs complete live: timed mode, a storage job, its row turns COMPLETED without a reload.
  await page.goto(`${console_()}/apps/todoapp/jobs${scope}&env=dev`);
  await page.selectOption("#jm-mode", "timed");
  await page.fill("#jm-dur", "2s");
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Set job mode")')]);
  await page.goto(`${console_()}/apps/todoapp/envs/dev${scope}`);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Add storage")')]);
  await page.goto(`${console_()}/apps/todoapp/jobs${scope}&env=dev`);
  const row = page.locator("#job-timeline tr", { hasText: "CreateBackendStorage" });
  await row.locator("text=IN_PROGRESS").waitFor();
  await row.locator("text=COMPLETED").waitFor({ timeout: 15000 });
  await audit("jobs");

  // A fault rule, seen firing in the journal.
  await page.goto(`${console_()}/testing${scope}`);
  await page.selectOption("#fa-op", "DeleteBackendStorage");
  await page.fill("#fa-status", "503");
  await page.fill("#fa-msg", "storage is down");
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Add rule")')]);
  await page.locator(".flash", { hasText: "Fault rule" }).waitFor();
  await page.goto(`${console_()}/apps/todoapp/envs/dev${scope}`);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Delete storage")')]);
  await page.locator(".summary", { hasText: "storage is down" }).waitFor();
  await page.goto(`${console_()}/testing${scope}`);
  await page.locator("#journal tr", { hasText: "DeleteBackendStorage" }).locator(".fault").waitFor();
  await audit("testing", "#journal");

  // Export the state, reset, import it back.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click('a:has-text("Export all state")')]);
  const saved = join(profile, "state.json");
  await download.saveAs(saved);
  assert.match(readFileSync(saved, "utf8"), /"amplifybackendd-state"/);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Reset")')]);
  await page.locator(".flash", { hasText: "Reset: removed 1 apps" }).waitFor();
  await page.goto(`${console_()}/${scope}`);
  await page.getByText("No apps yet").waitFor();
  await page.goto(`${console_()}/testing${scope}`);
  await page.setInputFiles("#imp-file", saved);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Import")')]);
  await page.locator(".flash", { hasText: "State imported: 1 apps" }).waitFor();
  await page.goto(`${console_()}/apps/todoapp/envs/dev/model${scope}`);
  await page.locator("#models-status", { hasText: "LATEST" }).waitFor();
  assert.deepEqual(problems, []);
  assert.deepEqual(audited, ["overview", "app", "environment-create-forms", "environment", "environment-update-forms", "model-create-form", "model-error", "model", "jobs", "testing"]);
});

test("with an admin token: the sign-in page, by keyboard", async () => {
  const dir = mkdtempSync(join(tmpdir(), "amplifybackendd-console-token-"));
  const tokenFile = join(dir, "admin-token");
  writeFileSync(tokenFile, "console-e2e-token-0123456789\n", { mode: 0o600 });
  const guarded = await startServer("--admin-token-file", tokenFile);
  try {
    await page.goto(`${guarded.url}/_amplifybackend/console/`);
    await page.locator("h1", { hasText: "Sign in" }).waitFor();
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    assert.deepEqual(result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id), [], "axe-core on the sign-in page");
    await page.screenshot({ path: join(outDir, "sign-in.png") });
    await tabTo("#token");
    await page.keyboard.type("wrong");
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    await page.locator("[role=alert]", { hasText: "not the admin token" }).waitFor();
    await tabTo("#token");
    await page.keyboard.type("console-e2e-token-0123456789");
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    await page.locator("h1", { hasText: "Overview" }).waitFor();
    const cookies = await context.cookies(`${guarded.url}/_amplifybackend/console/`);
    const session = cookies.find((c) => c.name === "abd_console_session");
    assert.ok(session && session.httpOnly && session.sameSite === "Strict", `session cookie: ${JSON.stringify(session)}`);
    // The response statuses of this test (401, 403) are the point: they are not problems.
    problems.length = 0;
  } finally {
    await guarded.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
