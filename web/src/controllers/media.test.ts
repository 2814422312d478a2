import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError } from "../api.js";
import { byTestId, deferred, installDom, key, ManualTimers, settle } from "../test_dom.js";
import { attachment } from "../test_helpers.js";
import { MediaController } from "./media.js";

installDom();

function harness() {
  const fetches: { id: string; variant: string; answer: ReturnType<typeof deferred<Blob>> }[] = [];
  const live = new Set<string>();
  const revoked: string[] = [];
  const errors: { e: unknown; context: string | null }[] = [];
  const said: string[] = [];
  const timers = new ManualTimers();
  let n = 0;
  const m = new MediaController({
    fetch: (id, variant) => {
      const answer = deferred<Blob>();
      fetches.push({ id, variant, answer });
      return answer.promise;
    },
    urls: {
      create: () => {
        const u = `blob:test/${++n}`;
        live.add(u);
        return u;
      },
      revoke: (u) => {
        live.delete(u);
        revoked.push(u);
      },
    },
    doc: document,
    timers,
    onError: (e, context) => errors.push({ e, context }),
    announce: (t) => said.push(t),
  });
  document.body.replaceChildren(m.dialog);
  return { m, fetches, live, revoked, errors, said, timers };
}

const blob = () => new Blob(["x"], { type: "image/jpeg" });

test("a thumbnail is fetched once, shared, and revoked when the last holder releases it", async () => {
  const h = harness();
  const a = attachment("rash.jpg");
  const p1 = h.m.thumbnail(a);
  const p2 = h.m.thumbnail(a);
  assert.equal(h.fetches.length, 1);
  assert.deepEqual([h.fetches[0]!.id, h.fetches[0]!.variant], [a.id, "thumbnail"]);
  h.fetches[0]!.answer.resolve(blob());
  assert.equal(await p1, "blob:test/1");
  assert.equal(await p2, "blob:test/1");
  h.m.release(a);
  assert.equal(h.live.size, 1);
  h.m.release(a);
  assert.equal(h.live.size, 0);
  assert.equal(h.m.heldCount, 0);
});

test("released before it loaded: the URL is revoked as soon as it exists", async () => {
  const h = harness();
  const a = attachment("rash.jpg");
  const p = h.m.thumbnail(a);
  h.m.release(a);
  h.fetches[0]!.answer.resolve(blob());
  await assert.rejects(p);
  assert.equal(h.live.size, 0);
  assert.deepEqual(h.revoked, ["blob:test/1"]);
});

test("the viewer shows the full image, focuses Close, and Escape closes it, revoking and returning focus", async () => {
  const h = harness();
  const a = attachment("rash.jpg");
  const thumb = document.createElement("button");
  document.body.append(thumb);
  const opened = h.m.open(a, thumb);
  assert.equal(h.m.dialog.hidden, false);
  assert.equal(h.m.dialog.getAttribute("role"), "dialog");
  assert.equal(h.m.dialog.getAttribute("aria-modal"), "true");
  assert.equal(document.activeElement, byTestId(h.m.dialog, "attachment-viewer-close"));
  assert.equal(h.fetches[0]!.variant, "file");
  h.fetches[0]!.answer.resolve(blob());
  await opened;
  const img = h.m.dialog.querySelector("img")!;
  assert.equal(img.getAttribute("src"), "blob:test/1");
  assert.equal(img.getAttribute("alt"), "rash.jpg");
  assert.equal(h.m.dialog.querySelector("h2")!.textContent, "rash.jpg");
  key(h.m.dialog.querySelector("button")!, "Escape");
  assert.equal(h.m.dialog.hidden, true);
  assert.equal(h.live.size, 0);
  assert.equal(document.activeElement, thumb);
});

test("closed while loading: the late image is dropped; a failure says so", async () => {
  const h = harness();
  const a = attachment("rash.jpg");
  const first = h.m.open(a, null);
  byTestId(h.m.dialog, "attachment-viewer-close").click();
  h.fetches[0]!.answer.resolve(blob());
  await first;
  assert.equal(h.live.size, 0);
  const second = h.m.open(a, null);
  h.fetches[1]!.answer.reject(new ApiError(404, "not_found", "x"));
  await second;
  assert.equal(h.m.dialog.querySelector(".viewer__status")!.textContent, "This file is no longer available.");
});

test("a download fetches with the header and clicks a blob: link named as sent, revoked later", async () => {
  const h = harness();
  const a = attachment("Befund.pdf");
  const chip = document.createElement("button");
  const clicked: { href: string | null; download: string | null }[] = [];
  const orig = window.HTMLAnchorElement.prototype.click;
  window.HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
    clicked.push({ href: this.getAttribute("href"), download: this.getAttribute("download") });
  };
  try {
    const done = h.m.download(a, chip);
    assert.equal(chip.getAttribute("aria-busy"), "true");
    void h.m.download(a, chip);
    assert.equal(h.fetches.length, 1, "one download at a time per chip");
    h.fetches[0]!.answer.resolve(blob());
    await done;
  } finally {
    window.HTMLAnchorElement.prototype.click = orig;
  }
  assert.deepEqual(clicked, [{ href: "blob:test/1", download: "Befund.pdf" }]);
  assert.equal(chip.hasAttribute("aria-busy"), false);
  assert.equal(document.querySelector("a[download]"), null, "the link is gone");
  assert.equal(h.live.size, 1);
  h.timers.advance(30_000);
  assert.equal(h.live.size, 0);
});

test("a failed download offers Retry", async () => {
  const h = harness();
  const a = attachment("Befund.pdf");
  const done = h.m.download(a, null);
  h.fetches[0]!.answer.reject(new ApiError(0, "network", "x"));
  await done;
  await settle();
  assert.equal(h.errors[0]!.context, "Befund.pdf could not be downloaded.");
});
