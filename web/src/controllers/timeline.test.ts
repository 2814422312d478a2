import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError, type PageQuery } from "../api.js";
import { allByTestId, byTestId, deferred, installDom, ManualFrames, ManualTimers, settle } from "../test_dom.js";
import { at, attachment, msg, page } from "../test_helpers.js";
import type { ChatMessage, Page, SearchHit } from "../types.js";
import type { ErrorAction } from "./alerts.js";
import { TimelineController, type TimelineOptions, type UnsentMessage } from "./timeline.js";

installDom();

function harness(mode: "staff" | "patient" = "staff", extra: Partial<TimelineOptions> = {}) {
  const timers = new ManualTimers();
  const frames = new ManualFrames();
  const calls: { q: PageQuery; answer: ReturnType<typeof deferred<Page>> }[] = [];
  const errors: { e: unknown; context: string | null; action: ErrorAction }[] = [];
  const said: string[] = [];
  const events: string[] = [];
  const unsent: UnsentMessage[] = [];
  let hidden = false;
  const api = {
    getPage: (q: PageQuery) => {
      const answer = deferred<Page>();
      calls.push({ q, answer });
      return answer.promise;
    },
  };
  const c = new TimelineController({
    mode,
    api: () => api,
    unread: { beginFetch: () => 0, applyPage: (p) => events.push(`count ${p.meta.unreadCount ?? "-"}`) },
    own: () => (mode === "staff" ? { direction: "outbound", senderId: "u-1" } : { direction: "inbound", senderId: "p-1" }),
    unsent: () => unsent,
    onError: (e, context, action) => errors.push({ e, context, action }),
    clearError: () => events.push("clear-error"),
    announce: (t) => said.push(t),
    onShown: () => events.push("shown"),
    onRetry: (k) => events.push(`retry ${k}`),
    onDiscard: (k) => events.push(`discard ${k}`),
    focusComposer: () => events.push("focus-composer"),
    isHidden: () => hidden,
    now: () => Date.UTC(2026, 10, 21, 10, 5),
    frame: frames.frame,
    timers,
    ...extra,
  });
  document.body.replaceChildren(c.element);
  const ids = () => allByTestId(c.element, "message").map((e) => e.dataset.externalId);
  return { c, timers, frames, calls, errors, said, events, unsent, ids, setHidden: (v: boolean) => (hidden = v) };
}

type H = ReturnType<typeof harness>;

/** Opens with the live connection ready and answers the first page. */
async function opened(h: H, p: Page): Promise<void> {
  const done = h.c.open(1500);
  h.c.onLiveReady();
  await settle();
  h.calls.at(-1)!.answer.resolve(p);
  await done;
}

const three = () => [msg("a", at(1), "in"), msg("b", at(2), "out"), msg("c", at(3), "in")];

test("the first load waits for the live connection (at most waitMs) and opens at the first unread", async () => {
  const h = harness();
  const done = h.c.open(1500);
  await settle();
  assert.equal(h.calls.length, 0);
  h.timers.advance(1500);
  await settle();
  assert.deepEqual(h.calls[0]!.q, { pageSize: 20, anchor: "firstUnread", includeArchived: false });
  const p = page(three());
  p.meta.unreadCount = 2;
  h.calls[0]!.answer.resolve(p);
  await done;
  assert.deepEqual(h.ids(), ["a", "b", "c"]);
  assert.equal(h.c.loaded, true);
  assert.deepEqual(h.events, ["clear-error", "count 2", "shown"]);
  assert.equal(byTestId(h.c.element, "timeline").getAttribute("aria-busy"), "false");
  assert.equal(allByTestId(h.c.element, "day-separator").length, 1);
});

