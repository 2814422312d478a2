// The end-to-end harness: a real carechat server on a temporary database, tokens minted with the
// real CLI, the REST API through fetch, and Debian's chromium driven by playwright-core.
// Tests select elements only by data-testid and ARIA roles (web/CONTRACT.md), never by classes.
// One harness per test file; test files run one at a time (node --test --test-concurrency=1).
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromium } from "playwright-core";

const run = promisify(execFile);

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const binary = resolve(repoRoot, process.env.CARECHAT_BIN ?? "build/carechat");
export const webRoot = resolve(repoRoot, process.env.CARECHAT_E2E_WEB_ROOT ?? "web/dist");
export const chromiumPath = process.env.CARECHAT_E2E_CHROMIUM ?? "/usr/bin/chromium";
// Failure screenshots and logs; never inside the tracked tree (build-*/ is ignored).
export const artifactsDir = resolve(repoRoot, process.env.CARECHAT_E2E_ARTIFACTS ?? "build-e2e");

export const TENANT = "gh";
export const INSTANCE = "sb-demo";
export const STAFF = { id: "u-1", name: "Root Root" };
export const VIEWPORT = { width: 420, height: 800 };

const LAUNCH_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Fails the test file early, with the command that fixes it, when a prerequisite is missing. */
export function checkPrerequisites() {
  const missing = [];
  if (!existsSync(binary)) missing.push(`${binary} (make build)`);
  if (!existsSync(join(webRoot, "index.html"))) missing.push(`${webRoot}/index.html (make web)`);
  if (!existsSync(chromiumPath)) missing.push(`${chromiumPath} (apt-get install chromium)`);
  if (missing.length) throw new Error(`e2e prerequisites missing: ${missing.join(", ")}`);
}

// ---------------------------------------------------------------------------------------------
// The server process

/** A carechat server on its own temporary database; stop() and start() again keep the DB and port. */
export class Server {
  constructor({ env = {} } = {}) {
    this.env = env;
    this.dir = null;
    this.db = null;
    this.port = 0;
    this.proc = null;
    this.logs = [];
  }

  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  async init() {
    this.dir = await mkdtemp(join(tmpdir(), "carechat-e2e-"));
    this.db = join(this.dir, "carechat.db");
    return this;
  }

