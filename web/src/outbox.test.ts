import { test } from "node:test";
import assert from "node:assert/strict";
import { Outbox, sendRequestFor } from "./outbox.js";
import { attachment } from "./test_helpers.js";

test("a retry reuses the key and sends byte-identical bodies", () => {
  const box = new Outbox();
  const item = box.add("k-1", 'say "hi"\nplease', new Date("2026-11-21T10:00:00Z"));
  const first = sendRequestFor(item);
  assert.equal(box.retry("k-1"), null, "no second attempt while the first is in flight");
  box.fail("k-1", "no connection");
  const again = box.retry("k-1");
  assert.ok(again);
  assert.equal(again.attempts, 2);
  assert.deepEqual(sendRequestFor(again), first);
  assert.equal(first.idempotencyKey, "k-1");
  assert.equal(first.body, JSON.stringify({ message: 'say "hi"\nplease' }));
});

test("keys are unique and removal forgets", () => {
  const box = new Outbox();
  box.add("k", "a", new Date());
  assert.throws(() => box.add("k", "b", new Date()));
  assert.equal(box.remove("k"), true);
  assert.equal(box.size, 0);
  assert.equal(box.retry("k"), null);
});

test("restored items come back failed, with their keys", () => {
  const box = new Outbox();
  box.add("k1", "one", new Date("2026-11-21T10:00:00Z"));
  box.add("k2", "two", new Date("2026-11-21T10:00:01Z"));
  box.fail("k2", "server busy");
  const back = Outbox.restore(box.serialize());
  assert.deepEqual(
    back.items().map((i) => [i.key, i.text, i.status, i.error]),
    [
      ["k1", "one", "failed", "Interrupted by a reload"],
      ["k2", "two", "failed", "server busy"],
    ],
  );
  assert.equal(Outbox.restore("not json").size, 0);
  assert.equal(Outbox.restore('[{"key":1}]').size, 0);
});

test("attachments: their ids go beside the message, the same bytes on retry and after a reload", () => {
  const box = new Outbox();
  const a = attachment("rash.jpg");
  const b = attachment("report.pdf");
  const item = box.add("k1", "", new Date("2026-11-21T10:00:00Z"), [a, b]);
  const first = sendRequestFor(item);
  assert.equal(first.body, JSON.stringify({ message: "", attachmentIds: [a.id, b.id] }));
  box.fail("k1", "no connection");
  const back = Outbox.restore(box.serialize());
  assert.deepEqual(back.get("k1")?.attachments, [a, b]);
  assert.deepEqual(sendRequestFor(back.retry("k1")!), first);
  const broken = Outbox.restore(JSON.stringify([{ key: "k", text: "t", createdAt: "x", attachments: [{ id: "junk" }, a] }]));
  assert.deepEqual(broken.get("k")?.attachments, [a], "malformed ones are dropped");
});
