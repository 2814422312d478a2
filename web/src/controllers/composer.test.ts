import { test } from "node:test";
import assert from "node:assert/strict";
import { allByTestId, byTestId, deferred, input, installDom, key, settle } from "../test_dom.js";
import { attachment } from "../test_helpers.js";
import { ATTACHMENT_LIMIT, MESSAGE_LIMIT, type Attachment } from "../types.js";
import { UploadError, type UploadFile } from "../upload.js";
import { codePoints, ComposerController } from "./composer.js";

const win = installDom();

interface Started {
  file: UploadFile;
  progress: (loaded: number, total: number) => void;
  answer: ReturnType<typeof deferred<Attachment>>;
  aborted: boolean;
}

function harness(available = true) {
  const sent: { text: string; attachments: Attachment[] }[] = [];
  const started: Started[] = [];
  const failed: string[] = [];
  const c = new ComposerController({
    mode: "staff",
    send: (text, attachments) => sent.push({ text, attachments }),
    upload: (file, progress) => {
      const answer = deferred<Attachment>();
      const s: Started = { file, progress, answer, aborted: false };
      started.push(s);
      return {
        result: answer.promise,
        abort: () => {
          s.aborted = true;
          answer.reject(new UploadError(0, "aborted", "Cancelled."));
        },
      };
    },
    onUploadFailed: (i) => failed.push(i.name),
  });
  document.body.replaceChildren(c.element);
  c.setAvailable(available);
  return {
    c,
    sent,
    started,
    failed,
    box: byTestId<HTMLTextAreaElement>(c.element, "composer-input"),
    send: byTestId<HTMLButtonElement>(c.element, "composer-send"),
    attach: byTestId<HTMLButtonElement>(c.element, "composer-attach"),
    counter: byTestId(c.element, "char-counter"),
    status: byTestId(c.element, "composer-status"),
    rows: () => allByTestId(c.element, "upload"),
  };
}

const file = (name: string, size = 1000, type = "image/jpeg") => new File([new Uint8Array(size)], name, { type });

test("Enter sends the trimmed text and empties the box; Shift+Enter and IME composition do not", () => {
  const h = harness();
  input(h.box, "  hello \n");
  assert.equal(h.send.disabled, false);
  assert.equal(key(h.box, "Enter", { shiftKey: true }).defaultPrevented, false);
  key(h.box, "Enter", { isComposing: true });
  assert.deepEqual(h.sent, []);
  assert.equal(key(h.box, "Enter").defaultPrevented, true);
  assert.deepEqual(h.sent, [{ text: "hello", attachments: [] }]);
  assert.equal(h.box.value, "");
  assert.equal(h.send.disabled, true);
});

test("the Send button sends; blank text does not", () => {
  const h = harness();
  input(h.box, "   ");
  assert.equal(h.send.disabled, true);
  h.c.submit();
  assert.deepEqual(h.sent, []);
  input(h.box, "hi");
  h.send.click();
  assert.deepEqual(h.sent, [{ text: "hi", attachments: [] }]);
});

test("the counter shows near the limit and over it blocks sending", () => {
  const h = harness();
  input(h.box, "x".repeat(MESSAGE_LIMIT - 501));
  assert.equal(h.counter.hidden, true);
  input(h.box, "x".repeat(MESSAGE_LIMIT - 500));
  assert.equal(h.counter.hidden, false);
  assert.equal(h.counter.textContent, "500 left");
  input(h.box, "x".repeat(MESSAGE_LIMIT - 50));
  assert.equal(h.counter.dataset.state, "low");
  input(h.box, "😀".repeat(MESSAGE_LIMIT + 2));
  assert.equal(h.counter.textContent, "2 over the limit");
  assert.equal(h.counter.dataset.state, "over");
  assert.equal(h.box.getAttribute("aria-invalid"), "true");
  assert.equal(h.send.disabled, true);
  key(h.box, "Enter");
  assert.deepEqual(h.sent, []);
});

test("not available (no token yet) or disabled (stopped): nothing is sent or attached", () => {
  const h = harness(false);
  input(h.box, "hi");
  assert.equal(h.send.disabled, true);
  assert.equal(h.attach.disabled, true);
  key(h.box, "Enter");
  h.c.addFiles([file("a.jpg")]);
  assert.deepEqual(h.sent, []);
  assert.equal(h.started.length, 0);
  h.c.setAvailable(true);
  assert.equal(h.send.disabled, false);
  h.c.addFiles([file("a.jpg")]);
  h.c.disable();
  assert.equal(h.box.disabled, true);
  assert.equal(h.send.disabled, true);
  assert.equal(h.started[0]!.aborted, true, "uploads in flight are cancelled");
});

