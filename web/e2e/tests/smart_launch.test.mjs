// SMART App Launch (issue #15) against a mock EHR (mock_ehr.mjs, Node + jose, on 127.0.0.1): the
// EHR's chart page launches carechat in an iframe for patient A; the staff member reads and sends
// without any carechat token reaching the EHR page, the URL or storage; the patient's standalone
// launch opens the portal; an unknown iss, a replayed state, a wrong PKCE verifier and a bad
// id_token are refused; an unused session ends and the pane says so.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before } from "node:test";
import { INSTANCE, TENANT, World, binary, eventually, expectAttr, expectCount } from "../harness.mjs";
import { MockEhr } from "../mock_ehr.mjs";

const IDLE_S = 12;

async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

const ehr = new MockEhr({ clientId: "carechat-test" });
const env = {};
const world = new World({ serverEnv: env });
let issuersDir = null;

before(async () => {
  await ehr.start();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  ehr.carechatOrigin = origin;
  issuersDir = await mkdtemp(join(tmpdir(), "carechat-smart-"));
  const issuers = join(issuersDir, "smart-issuers.json");
  await writeFile(issuers, JSON.stringify({
    issuers: [{ iss: ehr.iss, tenant: TENANT, instance: INSTANCE, client_id: "carechat-test", auth: "private_key_jwt" }],
  }));
  Object.assign(env, {
    CARECHAT_PUBLIC_URL: origin,
    CARECHAT_FRAME_ANCESTORS: ehr.origin,
    CARECHAT_SMART_SESSION_IDLE_S: String(IDLE_S),
    CARECHAT_SMART_ISSUERS_FILE: issuers,
  });
  world.server.port = port;
  await world.setup();
});
after(async () => {
  await world.teardown();
  await ehr.stop();
  if (issuersDir) await rm(issuersDir, { recursive: true, force: true });
});

/** A fresh patient with a message from them, and an EHR launch of Dr Ada on their chart. */
async function patientWithLaunch(text = "Is my appointment still on Friday?") {
  const chat = await world.newChat();
  await chat.patient.inbound(text);
  const launch = ehr.newLaunch({ patient: chat.patientId, fhirUser: `${ehr.iss}/Practitioner/dr-ada`, name: "Ada Lovelace" });
  return { chat, launch };
}

/** What a plain HTTP client gets from carechat, redirects not followed. */
async function raw(path) {
  return fetch(`${world.server.origin}${path}`, { redirect: "manual" });
}

/** Follows an EHR launch by hand up to carechat's callback URL (the code and state in it). */
async function callbackUrlFor(launch) {
  const start = await raw(`/smart/launch?iss=${encodeURIComponent(ehr.iss)}&launch=${encodeURIComponent(launch)}`);
  assert.equal(start.status, 302);
  const authorize = new URL(start.headers.get("location"));
  assert.equal(authorize.origin, ehr.origin);
  const back = await fetch(authorize, { redirect: "manual" });
  assert.equal(back.status, 302, await back.text());
  return new URL(back.headers.get("location"));
}

