// What carechat serves with the app: CSP with frame-ancestors, nosniff, content types, cache
// headers; and the pane loads in an iframe of an allowed origin and nowhere else.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before } from "node:test";
import { World, eventually, expectAttr } from "../harness.mjs";

/** A stand-in EHR page that embeds whatever ?src= names. Reached as 127.0.0.1 (allowed) and localhost (not). */
const ehr = createServer((req, res) => {
  const src = new URL(req.url, "http://x").searchParams.get("src") ?? "";
  const attr = src.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
  res.end(`<!doctype html><title>EHR</title><h1>Chart</h1><iframe title="chat" src="${attr}" width="420" height="700"></iframe>`);
});
let ehrPort = 0;

const world = new World();
before(async () => {
  await new Promise((r) => ehr.listen(0, "127.0.0.1", r));
  ehrPort = ehr.address().port;
  world.server.env = { CARECHAT_FRAME_ANCESTORS: `http://127.0.0.1:${ehrPort}` };
  await world.setup();
});
after(async () => {
  await world.teardown();
  await new Promise((r) => ehr.close(r));
});

world.test("the app is served with CSP frame-ancestors, nosniff, and the right content types", async ({ newPage }) => {
  const chat = await world.newChat();
  const res = await fetch(`${world.server.origin}${chat.staffPath}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/html\b/i);
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, /frame-ancestors [^;]*http:\/\/127\.0\.0\.1:\d+/, `CSP frame-ancestors lists the allowed origin: ${csp}`);
  assert.match(csp, /default-src 'self'|script-src 'self'/, `CSP limits scripts to the app's own: ${csp}`);
  assert.doesNotMatch(csp, /script-src[^;]*'unsafe-inline'/, "no inline scripts allowed");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.ok(res.headers.get("cache-control"), "the page says how to cache it");
  const html = await res.text();
  assert.match(html, /<html/i);
  assert.doesNotMatch(html, /https?:\/\/(?!127\.0\.0\.1)/, "no CDN or remote resources in the page");

  // Every script and stylesheet the page names.
  const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  assert.ok(assets.some((a) => a.endsWith(".js")) && assets.some((a) => a.endsWith(".css")), `assets: ${assets}`);
  for (const a of assets) {
    const r = await fetch(world.server.origin + a);
    assert.equal(r.status, 200, a);
    const type = r.headers.get("content-type") ?? "";
    if (a.endsWith(".js")) assert.match(type, /^(text|application)\/javascript\b/i, `${a}: ${type}`);
    else assert.match(type, /^text\/css\b/i, `${a}: ${type}`);
    assert.equal(r.headers.get("x-content-type-options"), "nosniff", a);
    assert.ok(r.headers.get("cache-control") || r.headers.get("etag"), `${a} has cache headers`);
    const body = await r.text();
    assert.doesNotMatch(body, /fonts\.googleapis|cdn\.|unpkg\.com|jsdelivr/i, `${a} loads nothing remote`);
  }

  // In the browser: the same headers on the navigation, and no CSP violation while the app runs.
  const page = await newPage();
  const violations = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  const response = await world.open(page, chat.staffPath, chat.staffToken);
  const headers = await response.allHeaders();
  assert.match(headers["content-security-policy"] ?? "", /frame-ancestors/);
  assert.equal(headers["x-content-type-options"], "nosniff");
  await page.getByTestId("composer-input").fill("hello");
  await page.keyboard.press("Enter");
  await expectAttr(page.getByTestId("message"), "data-status", "sent");
  assert.deepEqual(violations, [], "no CSP violations");
});

world.test("the chart pane works in an iframe of an allowed origin, and is refused in any other", async ({ newPage }) => {
  const chat = await world.newChat();
  await chat.patient.inbound("Hello from inside the EHR");
  const paneUrl = `${world.server.origin}${chat.staffPath}#token=${chat.staffToken}`;

  const allowed = await newPage();
  await allowed.goto(`http://127.0.0.1:${ehrPort}/ehr?src=${encodeURIComponent(paneUrl)}`);
  const frame = allowed.frameLocator('iframe[title="chat"]');
  await frame.getByTestId("app").waitFor();
  await expectAttr(frame.getByTestId("connection-status"), "data-state", "live");
  await eventually(async () => assert.equal(await frame.getByTestId("message-text").textContent(), "Hello from inside the EHR"));

  const refused = await newPage();
  const messages = [];
  refused.on("console", (m) => messages.push(m.text()));
  await refused.goto(`http://localhost:${ehrPort}/ehr?src=${encodeURIComponent(paneUrl)}`);
  await eventually(async () => assert.ok(messages.some((m) => /frame-ancestors/.test(m)), `a frame-ancestors refusal: ${messages}`), { timeout: 5_000 });
  const child = refused.frames().find((f) => f !== refused.mainFrame());
  assert.ok(child, "the iframe exists");
  assert.equal(await child.locator('[data-testid="app"]').count(), 0, "the pane did not load in a foreign page");
});
