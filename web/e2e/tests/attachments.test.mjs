// Attachments (issue #14) through the real app and server: staff attach an image and a PDF with the
// file picker (progress, then done; a send pressed meanwhile waits for the uploads), the patient
// portal shows the message live with the thumbnail through a blob: URL and the PDF as a chip that
// downloads the same bytes, the image opens full size; a refused type (an SVG with a script) shows
// the server's 415 message and sends nothing; files dropped on or pasted into the composer upload too;
// a composer grown by files keeps the newest message in view.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before } from "node:test";
import { ApiError, World, eventually, expectAttr, expectCount, sleep } from "../harness.mjs";
import { makePng, pdfBytes, photoPng, sha256, svgWithScript } from "../files.mjs";

const world = new World();
before(() => world.setup());
after(() => world.teardown());

const IMAGE = { name: "rash-left-arm.png", mimeType: "image/png", buffer: photoPng(480, 360) };
const PDF = { name: "Lab results 2024-05.pdf", mimeType: "application/pdf", buffer: pdfBytes("CBC and metabolic panel") };

/** The bubble with this external id. */
const bubble = (page, externalId) => page.getByTestId("timeline").locator(`[data-testid="message"][data-external-id="${externalId}"]`);

/** The <img> inside a thumbnail or the viewer: what it shows and where from. */
function imageState(locator) {
  return locator.evaluate((el) => {
    const img = el.tagName === "IMG" ? el : el.querySelector("img");
    return img ? { src: img.getAttribute("src") ?? "", complete: img.complete, naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight } : null;
  });
}

/** Waits until the image has loaded from a blob: URL; returns its state. */
async function expectBlobImage(locator, token) {
  return eventually(async () => {
    const s = await imageState(locator);
    assert.ok(s, `an <img> in ${locator}`);
    assert.ok(s.src.startsWith("blob:"), `the image comes from a blob: URL, got "${s.src}"`);
    assert.ok(!s.src.includes(token), "no token in the image URL");
    assert.ok(s.complete && s.naturalWidth > 0, `the image decoded (naturalWidth ${s.naturalWidth})`);
    return s;
  });
}

/** Requests to the attachment routes: each must carry the token in the header, never in the URL. */
function watchAttachmentRequests(page) {
  const seen = [];
  page.on("request", (r) => {
    if (!new URL(r.url()).pathname.includes("/chat/attachments")) return;
    seen.push({ method: r.method(), url: r.url(), headers: r.allHeaders() });
  });
  return seen;
}

async function assertTokenOnlyInHeaders(seen, token) {
  for (const r of seen) {
    assert.ok(!r.url.includes(token), `token in a request URL: ${r.url}`);
    assert.equal((await r.headers).authorization, `Bearer ${token}`, `${r.method} ${r.url} has the Authorization header`);
  }
}

async function focusedTestId(page) {
  return page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? null);
}

