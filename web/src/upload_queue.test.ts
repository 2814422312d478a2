import { test } from "node:test";
import assert from "node:assert/strict";
import { deferred, settle } from "./test_dom.js";
import { attachment } from "./test_helpers.js";
import type { Attachment } from "./types.js";
import { UploadError, type UploadFile } from "./upload.js";
import { UploadQueue } from "./upload_queue.js";

function harness(limit = 10) {
  const started: { file: UploadFile; progress: (l: number, t: number) => void; answer: ReturnType<typeof deferred<Attachment>>; aborted: boolean }[] = [];
  let changes = 0;
  const failed: string[] = [];
  const q = new UploadQueue({
    limit,
    start: (file, progress) => {
      const answer = deferred<Attachment>();
      const s = { file, progress, answer, aborted: false };
      started.push(s);
      return {
        result: answer.promise,
        abort: () => {
          s.aborted = true;
          answer.reject(new UploadError(0, "aborted", "Cancelled."));
        },
      };
    },
    onChange: () => changes++,
    onFailed: (i) => failed.push(i.name),
  });
  return { q, started, failed, changes: () => changes };
}

const f = (name: string, size = 100) => new File([new Uint8Array(size)], name, { type: "image/jpeg" });

test("uploading -> progress -> done, in the order added", async () => {
  const h = harness();
  h.q.add([f("a.jpg"), f("b.jpg")]);
  assert.deepEqual(h.q.items.map((i) => [i.name, i.state, i.loaded, i.total]), [
    ["a.jpg", "uploading", 0, 100],
    ["b.jpg", "uploading", 0, 100],
  ]);
  assert.equal(h.q.busy, true);
  h.started[0]!.progress(40, 100);
  assert.equal(h.q.items[0]!.loaded, 40);
  const b = attachment("b.jpg");
  const a = attachment("a.jpg");
  h.started[1]!.answer.resolve(b);
  h.started[0]!.answer.resolve(a);
  await settle();
  assert.equal(h.q.busy, false);
  assert.deepEqual(h.q.attachments, [a, b], "the order added, not the order finished");
  assert.equal(h.q.items[0]!.loaded, 100);
});

test("cancel aborts the request and the item goes; a late answer changes nothing", async () => {
  const h = harness();
  h.q.add([f("a.jpg")]);
  const id = h.q.items[0]!.id;
  h.q.remove(id);
  assert.equal(h.started[0]!.aborted, true);
  assert.deepEqual(h.q.items, []);
  await settle();
  assert.deepEqual(h.failed, [], "a cancel is not a failure");
  assert.equal(h.q.busy, false);
});

test("a refusal shows the server's reason on the item", async () => {
  const h = harness();
  h.q.add([f("virus.exe")]);
  h.started[0]!.answer.reject(new UploadError(415, "unsupported_media_type", "Accepted: JPEG, PNG, PDF."));
  await settle();
  const item = h.q.items[0]!;
  assert.deepEqual([item.state, item.error, item.errorStatus], ["failed", "Accepted: JPEG, PNG, PDF.", 415]);
  assert.equal(h.q.failed, true);
  assert.deepEqual(h.failed, ["virus.exe"]);
  assert.equal(h.q.count, 0, "a failed file does not count against the limit");
  h.q.remove(item.id);
  assert.equal(h.q.failed, false);
});

test("the per-message limit: extra files are left out and counted", () => {
  const h = harness(3);
  assert.equal(h.q.add([f("1"), f("2")]), 0);
  assert.equal(h.q.add([f("3"), f("4"), f("5")]), 2);
  assert.equal(h.q.items.length, 3);
  assert.equal(h.started.length, 3);
});

test("whenSettled waits for every upload in flight, including ones cancelled", async () => {
  const h = harness();
  await h.q.whenSettled(); // nothing uploading: at once
  h.q.add([f("a"), f("b")]);
  let settled = false;
  void h.q.whenSettled().then(() => (settled = true));
  h.started[0]!.answer.resolve(attachment("a.jpg"));
  await settle();
  assert.equal(settled, false);
  h.q.remove(h.q.items[1]!.id);
  await settle();
  assert.equal(settled, true);
});

test("clear aborts what is still going and empties the list", () => {
  const h = harness();
  h.q.add([f("a"), f("b")]);
  h.q.clear();
  assert.equal(h.started.every((s) => s.aborted), true);
  assert.equal(h.q.items.length, 0);
});
