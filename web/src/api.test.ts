import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError, ChatApi, type FetchLike } from "./api.js";
import { sendRequestFor } from "./outbox.js";
import { FakeXhr } from "./test_dom.js";

function fakeFetch(status: number, body: unknown) {
  const calls: { url: string; init: RequestInit }[] = [];
  const f: FetchLike = async (url, init) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  };
  return { f, calls };
}

const BASE = "/gh/sb-demo/patient/p1/chat";

test("GET pages: bearer token, query parameters, no body", async () => {
  const { f, calls } = fakeFetch(200, { meta: {}, content: [] });
  const api = new ChatApi(BASE, "cc_t", f);
  await api.getPage({ pageSize: 20, anchor: "firstUnread", includeArchived: true });
  await api.getPage({ pageToken: "abc-_", anchor: "firstUnread" });
  assert.equal(calls[0]!.url, BASE + "?pageSize=20&includeArchived=true&anchor=firstUnread");
  assert.equal(calls[1]!.url, BASE + "?pageToken=abc-_", "a token carries size, filter and position");
  const h = calls[0]!.init.headers as Record<string, string>;
  assert.equal(h.Authorization, "Bearer cc_t");
  assert.equal(calls[0]!.init.method, "GET");
});

test("send: Idempotency-Key header and the exact body", async () => {
  const { f, calls } = fakeFetch(200, { externalId: "IM1" });
  const api = new ChatApi(BASE, "cc_t", f);
  const req = sendRequestFor({ key: "0f8e-key", text: "hello" });
  await api.send("outbound", req);
  await api.send("outbound", req);
  assert.equal(calls[0]!.url, BASE + "/outbound");
  assert.equal(calls[0]!.init.method, "POST");
  assert.equal(calls[0]!.init.body, '{"message":"hello"}');
  assert.equal(calls[1]!.init.body, calls[0]!.init.body);
  const h = calls[1]!.init.headers as Record<string, string>;
  assert.equal(h["Idempotency-Key"], "0f8e-key");
  assert.equal(h["Content-Type"], "application/json");
});

test("search and read requests", async () => {
  const { f, calls } = fakeFetch(200, { meta: {}, content: [] });
  const api = new ChatApi(BASE, "cc_t", f);
  await api.search({ query: "a+b c", pageSize: 20, contentPageSize: 10, includeArchived: false });
  assert.equal(calls[0]!.url, BASE + "/search?query=a%2Bb+c&pageSize=20&contentPageSize=10");
  await api.markRead();
  assert.equal(calls[1]!.init.body, undefined, "empty body marks all");
  await api.markRead("IM9");
  assert.equal(calls[2]!.init.body, '{"upTo":"IM9"}');
});

test("errors carry the server's code; network failures are status 0", async () => {
  const { f } = fakeFetch(401, { error: { code: "unauthorized", message: "missing, unknown or revoked token" } });
  await assert.rejects(new ChatApi(BASE, "x", f).getPage({}), (e: unknown) => e instanceof ApiError && e.status === 401 && e.code === "unauthorized" && !e.transient);
  const down: FetchLike = async () => {
    throw new TypeError("fetch failed");
  };
  await assert.rejects(new ChatApi(BASE, "x", down).getPage({}), (e: unknown) => e instanceof ApiError && e.status === 0 && e.transient);
});

test("an error answer without a JSON body gets a plain message by status", async () => {
  const html = (status: number): FetchLike => async () => new Response("<html>Bad Gateway</html>", { status, headers: { "Content-Type": "text/html" } });
  await assert.rejects(new ChatApi(BASE, "x", html(502)).getPage({}), (e: unknown) => e instanceof ApiError && e.status === 502 && e.code === "http_502" && e.transient && e.message === "The server had a problem (502). Try again.");
  await assert.rejects(new ChatApi(BASE, "x", html(413)).getPage({}), (e: unknown) => e instanceof ApiError && e.status === 413 && !e.transient && e.message === "The server refused the request (413).");
});

test("attachments: fetched with the header (never a token in the URL), refused ids never reach the network", async () => {
  const calls: { url: string; init: RequestInit }[] = [];
  const f: FetchLike = async (url, init) => {
    calls.push({ url, init });
    return url.endsWith("/thumbnail") ? new Response(JSON.stringify({ error: { code: "not_found", message: "No thumbnail." } }), { status: 404 }) : new Response(new Uint8Array([1, 2, 3]), { status: 200 });
  };
  const api = new ChatApi(BASE, "cc_t", f);
  const id = "AT" + "0".repeat(31) + "a";
  const blob = await api.getAttachment(id, "file");
  assert.equal(blob.size, 3);
  assert.equal(calls[0]!.url, `${BASE}/attachments/${id}`);
  assert.equal((calls[0]!.init.headers as Record<string, string>).Authorization, "Bearer cc_t");
  assert.doesNotMatch(calls[0]!.url, /cc_t/);
  await assert.rejects(api.getAttachment(id, "thumbnail"), (e: unknown) => e instanceof ApiError && e.status === 404 && e.code === "not_found");
  assert.equal(calls[1]!.url, `${BASE}/attachments/${id}/thumbnail`);
  await assert.rejects(api.getAttachment("../../x", "file"));
  assert.equal(calls.length, 2);
});

test("upload goes to .../attachments with the token", () => {
  const xhr = new FakeXhr();
  const api = new ChatApi(BASE, "cc_t", undefined, () => xhr);
  api.upload(new File(["x"], "a.txt", { type: "text/plain" }), () => {});
  assert.equal(xhr.url, BASE + "/attachments");
  assert.equal(xhr.headers.Authorization, "Bearer cc_t");
});
