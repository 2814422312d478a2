import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError, type SearchQuery } from "../api.js";
import { allByTestId, byTestId, deferred, input, installDom, key, ManualTimers, settle } from "../test_dom.js";
import { at, msg } from "../test_helpers.js";
import type { SearchHit, SearchPage } from "../types.js";
import { highlightMatches, SearchController } from "./search.js";

installDom();

function hit(id: string, text: string): SearchHit {
  return { meta: { nextPageToken: "old-" + id, prevPageToken: "new-" + id }, message: msg(id, at(1), "in", { message: text }) };
}

function results(hits: SearchHit[], next: string | null = null): SearchPage {
  return { meta: { nextPageToken: next, prevPageToken: null, pageSize: hits.length, found: hits.length > 0 }, content: hits };
}

function harness() {
  const timers = new ManualTimers();
  const calls: { q: SearchQuery; answer: ReturnType<typeof deferred<SearchPage>> }[] = [];
  const jumped: SearchHit[] = [];
  const errors: unknown[] = [];
  let archived = false;
  let jumpOk = true;
  const api = {
    search: (q: SearchQuery) => {
      const answer = deferred<SearchPage>();
      calls.push({ q, answer });
      return answer.promise;
    },
  };
  const c = new SearchController({
    mode: "staff",
    api: () => api,
    includeArchived: () => archived,
    jumpTo: async (h) => {
      jumped.push(h);
      return jumpOk;
    },
    onError: (e) => errors.push(e),
    doc: document,
    timers,
    now: () => Date.UTC(2026, 10, 21, 10, 5),
  });
  const outside = document.createElement("button");
  document.body.replaceChildren(c.element, outside);
  const box = byTestId<HTMLInputElement>(c.element, "search-input");
  const panel = c.element.querySelector<HTMLElement>(".search__panel")!;
  const status = c.element.querySelector<HTMLElement>(".search__status")!;
  const more = c.element.querySelector<HTMLButtonElement>(".search__more")!;
  return { c, timers, calls, jumped, errors, box, panel, status, more, outside, setArchived: (v: boolean) => (archived = v), setJumpOk: (v: boolean) => (jumpOk = v) };
}

test("typing searches after a pause; the hits mark the matches", async () => {
  const h = harness();
  input(h.box, "pre");
  input(h.box, "press");
  h.timers.advance(299);
  assert.equal(h.calls.length, 0);
  h.timers.advance(1);
  assert.equal(h.calls.length, 1);
  assert.deepEqual(h.calls[0]!.q, { query: "press", pageSize: 20, contentPageSize: 10, includeArchived: false });
  assert.equal(h.panel.hidden, false);
  assert.equal(h.status.textContent, "Searching...");
  h.calls[0]!.answer.resolve(results([hit("a", "Blood pressure is fine"), hit("b", "PRESSURE")]));
  await settle();
  const hits = allByTestId(h.c.element, "search-hit");
  assert.deepEqual(hits.map((e) => e.dataset.externalId), ["a", "b"]);
  assert.deepEqual([...hits[0]!.querySelectorAll("mark")].map((m) => m.textContent), ["press"]);
  assert.equal(hits[0]!.querySelector(".hit__sender")!.textContent, "Patient");
  assert.equal(h.status.textContent, "2 matches");
});

test("Enter searches at once; an older answer arriving late is dropped", async () => {
  const h = harness();
  input(h.box, "one");
  h.timers.advance(300);
  input(h.box, "two");
  key(h.box, "Enter");
  assert.equal(h.calls.length, 2);
  h.calls[1]!.answer.resolve(results([hit("b", "two")]));
  h.calls[0]!.answer.resolve(results([hit("a", "one")]));
  await settle();
  assert.deepEqual(allByTestId(h.c.element, "search-hit").map((e) => e.dataset.externalId), ["b"]);
});

test("more results append and the first new one gets focus", async () => {
  const h = harness();
  input(h.box, "x");
  key(h.box, "Enter");
  h.calls[0]!.answer.resolve(results([hit("a", "x")], "tok2"));
  await settle();
  assert.equal(h.status.textContent, "Newest 1 matches");
  assert.equal(h.more.hidden, false);
  h.setArchived(true);
  h.more.click();
  assert.deepEqual(h.calls[1]!.q, { pageToken: "tok2", includeArchived: true });
  h.calls[1]!.answer.resolve(results([hit("b", "x")]));
  await settle();
  assert.equal(h.status.textContent, "2 matches");
  assert.equal(h.more.hidden, true);
  assert.equal(document.activeElement, allByTestId(h.c.element, "search-hit")[1]);
});

