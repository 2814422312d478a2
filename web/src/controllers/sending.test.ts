import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError } from "../api.js";
import type { SendRequest } from "../outbox.js";
import { deferred, MemoryStore, settle } from "../test_dom.js";
import { at, attachment, msg } from "../test_helpers.js";
import type { ChatMessage } from "../types.js";
import { Viewer } from "../viewer.js";
import { SendingController, type SendTimeline } from "./sending.js";

class FakeTimeline implements SendTimeline {
  log: string[] = [];
  hidden = false;
  addLocal(key: string, m: ChatMessage) {
    this.log.push(`add ${key} ${m.message}`);
  }
  showOwnSend() {
    this.log.push("show");
  }
  confirmLocal(key: string, m: ChatMessage) {
    this.log.push(`confirm ${key} ${m.externalId}`);
  }
  setLocalStatus(key: string, status: string, error: string | null = null) {
    this.log.push(`status ${key} ${status}${error ? " " + error : ""}`);
  }
  removeLocal(key: string) {
    this.log.push(`remove ${key}`);
  }
  matches() {
    return !this.hidden;
  }
}

function harness(mode: "staff" | "patient" = "staff") {
  const calls: { route: string; req: SendRequest; answer: ReturnType<typeof deferred<ChatMessage>> }[] = [];
  const api = {
    send: (route: "inbound" | "outbound", req: SendRequest) => {
      const answer = deferred<ChatMessage>();
      calls.push({ route, req, answer });
      return answer.promise;
    },
  };
  const store = new MemoryStore();
  const timeline = new FakeTimeline();
  const said: string[] = [];
  const errors: unknown[] = [];
  let focus = 0;
  let n = 0;
  const viewer = new Viewer(mode, "p-1", store, "me");
  const make = () =>
    new SendingController({
      api: () => api,
      viewer,
      timeline,
      store,
      storeKey: "outbox",
      newKey: () => `k${++n}`,
      now: () => Date.UTC(2026, 0, 1),
      announce: (t) => said.push(t),
      onError: (e) => errors.push(e),
      focusComposer: () => focus++,
    });
  return { s: make(), make, calls, store, timeline, said, errors, viewer, focus: () => focus };
}

test("a send shows at once, goes out with its key, and is confirmed by the answer", async () => {
  const h = harness();
  h.s.send("hello");
  assert.deepEqual(h.timeline.log, ["add k1 hello", "show"]);
  assert.equal(h.calls[0]!.route, "outbound");
  assert.deepEqual(h.calls[0]!.req, { idempotencyKey: "k1", body: '{"message":"hello"}' });
  assert.match(h.store.getItem("outbox") ?? "", /"key":"k1"/, "saved while in flight");
  h.calls[0]!.answer.resolve(msg("m1", at(1), "out"));
  await settle();
  assert.equal(h.timeline.log.at(-1), "confirm k1 m1");
  assert.equal(h.store.getItem("outbox"), null);
  assert.equal(h.viewer.me?.id, "u-1", "the staff identity is learnt");
});

test("the patient sends inbound", () => {
  const h = harness("patient");
  h.s.send("hi");
  assert.equal(h.calls[0]!.route, "inbound");
});

test("a failure marks it failed; Retry sends the same key and bytes", async () => {
  const h = harness();
  h.s.send("hello");
  h.calls[0]!.answer.reject(new ApiError(422, "unprocessable", "Too long."));
  await settle();
  assert.equal(h.timeline.log.at(-1), "status k1 failed Too long.");
  assert.match(h.store.getItem("outbox") ?? "", /"status":"failed"/);
  h.s.retryTransientFailures();
  assert.equal(h.calls.length, 1, "a refusal is not retried by itself");
  h.s.retry("k1");
  assert.equal(h.timeline.log.at(-1), "status k1 pending");
  assert.deepEqual(h.calls[1]!.req, h.calls[0]!.req);
  h.s.retry("k1");
  assert.equal(h.calls.length, 2, "no second attempt while one is in flight");
});

test("failures for want of a connection are retried when the connection is back", async () => {
  const h = harness();
  h.s.send("a");
  h.calls[0]!.answer.reject(new ApiError(0, "network", "x"));
  await settle();
  assert.equal(h.timeline.log.at(-1), "status k1 failed no connection");
  h.s.retryTransientFailures();
  assert.equal(h.calls.length, 2);
  assert.equal(h.calls[1]!.req.idempotencyKey, "k1");
});

test("401: failed as not signed in, and reported", async () => {
  const h = harness();
  h.s.send("a");
  h.calls[0]!.answer.reject(new ApiError(401, "unauthorized", "x"));
  await settle();
  assert.equal(h.timeline.log.at(-1), "status k1 failed not signed in");
  assert.equal((h.errors[0] as ApiError).status, 401);
});

test("a send adopted from the live stream is done: a late failure changes nothing", async () => {
  const h = harness();
  h.s.send("a");
  h.s.stored("k1");
  assert.equal(h.store.getItem("outbox"), null);
  h.calls[0]!.answer.reject(new ApiError(0, "network", "x"));
  await settle();
  assert.deepEqual(h.timeline.log, ["add k1 a", "show"]);
});

test("discard forgets it and returns to the composer", async () => {
  const h = harness();
  h.s.send("a");
  h.calls[0]!.answer.reject(new ApiError(0, "network", "x"));
  await settle();
  h.s.discard("k1");
  assert.equal(h.timeline.log.at(-1), "remove k1");
  assert.equal(h.store.getItem("outbox"), null);
  assert.equal(h.focus(), 1);
  h.s.retryTransientFailures();
  assert.equal(h.calls.length, 1);
});

test("after a reload the outbox comes back as failed messages to retry", async () => {
  const h = harness();
  h.s.send("unsent");
  const again = h.make();
  again.restore();
  const unsent = again.unsent();
  assert.equal(unsent.length, 1);
  assert.equal(unsent[0]!.key, "k1");
  assert.equal(unsent[0]!.message.message, "unsent");
  assert.equal(unsent[0]!.error, "Interrupted by a reload");
});

test("a send the filters hide is announced", async () => {
  const h = harness();
  h.timeline.hidden = true;
  h.s.send("a");
  h.calls[0]!.answer.resolve(msg("m1", at(1), "out"));
  await settle();
  assert.match(h.said[0] ?? "", /filters hide it/);
});

test("attachments go as attachmentIds and show on the pending bubble", () => {
  const h = harness();
  const a = attachment("rash.jpg");
  let shown: ChatMessage | null = null;
  h.timeline.addLocal = (_k, m) => void (shown = m);
  h.s.send("", [a]);
  assert.equal(h.calls[0]!.req.body, JSON.stringify({ message: "", attachmentIds: [a.id] }));
  assert.deepEqual((shown as ChatMessage | null)?.attachments, [a]);
  const again = h.make();
  again.restore();
  assert.deepEqual(again.unsent()[0]!.message.attachments, [a], "kept across a reload");
});
