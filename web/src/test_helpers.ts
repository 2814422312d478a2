// Builders for unit tests (not part of the bundle: only *.test.ts files import this).
import type { Attachment, ChatMessage, Page } from "./types.js";

export const PATIENT_ID = "7272b601-bb09-4abf-87c0-ade48ddfaea0";

let seq = 0;

/** A message at `createdAt`; "in" from the patient, "out" from staff user u-1. */
export function msg(id: string, createdAt: string, dir: "in" | "out" = "in", extra: Partial<ChatMessage> = {}): ChatMessage {
  seq++;
  return {
    sender: dir === "in" ? { clientType: "PATIENT", id: PATIENT_ID, titleName: null } : { clientType: "USER", id: "u-1", titleName: "Root Root" },
    receiver: dir === "in" ? null : { clientType: "PATIENT", id: PATIENT_ID, titleName: null },
    message: extra.message ?? `text ${id} #${seq}`,
    externalId: id,
    createdAt,
    readAt: null,
    readBy: null,
    ...extra,
  };
}

/** "2026-11-21T10:00:SS.000Z" for a small integer, to build ordered timestamps quickly. */
export function at(sec: number, ms = 0): string {
  const d = new Date(Date.UTC(2026, 10, 21, 10, 0, 0) + sec * 1000 + ms);
  return d.toISOString();
}

/** A page (newest first) of the given messages (given oldest first, for readability). */
export function page(oldestFirst: ChatMessage[], older: string | null = null, newer: string | null = null): Page {
  return {
    meta: { nextPageToken: older, prevPageToken: newer, pageSize: oldestFirst.length, found: oldestFirst.length > 0 },
    content: [...oldestFirst].reverse(),
  };
}

let attSeq = 0;

/** An attachment as the server describes one; images get a thumbnail unless told otherwise. */
export function attachment(name: string, extra: Partial<Attachment> = {}): Attachment {
  attSeq++;
  const ext = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  const contentType = ext === "jpg" || ext === "jpeg" ? "image/jpeg" : ext === "png" ? "image/png" : ext === "pdf" ? "application/pdf" : "application/octet-stream";
  return {
    id: "AT" + attSeq.toString(16).padStart(32, "0"),
    name,
    contentType,
    size: 12_345,
    sha256: "0".repeat(64),
    thumbnail: contentType.startsWith("image/"),
    ...extra,
  };
}
