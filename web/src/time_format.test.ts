import { test } from "node:test";
import assert from "node:assert/strict";
import { clockTime, dayKey, dayLabel, previousDayKey, readReceiptText, relativeTime } from "./time_format.js";

const UTC = { locale: "en-US", timeZone: "UTC" };
const now = Date.parse("2026-11-21T12:00:00.000Z");

test("relative times", () => {
  assert.equal(relativeTime("2026-11-21T11:59:30.000Z", now, UTC), "just now");
  assert.equal(relativeTime("2026-11-21T12:00:05.000Z", now, UTC), "just now"); // clock skew
  assert.equal(relativeTime("2026-11-21T11:58:00.000Z", now, UTC), "2 min ago");
  assert.equal(relativeTime("2026-11-21T11:00:30.000Z", now, UTC), "59 min ago");
  assert.equal(relativeTime("2026-11-21T09:00:00.000Z", now, UTC), "3 h ago");
  assert.equal(relativeTime("2026-11-19T08:05:00.000Z", now, UTC), "Nov 19, 8:05 AM");
  assert.equal(relativeTime("2025-01-02T08:05:00.000Z", now, UTC), "Jan 2, 2025, 8:05 AM");
});

test("day keys follow the viewer's time zone", () => {
  const t = Date.parse("2026-11-21T02:30:00.000Z");
  assert.equal(dayKey(t, UTC), "2026-11-21");
  assert.equal(dayKey(t, { locale: "en-US", timeZone: "America/New_York" }), "2026-11-20");
  assert.equal(dayKey(t, { locale: "en-US", timeZone: "Asia/Tokyo" }), "2026-11-21");
});

test("previous day across month and year ends", () => {
  assert.equal(previousDayKey("2026-03-01"), "2026-02-28");
  assert.equal(previousDayKey("2024-03-01"), "2024-02-29");
  assert.equal(previousDayKey("2026-01-01"), "2025-12-31");
});

test("day labels", () => {
  assert.equal(dayLabel("2026-11-21", now, UTC), "Today");
  assert.equal(dayLabel("2026-11-20", now, UTC), "Yesterday");
  assert.equal(dayLabel("2026-11-17", now, UTC), "Tue, Nov 17");
  assert.equal(dayLabel("2025-11-17", now, UTC), "Nov 17, 2025");
});

test("clock times and read receipts", () => {
  assert.equal(clockTime(Date.parse("2026-11-21T10:42:00.000Z"), UTC), "10:42 AM");
  assert.equal(readReceiptText("2026-11-21T10:42:00.000Z", now, UTC), "Read 10:42 AM");
  assert.equal(readReceiptText("2026-11-18T10:42:00.000Z", now, UTC), "Read Nov 18");
});