world.test("staff attach an image and a PDF; the portal shows them live, the PDF downloads, the image opens full size", async ({ newPage }) => {
  const chat = await world.newChat();
  await chat.patient.inbound("The rash on my arm is back. Should I send a picture?");

  // The patient's portal is open first: the message must arrive live.
  const portal = await newPage();
  const portalRequests = watchAttachmentRequests(portal);
  await world.open(portal, chat.portalPath, chat.patientToken);
  await expectCount(portal.getByTestId("message"), 1);
  let portalNavigations = 0;
  portal.on("framenavigated", (f) => {
    if (f === portal.mainFrame()) portalNavigations++;
  });
  await portal.evaluate(() => (window.e2eSameDocument = true));

  const staff = await newPage();
  const staffRequests = watchAttachmentRequests(staff);
  await world.open(staff, chat.staffPath, chat.staffToken);
  await expectCount(staff.getByTestId("message"), 1);

  // Hold each upload at the network until the test lets it go, to see it while it is in flight.
  const held = new Map();
  await staff.route(
    (url) => url.pathname.endsWith("/chat/attachments"),
    async (route) => {
      const disposition = route.request().headers()["content-disposition"] ?? "";
      const name = decodeURIComponent(disposition.split("''")[1] ?? "");
      await new Promise((release) => held.set(name, release));
      await route.continue();
    },
  );

  await staff.getByTestId("composer-file-input").setInputFiles([IMAGE, PDF]);
  const uploads = staff.getByTestId("upload-list").getByTestId("upload");
  await expectCount(uploads, 2);
  const imageRow = uploads.filter({ hasText: IMAGE.name });
  const pdfRow = uploads.filter({ hasText: PDF.name });
  await eventually(() => assert.deepEqual([...held.keys()].sort(), [IMAGE.name, PDF.name].sort(), "both uploads started"));
  for (const [row, file] of [[imageRow, IMAGE], [pdfRow, PDF]]) {
    await expectAttr(row, "data-state", "uploading");
    const progress = row.getByTestId("upload-progress");
    assert.ok(await progress.isVisible(), `a progress bar for ${file.name}`);
    assert.equal(await progress.evaluate((p) => p.max), file.buffer.length, "the bar measures the file");
    assert.match(await row.textContent(), /\d+% of/, "the row says how far it is");
  }

  // The image finishes; a send pressed while the PDF is still going waits for it.
  held.get(IMAGE.name)();
  await expectAttr(imageRow, "data-state", "done");
  assert.equal(await imageRow.getByTestId("upload-progress").isVisible(), false, "no bar once done");
  const text = "Here is a photo from your last visit, and the lab report.";
  await staff.getByTestId("composer-input").fill(text);
  await staff.getByTestId("composer-input").press("Enter");
  await expectAttr(staff.getByTestId("composer-send"), "data-state", "waiting");
  assert.equal(await staff.getByTestId("composer-send").isDisabled(), true);
  assert.match(await staff.getByTestId("composer-status").textContent(), /Sending when the uploads finish/);
  await sleep(300);
  assert.equal((await chat.staff.all()).length, 1, "nothing sent while an upload is going");

  held.get(PDF.name)();
  const mine = staff.getByTestId("timeline").locator('[data-testid="message"][data-direction="outbound"]');
  await expectCount(mine, 1);
  await expectAttr(mine, "data-status", "sent");
  await expectCount(staff.getByTestId("upload"), 0);
  assert.equal(await staff.getByTestId("upload-list").isVisible(), false, "the upload list is emptied by the send");
  assert.equal(await staff.getByTestId("composer-input").inputValue(), "");

  // Stored once, with both files as uploaded (SHA-256 computed here from the bytes sent).
  const stored = await chat.staff.all();
  assert.equal(stored.length, 2, "one message stored");
  const message = stored[1];
  assert.equal(message.message, text);
  assert.deepEqual(
    message.attachments.map((a) => [a.name, a.contentType, a.size, a.sha256, a.thumbnail]),
    [
      [IMAGE.name, "image/png", IMAGE.buffer.length, sha256(IMAGE.buffer), true],
      [PDF.name, "application/pdf", PDF.buffer.length, sha256(PDF.buffer), false],
    ],
  );
  const [imageAtt, pdfAtt] = message.attachments;
  await expectAttr(mine, "data-external-id", message.externalId);
  await expectBlobImage(mine.getByTestId("attachment-image"), chat.staffToken);
  assert.equal(await mine.getByTestId("attachment-file").getByTestId("attachment-name").textContent(), PDF.name);

  // The portal: live, no reload, the thumbnail from a blob: URL, the PDF as a chip.
  const received = bubble(portal, message.externalId);
  await expectCount(received, 1);
  assert.equal(await received.getByTestId("message-text").textContent(), text);
  const thumb = received.getByTestId("attachment-image");
  await expectAttr(thumb, "data-attachment-id", imageAtt.id);
  const shownThumb = await expectBlobImage(thumb, chat.patientToken);
  assert.ok(shownThumb.naturalWidth <= IMAGE.buffer.readUInt32BE(16), "a thumbnail, not larger than the image");
  assert.match(await thumb.getAttribute("aria-label"), new RegExp(`Open image ${IMAGE.name.replace(/\./g, "\\.")}`));
  const chip = received.getByTestId("attachment-file");
  await expectAttr(chip, "data-attachment-id", pdfAtt.id);
  assert.equal(await chip.getByTestId("attachment-name").textContent(), PDF.name);
  assert.match(await chip.textContent(), /PDF/);
  assert.equal(portalNavigations, 0, "the portal did not navigate");
  assert.equal(await portal.evaluate(() => window.e2eSameDocument), true, "the portal was not reloaded");

  // The chip downloads the PDF, byte for byte, under its name.
  const [download] = await Promise.all([portal.waitForEvent("download"), chip.click()]);
  assert.equal(download.suggestedFilename(), PDF.name);
  assert.ok(download.url().startsWith("blob:"), `downloaded from a blob: URL, got ${download.url()}`);
  const downloaded = await readFile(await download.path());
  assert.equal(sha256(downloaded), sha256(PDF.buffer), "the downloaded PDF is the uploaded one");
  assert.ok(downloaded.subarray(0, 8).equals(Buffer.from("%PDF-1.4")));

  // The thumbnail opens the full-size image; Escape closes it and focus returns to the thumbnail.
  const viewer = portal.getByTestId("attachment-viewer");
  assert.equal(await viewer.isVisible(), false);
  await thumb.click();
  await eventually(async () => assert.ok(await viewer.isVisible(), "the viewer opens"));
  assert.equal(await viewer.getAttribute("role"), "dialog");
  assert.equal(await viewer.getAttribute("aria-modal"), "true");
  assert.equal(await focusedTestId(portal), "attachment-viewer-close", "Close has the focus");
  const full = await expectBlobImage(viewer, chat.patientToken);
  assert.deepEqual([full.naturalWidth, full.naturalHeight], [480, 360], "the full-size image");
  // Its download button saves the original too.
  const [saved] = await Promise.all([portal.waitForEvent("download"), viewer.getByTestId("attachment-viewer-download").click()]);
  assert.equal(saved.suggestedFilename(), IMAGE.name);
  assert.equal(sha256(await readFile(await saved.path())), sha256(IMAGE.buffer));
  await portal.keyboard.press("Escape");
  await eventually(async () => assert.equal(await viewer.isVisible(), false, "Escape closes the viewer"));
  assert.equal(await focusedTestId(portal), "attachment-image", "focus is back on the thumbnail");
  assert.equal(await viewer.evaluate((el) => el.querySelector("img")?.getAttribute("src") ?? null), null, "the full image is let go");

  // Every attachment request carried the token in its header only.
  assert.equal(staffRequests.filter((r) => r.method === "POST").length, 2, "two uploads");
  assert.ok(portalRequests.some((r) => r.url.endsWith(`/${imageAtt.id}/thumbnail`)), "the portal fetched the thumbnail");
  assert.ok(portalRequests.some((r) => r.url.endsWith(`/${pdfAtt.id}`)), "the portal fetched the PDF");
  await assertTokenOnlyInHeaders(staffRequests, chat.staffToken);
  await assertTokenOnlyInHeaders(portalRequests, chat.patientToken);
});