test("a ready that comes after the first load fetches the newest page to close the gap", async () => {
  const h = harness();
  const done = h.c.open(1500);
  h.c.onLiveState("reconnecting"); // the first connection failed: load without it
  await settle();
  h.calls[0]!.answer.resolve(page(three()));
  await done;
  h.c.onLiveReady();
  assert.deepEqual(h.calls[1]!.q, { pageSize: 20, includeArchived: false });
  h.calls[1]!.answer.resolve(page([...three(), msg("d", at(4), "in")]));
  await settle();
  assert.deepEqual(h.ids(), ["a", "b", "c", "d"]);
  h.c.onLiveReady();
  assert.equal(h.calls.length, 2, "once");
});

test("the divider goes before the first unread message; unsent messages show as failed", async () => {
  const h = harness();
  h.unsent.push({ key: "k1", message: { ...msg("", at(9), "out"), message: "draft" }, error: "no connection" });
  const p = page(three());
  p.meta.firstUnreadExternalId = "c";
  await opened(h, p);
  const rows = [...byTestId(h.c.element, "timeline").children].map((e) => (e as HTMLElement).dataset.testid).filter(Boolean);
  assert.deepEqual(rows, ["day-separator", "message", "message", "unread-divider", "message", "message"]);
  const local = allByTestId(h.c.element, "message")[3]!;
  assert.equal(local.dataset.status, "failed");
  byTestId(local, "retry-send").click();
  byTestId(local, "discard-send").click();
  assert.deepEqual(h.events.slice(-2), ["retry k1", "discard k1"]);
});

test("load older prepends the next page; its failure offers Retry", async () => {
  const h = harness();
  await opened(h, page([msg("c", at(3)), msg("d", at(4))], "older-1"));
  const older = byTestId<HTMLButtonElement>(h.c.element, "load-older");
  assert.equal(older.hidden, false);
  older.click();
  assert.equal(older.disabled, true);
  assert.deepEqual(h.calls[1]!.q, { pageToken: "older-1" });
  h.calls[1]!.answer.reject(new ApiError(500, "internal", "x"));
  await settle();
  assert.equal(h.errors[0]!.context, "Older messages could not be loaded.");
  h.errors[0]!.action!.run();
  h.calls[2]!.answer.resolve(page([msg("a", at(1)), msg("b", at(2)), msg("c", at(3))]));
  await settle();
  assert.deepEqual(h.ids(), ["a", "b", "c", "d"]);
  assert.equal(older.hidden, true, "the first message is reached");
});

test("scrolled near the top, the next older page loads by itself", async () => {
  const h = harness();
  await opened(h, page([msg("c", at(3))], "older-1"));
  h.frames.flush(); // happy-dom has no layout: scrollTop 0 is "at the top"
  assert.deepEqual(h.calls[1]!.q, { pageToken: "older-1" });
});

test("live messages: appended, the unread divider when the pane is hidden; own sends adopted", async () => {
  const h = harness();
  await opened(h, page(three()));
  h.setHidden(true);
  const res = h.c.onLiveMessage(msg("d", at(4), "in"));
  assert.deepEqual([res.kind, res.isNew], ["added", true]);
  assert.deepEqual(h.ids(), ["a", "b", "c", "d"]);
  assert.equal(allByTestId(h.c.element, "unread-divider").length, 1);
  assert.equal(h.c.onLiveMessage(msg("d", at(4), "in")).isNew, false);
  h.c.addLocal("k1", { ...msg("", at(5), "out"), message: "mine" });
  h.c.showOwnSend();
  assert.equal(allByTestId(h.c.element, "message").at(-1)!.dataset.status, "pending");
  const adopted = h.c.onLiveMessage(msg("e", at(5), "out", { message: "mine" }));
  assert.equal(adopted.kind, "adopted");
  assert.deepEqual(h.ids(), ["a", "b", "c", "d", "e"]);
  assert.equal(allByTestId(h.c.element, "message").at(-1)!.dataset.status, "sent");
});

