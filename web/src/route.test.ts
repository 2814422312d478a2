import { test } from "node:test";
import assert from "node:assert/strict";
import { chatBasePath, eventsUrl, parseRoute } from "./route.js";

test("staff and patient routes", () => {
  const s = parseRoute("/app/gh/sb-demo/patient/7272b601-bb09-4abf-87c0-ade48ddfaea0");
  assert.deepEqual(s, { mode: "staff", tenant: "gh", instance: "sb-demo", patientId: "7272b601-bb09-4abf-87c0-ade48ddfaea0" });
  assert.equal(parseRoute("/portal/gh/sb-demo/patient/p1/")?.mode, "patient");
  assert.equal(parseRoute("/app/gh/sb-demo/patients/p1"), null);
  assert.equal(parseRoute("/app/gh/../patient/p1"), null);
  assert.equal(parseRoute("/other/gh/sb/patient/p1"), null);
  assert.equal(parseRoute("/app/gh/sb/patient/p%201"), null);
});

test("API and live URLs", () => {
  const r = parseRoute("/app/gh/sb-demo/patient/p1")!;
  assert.equal(chatBasePath(r), "/gh/sb-demo/patient/p1/chat");
  assert.equal(eventsUrl(r, { protocol: "http:", host: "127.0.0.1:8080" }, null), "ws://127.0.0.1:8080/gh/sb-demo/patient/p1/chat/events");
  assert.equal(eventsUrl(r, { protocol: "https:", host: "ehr.example" }, 42), "wss://ehr.example/gh/sb-demo/patient/p1/chat/events?after=42");
  const loc = { protocol: "http:", host: "h" };
  assert.equal(eventsUrl(r, loc, 42, 7), "ws://h/gh/sb-demo/patient/p1/chat/events?after=42&epoch=7");
  assert.equal(eventsUrl(r, loc, 0, 9007199254740990), "ws://h/gh/sb-demo/patient/p1/chat/events?after=0&epoch=9007199254740990");
  assert.equal(eventsUrl(r, loc, null, 7), "ws://h/gh/sb-demo/patient/p1/chat/events", "no epoch without a position (the server answers 400)");
});
