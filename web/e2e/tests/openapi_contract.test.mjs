// The API contract (issue #16): the OpenAPI document the server itself serves at /openapi.yaml is
// valid OpenAPI 3.0 (swagger-parser checks it against the specification's schema and resolves
// every $ref), and a walk through every operation it describes, with successes and refusals,
// gets only statuses the document lists for that operation, with JSON bodies that match the
// schema it gives for that status (Ajv). An operation the walk never reaches fails the test, so a
// route added to the document needs a call here.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import SwaggerParser from "@apidevtools/swagger-parser";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import yaml from "js-yaml";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { INSTANCE, Server, TENANT, binary } from "../harness.mjs";
import { pdfBytes } from "../files.mjs";

// Webhook URLs on this machine only (no network here): a closed port on 127.0.0.1.
const server = new Server({ env: { CARECHAT_WEBHOOK_ALLOW_PRIVATE: "1" } });
let api; // the dereferenced document
const checked = new Map(); // "METHOD /template" -> statuses seen
const ajv = new Ajv({ strict: false, allErrors: true }); // OpenAPI 3.0 adds keywords (example, nullable is Ajv's own)
addFormats(ajv);
const validators = new Map();

before(async () => {
  // SMART on, with an EHR on a closed port (no network here): the routes answer, the EHR does not.
  await server.init();
  const issuers = join(server.dir, "smart-issuers.json");
  await writeFile(issuers, JSON.stringify({ issuers: [{ iss: "http://127.0.0.1:9/fhir", tenant: TENANT, instance: INSTANCE, client_id: "carechat" }] }));
  server.env.CARECHAT_SMART_ISSUERS_FILE = issuers;
  await server.start();
  const res = await fetch(`${server.origin}/openapi.yaml`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/yaml");
  const text = await res.text();
  assert.match(text, /^openapi: 3\.0\./);
  // validate() throws on anything the specification does not allow, and returns the document
  // with every $ref resolved.
  api = await SwaggerParser.validate(yaml.load(text));
});
after(() => server.dispose());

/**
 * The operation of the document that a request's method and path fall under. A method the path
 * does not have falls under the path's first operation, whose 405 must then be listed.
 */
function operationOf(method, pathname) {
  for (const [template, item] of Object.entries(api.paths)) {
    // "." and "$" (the FHIR operation paths' $export) are literal in a template.
    const pattern = new RegExp("^" + template.replace(/[.$]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+") + "$");
    if (!pattern.test(pathname)) continue;
    if (item[method.toLowerCase()]) return { template, op: item[method.toLowerCase()] };
    const first = ["get", "put", "post", "delete", "patch"].find((m) => item[m]);
    return { template, op: { responses: { 405: item[first].responses["405"] } }, other: true };
  }
  return null;
}

function validatorFor(key, schema) {
  if (!validators.has(key)) validators.set(key, ajv.compile(schema));
  return validators.get(key);
}

/**
 * One request, checked against the document: the status is one the operation lists (or its
 * default), and a JSON body matches that response's schema. Returns {status, headers, body, json}.
 */
async function call(method, path, { token, body, json, headers = {} } = {}) {
  const url = new URL(server.origin + path);
  const init = { method, headers: { ...headers } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  const res = await fetch(url, init);
  const text = Buffer.from(await res.arrayBuffer());
  const found = operationOf(method, url.pathname);
  assert.ok(found, `${method} ${url.pathname} is in the document`);
  const key = `${method} ${found.template}`;
  const response = found.op.responses[String(res.status)] ?? found.op.responses.default;
  assert.ok(response, `${key} answered ${res.status}, which the document does not list: ${text.toString().slice(0, 300)}`);
  if (!found.other) {
    if (!checked.has(key)) checked.set(key, new Set());
    checked.get(key).add(res.status);
  }
  const type = (res.headers.get("content-type") ?? "").split(";")[0].trim();
  let parsed = null;
  if (type === "application/json") {
    parsed = JSON.parse(text.toString());
    const media = response.content?.["application/json"];
    assert.ok(media, `${key} ${res.status}: the document gives no JSON body, the server sent one`);
    const validate = validatorFor(`${key} ${res.status}`, media.schema);
    assert.ok(validate(parsed), `${key} ${res.status}: the body breaks the schema: ${ajv.errorsText(validate.errors)}\n${text}`);
  } else if (text.length > 0 && response.content) {
    assert.ok(response.content[type] || response.content["*/*"] || Object.keys(response.content).some((t) => t.endsWith("/*")),
      `${key} ${res.status}: content type ${type} is not documented (${Object.keys(response.content)})`);
  }
  return { status: res.status, headers: res.headers, body: text, json: parsed };
}

function expectStatus(res, status) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.body.toString().slice(0, 300)}`);
}

test("every operation answers as the document says", { timeout: 120_000 }, async () => {
  const patientId = randomUUID();
  const other = randomUUID();
  const patient = await server.token({ role: "patient", patient: patientId });
  const staff = await server.token({ role: "user", user: "u-1", name: "Root Root" });
  const client = await server.token({ role: "client" });
  const admin = await server.token({ role: "admin", user: "a-1", name: "Ada Admin" });
  const chat = `/${TENANT}/${INSTANCE}/patient/${patientId}/chat`;
  const inst = `/${TENANT}/${INSTANCE}`;
  const idem = () => ({ "Idempotency-Key": randomUUID() });

  expectStatus(await call("GET", "/healthz"), 200);
  expectStatus(await call("POST", "/healthz"), 405);
  expectStatus(await call("GET", "/readyz"), 200);
  expectStatus(await call("GET", "/openapi.yaml"), 200);

  // Sends, both ways, and their refusals.
  const sent = await call("POST", `${chat}/inbound`, { token: patient, json: { message: "Is my lab back?" }, headers: idem() });
  assert.equal(sent.status, 200);
  expectStatus(await call("POST", `${chat}/inbound`, { token: patient, json: { message: "" }, headers: idem() }), 400);
  expectStatus(await call("POST", `${chat}/inbound`, { json: { message: "hi" } }), 401);
  expectStatus(await call("POST", `/${TENANT}/${INSTANCE}/patient/${other}/chat/inbound`, { token: patient, json: { message: "x" }, headers: idem() }), 403);
  expectStatus(await call("POST", `${chat}/inbound`, { token: patient, body: "message=hi", headers: { "Content-Type": "text/plain", ...idem() } }), 415);
  expectStatus(await call("POST", `${chat}/outbound`, { token: staff, json: { message: "Yes, all normal." }, headers: idem() }), 200);
  expectStatus(await call("POST", `${chat}/outbound`, { token: client, json: { message: "no sender" }, headers: idem() }), 400);
  expectStatus(await call("POST", `${chat}/inbound`, { token: patient, json: { message: "x", attachmentIds: ["AT0123456789abcdef0123456789abcdef"] }, headers: idem() }), 422);

  // Pages, search, read state, the inbox.
  const page = await call("GET", `${chat}?pageSize=20`, { token: staff });
  assert.equal(page.status, 200);
  assert.equal(page.json.content.length, 2);
  expectStatus(await call("GET", `${chat}?pageSize=0`, { token: staff }), 400);
  expectStatus(await call("GET", `${chat}?pageToken=forged`, { token: staff }), 400);
  expectStatus(await call("GET", `${chat}/search?query=lab`, { token: staff }), 200);
  expectStatus(await call("GET", `${chat}/search`, { token: staff }), 400);
  expectStatus(await call("POST", `${chat}/read`, { token: staff }), 200);
  expectStatus(await call("GET", `${inst}/chat/unread`, { token: staff }), 200);
  expectStatus(await call("GET", `${inst}/chat/unread`, { token: patient }), 403);

  // Archive and restore (not for API clients).
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
  expectStatus(await call("POST", `${chat}/archive?archiveDate=${encodeURIComponent(tomorrow)}`, { token: staff }), 200);
  expectStatus(await call("POST", `${chat}/archive?archiveDate=not-a-date`, { token: staff }), 400);
  expectStatus(await call("POST", `${chat}/restore`, { token: client }), 403);
  expectStatus(await call("POST", `${chat}/restore`, { token: staff }), 200);

  // Attachments: upload, refusals, download and its ranges and revalidation.
  const pdf = pdfBytes("contract");
  const up = await call("POST", `${chat}/attachments`, {
    token: patient, body: pdf, headers: { "Content-Type": "application/pdf", "Content-Disposition": "attachment; filename=lab.pdf" },
  });
  assert.equal(up.status, 201);
  assert.equal((await call("POST", `${chat}/attachments`, {
    token: patient, body: "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    headers: { "Content-Type": "image/svg+xml", "Content-Disposition": "attachment; filename=x.svg" },
  })).status, 415);
  const file = `${chat}/attachments/${up.json.id}`;
  const whole = await call("GET", file, { token: patient });
  assert.equal(whole.status, 200);
  assert.deepEqual(whole.body, pdf);
  expectStatus(await call("GET", file, { token: patient, headers: { Range: "bytes=0-9" } }), 206);
  expectStatus(await call("GET", file, { token: patient, headers: { Range: "bytes=999999999-" } }), 416);
  expectStatus(await call("GET", file, { token: patient, headers: { "If-None-Match": whole.headers.get("etag") } }), 304);
  expectStatus(await call("GET", `${file}/thumbnail`, { token: patient }), 404);
  expectStatus(await call("GET", `${chat}/attachments/AT0123456789abcdef0123456789abcdef`, { token: patient }), 404);

  // The live endpoints answer a plain GET with a 400 (they are WebSockets).
  expectStatus(await call("GET", `${chat}/events`, { token: staff }), 400);
  expectStatus(await call("GET", `${inst}/chat/events`, { token: staff }), 400);

  // Webhook administration.
  expectStatus(await call("GET", `${inst}/webhook`, { token: admin }), 404);
  expectStatus(await call("GET", `${inst}/webhook`, { token: staff }), 403);
  expectStatus(await call("PUT", `${inst}/webhook`, { token: admin, json: { url: "not a url" } }), 400);
  expectStatus(await call("PUT", `${inst}/webhook`, {
    token: admin, json: { url: "https://127.0.0.1:9/carechat", apiKey: "k".repeat(20), apiSecret: "s".repeat(32), signingSecret: "whsec_" + "A".repeat(32) },
  }), 200);
  expectStatus(await call("GET", `${inst}/webhook`, { token: admin }), 200);
  expectStatus(await call("GET", `${inst}/webhook/deliveries?limit=5`, { token: admin }), 200);
  expectStatus(await call("POST", `${inst}/webhook/deliveries/evt_nope/redeliver`, { token: admin }), 404);
  expectStatus(await call("POST", `${inst}/webhook/disable`, { token: admin }), 200);

  // OAuth client credentials (a client made with the CLI, as an operator would).
  const { stdout } = await promisify(execFile)(binary, ["client", "create", "--db", server.db, "--tenant", TENANT, "--instance", INSTANCE, "--name", "contract"]);
  const [clientId, clientSecret] = stdout.trim().split("\n");
  const form = (fields) => new URLSearchParams(fields).toString();
  const formHeaders = { "Content-Type": "application/x-www-form-urlencoded" };
  const issued = await call("POST", "/oauth/token", { body: form({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }), headers: formHeaders });
  expectStatus(issued, 200);
  expectStatus(await call("GET", `${chat}?pageSize=5`, { token: issued.json.access_token }), 200);
  expectStatus(await call("POST", "/oauth/token", { body: form({ grant_type: "client_credentials", client_id: clientId, client_secret: "wrong" }), headers: formHeaders }), 401);
  expectStatus(await call("POST", "/oauth/token", { body: form({ grant_type: "password" }), headers: formHeaders }), 400);

  // FHIR Bulk Data export: kick-off, its refusals, the manifest, a file, DELETE.
  const group = `/fhir/R4/Group/${TENANT}.${INSTANCE}/$export`;
  const async = { Prefer: "respond-async", Accept: "application/fhir+json" };
  const kicked = await call("GET", `${group}?_type=Communication`, { token: staff, headers: async });
  expectStatus(kicked, 202);
  const status = new URL(kicked.headers.get("content-location")).pathname;
  expectStatus(await call("GET", group, { token: staff, headers: async }), 429);
  expectStatus(await call("GET", group, { token: staff }), 400);
  expectStatus(await call("GET", group, { headers: async }), 401);
  expectStatus(await call("GET", group, { token: patient, headers: async }), 403);
  expectStatus(await call("POST", group, { token: staff, headers: async }), 405);
  const manifest = await call("GET", status, { token: client });
  expectStatus(manifest, 200);
  const fileUrl = new URL(manifest.json.output[0].url).pathname;
  expectStatus(await call("GET", fileUrl, { token: staff }), 200);
  expectStatus(await call("GET", fileUrl.replace(/-1\.ndjson$/, "-9.ndjson"), { token: staff }), 404);
  expectStatus(await call("DELETE", status, { token: staff }), 202);
  expectStatus(await call("GET", status, { token: staff }), 404);
  expectStatus(await call("DELETE", status, { token: staff }), 404);
  // SMART App Launch: the routes that need no EHR, and the EHR that does not answer.
  expectStatus(await call("GET", "/smart/launch?iss=" + encodeURIComponent("http://127.0.0.1:1/evil")), 400);
  expectStatus(await call("GET", "/smart/launch?iss=" + encodeURIComponent("http://127.0.0.1:9/fhir") + "&launch=x"), 503);
  expectStatus(await call("POST", "/smart/launch?iss=x"), 405);
  expectStatus(await call("GET", "/smart/callback?state=unknown&code=x"), 400);
  expectStatus(await call("POST", "/smart/session/renew"), 401);
  expectStatus(await call("POST", "/smart/session/renew", { token: staff }), 403);
  expectStatus(await call("POST", "/smart/session/end", { token: staff }), 403);
  expectStatus(await call("GET", "/smart/session/end"), 405);
  const jwks = await call("GET", "/.well-known/jwks.json");
  expectStatus(jwks, 200);
  const keys = JSON.parse(jwks.body.toString());
  assert.equal(keys.keys[0].kty, "EC");
  assert.equal(keys.keys[0].d, undefined, "never the private part");

  // Every operation of the document was reached.
  const all = [];
  for (const [template, item] of Object.entries(api.paths))
    for (const method of ["get", "put", "post", "delete", "patch"]) if (item[method]) all.push(`${method.toUpperCase()} ${template}`);
  const missed = all.filter((k) => !checked.has(k));
  assert.deepEqual(missed, [], "operations the walk never called");
});