test("a send confirmed by its answer takes the pending bubble's place", async () => {
  const h = harness();
  await opened(h, page(three()));
  h.c.addLocal("k1", { ...msg("", at(5), "out"), message: "mine" });
  h.c.showOwnSend();
  const bubble = allByTestId(h.c.element, "message").at(-1)!;
  h.c.setLocalStatus("k1", "failed", "no connection");
  assert.equal(bubble.dataset.status, "failed");
  h.c.setLocalStatus("k1", "pending");
  h.c.confirmLocal("k1", msg("e", at(5), "out", { message: "mine" }));
  assert.equal(allByTestId(h.c.element, "message").at(-1), bubble, "the same element");
  assert.equal(bubble.dataset.externalId, "e");
  assert.equal(bubble.dataset.status, "sent");
});

test("filters: show filters re-render; archived reloads the newest page with includeArchived", async () => {
  const h = harness();
  await opened(h, page(three()));
  h.c.setFilters({ show: "patient", archived: false });
  assert.deepEqual(h.ids(), ["a", "c"]);
  assert.equal(h.c.matches(msg("x", at(1), "out")), false);
  h.c.setFilters({ show: "patient", archived: true });
  assert.deepEqual(h.calls.at(-1)!.q, { pageSize: 20, includeArchived: true });
  h.c.setFilters({ show: "staff", archived: true });
  const empty = h.c.element.querySelector<HTMLElement>(".timeline__empty")!;
  assert.equal(empty.hidden, true);
  h.c.setFilters({ show: "unread", archived: true });
  h.c.markRead("inbound", null, at(10), null);
  h.c.render();
  assert.equal(empty.hidden, false);
  assert.equal(empty.textContent, "No messages match the filters.");
});

test("an empty chat says so, by mode", async () => {
  const staff = harness("staff");
  await opened(staff, page([]));
  assert.equal(staff.c.element.querySelector(".timeline__empty")!.textContent, "No messages yet. Write the first one below.");
  const patient = harness("patient");
  await opened(patient, page([]));
  assert.equal(patient.c.element.querySelector(".timeline__empty")!.textContent, "No messages yet. Write to your care team below.");
});

test("a search jump shows the hit with its neighbours, highlighted; live messages wait beyond it", async () => {
  const h = harness();
  await opened(h, page(three()));
  const hit: SearchHit = { meta: { nextPageToken: "o", prevPageToken: "n" }, message: msg("m", at(50)) };
  const shown = h.c.jumpTo(hit);
  await settle();
  assert.deepEqual(h.calls.slice(-2).map((c) => c.q), [{ pageToken: "o" }, { pageToken: "n" }]);
  h.calls.at(-2)!.answer.resolve(page([msg("l", at(49))], "older", null));
  h.calls.at(-1)!.answer.resolve(page([msg("n", at(51))], null, "newer"));
  assert.equal(await shown, true);
  assert.deepEqual(h.ids(), ["l", "m", "n"]);
  assert.equal(allByTestId(h.c.element, "message")[1]!.dataset.highlighted, "true");
  assert.match(h.said.at(-1) ?? "", /message found/);
  assert.equal(byTestId(h.c.element, "load-newer").hidden, false);
  const res = h.c.onLiveMessage(msg("z", at(99), "in"));
  assert.equal(res.kind, "outside");
  assert.deepEqual(h.ids(), ["l", "m", "n"]);
  const jump = byTestId(h.c.element, "jump-latest");
  assert.equal(jump.hidden, false);
  assert.equal(jump.textContent, "New messages");
  jump.click();
  assert.deepEqual(h.calls.at(-1)!.q, { pageSize: 20, includeArchived: false });
  h.calls.at(-1)!.answer.resolve(page([...three(), msg("z", at(99), "in")]));
  await settle();
  assert.deepEqual(h.ids(), ["a", "b", "c", "z"]);
  assert.equal(h.events.at(-1), "focus-composer");
});

test("a failed first load offers Retry", async () => {
  const h = harness();
  const done = h.c.open(0);
  h.timers.advance(0);
  await settle();
  h.calls[0]!.answer.reject(new ApiError(0, "network", "x"));
  await done;
  assert.equal(h.errors[0]!.context, "The messages could not be loaded.");
  assert.equal(h.c.loaded, false);
  h.errors[0]!.action!.run();
  h.calls[1]!.answer.resolve(page(three()));
  await settle();
  assert.equal(h.c.loaded, true);
});

