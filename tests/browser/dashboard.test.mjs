// The dashboard in a real browser: Debian's Chromium, headless, driven by playwright-core.
// Each test starts its own emulator (the built binary, port picked by the OS, manual clock
// and lifecycle, so nothing finishes unless the test says so) and a fresh browser profile.
//
// Run by scripts/test after scripts/browser-env installed Chromium and playwright-core.
// Screenshots go to target/artifacts/ (or $TAURUSDB_EMULATOR_ARTIFACTS).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const BINARY = process.env.TAURUSDB_EMULATOR_BIN || path.join(ROOT, "target", "debug", "taurusdb-emulator");
const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
const ARTIFACTS = process.env.TAURUSDB_EMULATOR_ARTIFACTS || path.join(ROOT, "target", "artifacts");
// How long one step may wait for the page before the test fails.
const STEP = 10_000;

let browser;
let profile;

before(async () => {
  assert.ok(existsSync(CHROMIUM),
    `Chromium is not at ${CHROMIUM}: scripts/browser-env installs Debian's chromium package ` +
    "(or set CHROMIUM_BIN). The dashboard test cannot run without it.");
  assert.ok(existsSync(BINARY), `no emulator binary at ${BINARY}: run cargo build first`);
  profile = mkdtempSync(path.join(tmpdir(), "taurusdb-dashboard-"));
  // The flags keep Chromium off the network it would otherwise call at start.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 900 },
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Starts the emulator; resolves to { base, project, instance, token, stop }. */
async function startEmulator(port = 0, extra = []) {
  const child = spawn(BINARY, [
    "--port", String(port), "--clock", "manual", "--start-time", "2026-11-26T09:00:00Z",
    "--lifecycle", "manual", "--seed", "7", "--automated-backups", "false", ...extra,
  ], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the emulator did not start in 10 s: " + stderr)), 10_000);
    createInterface({ input: child.stdout }).once("line", (l) => { clearTimeout(timer); resolve(l); });
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`the emulator exited (${code}): ${stderr}`)); });
  });
  assert.match(line, /^taurusdb-emulator listening on http:\/\//);
  const base = line.replace("taurusdb-emulator listening on ", "").trim();
  const token = extra[extra.indexOf("--control-token") + 1];
  const headers = extra.includes("--control-token") ? { "X-Emulator-Token": token } : {};
  const state = await (await fetch(base + "/_emulator/state", { headers })).json();
  const project = state.projects[0];
  return {
    base,
    project: project.id,
    instance: project.instances[0].id,
    token: project.tokens[0],
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", resolve);
      child.kill("SIGTERM");
    }),
  };
}

