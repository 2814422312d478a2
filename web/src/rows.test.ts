import { test } from "node:test";
import assert from "node:assert/strict";
import { buildRows } from "./rows.js";
import { Timeline } from "./timeline.js";
import { msg, page } from "./test_helpers.js";

const UTC = { locale: "en-US", timeZone: "UTC" };

function timeline() {
  const t = new Timeline();
  t.replace(
    page([
      msg("a", "2026-11-19T23:59:00.000Z"),
      msg("b", "2026-11-20T00:01:00.000Z", "out"),
      msg("c", "2026-11-20T09:00:00.000Z"),
      msg("d", "2026-11-21T08:00:00.000Z", "out"),
      msg("e", "2026-11-21T09:00:00.000Z"),
    ]).content,
    null,
    null,
  );
  return t;
}

const shape = (rows: ReturnType<typeof buildRows>) => rows.map((r) => (r.kind === "message" ? r.key : r.kind === "day" ? `[${r.day}]` : "--unread--"));

test("a day separator before the first message of each day", () => {
  const rows = buildRows(timeline().entries(), () => true, null, UTC);
  assert.deepEqual(shape(rows), ["[2026-11-19]", "a", "[2026-11-20]", "b", "c", "[2026-11-21]", "d", "e"]);
});

test("the unread divider goes before the oldest unread message, after its day separator", () => {
  const rows = buildRows(timeline().entries(), () => true, "d", UTC);
  assert.deepEqual(shape(rows), ["[2026-11-19]", "a", "[2026-11-20]", "b", "c", "[2026-11-21]", "--unread--", "d", "e"]);
});

test("filtered out messages leave no separators; the divider moves to the next shown message", () => {
  const inboundOnly = (e: { message: { sender: { clientType: string } } }) => e.message.sender.clientType === "PATIENT";
  const rows = buildRows(timeline().entries(), inboundOnly, "d", UTC);
  assert.deepEqual(shape(rows), ["[2026-11-19]", "a", "[2026-11-20]", "c", "[2026-11-21]", "--unread--", "e"]);
  const none = buildRows(timeline().entries(), () => false, "d", UTC);
  assert.deepEqual(none, []);
});

test("a divider for a message not in the window is not shown", () => {
  const rows = buildRows(timeline().entries(), () => true, "zz", UTC);
  assert.equal(rows.some((r) => r.kind === "unread"), false);
});
