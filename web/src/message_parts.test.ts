import { test } from "node:test";
import assert from "node:assert/strict";
import { isOwnSide, partsKey, partsOf, senderLabel } from "./message_parts.js";
import { at, attachment, msg } from "./test_helpers.js";

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

test("attachments: images with thumbnails, other files as chips; no empty text part beside them", () => {
  const img = attachment("rash.jpg");
  const heic = attachment("photo.heic", { contentType: "image/heic", thumbnail: false });
  const pdf = attachment("report.pdf");
  assert.deepEqual(partsOf(msg("a", at(1), "in", { message: "", attachments: [img, heic, pdf] })), [
    { kind: "image", attachment: img },
    { kind: "file", attachment: heic },
    { kind: "file", attachment: pdf },
  ]);
  assert.deepEqual(partsOf(msg("a", at(1), "in", { message: "see", attachments: [pdf] })).map((p) => p.kind), ["text", "file"]);
  assert.deepEqual(partsOf(msg("a", at(1), "in", { message: "" })), [{ kind: "text", text: "" }], "a message without files keeps its text part");
  const bad = { ...msg("a", at(1), "in", { message: "x" }), attachments: [{ id: "junk" }] } as never;
  assert.deepEqual(partsOf(bad).map((p) => p.kind), ["text"], "malformed attachments are left out");
  assert.notEqual(partsKey(partsOf(msg("a", at(1), "in", { attachments: [img] }))), partsKey(partsOf(msg("a", at(1), "in", { attachments: [pdf] }))));
});
