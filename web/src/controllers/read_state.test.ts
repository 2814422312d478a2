import { test } from "node:test";
import assert from "node:assert/strict";
import type { PageQuery } from "../api.js";
import { deferred, installDom, ManualTimers, settle } from "../test_dom.js";
import type { Direction, Page, Party, ReadResult } from "../types.js";
import { ReadStateController, type ReadEvent, type ReadTimeline } from "./read_state.js";

installDom();

const PATIENT: Party = { clientType: "PATIENT", id: "p-1", titleName: null };
const ME: Party = { clientType: "USER", id: "u-1", titleName: "Root Root" };

class FakeTimeline implements ReadTimeline {
  loaded = true;
  marks: string[] = [];
  renders = 0;
  dividerCleared = 0;
  unreadShown: string | null = "m3";
  markRead(direction: Direction, upTo: string | null, readAt: string, readBy: Party | null) {
    this.marks.push(`${direction} ${upTo} ${readAt} ${readBy?.id ?? "-"}`);
    return upTo === null ? [] : [upTo];
  }
  newestUnreadShown() {
    return this.unreadShown;
  }
  clearDivider() {
    this.dividerCleared++;
  }
  render() {
    this.renders++;
  }
}

function countPage(n: number): Page {
  return { meta: { nextPageToken: null, prevPageToken: null, pageSize: 1, found: true, unreadCount: n }, content: [] };
}

function harness(mode: "staff" | "patient" = "staff") {
  const timers = new ManualTimers();
  const timeline = new FakeTimeline();
  const counts: number[] = [];
  const said: string[] = [];
  const errors: unknown[] = [];
  const gets: PageQuery[] = [];
  const reads: (string | undefined)[] = [];
  let readAnswer = deferred<ReadResult>();
  let visible = true;
  const api = {
    getPage: async (q: PageQuery) => {
      gets.push(q);
      return countPage(7);
    },
    markRead: (upTo?: string) => {
      reads.push(upTo);
      return readAnswer.promise;
    },
  };
  const c = new ReadStateController({
    mode,
    api: () => api,
    timeline,
    patientParty: () => PATIENT,
    reader: () => (mode === "patient" ? PATIENT : ME),
    onCount: (n) => counts.push(n),
    announce: (t) => said.push(t),
    onError: (e) => errors.push(e),
    isVisible: () => visible,
    timers,
  });
  return {
    c,
    timers,
    timeline,
    counts,
    said,
    errors,
    gets,
    reads,
    answer: (r: ReadResult) => readAnswer.resolve(r),
    failWith: (e: unknown) => readAnswer.reject(e),
    resetAnswer: () => (readAnswer = deferred<ReadResult>()),
    setVisible: (v: boolean) => (visible = v),
  };
}

function readEvent(direction: Direction, upTo: string, count: number, readAt = "2026-01-01T10:00:00.000Z"): ReadEvent {
  return { type: "messages.read", position: 1, patientId: "p-1", at: readAt, direction, upToExternalId: upTo, count, readAt, reader: ME };
}

test("the count follows pages and new unread messages; the button only when there is something to mark", () => {
  const h = harness();
  h.c.update();
  assert.equal(h.c.markAllButton.disabled, true);
  h.c.applyPage(countPage(2), h.c.beginFetch());
  assert.deepEqual(h.counts, [0, 2]);
  assert.equal(h.c.markAllButton.disabled, false);
  h.c.onNewUnread();
  assert.equal(h.counts.at(-1), 3);
});

test("a page fetched while events arrived is applied, then asked again", async () => {
  const h = harness();
  const epoch = h.c.beginFetch();
  h.c.onNewUnread();
  h.c.applyPage(countPage(4), epoch);
  assert.equal(h.timers.size, 1);
  h.timers.advance(600);
  await settle();
  assert.deepEqual(h.gets, [{ pageSize: 1 }]);
  assert.equal(h.c.count, 7);
});

test("a read event marks the timeline and counts once, also after the POST answer", async () => {
  const h = harness();
  h.c.applyPage(countPage(3), h.c.beginFetch());
  h.c.onReadEvent(readEvent("inbound", "m2", 2));
  assert.equal(h.timeline.marks[0], "inbound m2 2026-01-01T10:00:00.000Z u-1");
  assert.equal(h.c.count, 1);
  assert.equal(h.timeline.renders, 1);
  h.c.onReadEvent(readEvent("inbound", "m2", 2));
  assert.equal(h.c.count, 1, "the same batch twice counts once");
  h.c.onReadEvent(readEvent("outbound", "m9", 5));
  assert.equal(h.c.count, 1, "the other side's reads do not change this viewer's count");
  assert.equal(h.timeline.marks.at(-1), "outbound m9 2026-01-01T10:00:00.000Z p-1", "the patient reads the care team's messages");
});

test("mark all read: one request at a time, then the divider goes and it is announced", async () => {
  const h = harness();
  h.c.applyPage(countPage(2), h.c.beginFetch());
  h.c.markAllButton.click();
  assert.equal(h.c.markAllButton.disabled, true);
  h.c.markAllButton.click();
  assert.deepEqual(h.reads, [undefined]);
  h.answer({ marked: 2, readAt: "2026-01-01T10:00:00.000Z", upToExternalId: "m2" });
  await settle();
  assert.equal(h.c.count, 0);
  assert.equal(h.timeline.dividerCleared, 1);
  assert.equal(h.said.at(-1), "Marked 2 messages as read.");
  assert.equal(h.c.markAllButton.disabled, true, "nothing left to mark");
  // The event of the same batch changes nothing.
  h.c.onReadEvent(readEvent("inbound", "m2", 2));
  assert.equal(h.c.count, 0);
});

test("mark all read fails: the error offers Retry", async () => {
  const h = harness();
  h.c.applyPage(countPage(1), h.c.beginFetch());
  void h.c.markAllRead();
  h.failWith(new Error("x"));
  await settle();
  assert.equal(h.errors.length, 1);
  assert.equal(h.c.markAllButton.disabled, false);
});

test("patient view: a receipt for the newest care team message shown, while visible", async () => {
  const h = harness("patient");
  h.setVisible(false);
  h.c.scheduleReceipts();
  h.timers.advance(400);
  assert.deepEqual(h.reads, [], "not while hidden");
  h.setVisible(true);
  h.c.scheduleReceipts();
  h.c.scheduleReceipts();
  h.timers.advance(400);
  assert.deepEqual(h.reads, ["m3"], "debounced to one");
  h.answer({ marked: 1, readAt: "2026-01-01T10:00:00.000Z", upToExternalId: "m3" });
  await settle();
  assert.equal(h.timeline.marks.at(-1), "outbound m3 2026-01-01T10:00:00.000Z p-1");
  assert.equal(h.timeline.renders, 1);
});

test("no receipts in the staff pane, before the first load, or once stopped", () => {
  const staff = harness("staff");
  staff.c.scheduleReceipts();
  assert.equal(staff.timers.size, 0);
  const early = harness("patient");
  early.timeline.loaded = false;
  early.c.scheduleReceipts();
  assert.equal(early.timers.size, 0);
  const stopped = harness("patient");
  stopped.c.scheduleReceipts();
  stopped.c.stop();
  stopped.timers.advance(1000);
  assert.deepEqual(stopped.reads, []);
  assert.equal(stopped.c.markAllButton.disabled, true);
});
