import { test } from "node:test";
import assert from "node:assert/strict";
import { isOwnSide, partsOf, senderLabel } from "./message_parts.js";
import { at, msg } from "./test_helpers.js";

test("sender labels and sides", () => {
  const p = msg("a", at(1), "in");
  const s = msg("b", at(2), "out");
  assert.equal(senderLabel(p, "staff", false), "Patient");
  assert.equal(senderLabel(s, "staff", false), "Root Root · Staff");
  assert.equal(senderLabel(p, "patient", false), "You");
  assert.equal(senderLabel(s, "patient", false), "Root Root · Staff");
  assert.equal(isOwnSide(s, "staff"), true);
  assert.equal(isOwnSide(p, "staff"), false);
  assert.equal(isOwnSide(p, "patient"), true);
});

test("a message is one text part, kept verbatim (markup stays text)", () => {
  assert.deepEqual(partsOf(msg("a", at(1), "in", { message: "<script>alert(1)</script>" })), [{ kind: "text", text: "<script>alert(1)</script>" }]);
});
