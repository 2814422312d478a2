import { test } from "node:test";
import assert from "node:assert/strict";
import { attachment } from "./test_helpers.js";
import { FakeXhr } from "./test_dom.js";
import { uploadErrorMessage, uploadFile, UploadError } from "./upload.js";

function file(name: string, type: string, bytes = 10): File {
  return new File([new Uint8Array(bytes)], name, { type });
}

test("uploads the raw file with the token, its type and its name, reporting progress", async () => {
  const xhr = new FakeXhr();
  const progress: [number, number][] = [];
  const f = file("Befund ü.pdf", "application/pdf", 100);
  const h = uploadFile(f, { url: "/gh/i/patient/p/chat/attachments", token: "cc_t", createXhr: () => xhr, onProgress: (l, t) => progress.push([l, t]) });
  assert.equal(xhr.method, "POST");
  assert.equal(xhr.url, "/gh/i/patient/p/chat/attachments");
  assert.deepEqual(xhr.headers, {
    Authorization: "Bearer cc_t",
    Accept: "application/json",
    "Content-Type": "application/pdf",
    "Content-Disposition": "attachment; filename*=UTF-8''Befund%20%C3%BC.pdf",
  });
  assert.equal(xhr.body, f);
  xhr.progress(50, 100);
  xhr.progress(100, 100);
  const a = attachment("Befund ü.pdf");
  xhr.answer(201, a);
  assert.deepEqual(await h.result, a);
  assert.deepEqual(progress, [
    [50, 100],
    [100, 100],
  ]);
});

test("a file without a type goes as application/octet-stream", () => {
  const xhr = new FakeXhr();
  uploadFile(file("x.bin", ""), { url: "/u", token: "t", createXhr: () => xhr, onProgress: () => {} });
  assert.equal(xhr.headers["Content-Type"], "application/octet-stream");
});

test("refusals carry the server's message and code", async () => {
  for (const [status, code, message] of [
    [413, "payload_too_large", "The file is larger than 25 MB."],
    [415, "unsupported_media_type", "Accepted: JPEG, PNG, PDF."],
    [422, "unprocessable", "The file contains malware (Eicar-Test-Signature)."],
  ] as const) {
    const xhr = new FakeXhr();
    const h = uploadFile(file("x", "a/b"), { url: "/u", token: "t", createXhr: () => xhr, onProgress: () => {} });
    xhr.answer(status, { error: { code, message } });
    await assert.rejects(h.result, (e: unknown) => e instanceof UploadError && e.status === status && e.code === code && e.message === message);
  }
});

test("a malformed success, a network failure, and an abort", async () => {
  const bad = new FakeXhr();
  const h1 = uploadFile(file("x", "a/b"), { url: "/u", token: "t", createXhr: () => bad, onProgress: () => {} });
  bad.answer(201, "<html>");
  await assert.rejects(h1.result, /could not be read/);
  const net = new FakeXhr();
  const h2 = uploadFile(file("x", "a/b"), { url: "/u", token: "t", createXhr: () => net, onProgress: () => {} });
  net.onerror?.();
  await assert.rejects(h2.result, (e: unknown) => e instanceof UploadError && e.status === 0 && e.code === "network");
  const cancelled = new FakeXhr();
  const h3 = uploadFile(file("x", "a/b"), { url: "/u", token: "t", createXhr: () => cancelled, onProgress: () => {} });
  h3.abort();
  assert.equal(cancelled.aborted, true);
  await assert.rejects(h3.result, (e: unknown) => e instanceof UploadError && e.code === "aborted");
  h3.abort(); // twice is harmless
});

test("error wording: the server's words where it has them, plain words where not", () => {
  assert.equal(uploadErrorMessage(413, "payload_too_large", null), "The file is too large.");
  assert.equal(uploadErrorMessage(415, "unsupported_media_type", ""), "This type of file cannot be sent.");
  assert.equal(uploadErrorMessage(422, "unprocessable", null), "The file was refused: it may contain malware.");
  assert.equal(uploadErrorMessage(415, "unsupported_media_type", "Accepted: PDF."), "Accepted: PDF.");
  assert.equal(uploadErrorMessage(503, "unavailable", "busy"), "The server had a problem (503). Try again.");
  assert.equal(uploadErrorMessage(401, "unauthorized", "x"), "Not signed in: reopen the chat from the patient's chart.");
  assert.equal(uploadErrorMessage(0, "network", null), "The upload failed: the server cannot be reached.");
  assert.equal(uploadErrorMessage(404, "not_found", null), "The upload was refused (404).");
});