  /** Starts `carechat serve`; the first time on port 0 (a free port), later on the same port. */
  async start() {
    if (!this.dir) await this.init();
    if (this.proc) throw new Error("server already running");
    const proc = spawn(
      binary,
      ["serve", "--db", this.db, "--listen", `127.0.0.1:${this.port}`, "--web-root", webRoot],
      { env: { ...process.env, CARECHAT_IO_THREADS: "2", ...this.env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.proc = proc;
    proc.exitPromise = new Promise((res) => proc.once("exit", (code, signal) => res({ code, signal })));
    createInterface({ input: proc.stderr }).on("line", (l) => this.logs.push(l));
    const lines = createInterface({ input: proc.stdout });
    const first = await Promise.race([
      new Promise((res) => lines.once("line", res)),
      proc.exitPromise.then(({ code }) => {
        throw new Error(`carechat serve exited (${code}) before listening:\n${this.logs.join("\n")}`);
      }),
      idle(10_000).then(() => {
        throw new Error("carechat serve did not print its address within 10 s");
      }),
    ]);
    lines.on("line", (l) => this.logs.push(l));
    const m = /carechat listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(first);
    if (!m) throw new Error(`unexpected first line from carechat serve: ${first}`);
    this.port = Number(m[1]);
    return this;
  }

  /** SIGTERM, then waits for a graceful exit (the server's grace period is 10 s). */
  async stop() {
    const proc = this.proc;
    if (!proc) return;
    this.proc = null;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    const done = await Promise.race([proc.exitPromise, idle(15_000).then(() => null)]);
    if (!done) {
      proc.kill("SIGKILL");
      await proc.exitPromise;
      throw new Error("carechat serve did not stop within 15 s of SIGTERM");
    }
  }

  async dispose() {
    await this.stop().catch(() => {});
    if (this.dir && !process.env.CARECHAT_E2E_KEEP) await rm(this.dir, { recursive: true, force: true });
  }

  /** Mints a token with the real CLI (`carechat token create`), which works while the server runs. */
  async token({ role, patient, user, name }) {
    const args = ["token", "create", "--db", this.db, "--tenant", TENANT, "--instance", INSTANCE, "--role", role];
    if (patient) args.push("--patient", patient);
    if (user) args.push("--user", user, "--name", name);
    const { stdout } = await run(binary, args);
    const token = stdout.trim();
    if (!token) throw new Error(`token create printed nothing for ${role}`);
    return token;
  }
}

// ---------------------------------------------------------------------------------------------
// The REST API, as the patient's apps or an integration would call it

export class ApiError extends Error {
  constructor(method, url, status, body) {
    super(`${method} ${url} -> ${status} ${body}`);
    this.status = status;
    this.body = body;
  }
}

/** The API of one patient's chat for one bearer token. */
export class ChatApi {
  constructor(server, patientId, token) {
    this.server = server;
    this.patientId = patientId;
    this.token = token;
  }

  get base() {
    return `${this.server.origin}/${TENANT}/${INSTANCE}/patient/${this.patientId}/chat`;
  }

  async call(method, path, { body, query, headers = {} } = {}) {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, String(v));
    const init = { method, headers: { Authorization: `Bearer ${this.token}`, ...headers } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
    const res = await fetch(url, init);
    const text = await res.text();
    if (!res.ok) throw new ApiError(method, url.pathname, res.status, text);
    return text ? JSON.parse(text) : null;
  }

  /** The patient (or a client) writes to the care team; attachmentIds from upload(). */
  inbound(message, { attachmentIds } = {}) {
    const body = attachmentIds ? { message, attachmentIds } : { message };
    return this.call("POST", "/inbound", { body, headers: { "Idempotency-Key": randomUUID() } });
  }

  /** A staff user writes to the patient (a client token must name the sender). */
  outbound(message, sender, { attachmentIds } = {}) {
    const body = { message, ...(sender ? { sender } : {}), ...(attachmentIds ? { attachmentIds } : {}) };
    return this.call("POST", "/outbound", { body, headers: { "Idempotency-Key": randomUUID() } });
  }

  /**
   * POST .../attachments with the raw file as the body, as the app sends it: the attachment
   * ({id, name, contentType, size, sha256, thumbnail}), or an ApiError (415, 413, 422).
   */
  async upload(name, contentType, bytes) {
    const url = `${this.base}/attachments`;
    const res = await fetch(url, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${this.token}`,
        "Content-Type": contentType,
        "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
      },
      body: bytes,
    });
    const text = await res.text();
    if (res.status !== 201) throw new ApiError("POST", new URL(url).pathname, res.status, text);
    return JSON.parse(text);
  }

  /** GET .../attachments/{id} (or its /thumbnail): the bytes and the response headers. */
  async download(id, { thumbnail = false } = {}) {
    const res = await fetch(`${this.base}/attachments/${id}${thumbnail ? "/thumbnail" : ""}`, { headers: { Authorization: `Bearer ${this.token}` } });
    const bytes = Buffer.from(await res.arrayBuffer());
    if (!res.ok) throw new ApiError("GET", `attachments/${id}`, res.status, bytes.toString());
    return { bytes, headers: res.headers };
  }

  page(query = {}) {
    return this.call("GET", "", { query });
  }

  /** Every message, oldest first, walking all pages. */
  async all({ includeArchived = false } = {}) {
    const out = [];
    let page = await this.page({ pageSize: 200, ...(includeArchived ? { includeArchived: true } : {}) });
    for (;;) {
      out.push(...page.content);
      const next = page.meta?.nextPageToken;
      if (!next) break;
      page = await this.page({ pageToken: next });
    }
    return out.reverse();
  }

  markRead(upTo) {
    return this.call("POST", "/read", upTo ? { body: { upTo } } : {});
  }
}

/** A fresh chat: a new patient id, its patient token, and API handles for patient and staff. */
export async function newChat(server, staffToken) {
  const patientId = randomUUID();
  const patientToken = await server.token({ role: "patient", patient: patientId });
  return {
    patientId,
    patientToken,
    staffToken,
    patient: new ChatApi(server, patientId, patientToken),
    staff: new ChatApi(server, patientId, staffToken),
    staffPath: `/app/${TENANT}/${INSTANCE}/patient/${patientId}`,
    portalPath: `/portal/${TENANT}/${INSTANCE}/patient/${patientId}`,
  };
}

// ---------------------------------------------------------------------------------------------
// The browser

export async function launchBrowser() {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: LAUNCH_ARGS });
}

/**
 * One test file's world: a server, tokens for a staff user and an API client, and a browser.
 * Call setup() in before() and teardown() in after().
 */
export class World {
  constructor({ serverEnv } = {}) {
    this.server = new Server({ env: serverEnv });
    this.browser = null;
  }

  async setup() {
    checkPrerequisites();
    await this.server.init();
    await this.server.start();
    this.staffToken = await this.server.token({ role: "user", user: STAFF.id, name: STAFF.name });
    this.clientToken = await this.server.token({ role: "client" });
    this.browser = await launchBrowser();
    return this;
  }

  async teardown() {
    await this.browser?.close().catch(() => {});
    await this.server.dispose();
  }

  newChat() {
    return newChat(this.server, this.staffToken);
  }

  async newPage(options = {}) {
    const context = await this.browser.newContext({
      viewport: VIEWPORT,
      locale: "en-US",
      timezoneId: "UTC",
      reducedMotion: "reduce",
      ...options,
    });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const log = [];
    page.on("console", (m) => log.push(`console.${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => log.push(`pageerror: ${e.stack ?? e.message}`));
    page.on("requestfailed", (r) => log.push(`requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
    page.e2eLog = log;
    return page;
  }

  /** Opens a page at path with the token in the fragment, as the EHR (or `make run`) links to it. */
  async open(page, path, token, { waitLive = true } = {}) {
    const response = await page.goto(`${this.server.origin}${path}#token=${token}`);
    await page.getByTestId("app").waitFor();
    if (waitLive) await expectAttr(page.getByTestId("connection-status"), "data-state", "live");
    return response;
  }

  /**
   * A test with a fresh browser context; on failure a screenshot, the page's console and the
   * server's log go to build-e2e/.
   */
  test(name, fn, { timeout = 90_000 } = {}) {
    return test(name, { timeout }, async (t) => {
      const pages = [];
      const newPage = async (opts) => {
        const p = await this.newPage(opts);
        pages.push(p);
        return p;
      };
      try {
        await fn({ t, newPage, world: this });
      } catch (err) {
        await this.saveFailure(name, pages).catch((e) => t.diagnostic(`could not save artifacts: ${e}`));
        throw err;
      } finally {
        for (const p of pages) await p.context().close().catch(() => {});
      }
    });
  }

  async saveFailure(name, pages) {
    await mkdir(artifactsDir, { recursive: true });
    const slug = name.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase();
    const notes = [];
    for (const [i, p] of pages.entries()) {
      if (p.isClosed()) continue;
      const file = join(artifactsDir, `${slug}${pages.length > 1 ? `-${i + 1}` : ""}.png`);
      await p.screenshot({ path: file, fullPage: false }).catch(() => {});
      notes.push(`--- page ${i + 1}: ${p.url()} (${file})`, ...p.e2eLog);
    }
    notes.push("--- server log", ...this.server.logs.slice(-200));
    await writeFile(join(artifactsDir, `${slug}.log`), notes.join("\n") + "\n");
    console.error(`e2e: artifacts of "${name}" in ${artifactsDir}/${slug}.{png,log}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Waiting and asserting (playwright-core has no `expect`)

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** A sleep that does not keep the process alive (for timeouts raced against other promises). */
const idle = (ms) => new Promise((r) => setTimeout(r, ms).unref());

/** Retries an assertion until it passes or the time is up; then throws its last error. */
export async function eventually(check, { timeout = 5_000, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
    }
    await sleep(interval);
  }
}

/** Waits until a locator's attribute has the value (null: absent). */
export async function expectAttr(locator, name, value, opts) {
  await eventually(async () => assert.equal(await locator.getAttribute(name, { timeout: 200 }), value, `${locator} [${name}]`), opts);
}

/** Waits until a locator matches exactly n elements. */
export async function expectCount(locator, n, opts) {
  await eventually(async () => assert.equal(await locator.count(), n, `count of ${locator}`), opts);
}

// ---------------------------------------------------------------------------------------------
// Reading the timeline through the contract

/** The bubbles in DOM (= timeline) order: id, direction, status, text, sender, visibility. */
export async function readTimeline(page) {
  return page.getByTestId("timeline").evaluate((tl) =>
    [...tl.querySelectorAll('[data-testid="message"]')].map((m) => {
      const r = m.getBoundingClientRect();
      return {
        externalId: m.getAttribute("data-external-id"),
        direction: m.getAttribute("data-direction"),
        status: m.getAttribute("data-status"),
        read: m.getAttribute("data-read"),
        highlighted: m.getAttribute("data-highlighted"),
        text: m.querySelector('[data-testid="message-text"]')?.textContent ?? null,
        sender: m.querySelector('[data-testid="message-sender"]')?.textContent ?? null,
        visible: r.width > 0 && r.height > 0 && getComputedStyle(m).visibility !== "hidden",
        y: r.y,
      };
    }),
  );
}

/** The element that scrolls the timeline (the timeline itself or its nearest scrolling ancestor). */
export async function scrollerHandle(page) {
  return page.getByTestId("timeline").evaluateHandle((tl) => {
    for (let el = tl; el; el = el.parentElement) {
      const oy = getComputedStyle(el).overflowY;
      if ((oy === "auto" || oy === "scroll") && el.scrollHeight > el.clientHeight) return el;
    }
    return document.scrollingElement;
  });
}

/** Whether an element is inside the window and inside its scroller's visible box. */
export async function isOnScreen(locator) {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    let top = 0, bottom = window.innerHeight;
    for (let p = el.parentElement; p; p = p.parentElement) {
      const oy = getComputedStyle(p).overflowY;
      if (oy === "auto" || oy === "scroll" || oy === "hidden") {
        const pr = p.getBoundingClientRect();
        top = Math.max(top, pr.top);
        bottom = Math.min(bottom, pr.bottom);
      }
    }
    return r.bottom > top + 1 && r.top < bottom - 1;
  });
}

/**
 * Holds matching requests until release() is called, so a test can look at the page while a
 * request is in flight (e.g. the scroll position before an older page arrives).
 */
export async function gateRequests(page, matches) {
  let open = false;
  const held = [];
  const seen = [];
  await page.route(
    (url) => matches(url),
    async (route) => {
      seen.push(route.request().url());
      if (open) return route.continue();
      await new Promise((r) => held.push(r));
      return route.continue();
    },
  );
  return {
    seen,
    get pending() {
      return held.length;
    },
    release() {
      open = true;
      for (const r of held.splice(0)) r();
    },
    /** Lets the requests held so far through, but keeps holding later ones. */
    releaseHeld() {
      for (const r of held.splice(0)) r();
    },
  };
}

/** Numbers the messages of a seeded run: "Message 07 ..." -> 7. */
export function seqOf(text) {
  const m = /Message (\d+)/.exec(text ?? "");
  return m ? Number(m[1]) : NaN;
}