world.test("the EHR chart launches carechat for patient A: the staff member reads and sends; no carechat token is visible", async ({ newPage }) => {
  const { chat, launch } = await patientWithLaunch();
  const page = await newPage();
  const seen = [];
  page.on("request", (r) => seen.push(r.url()));
  await page.goto(ehr.chartUrl(launch));
  await page.getByTestId("ehr-banner").waitFor();
  const pane = page.frameLocator('[data-testid="carechat-pane"]');
  await expectAttr(pane.getByTestId("app"), "data-mode", "staff");
  await expectAttr(pane.getByTestId("connection-status"), "data-state", "live");
  await expectCount(pane.getByTestId("message"), 1);
  assert.match(await pane.getByTestId("message-text").first().textContent(), /appointment still on Friday/);

  await pane.getByTestId("composer-input").fill("Yes, Friday at 10:00.");
  await pane.getByTestId("composer-input").press("Enter");
  await eventually(async () => {
    const all = await chat.staff.all();
    assert.equal(all.length, 2);
    assert.equal(all[1].message, "Yes, Friday at 10:00.");
    assert.equal(all[1].sender.clientType, "USER");
    assert.equal(all[1].sender.id, "dr-ada", "sent as the practitioner the EHR named");
    assert.equal(all[1].sender.titleName, "Ada Lovelace");
  });

  // The session never shows: not in the frame's URL, not in storage, not in a cookie, and the
  // EHR's page (the parent) never had it.
  const frame = page.frames().find((f) => f.url().includes("/app/"));
  assert.ok(frame, "the pane is at /app/...");
  assert.doesNotMatch(frame.url(), /smart=|token=|cc_/);
  const stored = await frame.evaluate(() => JSON.stringify({ s: { ...sessionStorage }, l: { ...localStorage }, c: document.cookie }));
  assert.doesNotMatch(stored, /cc_/, "nothing of the session in storage or cookies");
  assert.doesNotMatch(await page.content(), /cc_/);
  for (const u of seen) assert.doesNotMatch(new URL(u).search, /cc_|smart=/, `no session in a query string: ${u}`);
  // carechat exchanged the code as a confidential client with its own key.
  const exchange = ehr.tokenRequests.at(-1);
  assert.equal(exchange.client_assertion_type, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  assert.match(exchange.code_verifier, /^[A-Za-z0-9_-]{43,128}$/);
});

world.test("the session is bound to patient A: another patient's chat is 403 and audited", async () => {
  const { launch } = await patientWithLaunch();
  const other = await world.newChat();
  const cb = await callbackUrlFor(launch);
  const done = await raw(cb.pathname + cb.search);
  assert.equal(done.status, 303);
  const to = done.headers.get("location");
  const token = /#smart=([^&]+)/.exec(to)[1];
  const own = await fetch(`${world.server.origin}${to.split("#")[0].replace("/app/", "/")}/chat`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(own.status, 200);
  const forged = await fetch(`${world.server.origin}/${TENANT}/${INSTANCE}/patient/${other.patientId}/chat`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal(forged.status, 403);
  assert.equal((await forged.json()).error.code, "forbidden");
  const inbox = await fetch(`${world.server.origin}/${TENANT}/${INSTANCE}/chat/unread`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(inbox.status, 403, "no instance-wide inbox for a chart session");
  await eventually(() => {
    const audit = execFileSync(binary, ["audit", "--db", world.server.db, "--patient", other.patientId], { encoding: "utf8" });
    assert.match(audit, /forbidden/, "the refused read left an audit row");
  });
  // Renewal keeps the binding; ending the session ends it.
  const renewed = await fetch(`${world.server.origin}/smart/session/renew`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
  assert.equal(renewed.status, 200);
  const r = await renewed.json();
  assert.ok(r.expiresIn > 0 && r.expiresIn <= IDLE_S && r.endsIn > 0);
  const forgedAgain = await fetch(`${world.server.origin}/${TENANT}/${INSTANCE}/patient/${other.patientId}/chat`, { headers: { Authorization: `Bearer ${r.token}` } });
  assert.equal(forgedAgain.status, 403);
  const end = await fetch(`${world.server.origin}/smart/session/end`, { method: "POST", headers: { Authorization: `Bearer ${r.token}` } });
  assert.equal(end.status, 204);
  await eventually(async () => {
    const gone = await fetch(`${world.server.origin}/smart/session/renew`, { method: "POST", headers: { Authorization: `Bearer ${r.token}` } });
    assert.equal(gone.status, 401);
  });
});

world.test("refused: an unknown iss (400, no redirect), a replayed state, a wrong PKCE verifier, bad id_tokens", async () => {
  const unknown = await raw(`/smart/launch?iss=${encodeURIComponent("http://127.0.0.1:1/evil/fhir")}&launch=x`);
  assert.equal(unknown.status, 400);
  assert.equal(unknown.headers.get("location"), null);
  assert.equal((await unknown.json()).error.code, "bad_request");
  assert.equal((await raw("/smart/launch")).status, 400);

  // A replayed state: the first callback works, the same one again is refused.
  const first = await patientWithLaunch();
  const cb = await callbackUrlFor(first.launch);
  assert.equal((await raw(cb.pathname + cb.search)).status, 303);
  const replay = await raw(cb.pathname + cb.search);
  assert.equal(replay.status, 400);
  assert.equal(replay.headers.get("location"), null);
  const forged = await raw(`/smart/callback?code=x&state=${"A".repeat(43)}`);
  assert.equal(forged.status, 400);

  // A wrong PKCE verifier: the EHR refuses the code, carechat refuses the launch.
  ehr.tamperChallenge = true;
  try {
    const { launch } = await patientWithLaunch();
    const bad = await callbackUrlFor(launch);
    const res = await raw(bad.pathname + bad.search);
    assert.equal(res.status, 401);
    assert.match((await res.json()).error.message, /refused the authorization code/);
  } finally {
    ehr.tamperChallenge = false;
  }

  for (const fault of ["expired", "wrong-key", "wrong-aud", "alg-none", "hs256"]) {
    ehr.idTokenFault = fault;
    try {
      const { launch } = await patientWithLaunch();
      const bad = await callbackUrlFor(launch);
      const res = await raw(bad.pathname + bad.search);
      assert.equal(res.status, 401, `id_token fault ${fault}`);
      assert.equal(res.headers.get("location"), null);
      assert.match((await res.json()).error.message, /id_token refused/, fault);
    } finally {
      ehr.idTokenFault = null;
    }
  }
});

world.test("a rotated EHR key is fetched once and accepted", async () => {
  await ehr.rotate("ES256");
  const { launch } = await patientWithLaunch();
  const cb = await callbackUrlFor(launch);
  assert.equal((await raw(cb.pathname + cb.search)).status, 303);
});

world.test("the patient's standalone launch opens the portal", async ({ newPage }) => {
  const chat = await world.newChat();
  await chat.staff.outbound("Your results are in.");
  ehr.portalPatient = chat.patientId;
  try {
    const page = await newPage();
    await page.goto(`${world.server.origin}/smart/launch?iss=${encodeURIComponent(ehr.iss)}`);
    await expectAttr(page.getByTestId("app"), "data-mode", "patient");
    assert.equal(new URL(page.url()).pathname, `/portal/${TENANT}/${INSTANCE}/patient/${chat.patientId}`);
    assert.equal(new URL(page.url()).hash, "");
    await expectCount(page.getByTestId("message"), 1);
    await page.getByTestId("composer-input").fill("Thank you!");
    await page.getByTestId("composer-input").press("Enter");
    await eventually(async () => assert.equal((await chat.patient.all()).length, 2));
  } finally {
    ehr.portalPatient = null;
  }
});

world.test("an unused session ends and the pane says so", async ({ newPage }) => {
  const { launch } = await patientWithLaunch();
  const page = await newPage();
  await page.goto(ehr.chartUrl(launch));
  const pane = page.frameLocator('[data-testid="carechat-pane"]');
  await expectAttr(pane.getByTestId("connection-status"), "data-state", "live");
  const banner = pane.getByTestId("error-banner");
  await eventually(async () => assert.match(await banner.textContent({ timeout: 200 }), /Session ended — reopen carechat from the chart\./), {
    timeout: (IDLE_S + 5) * 1000,
    interval: 250,
  });
  assert.equal(await pane.getByTestId("composer-input").isDisabled(), true);
}, { timeout: 60_000 });