test("arrow keys move between the box and the hits; Escape clears", async () => {
  const h = harness();
  input(h.box, "x");
  key(h.box, "Enter");
  h.calls[0]!.answer.resolve(results([hit("a", "x"), hit("b", "x")]));
  await settle();
  const hits = allByTestId(h.c.element, "search-hit");
  h.box.focus();
  key(h.box, "ArrowDown");
  assert.equal(document.activeElement, hits[0]);
  key(hits[0]!, "ArrowDown");
  assert.equal(document.activeElement, hits[1]);
  key(hits[1]!, "ArrowUp");
  key(hits[0]!, "ArrowUp");
  assert.equal(document.activeElement, h.box);
  key(h.box, "Escape");
  assert.equal(h.box.value, "");
  assert.equal(h.panel.hidden, true);
  assert.equal(allByTestId(h.c.element, "search-hit").length, 0);
});

test("a click elsewhere closes the panel; focusing the box again reopens it", async () => {
  const h = harness();
  input(h.box, "x");
  key(h.box, "Enter");
  h.calls[0]!.answer.resolve(results([hit("a", "x")]));
  await settle();
  h.outside.dispatchEvent(new window.Event("pointerdown", { bubbles: true }));
  assert.equal(h.panel.hidden, true);
  h.outside.focus();
  h.box.focus();
  assert.equal(h.panel.hidden, false);
});

test("a hit jumps in the timeline; the panel closes once it is shown", async () => {
  const h = harness();
  input(h.box, "x");
  key(h.box, "Enter");
  h.calls[0]!.answer.resolve(results([hit("a", "x")]));
  await settle();
  h.setJumpOk(false);
  allByTestId(h.c.element, "search-hit")[0]!.click();
  await settle();
  assert.equal(h.jumped.length, 1);
  assert.equal(h.panel.hidden, false, "stays while the jump failed");
  h.setJumpOk(true);
  allByTestId(h.c.element, "search-hit")[0]!.click();
  await settle();
  assert.equal(h.panel.hidden, true);
});

test("errors: a bad query shows the server's message; 401 is reported", async () => {
  const h = harness();
  input(h.box, "x");
  key(h.box, "Enter");
  h.calls[0]!.answer.reject(new ApiError(400, "bad_request", "The query is too short."));
  await settle();
  assert.equal(h.status.textContent, "The query is too short.");
  key(h.box, "Enter");
  h.calls[1]!.answer.reject(new ApiError(401, "unauthorized", "x"));
  await settle();
  assert.equal(h.status.textContent, "The search failed. Try again.");
  assert.equal(h.errors.length, 1);
});

test("rerun asks again with the query shown (the archived filter changed)", async () => {
  const h = harness();
  h.c.rerun();
  assert.equal(h.calls.length, 0);
  input(h.box, " x ");
  key(h.box, "Enter");
  h.setArchived(true);
  h.c.rerun();
  assert.deepEqual(h.calls[1]!.q, { query: "x", pageSize: 20, contentPageSize: 10, includeArchived: true });
});

test("snippets: every match marked, case kept, long texts cut, a far first match brought near the start", () => {
  const text = (nodes: (string | HTMLElement)[]) => nodes.map((n) => (typeof n === "string" ? n : `[${n.textContent}]`)).join("");
  assert.equal(text(highlightMatches("Pain, pain and PAIN", "pain")), "[Pain], [pain] and [PAIN]");
  assert.equal(text(highlightMatches("<b>x</b>", "x")), "<b>[x]</b>");
  const far = "a".repeat(100) + "needle" + "b".repeat(500);
  const out = text(highlightMatches(far, "needle"));
  assert.ok(out.startsWith("…" + "a".repeat(40) + "[needle]"));
  assert.ok(out.endsWith("…"));
  assert.equal(text(highlightMatches("abc", "")), "abc");
});
