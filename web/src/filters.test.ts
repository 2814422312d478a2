import { test } from "node:test";
import assert from "node:assert/strict";
import { filtersToSearch, matchesFilter, NO_FILTERS, parseFilters, toggleShow } from "./filters.js";
import { at, msg } from "./test_helpers.js";

test("URL -> filters", () => {
  assert.deepEqual(parseFilters(""), NO_FILTERS);
  assert.deepEqual(parseFilters("?show=patient"), { show: "patient", archived: false });
  assert.deepEqual(parseFilters("?show=staff&archived=1"), { show: "staff", archived: true });
  assert.deepEqual(parseFilters("?show=unread&archived=0"), { show: "unread", archived: false });
  assert.deepEqual(parseFilters("?show=bogus&archived=yes"), NO_FILTERS);
});

test("filters -> URL keeps other parameters and round-trips", () => {
  assert.equal(filtersToSearch(NO_FILTERS, ""), "");
  assert.equal(filtersToSearch({ show: "patient", archived: false }, ""), "?show=patient");
  assert.equal(filtersToSearch({ show: "unread", archived: true }, "?x=1&show=staff"), "?x=1&show=unread&archived=1");
  assert.equal(filtersToSearch(NO_FILTERS, "?show=staff&archived=1&x=2"), "?x=2");
  for (const f of [NO_FILTERS, { show: "staff", archived: true }, { show: "unread", archived: false }] as const)
    assert.deepEqual(parseFilters(filtersToSearch(f, "?keep=me")), f);
});

test("show toggles are exclusive and clear when pressed again", () => {
  const a = toggleShow(NO_FILTERS, "patient");
  assert.equal(a.show, "patient");
  assert.equal(toggleShow(a, "staff").show, "staff");
  assert.equal(toggleShow(a, "patient").show, "all");
  assert.equal(toggleShow({ show: "all", archived: true }, "unread").archived, true);
});

test("matching: patient/staff by direction, unread by the viewer's side", () => {
  const fromPatient = msg("a", at(1), "in");
  const fromStaff = msg("b", at(2), "out");
  const readPatient = msg("c", at(3), "in", { readAt: at(4) });
  assert.equal(matchesFilter(fromPatient, { show: "patient", archived: false }, "staff"), true);
  assert.equal(matchesFilter(fromStaff, { show: "patient", archived: false }, "staff"), false);
  assert.equal(matchesFilter(fromStaff, { show: "staff", archived: false }, "staff"), true);
  assert.equal(matchesFilter(fromPatient, { show: "unread", archived: false }, "staff"), true);
  assert.equal(matchesFilter(readPatient, { show: "unread", archived: false }, "staff"), false);
  // Staff messages the patient has not read are "unread" only in the patient's view.
  assert.equal(matchesFilter(fromStaff, { show: "unread", archived: false }, "staff"), false);
  assert.equal(matchesFilter(fromStaff, { show: "unread", archived: false }, "patient"), true);
});