test("code points, as the server counts", () => {
  assert.equal(codePoints("a😀é"), 3);
  assert.equal(codePoints(""), 0);
});

test("files upload at once, with a progress bar each; a message of files alone can be sent", async () => {
  const h = harness();
  h.c.addFiles([file("rash.jpg", 2048), file("report.pdf", 1000, "application/pdf")]);
  assert.equal(h.rows().length, 2);
  assert.equal(byTestId(h.c.element, "upload-list").hidden, false);
  const [first] = h.rows();
  assert.equal(first!.dataset.state, "uploading");
  h.started[0]!.progress(1024, 2048);
  const bar = byTestId<HTMLProgressElement>(first!, "upload-progress");
  assert.equal(bar.value, 1024);
  assert.equal(bar.max, 2048);
  assert.match(first!.textContent ?? "", /50% of 2 KB/);
  assert.equal(byTestId(first!, "upload-cancel").getAttribute("aria-label"), "Cancel upload of rash.jpg");
  const a = attachment("rash.jpg");
  const b = attachment("report.pdf");
  h.started[0]!.answer.resolve(a);
  h.started[1]!.answer.resolve(b);
  await settle();
  assert.deepEqual(h.rows().map((r) => r.dataset.state), ["done", "done"]);
  assert.equal(byTestId(h.rows()[0]!, "upload-cancel").getAttribute("aria-label"), "Remove rash.jpg");
  assert.equal(h.send.disabled, false, "no text needed with files");
  h.send.click();
  assert.deepEqual(h.sent, [{ text: "", attachments: [a, b] }]);
  assert.equal(h.rows().length, 0, "the tray empties with the send");
});

test("Send while files upload waits for them, locked and saying so, then sends their ids", async () => {
  const h = harness();
  input(h.box, "see attached");
  h.c.addFiles([file("a.jpg"), file("b.jpg")]);
  key(h.box, "Enter");
  assert.deepEqual(h.sent, []);
  assert.equal(h.c.queued, true);
  assert.equal(h.send.disabled, true);
  assert.equal(h.send.dataset.state, "waiting");
  assert.equal(h.box.readOnly, true);
  assert.equal(h.attach.disabled, true);
  assert.match(h.status.textContent ?? "", /Sending when the uploads finish/);
  assert.equal(h.status.hidden, false);
  const a = attachment("a.jpg");
  h.started[0]!.answer.resolve(a);
  await settle();
  assert.deepEqual(h.sent, [], "one is still going");
  const b = attachment("b.jpg");
  h.started[1]!.answer.resolve(b);
  await settle();
  assert.deepEqual(h.sent, [{ text: "see attached", attachments: [a, b] }]);
  assert.equal(h.c.queued, false);
  assert.equal(h.box.value, "");
  assert.equal(h.box.readOnly, false);
  assert.equal(h.status.hidden, true);
});

test("a queued send does not go when a file fails or is cancelled; the reason shows on the file", async () => {
  const h = harness();
  input(h.box, "x");
  h.c.addFiles([file("virus.exe", 10, "application/x-msdownload"), file("b.jpg")]);
  h.send.click();
  h.started[0]!.answer.reject(new UploadError(415, "unsupported_media_type", "Accepted types: JPEG, PNG, PDF."));
  await settle();
  assert.equal(h.c.queued, false);
  assert.match(h.status.textContent ?? "", /could not be uploaded/);
  const bad = h.rows()[0]!;
  assert.equal(bad.dataset.state, "failed");
  const err = byTestId(bad, "upload-error");
  assert.equal(err.hidden, false);
  assert.equal(err.textContent, "Accepted types: JPEG, PNG, PDF.");
  assert.equal(err.getAttribute("role"), "alert");
  assert.deepEqual(h.failed, ["virus.exe"]);
  assert.equal(h.box.value, "x", "the text stays");
  // Queue again, then cancel the file still uploading: nothing is sent.
  h.send.click();
  assert.equal(h.c.queued, true);
  byTestId(h.rows()[1]!, "upload-cancel").click();
  assert.equal(h.started[1]!.aborted, true);
  assert.equal(h.c.queued, false);
  await settle();
  assert.deepEqual(h.sent, []);
  assert.equal(h.rows().length, 1);
  // Remove the failed one; the text alone can go.
  byTestId(h.rows()[0]!, "upload-cancel").click();
  assert.equal(h.rows().length, 0);
  h.send.click();
  assert.deepEqual(h.sent, [{ text: "x", attachments: [] }]);
});

