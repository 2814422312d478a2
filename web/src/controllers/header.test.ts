import { test } from "node:test";
import assert from "node:assert/strict";
import { NO_FILTERS, type FilterState } from "../filters.js";
import { byTestId, installDom } from "../test_dom.js";
import { h } from "../view/dom.js";
import { HeaderController } from "./header.js";

installDom();

function harness(mode: "staff" | "patient" = "staff") {
  const asked: FilterState[] = [];
  const c = new HeaderController({ mode, badge: h("span", { testid: "unread-badge" }), actions: [h("button", { testid: "mark-all-read" })], search: h("div", { testid: "search" }), onFilters: (f) => asked.push(f) });
  const btn = (id: string) => byTestId<HTMLButtonElement>(c.element, `filter-${id}`);
  return { c, asked, btn };
}

test("places the badge, the actions and the search box; labels follow the mode", () => {
  const s = harness("staff");
  for (const id of ["unread-badge", "mark-all-read", "search", "connection-status"]) byTestId(s.c.element, id);
  assert.equal(s.btn("patient").textContent, "Patient");
  assert.equal(s.c.element.querySelector("h1")!.textContent, "Messages");
  const p = harness("patient");
  assert.equal(p.btn("patient").textContent, "Mine");
  assert.equal(p.btn("staff").textContent, "Care team");
});

test("the show filters are exclusive toggles; archived is independent", () => {
  const s = harness();
  s.btn("patient").click();
  assert.deepEqual(s.asked.at(-1), { show: "patient", archived: false });
  s.c.showFilters({ show: "patient", archived: false });
  s.btn("patient").click();
  assert.deepEqual(s.asked.at(-1), NO_FILTERS, "pressing the active one clears it");
  s.btn("unread").click();
  assert.deepEqual(s.asked.at(-1), { show: "unread", archived: false });
  s.btn("archived").click();
  assert.deepEqual(s.asked.at(-1), { show: "patient", archived: true });
});

test("shows the filters in force: aria-pressed and the note with Show all", () => {
  const s = harness();
  assert.equal(s.c.filterNote.hidden, true);
  s.c.showFilters({ show: "staff", archived: true });
  assert.equal(s.btn("staff").getAttribute("aria-pressed"), "true");
  assert.equal(s.btn("patient").getAttribute("aria-pressed"), "false");
  assert.equal(s.btn("archived").getAttribute("aria-pressed"), "true");
  assert.equal(s.c.filterNote.hidden, false);
  assert.match(s.c.filterNote.textContent ?? "", /Showing care team messages only, including archived\./);
  s.c.filterNote.querySelector("button")!.click();
  assert.deepEqual(s.asked.at(-1), NO_FILTERS);
});

test("the connection state", () => {
  const s = harness();
  const conn = byTestId(s.c.element, "connection-status");
  assert.equal(conn.dataset.state, "connecting");
  s.c.showConnection("live");
  assert.equal(conn.dataset.state, "live");
  assert.equal(conn.textContent, "Live");
  s.c.showConnection("reconnecting");
  assert.equal(conn.textContent, "Reconnecting...");
  s.c.showConnection("stopped");
  assert.equal(conn.dataset.state, "offline");
  assert.equal(conn.textContent, "Offline");
});
