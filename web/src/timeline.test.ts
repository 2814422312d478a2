import { test } from "node:test";
import assert from "node:assert/strict";
import { LOCAL_PREFIX, Timeline } from "./timeline.js";
import { at, attachment, msg, page } from "./test_helpers.js";

const ids = (t: Timeline) => t.entries().map((e) => e.key);

test("replace keeps server order (oldest first) from a newest-first page", () => {
  const t = new Timeline();
  const p = page([msg("a", at(1)), msg("b", at(2)), msg("c", at(3))], "OLDER", null);
  t.replace(p.content, p.meta.nextPageToken, p.meta.prevPageToken);
  assert.deepEqual(ids(t), ["a", "b", "c"]);
  assert.equal(t.olderToken, "OLDER");
  assert.equal(t.atLatest, true);
});

test("older pages prepend, keep order and skip duplicates", () => {
  const t = new Timeline();
  const p1 = page([msg("c", at(3)), msg("d", at(4))], "T1");
  t.replace(p1.content, "T1", null);
  // The older page overlaps by one message (e.g. a message that arrived live meanwhile shifted the pages).
  const added = t.addOlder(page([msg("a", at(1)), msg("b", at(2)), msg("c", at(3))], "T2"));
  assert.equal(added, 2);
  assert.deepEqual(ids(t), ["a", "b", "c", "d"]);
  assert.equal(t.olderToken, "T2");
  t.addOlder(page([msg("z", at(0))], null));
  assert.deepEqual(ids(t), ["z", "a", "b", "c", "d"]);
  assert.equal(t.hasOlder, false);
});

test("equal createdAt: arrival order decides, older pages before, newer after", () => {
  const t = new Timeline();
  t.replace(page([msg("m2", at(5)), msg("m3", at(5))]).content, "T", null);
  t.addOlder(page([msg("m1", at(5))], null));
  t.applyLive(msg("m4", at(5)));
  assert.deepEqual(ids(t), ["m1", "m2", "m3", "m4"]);
});

test("live messages append, dedupe by externalId, and update read state", () => {
  const t = new Timeline();
  t.replace(page([msg("a", at(1))]).content, null, null);
  const r1 = t.applyLive(msg("b", at(2)));
  assert.equal(r1.kind, "added");
  assert.equal(r1.isNew, true);
  const r2 = t.applyLive(msg("b", at(2), "in", { readAt: at(9) }));
  assert.equal(r2.kind, "updated");
  assert.equal(r2.isNew, false);
  assert.equal(t.get("b")?.message.readAt, at(9));
  assert.deepEqual(ids(t), ["a", "b"]);
});

test("a live message arriving while an older page loads is neither duplicated nor skipped", () => {
  const t = new Timeline();
  t.replace(page([msg("c", at(3)), msg("d", at(4))]).content, "T", null);
  t.applyLive(msg("e", at(5)));
  t.addOlder(page([msg("a", at(1)), msg("b", at(2))], null));
  t.applyLive(msg("e", at(5))); // replayed after a reconnect
  assert.deepEqual(ids(t), ["a", "b", "c", "d", "e"]);
});

test("read state never goes back when an older snapshot arrives", () => {
  const t = new Timeline();
  t.replace(page([msg("a", at(1), "out", { readAt: at(7) })]).content, null, null);
  t.addOlder(page([msg("a", at(1), "out", { readAt: null })], null));
  assert.equal(t.get("a")?.message.readAt, at(7));
});

test("a window that does not reach the newest message keeps live messages out, then merges them", () => {
  const t = new Timeline();
  // A search jump: messages b..c, newer ones exist (token N1).
  t.replace(page([msg("b", at(2)), msg("c", at(3))]).content, "O", "N1");
  const live = t.applyLive(msg("f", at(6)));
  assert.equal(live.kind, "outside");
  assert.equal(live.isNew, true);
  assert.deepEqual(ids(t), ["b", "c"]);
  // The newer page was computed before f was stored: f must still appear, once, in order.
  t.addNewer(page([msg("d", at(4)), msg("e", at(5))], "x", null));
  assert.equal(t.atLatest, true);
  assert.deepEqual(ids(t), ["b", "c", "d", "e", "f"]);
  // And the same live message again (replay) changes nothing.
  assert.equal(t.applyLive(msg("f", at(6))).isNew, false);
  assert.deepEqual(ids(t), ["b", "c", "d", "e", "f"]);
});

test("loading newer pages walks forward with prevPageToken", () => {
  const t = new Timeline();
  t.replace(page([msg("a", at(1))]).content, null, "N1");
  t.addNewer(page([msg("b", at(2)), msg("c", at(3))], "x", "N2"));
  assert.equal(t.newerToken, "N2");
  t.addNewer(page([msg("d", at(4))], "y", null));
  assert.deepEqual(ids(t), ["a", "b", "c", "d"]);
  assert.equal(t.atLatest, true);
});