test("a failure already shown when Send is pressed does not stop the queued send; the failed file is left out", async () => {
  const h = harness();
  h.c.addFiles([file("setup.exe", 10, "application/x-msdownload"), file("b.jpg")]);
  h.started[0]!.answer.reject(new UploadError(415, "unsupported_media_type", "Not accepted."));
  await settle();
  input(h.box, "hi");
  h.send.click();
  assert.equal(h.c.queued, true);
  const b = attachment("b.jpg");
  h.started[1]!.answer.resolve(b);
  await settle();
  assert.deepEqual(h.sent, [{ text: "hi", attachments: [b] }]);
});

test("too large and infected: the server's words", async () => {
  const h = harness();
  h.c.addFiles([file("big.jpg"), file("eicar.pdf", 10, "application/pdf")]);
  h.started[0]!.answer.reject(new UploadError(413, "payload_too_large", "The file is larger than 20 MB."));
  h.started[1]!.answer.reject(new UploadError(422, "unprocessable", "The file was rejected by the virus scanner."));
  await settle();
  assert.deepEqual(allByTestId(h.c.element, "upload-error").map((e) => e.textContent), ["The file is larger than 20 MB.", "The file was rejected by the virus scanner."]);
  assert.equal(h.send.disabled, true, "nothing left to send");
});

test("at most ten files; extras are left out and the composer says so", () => {
  const h = harness();
  h.c.addFiles(Array.from({ length: ATTACHMENT_LIMIT + 2 }, (_, i) => file(`f${i}.jpg`)));
  assert.equal(h.rows().length, ATTACHMENT_LIMIT);
  assert.match(h.status.textContent ?? "", /At most 10 files per message: 2 were left out/);
  assert.equal(h.attach.disabled, true);
});

test("the paperclip opens the file picker; chosen files upload", () => {
  const h = harness();
  const picker = byTestId<HTMLInputElement>(h.c.element, "composer-file-input");
  assert.equal(picker.type, "file");
  assert.equal(picker.multiple, true);
  let opened = 0;
  picker.click = () => void opened++;
  h.attach.click();
  assert.equal(opened, 1);
});

function transfer(files: File[], types: string[]) {
  return { files, types, dropEffect: "none" } as unknown as DataTransfer;
}

test("files dropped on the composer upload; the drop does not navigate away", () => {
  const h = harness();
  const over = new win.Event("dragover", { bubbles: true, cancelable: true }) as unknown as DragEvent;
  Object.defineProperty(over, "dataTransfer", { value: transfer([], ["Files"]) });
  h.c.element.dispatchEvent(over);
  assert.equal(over.defaultPrevented, true);
  assert.equal(h.c.element.classList.contains("composer--drop"), true);
  const drop = new win.Event("drop", { bubbles: true, cancelable: true }) as unknown as DragEvent;
  Object.defineProperty(drop, "dataTransfer", { value: transfer([file("a.jpg"), file("b.jpg")], ["Files"]) });
  h.box.dispatchEvent(drop);
  assert.equal(drop.defaultPrevented, true);
  assert.equal(h.started.length, 2);
  assert.equal(h.c.element.classList.contains("composer--drop"), false);
  const text = new win.Event("dragover", { bubbles: true, cancelable: true }) as unknown as DragEvent;
  Object.defineProperty(text, "dataTransfer", { value: transfer([], ["text/plain"]) });
  h.c.element.dispatchEvent(text);
  assert.equal(text.defaultPrevented, false, "dragging text is left to the textarea");
});

test("pasted files upload; pasted text is left alone", () => {
  const h = harness();
  const paste = (files: File[], types: string[]) => {
    const ev = new win.Event("paste", { bubbles: true, cancelable: true }) as unknown as ClipboardEvent;
    Object.defineProperty(ev, "clipboardData", { value: transfer(files, types) });
    h.box.dispatchEvent(ev);
    return ev;
  };
  assert.equal(paste([], ["text/plain"]).defaultPrevented, false);
  assert.equal(h.started.length, 0);
  assert.equal(paste([file("screenshot.png", 10, "image/png")], ["Files"]).defaultPrevented, true);
  assert.equal(h.started.length, 1);
  assert.equal(paste([file("copied.png", 10, "image/png")], ["text/plain", "Files"]).defaultPrevented, false, "its text pastes too");
  assert.equal(h.started.length, 2);
});
