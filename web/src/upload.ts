// One file upload: POST .../chat/attachments with the raw file as the body (its Content-Type, the
// name in Content-Disposition's filename*), over XMLHttpRequest because fetch reports no upload
// progress. Progress comes in as events, abort() cancels, and the answer is the attachment (201) or
// an UploadError carrying the server's code and message, worded for the composer.

import { contentDispositionFor, isAttachment } from "./attachments.js";
import type { Attachment } from "./types.js";

/** The part of XMLHttpRequest used here (tests drive a fake). */
export interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: Blob): void;
  abort(): void;
  readonly upload: { onprogress: ((ev: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  ontimeout: (() => void) | null;
  readonly status: number;
  readonly responseText: string;
}

/** What is uploaded: a File (or any Blob with a name). */
export interface UploadFile {
  readonly name: string;
  readonly type: string;
  readonly size: number;
}

export class UploadError extends Error {
  constructor(
    readonly status: number, // 0: no answer (network, or aborted)
    readonly code: string, // the server's error code, "network" or "aborted"
    message: string,
  ) {
    super(message);
    this.name = "UploadError";
  }
}

/**
 * The words the composer shows for a failed upload. The server's message is used where it says
 * something the user can act on (the accepted types for 415, the limit for 413, why it was refused).
 */
export function uploadErrorMessage(status: number, code: string, serverMessage: string | null): string {
  const said = serverMessage?.trim() ? serverMessage.trim() : null;
  switch (status) {
    case 0:
      return code === "aborted" ? "Cancelled." : "The upload failed: the server cannot be reached.";
    case 401:
      return "Not signed in: reopen the chat from the patient's chart.";
    case 403:
      return said ?? "You may not send files in this chat.";
    case 413:
      return said ?? "The file is too large.";
    case 415:
      return said ?? "This type of file cannot be sent.";
    case 422:
      return said ?? "The file was refused: it may contain malware.";
    default:
      if (status >= 500) return `The server had a problem (${status}). Try again.`;
      return said ?? `The upload was refused (${status}).`;
  }
}

export interface UploadHandle {
  /** The stored attachment, or an UploadError. */
  readonly result: Promise<Attachment>;
  abort(): void;
}

export interface UploadOptions {
  url: string; // .../chat/attachments
  token: string;
  createXhr: () => XhrLike;
  onProgress: (loaded: number, total: number) => void;
}

export function uploadFile(file: UploadFile & Blob, o: UploadOptions): UploadHandle {
  const xhr = o.createXhr();
  let settled = false;
  let fail: (status: number, code: string, message: string | null) => void = () => {};
  const result = new Promise<Attachment>((resolve, reject) => {
    fail = (status, code, message) => {
      if (settled) return;
      settled = true;
      reject(new UploadError(status, code, uploadErrorMessage(status, code, message)));
    };
    xhr.upload.onprogress = (ev) => o.onProgress(ev.loaded, ev.lengthComputable ? ev.total : file.size);
    xhr.onerror = () => fail(0, "network", null);
    xhr.ontimeout = () => fail(0, "network", null);
    xhr.onabort = () => fail(0, "aborted", null);
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status === 201 || xhr.status === 200) {
        if (!isAttachment(body)) return fail(xhr.status, "bad_response", "The server's answer could not be read.");
        settled = true;
        resolve(body);
        return;
      }
      const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      fail(xhr.status, typeof err?.code === "string" ? err.code : "http_" + xhr.status, typeof err?.message === "string" ? err.message : null);
    };
    try {
      xhr.open("POST", o.url);
      xhr.setRequestHeader("Authorization", "Bearer " + o.token);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
      xhr.setRequestHeader("Content-Disposition", contentDispositionFor(file.name));
      xhr.send(file);
    } catch {
      fail(0, "network", null);
    }
  });
  return {
    result,
    abort: () => {
      if (settled) return;
      xhr.abort();
      fail(0, "aborted", null); // settled here too: not every XHR fires abort for a request not yet sent
    },
  };
}