world.test("an SVG with a script is refused: the server's 415 message shows on the file and nothing is sent", async ({ newPage }) => {
  const chat = await world.newChat();
  await chat.patient.inbound("Here is the diagram the other clinic gave me.");
  const svg = svgWithScript();
  // What the server says about these bytes, asked directly.
  const refusal = await chat.staff.upload("diagram.svg", "image/svg+xml", svg).then(
    () => assert.fail("the server accepted an SVG"),
    (e) => {
      assert.ok(e instanceof ApiError && e.status === 415, `415 expected, got ${e.message}`);
      return JSON.parse(e.body).error;
    },
  );
  assert.equal(refusal.code, "unsupported_media_type");
  assert.match(refusal.message, /svg/i);

  const page = await newPage();
  await world.open(page, chat.staffPath, chat.staffToken);
  await expectCount(page.getByTestId("message"), 1);
  await page.getByTestId("composer-file-input").setInputFiles([{ name: "diagram.svg", mimeType: "image/svg+xml", buffer: svg }]);
  const row = page.getByTestId("upload");
  await expectCount(row, 1);
  await expectAttr(row, "data-state", "failed");
  const error = row.getByTestId("upload-error");
  assert.equal(await error.getAttribute("role"), "alert");
  assert.equal((await error.textContent()).trim(), refusal.message.trim(), "the server's message, as it said it");
  assert.equal(await row.getByTestId("upload-progress").isVisible(), false);

  // Nothing to send: the button stays disabled and Enter does nothing.
  assert.equal(await page.getByTestId("composer-send").isDisabled(), true);
  await page.getByTestId("composer-input").press("Enter");
  await sleep(500);
  assert.equal((await chat.staff.all()).length, 1, "nothing was sent");
  await expectCount(page.getByTestId("message"), 1);
  assert.equal(await page.getByTestId("error-banner").isVisible(), false, "a refused file is not a page error");

  // Remove clears it; the composer is as before.
  await row.getByTestId("upload-cancel").click();
  await expectCount(page.getByTestId("upload"), 0);
  assert.equal(await page.getByTestId("upload-list").isVisible(), false);
  assert.equal(await focusedTestId(page), "composer-input", "focus back in the composer");
});

