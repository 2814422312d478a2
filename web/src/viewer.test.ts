import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryStore } from "./test_dom.js";
import { Viewer } from "./viewer.js";

test("staff: own messages are outbound, by the sender learnt from a send answer (kept in the store)", () => {
  const store = new MemoryStore();
  const v = new Viewer("staff", "p-1", store, "me");
  assert.deepEqual(v.own, { direction: "outbound", senderId: null });
  assert.equal(v.reader, null);
  assert.deepEqual(v.provisional("hi", "2026-01-01T00:00:00.000Z").sender, { clientType: "USER", id: "", titleName: null });
  v.learn({ clientType: "USER", id: "u-1", titleName: "Root Root" });
  assert.deepEqual(v.own, { direction: "outbound", senderId: "u-1" });
  assert.equal(v.provisional("hi", "2026-01-01T00:00:00.000Z").sender.titleName, "Root Root");
  const again = new Viewer("staff", "p-1", store, "me");
  again.restore();
  assert.equal(again.me?.id, "u-1");
  assert.equal(again.reader?.id, "u-1");
});

test("patient: own messages are inbound, from the chat's patient, who reads the care team's", () => {
  const v = new Viewer("patient", "p-1");
  v.learn({ clientType: "PATIENT", id: "p-1", titleName: null });
  assert.equal(v.me, null, "only staff identities are learnt");
  assert.deepEqual(v.own, { direction: "inbound", senderId: "p-1" });
  assert.deepEqual(v.reader, { clientType: "PATIENT", id: "p-1", titleName: null });
  const m = v.provisional("hello", "2026-01-01T00:00:00.000Z");
  assert.deepEqual(m, { sender: v.patientParty, receiver: null, message: "hello", externalId: "", createdAt: "2026-01-01T00:00:00.000Z", readAt: null });
});

test("a damaged saved identity is ignored", () => {
  const store = new MemoryStore();
  store.setItem("me", "{not json");
  const v = new Viewer("staff", "p-1", store, "me");
  v.restore();
  assert.equal(v.me, null);
});
