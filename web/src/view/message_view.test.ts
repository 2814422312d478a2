import { test } from "node:test";
import assert from "node:assert/strict";
import { allByTestId, byTestId, deferred, installDom, settle } from "../test_dom.js";
import { attachment, at, msg } from "../test_helpers.js";
import type { Entry } from "../timeline.js";
import type { Attachment, ChatMessage } from "../types.js";
import { attachmentOf, createMessageElement, releaseMessageElement, updateMessageElement, type MediaPort } from "./message_view.js";

installDom();

class FakeMedia implements MediaPort {
  held = new Map<string, number>();
  answers = new Map<string, ReturnType<typeof deferred<string>>>();
  thumbnail(a: Attachment) {
    this.held.set(a.id, (this.held.get(a.id) ?? 0) + 1);
    const d = deferred<string>();
    this.answers.set(a.id, d);
    return d.promise;
  }
  release(a: Attachment) {
    const n = (this.held.get(a.id) ?? 0) - 1;
    if (n <= 0) this.held.delete(a.id);
    else this.held.set(a.id, n);
  }
}

function entry(m: ChatMessage, local = false): Entry {
  return { key: local ? "local:k" : m.externalId, message: m, status: local ? "pending" : "sent", local, error: null, time: 0, ord: 0 };
}

function render(m: ChatMessage, media: MediaPort, el = createMessageElement(), local = false) {
  updateMessageElement(el, entry(m, local), { mode: "staff", now: Date.parse(at(60)), highlighted: false, time: {}, media });
  return el;
}

test("an image with a thumbnail is a labelled button showing a blob: URL; other files are chips", async () => {
  const media = new FakeMedia();
  const img = attachment("rash.jpg", { size: 2048 });
  const pdf = attachment("report.pdf", { size: 1_258_291 });
  const el = render(msg("a", at(1), "in", { message: "", attachments: [img, pdf] }), media);
  assert.equal(allByTestId(el, "message-text").length, 0, "no empty text");
  const thumb = byTestId<HTMLButtonElement>(el, "attachment-image");
  assert.equal(thumb.tagName, "BUTTON", "keyboard focusable; Enter and Space click");
  assert.equal(thumb.getAttribute("aria-label"), "Open image rash.jpg, 2 KB");
  assert.equal(thumb.dataset.action, "open-attachment");
  assert.equal(attachmentOf(thumb), img);
  media.answers.get(img.id)!.resolve("blob:x/1");
  await settle();
  assert.equal(thumb.querySelector("img")!.getAttribute("src"), "blob:x/1");
  assert.equal(thumb.querySelector("img")!.getAttribute("alt"), "rash.jpg");
  const chip = byTestId<HTMLButtonElement>(el, "attachment-file");
  assert.equal(chip.dataset.action, "download-attachment");
  assert.equal(chip.getAttribute("aria-label"), "Download report.pdf, PDF · 1.2 MB");
  assert.equal(byTestId(chip, "attachment-name").textContent, "report.pdf");
  assert.equal(attachmentOf(chip), pdf);
});

test("names are text, never markup", () => {
  const media = new FakeMedia();
  const evil = attachment("<img src=x onerror=alert(1)>.pdf");
  const el = render(msg("a", at(1), "in", { attachments: [evil] }), media);
  assert.equal(byTestId(el, "attachment-name").textContent, "<img src=x onerror=alert(1)>.pdf");
  assert.equal(el.querySelectorAll("img").length, 0);
});

test("thumbnails are held while the bubble shows them and released when it goes", () => {
  const media = new FakeMedia();
  const img = attachment("rash.jpg");
  const m = msg("a", at(1), "out", { message: "", attachments: [img] });
  const el = render({ ...m, externalId: "" }, media, createMessageElement(), true);
  assert.equal(media.held.get(img.id), 1);
  render(m, media, el); // the pending bubble becomes the stored message: same parts, no refetch
  assert.equal(media.held.get(img.id), 1);
  assert.equal(media.answers.size, 1);
  releaseMessageElement(el);
  assert.equal(media.held.size, 0);
});

test("a missing thumbnail leaves the name in its place, still opening the image", async () => {
  const media = new FakeMedia();
  const img = attachment("rash.jpg");
  const el = render(msg("a", at(1), "in", { attachments: [img] }), media);
  media.answers.get(img.id)!.reject(new Error("404"));
  await settle();
  const thumb = byTestId(el, "attachment-image");
  assert.equal(thumb.querySelector("img"), null);
  assert.match(thumb.textContent ?? "", /rash\.jpg/);
  assert.equal(thumb.dataset.action, "open-attachment");
});
