import { test } from "node:test";
import assert from "node:assert/strict";
import { titleWithCount, UnreadCounter } from "./unread.js";

test("server counts apply; events during the fetch mark it stale", () => {
  const c = new UnreadCounter();
  let e = c.beginFetch();
  assert.equal(c.applyServer(3, e), false);
  assert.equal(c.count, 3);
  e = c.beginFetch();
  c.increment();
  assert.equal(c.applyServer(3, e), true);
});

test("a read batch seen as POST answer and as live event is subtracted once", () => {
  const c = new UnreadCounter();
  c.applyServer(5, c.beginFetch());
  assert.equal(c.applyReadBatch("inbound", "IM1", "2026-11-21T10:00:00.000Z", 3), true);
  assert.equal(c.applyReadBatch("inbound", "IM1", "2026-11-21T10:00:00.000Z", 3), false);
  assert.equal(c.count, 2);
  c.applyReadBatch("inbound", "IM2", "2026-11-21T10:01:00.000Z", 9);
  assert.equal(c.count, 0);
});

test("document title", () => {
  assert.equal(titleWithCount("Chat", 0), "Chat");
  assert.equal(titleWithCount("Chat", 4), "(4) Chat");
});