/** Creates a backup through the emulated API, as a client would; resolves to the backup. */
async function createBackup(emulator, name) {
  const response = await fetch(`${emulator.base}/v3/${emulator.project}/backups/create`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Auth-Token": emulator.token },
    body: JSON.stringify({ instance_id: emulator.instance, name, description: "made by the browser test" }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return (await response.json()).backup;
}

async function openDashboard(emulator, address = "/_emulator/ui") {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  page.on("console", (m) => { if (m.type() === "error") errors.push(new Error(m.text())); });
  await page.goto(emulator.base + address);
  await page.locator("#connection.live").waitFor({ timeout: STEP });
  return { page, errors };
}

const row = (page, backupId) => page.locator(`tr[data-backup-id="${backupId}"]`);
const statusOf = (page, backupId) => row(page, backupId).locator(".badge").first();
/** Waits until the page shows the backup with this status. */
const showsStatus = (page, backupId, status) =>
  statusOf(page, backupId).and(page.locator(`[data-status="${status}"]`)).waitFor({ timeout: STEP });

/** Runs `body` with its own emulator and the dashboard open on it; closes both after. */
async function withDashboard(body) {
  const emulator = await startEmulator();
  const { page, errors } = await openDashboard(emulator);
  try {
    await body({ emulator, page, errors });
  } finally {
    await page.close();
    await emulator.stop();
  }
}

test("a backup created through the API shows as BUILDING and turns COMPLETED when 'Complete' is clicked", () => withDashboard(async ({ emulator, page, errors }) => {
  const first = await createBackup(emulator, "before-migration");
  await row(page, first.id).waitFor({ timeout: STEP });
  assert.equal(await statusOf(page, first.id).getAttribute("data-status"), "BUILDING");
  assert.match(await statusOf(page, first.id).innerText(), /BUILDING/);

  await page.getByRole("button", { name: "Complete backup before-migration" }).click();
  await showsStatus(page, first.id, "COMPLETED");
  const listed = await (await fetch(`${emulator.base}/v3/${emulator.project}/backups`, {
    headers: { "X-Auth-Token": emulator.token },
  })).json();
  assert.equal(listed.backups.find((b) => b.id === first.id).status, "COMPLETED",
    "the API agrees with the page");
  await page.getByRole("status").filter({ hasText: "Backup before-migration completed." }).waitFor({ timeout: STEP });

  // Fail one with a reason, and hold another, for a dashboard that shows each status.
  const second = await createBackup(emulator, "pre-upgrade");
  await page.getByRole("button", { name: "Fail backup pre-upgrade" }).click();
  const dialog = page.getByRole("dialog", { name: "Fail backup" });
  await dialog.getByLabel("Reason").fill("Disk quota exceeded on the backup store.");
  await dialog.getByRole("button", { name: "Fail backup" }).click();
  await showsStatus(page, second.id, "FAILED");
  await row(page, second.id).getByText("Disk quota exceeded on the backup store.").waitFor({ timeout: STEP });

  const third = await createBackup(emulator, "nightly-check");
  await page.getByRole("button", { name: "Hold backup nightly-check" }).click();
  await row(page, third.id).getByText("finishes held").waitFor({ timeout: STEP });

  // The journal shows the client's requests with their status codes.
  await page.locator("#requests td", { hasText: `/v3/${emulator.project}/backups/create` }).first().waitFor({ timeout: STEP });

  mkdirSync(ARTIFACTS, { recursive: true });
  const shot = path.join(ARTIFACTS, "dashboard.png");
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(existsSync(shot));
  assert.deepEqual(errors, []);
}));

test("a restore shows its instance RESTORING and its job Running until 'Complete' is clicked", () => withDashboard(async ({ emulator, page, errors }) => {
  const backup = await createBackup(emulator, "to-restore");
  await page.getByRole("button", { name: "Complete backup to-restore" }).click();
  await showsStatus(page, backup.id, "COMPLETED");
  const response = await fetch(`${emulator.base}/v3/${emulator.project}/instances/restore`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Auth-Token": emulator.token },
    body: JSON.stringify({ source_instance_id: emulator.instance, target_instance_id: emulator.instance, type: "backup", backup_id: backup.id }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const { job_id: jobId } = await response.json();
  const job = page.locator(`tr[data-job-id="${jobId}"]`);
  await job.locator('[data-status="Running"]').waitFor({ timeout: STEP });
  await page.locator('[data-status="RESTORING"]').waitFor({ timeout: STEP });

  await page.getByRole("button", { name: "Fail job RestoreGaussDBforMySQLInstance" }).click();
  const dialog = page.getByRole("dialog", { name: "Fail job" });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("button", { name: "Complete job RestoreGaussDBforMySQLInstance" }).click();
  await job.locator('[data-status="Completed"]').waitFor({ timeout: STEP });
  const shown = await (await fetch(`${emulator.base}/v3/${emulator.project}/instances/${emulator.instance}`, {
    headers: { "X-Auth-Token": emulator.token },
  })).json();
  assert.equal(shown.instance.status, "ACTIVE", "the API agrees with the page");
  await page.getByRole("status").filter({ hasText: "Job RestoreGaussDBforMySQLInstance completed." }).waitFor({ timeout: STEP });
  assert.deepEqual(errors, []);
}));

test("a proxy's job is completed from the page and its address shows on its instance", () => withDashboard(async ({ emulator, page, errors }) => {
  const api = async (method, path, body) => {
    const response = await fetch(`${emulator.base}/v3/${emulator.project}${path}`, {
      method,
      headers: { "Content-Type": "application/json", "X-Auth-Token": emulator.token },
      body: JSON.stringify(body),
    });
    assert.ok(response.ok, await response.clone().text());
    return response.json();
  };
  const added = await api("POST", `/instances/${emulator.instance}/nodes/enlarge`, { priorities: [1] });
  await page.getByRole("button", { name: "Complete job AddGaussDBforMySQLNodes" }).click();
  await page.locator(`tr[data-job-id="${added.job_id}"] [data-status="Completed"]`).waitFor({ timeout: STEP });
  const { job_id: jobId } = await api("POST", `/instances/${emulator.instance}/proxy`, { flavor_ref: "gaussdb.proxy.large.x86.2", node_num: 2 });
  await page.locator(`tr[data-job-id="${jobId}"] [data-status="Running"]`).waitFor({ timeout: STEP });
  await page.getByRole("button", { name: "Complete job OpenGaussDBforMySQLProxy" }).click();
  await page.locator(`tr[data-job-id="${jobId}"] [data-status="Completed"]`).waitFor({ timeout: STEP });
  const { proxy_list: [listed] } = await (await fetch(`${emulator.base}/v3/${emulator.project}/instances/${emulator.instance}/proxies`, {
    headers: { "X-Auth-Token": emulator.token },
  })).json();
  assert.equal(listed.proxy.status, "ACTIVE", "the API agrees with the page");
  await page.locator("td", { hasText: listed.proxy.address }).waitFor({ timeout: STEP });
  assert.deepEqual(errors, []);
}));

test("a fault after commit shows with its hits, and the request it struck as committed", () => withDashboard(async ({ emulator, page, errors }) => {
  const set = await fetch(`${emulator.base}/_emulator/faults/requests`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ operation: "create", phase: "after", preset: "server-error" }),
  });
  assert.equal(set.status, 201, await set.clone().text());
  const { id } = await set.json();
  await page.locator("#faults td", { hasText: "server-error — after the operation commits" }).waitFor({ timeout: STEP });
  const response = await fetch(`${emulator.base}/v3/${emulator.project}/backups/create`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Auth-Token": emulator.token },
    body: JSON.stringify({ instance_id: emulator.instance, name: "struck-after-commit" }),
  });
  assert.equal(response.status, 500);
  await page.locator("#faults td", { hasText: "1 of 1" }).waitFor({ timeout: STEP });
  await page.locator(`td[data-fault="${id}"]`, { hasText: `#${id} after, committed` }).waitFor({ timeout: STEP });
  await page.locator("td", { hasText: "struck-after-commit" }).first().waitFor({ timeout: STEP });
  assert.deepEqual(errors, []);
}));