test("local messages sit at the end until confirmed, then take their stored place", () => {
  const t = new Timeline();
  t.replace(page([msg("a", at(1))]).content, null, null);
  t.addLocal("k1", msg("", at(100), "out", { message: "hi" }));
  assert.deepEqual(ids(t), ["a", LOCAL_PREFIX + "k1"]);
  t.applyLive(msg("b", at(2)));
  assert.deepEqual(ids(t), ["a", "b", LOCAL_PREFIX + "k1"]);
  const r = t.confirmLocal("k1", msg("c", at(3), "out", { message: "hi" }));
  assert.deepEqual(r, { key: "c", localKey: LOCAL_PREFIX + "k1" });
  assert.deepEqual(ids(t), ["a", "b", "c"]);
  assert.equal(t.get("c")?.status, "sent");
});

test("the live copy of one's own message is adopted, and the later send answer does not duplicate it", () => {
  const t = new Timeline();
  t.replace([], null, null);
  t.addLocal("k1", msg("", at(10), "out", { message: "hello" }));
  const r = t.applyLive(msg("s1", at(10, 5), "out", { message: "hello" }), { direction: "outbound", senderId: "u-1" });
  assert.equal(r.kind, "adopted");
  assert.equal(r.adoptedLocalKey, LOCAL_PREFIX + "k1");
  assert.equal(r.isNew, false);
  t.confirmLocal("k1", msg("s1", at(10, 5), "out", { message: "hello" }));
  assert.deepEqual(ids(t), ["s1"]);
});

test("no adoption of someone else's message or of a different text", () => {
  const t = new Timeline();
  t.replace([], null, null);
  t.addLocal("k1", msg("", at(10), "out", { message: "hello" }));
  const other = msg("s1", at(10), "out", { message: "hello", sender: { clientType: "USER", id: "u-2", titleName: "Ada" } });
  assert.equal(t.applyLive(other, { direction: "outbound", senderId: "u-1" }).kind, "added");
  assert.equal(t.applyLive(msg("s2", at(11), "out", { message: "other" }), { direction: "outbound", senderId: "u-1" }).kind, "added");
  assert.equal(t.hasLocal("k1"), true);
});

test("failed local messages keep their place and status; removal drops them", () => {
  const t = new Timeline();
  t.replace([], null, null);
  t.addLocal("k1", msg("", at(1), "out"));
  t.addLocal("k2", msg("", at(2), "out"));
  t.setLocalStatus("k1", "failed", "no connection");
  assert.equal(t.entries()[0]?.status, "failed");
  assert.equal(t.entries()[0]?.error, "no connection");
  t.removeLocal("k1");
  assert.deepEqual(ids(t), [LOCAL_PREFIX + "k2"]);
});

test("markRead marks one direction up to a message", () => {
  const t = new Timeline();
  t.replace(page([msg("a", at(1)), msg("b", at(2), "out"), msg("c", at(3)), msg("d", at(4))]).content, null, null);
  const changed = t.markRead("inbound", "c", at(9), null);
  assert.deepEqual(changed, ["a", "c"]);
  assert.equal(t.get("b")?.message.readAt, null);
  assert.equal(t.get("d")?.message.readAt, null);
  assert.deepEqual(t.markRead("inbound", null, at(10), null), ["d"]);
});

test("markRead with an unknown upTo: older than a window at the newest message, else by time", () => {
  const t = new Timeline();
  t.replace(page([msg("c", at(3)), msg("d", at(4))]).content, "O", null);
  assert.deepEqual(t.markRead("inbound", "zz", at(9), null), []);
  const w = new Timeline();
  w.replace(page([msg("c", at(3)), msg("d", at(4))]).content, "O", "N");
  assert.deepEqual(w.markRead("inbound", "zz", at(3, 500), null), ["c"]);
});

test("addLatest merges an overlapping newest page, replaces on a gap", () => {
  const t = new Timeline();
  t.replace(page([msg("a", at(1)), msg("b", at(2))]).content, "O", null);
  t.addLatest(page([msg("b", at(2)), msg("c", at(3))], "x", null));
  assert.deepEqual(ids(t), ["a", "b", "c"]);
  t.addLatest(page([msg("y", at(8)), msg("z", at(9))], "GAP", null));
  assert.deepEqual(ids(t), ["y", "z"]);
  assert.equal(t.olderToken, "GAP");
});

test("adoption also needs the same attachments (several sends with no text are told apart)", () => {
  const t = new Timeline();
  t.replace([], null, null);
  const a = attachment("a.jpg");
  const b = attachment("b.jpg");
  t.addLocal("k1", msg("", at(10), "out", { message: "", attachments: [a] }));
  t.addLocal("k2", msg("", at(10), "out", { message: "", attachments: [b] }));
  const r = t.applyLive(msg("s2", at(10), "out", { message: "", attachments: [b] }), { direction: "outbound", senderId: "u-1" });
  assert.equal(r.adoptedLocalKey, LOCAL_PREFIX + "k2");
  assert.equal(t.hasLocal("k1"), true);
});
