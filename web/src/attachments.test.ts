import { test } from "node:test";
import assert from "node:assert/strict";
import { attachmentsOf, attachmentSummary, attachmentView, contentDispositionFor, humanSize, isAttachment, typeLabel } from "./attachments.js";
import { attachment } from "./test_helpers.js";

test("images with a thumbnail show as thumbnails; everything else as a chip", () => {
  assert.equal(attachmentView({ contentType: "image/jpeg", thumbnail: true }), "image");
  assert.equal(attachmentView({ contentType: "IMAGE/PNG", thumbnail: true }), "image");
  assert.equal(attachmentView({ contentType: "image/heic", thumbnail: false }), "file", "no thumbnail: a chip");
  assert.equal(attachmentView({ contentType: "application/pdf", thumbnail: true }), "file", "not an image");
});

test("human sizes", () => {
  assert.equal(humanSize(0), "0 B");
  assert.equal(humanSize(999), "999 B");
  assert.equal(humanSize(1023), "1023 B");
  assert.equal(humanSize(1024), "1 KB");
  assert.equal(humanSize(1536), "1.5 KB");
  assert.equal(humanSize(12_345), "12 KB");
  assert.equal(humanSize(1024 * 1024 - 1), "1 MB");
  assert.equal(humanSize(3.4 * 1024 * 1024), "3.4 MB");
  assert.equal(humanSize(25 * 1024 * 1024), "25 MB");
  assert.equal(humanSize(2 * 1024 ** 3), "2 GB");
  assert.equal(humanSize(-1), "");
  assert.equal(humanSize(Number.NaN), "");
});

test("type labels", () => {
  assert.equal(typeLabel("application/pdf", "x.pdf"), "PDF");
  assert.equal(typeLabel("image/jpeg", "rash.jpg"), "JPEG image");
  assert.equal(typeLabel("image/svg+xml", "a.svg"), "SVG image");
  assert.equal(typeLabel("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a.docx"), "Word");
  assert.equal(typeLabel("application/octet-stream", "scan.dcm"), "DCM");
  assert.equal(typeLabel("application/octet-stream", "noext"), "File");
  assert.equal(typeLabel("text/plain; charset=utf-8", "a"), "Text");
  assert.equal(attachmentSummary({ contentType: "application/pdf", name: "x.pdf", size: 1_258_291 }), "PDF · 1.2 MB");
});

test("only well-formed attachments are taken", () => {
  assert.equal(isAttachment(attachment("a.pdf")), true);
  assert.equal(isAttachment({ ...attachment("a.pdf"), id: "nope" }), false);
  assert.equal(isAttachment({ ...attachment("a.pdf"), size: "12" }), false);
  assert.equal(isAttachment(null), false);
  assert.deepEqual(attachmentsOf({}), []);
  assert.deepEqual(attachmentsOf({ attachments: [attachment("a.pdf"), { id: 1 }] }).length, 1);
});

test("upload names are sent percent-encoded as UTF-8", () => {
  assert.equal(contentDispositionFor("rash.jpg"), "attachment; filename*=UTF-8''rash.jpg");
  assert.equal(contentDispositionFor("Bild (1) ü's*.png"), "attachment; filename*=UTF-8''Bild%20%281%29%20%C3%BC%27s%2A.png");
  assert.equal(contentDispositionFor('a"b\r\n.txt'), "attachment; filename*=UTF-8''a%22b%0D%0A.txt");
});