world.test("files dropped on the composer or pasted into it upload, and a message of files alone is sent", async ({ newPage }) => {
  const chat = await world.newChat();
  await chat.staff.outbound("Please send us your blood pressure log.");
  const page = await newPage();
  await world.open(page, chat.portalPath, chat.patientToken);
  await expectCount(page.getByTestId("message"), 1);

  // Prose, not columns: libmagic calls comma-separated lines text/csv, which is not accepted.
  const log = Buffer.from("Blood pressure, mornings:\nMay 1: 128 over 82\nMay 2: 131 over 85\n", "utf8");
  const screenshot = makePng(64, 40, (x, y) => [40 + 3 * x, 90 + 2 * y, 200]);
  const input = page.getByTestId("composer-input");

  // A drop: a DataTransfer holding a File, as the browser builds it for a dragged file.
  const dropped = await input.evaluate(
    (el, f) => {
      const dt = new DataTransfer();
      dt.items.add(new File([f.text], f.name, { type: f.type }));
      const over = el.dispatchEvent(new DragEvent("dragover", { bubbles: true, cancelable: true, dataTransfer: dt }));
      const drop = el.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: dt }));
      return { overAccepted: !over, dropTaken: !drop };
    },
    { name: "bp-log.txt", type: "text/plain", text: log.toString("utf8") },
  );
  assert.deepEqual(dropped, { overAccepted: true, dropTaken: true }, "the composer takes the drag and the drop (the browser does not open the file)");

  // A paste: a clipboard with only an image (as a screenshot tool puts it there).
  const pasted = await input.evaluate(
    (el, f) => {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], f.name, { type: f.type }));
      el.focus();
      return !el.dispatchEvent(new ClipboardEvent("paste", { bubbles: true, cancelable: true, clipboardData: dt }));
    },
    { name: "screenshot.png", type: "image/png", base64: screenshot.toString("base64") },
  );
  assert.equal(pasted, true, "the paste is taken as files");

  const rows = page.getByTestId("upload");
  await expectCount(rows, 2);
  for (const name of ["bp-log.txt", "screenshot.png"]) await expectAttr(rows.filter({ hasText: name }), "data-state", "done");
  assert.equal(await input.inputValue(), "", "no text came with the paste");

  // Files alone make a message: Send is enabled with an empty box.
  const send = page.getByTestId("composer-send");
  assert.equal(await send.isDisabled(), false);
  await send.click();
  const mine = page.getByTestId("timeline").locator('[data-testid="message"][data-direction="inbound"]');
  await expectCount(mine, 1);
  await expectAttr(mine, "data-status", "sent");

  const stored = await chat.staff.all();
  assert.equal(stored.length, 2);
  assert.equal(stored[1].message, "");
  assert.deepEqual(
    stored[1].attachments.map((a) => [a.name, a.contentType, a.sha256, a.thumbnail]),
    [
      ["bp-log.txt", "text/plain", sha256(log), false],
      ["screenshot.png", "image/png", sha256(screenshot), true],
    ],
  );
  // The sender's own bubble shows the image as a thumbnail and the log as a chip.
  await expectBlobImage(mine.getByTestId("attachment-image"), chat.patientToken);
  assert.equal(await mine.getByTestId("attachment-file").getByTestId("attachment-name").textContent(), "bp-log.txt");
  // The staff side can read the same bytes.
  const { bytes } = await chat.staff.download(stored[1].attachments[0].id);
  assert.ok(bytes.equals(log));
});

world.test("attaching files at the bottom of the conversation keeps the newest message in view", async ({ newPage }) => {
  const chat = await world.newChat();
  for (let i = 1; i <= 12; i++) await chat.patient.inbound(`Message ${String(i).padStart(2, "0")}: how long should I keep the dressing on?`);
  await chat.staff.markRead();
  const page = await newPage();
  await world.open(page, chat.staffPath, chat.staffToken);
  await expectCount(page.getByTestId("message"), 12);
  const timeline = page.getByTestId("timeline");
  const last = page.getByTestId("message").last();
  /** How far the newest message's bottom edge is below the visible part of the timeline (px). */
  const hiddenBelow = () =>
    last.evaluate((el) => Math.round(el.getBoundingClientRect().bottom - el.closest('[data-testid="timeline"]').getBoundingClientRect().bottom));
  await eventually(async () => assert.ok((await hiddenBelow()) <= 0, "the newest message is in view at the start"));

  // Three files make the composer taller by their rows; the conversation stays at its newest message.
  const files = ["one", "two", "three"].map((n) => ({ name: `wound-${n}.pdf`, mimeType: "application/pdf", buffer: pdfBytes(n) }));
  const before = await timeline.evaluate((el) => el.clientHeight);
  await page.getByTestId("composer-file-input").setInputFiles(files);
  for (const f of files) await expectAttr(page.getByTestId("upload").filter({ hasText: f.name }), "data-state", "done");
  assert.ok((await timeline.evaluate((el) => el.clientHeight)) < before - 100, "the timeline got shorter");
  await eventually(async () => assert.ok((await hiddenBelow()) <= 0, `the newest message is in view (its bottom ${await hiddenBelow()} px below)`));

  // Removing them gives the room back, still at the newest message.
  for (let i = 0; i < files.length; i++) await page.getByTestId("upload-cancel").first().click();
  await expectCount(page.getByTestId("upload"), 0);
  await eventually(async () => assert.ok((await hiddenBelow()) <= 0, "the newest message is in view after removing the files"));
  assert.equal(await page.getByTestId("jump-latest").isVisible(), false, "no 'Jump to latest' at the bottom");
});