test("a stale answer (the window was replaced meanwhile) is dropped", async () => {
  const h = harness();
  await opened(h, page(three(), "older-1"));
  void h.c.loadOlder();
  void h.c.reloadLatest();
  h.calls.at(-1)!.answer.resolve(page([msg("x", at(10))]));
  await settle();
  h.calls.at(-2)!.answer.resolve(page([msg("old", at(0))]));
  await settle();
  assert.deepEqual(h.ids(), ["x"]);
});

function assertNoDupes(ids: (string | undefined)[]) {
  assert.equal(new Set(ids).size, ids.length);
}

test("read marks from the timeline: newest unread shown, by direction and filters", async () => {
  const h = harness("patient");
  await opened(h, page([msg("a", at(1), "out"), msg("b", at(2), "out"), msg("c", at(3), "in")]));
  assert.equal(h.c.newestUnreadShown("outbound"), "b");
  assert.deepEqual(h.c.markRead("outbound", "a", at(5), null), ["a"]);
  h.c.setFilters({ show: "patient", archived: false });
  assert.equal(h.c.newestUnreadShown("outbound"), null, "filtered out: not shown, not receipted");
  assertNoDupes(h.ids());
});

test("messages are text: markup is never parsed", async () => {
  const h = harness();
  await opened(h, page([msg("a", at(1), "in", { message: "<img src=x onerror=alert(1)>" }) as ChatMessage]));
  const text = byTestId(h.c.element, "message-text");
  assert.equal(text.textContent, "<img src=x onerror=alert(1)>");
  assert.equal(text.children.length, 0);
});

test("a click on an attachment goes to onAttachment: open an image, download a file", async () => {
  const clicks: string[] = [];
  const h = harness("staff", { onAttachment: (action, a) => clicks.push(`${action} ${a.name}`) });
  await opened(h, page([msg("a", at(1), "in", { message: "", attachments: [attachment("rash.jpg"), attachment("report.pdf")] })]));
  byTestId(h.c.element, "attachment-image").click();
  byTestId(h.c.element, "attachment-file").click();
  assert.deepEqual(clicks, ["open rash.jpg", "download report.pdf"]);
});

test("a timeline that shrinks at the bottom (the composer grew with files) stays at the newest message; scrolled up, it stays put", async () => {
  let resized = (): void => {};
  const h = harness("staff", { watchSize: (_el, fn) => (resized = fn) });
  // happy-dom has no layout: the scroller's box is played here, clamped as a browser clamps it.
  const tl = byTestId(h.c.element, "timeline");
  const box = { scrollHeight: 2000, clientHeight: 600, scrollTop: 0 };
  Object.defineProperty(tl, "scrollHeight", { configurable: true, get: () => box.scrollHeight });
  Object.defineProperty(tl, "clientHeight", { configurable: true, get: () => box.clientHeight });
  Object.defineProperty(tl, "scrollTop", {
    configurable: true,
    get: () => box.scrollTop,
    set: (v: number) => (box.scrollTop = Math.max(0, Math.min(v, box.scrollHeight - box.clientHeight))),
  });
  const scrollTo = (top: number) => {
    box.scrollTop = top;
    tl.dispatchEvent(new Event("scroll"));
  };
  await opened(h, page(three()));

  scrollTo(1400); // at the bottom
  box.clientHeight = 420; // three upload rows above the input: no scroll event comes
  resized();
  assert.equal(box.scrollTop, 1580, "the newest message stays in view");
  box.clientHeight = 600; // the files are sent or removed
  resized();
  assert.equal(box.scrollTop, 1400);

  scrollTo(300); // reading older messages
  box.clientHeight = 420;
  resized();
  assert.equal(box.scrollTop, 300, "what the user reads does not move");
});