test("the dashboard can be worked with the keyboard alone", () => withDashboard(async ({ emulator, page, errors }) => {
  const backup = await createBackup(emulator, "keyboard-only");
  const complete = page.getByRole("button", { name: "Complete backup keyboard-only" });
  await complete.waitFor({ timeout: STEP });
  // Tab from the top of the page until the button has the focus.
  await page.locator("body").focus();
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await complete.evaluate((el) => el === document.activeElement);
  }
  assert.ok(reached, "Tab reaches the Complete button");
  // The failing dialog opens, takes the reason and closes, with keys only.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  const reason = page.getByRole("dialog", { name: "Fail backup" }).getByLabel("Reason");
  await reason.waitFor({ timeout: STEP });
  assert.ok(await reason.evaluate((el) => el === document.activeElement), "the reason field has the focus");
  await page.keyboard.press("Escape");
  await reason.waitFor({ state: "hidden", timeout: STEP });
  assert.equal(await statusOf(page, backup.id).getAttribute("data-status"), "BUILDING", "Escape fails nothing");
  await complete.focus();
  await page.keyboard.press("Enter");
  await showsStatus(page, backup.id, "COMPLETED");
  assert.deepEqual(errors, []);
}));

test("the clock advances and a project resets from the page", () => withDashboard(async ({ emulator, page, errors }) => {
  assert.equal(await page.locator("#now").innerText(), "2026-11-26T09:00:00+0000");
  const backup = await createBackup(emulator, "advanced");
  await row(page, backup.id).waitFor({ timeout: STEP });
  await page.getByLabel("Advance by").fill("2h");
  await page.getByRole("button", { name: "Advance clock" }).click();
  await page.locator("#now", { hasText: "2026-11-26T11:00:00+0000" }).waitFor({ timeout: STEP });
  // With the manual lifecycle a backup finishes when the clock passes its end.
  await showsStatus(page, backup.id, "COMPLETED");

  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Reset project" }).click();
  await row(page, backup.id).waitFor({ state: "detached", timeout: STEP });
  const state = await (await fetch(`${emulator.base}/_emulator/state?project_id=${emulator.project}`)).json();
  assert.equal(state.projects[0].backup_count, 0, "the reset went through the control API");

  // What the page cannot read it says so; what the emulator refuses shows its error body.
  await page.getByLabel("Advance by").fill("soon");
  await page.getByRole("button", { name: "Advance clock" }).click();
  await page.getByRole("status").filter({ hasText: "Write a number and a unit" }).waitFor({ timeout: STEP });
  await page.getByLabel("Advance by").fill("99999d");
  await page.getByRole("button", { name: "Advance clock" }).click();
  await page.getByRole("status").filter({ hasText: "answered 400 — DBS.200001: Parameter error. seconds must be a number" }).waitFor({ timeout: STEP });
  // The browser logs the refused request itself; nothing else went wrong.
  assert.deepEqual(errors.map((e) => e.message),
    ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
}));

test("the page goes on by itself after the emulator restarts", () => withDashboard(async ({ emulator, page, errors }) => {
  await emulator.stop();
  await page.locator("#connection.down").waitFor({ timeout: STEP });
  assert.match(await page.locator("#connection").innerText(), /reconnecting/);
  const again = await startEmulator(new URL(emulator.base).port);
  try {
    const backup = await createBackup(again, "after-restart");
    await row(page, backup.id).waitFor({ timeout: STEP });
    await page.locator("#connection.live").waitFor({ timeout: STEP });
  } finally {
    await again.stop();
  }
  // The browser logs its failed reconnects; anything else is a bug.
  assert.deepEqual(errors.filter((e) => !/ERR_CONNECTION_REFUSED|net::/.test(e.message)), []);
}));

test("with a control token, the dashboard opened once as ui?token= follows the state and acts", async () => {
  const emulator = await startEmulator(0, ["--control-token", "s3cret"]);
  const refused = await fetch(`${emulator.base}/_emulator/ui`);
  assert.equal(refused.status, 401);
  const { page, errors } = await openDashboard(emulator, "/_emulator/ui?token=s3cret");
  try {
    assert.equal(new URL(page.url()).search, "", "the token left the address bar");
    const backup = await createBackup(emulator, "behind-a-token");
    await row(page, backup.id).waitFor({ timeout: STEP });
    await page.getByRole("button", { name: "Complete backup behind-a-token" }).click();
    await showsStatus(page, backup.id, "COMPLETED");
    assert.deepEqual(errors, [], "no script was blocked and nothing failed");
  } finally {
    await page.close();
    await emulator.stop();
  }
});
