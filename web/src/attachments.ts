// Attachments as the app shows them: which ones show as an image thumbnail and which as a file chip,
// sizes and types in words, and a check of what the server sent. Pure: no DOM, no network.

import type { Attachment } from "./types.js";

/** "image": a thumbnail that opens full size; "file": a chip that downloads. */
export type AttachmentView = "image" | "file";

/** Images the server made a thumbnail of show as thumbnails; everything else is a chip. */
export function attachmentView(a: Pick<Attachment, "contentType" | "thumbnail">): AttachmentView {
  return a.thumbnail && a.contentType.toLowerCase().startsWith("image/") ? "image" : "file";
}

const UNITS = ["KB", "MB", "GB", "TB"];

/** A size for people: "0 B", "999 B", "1.5 KB", "12 KB", "3.4 MB" (1 KB = 1024 B; one decimal below 10). */
export function humanSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "";
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  // 1023.96 KB would print as "1024 KB": move up a unit instead.
  if (v >= 9.95 && Math.round(v) >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const text = v < 9.95 ? v.toFixed(1).replace(/\.0$/, "") : String(Math.round(v));
  return `${text} ${UNITS[i]}`;
}

const TYPE_NAMES: Record<string, string> = {
  "application/pdf": "PDF",
  "text/plain": "Text",
  "text/csv": "CSV",
  "application/msword": "Word",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
  "application/vnd.ms-excel": "Excel",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
  "application/zip": "ZIP",
  "application/dicom": "DICOM",
};

/** The type in a word or two: "PDF", "JPEG image", "Word", else the file's extension, else "File". */
export function typeLabel(contentType: string, name: string): string {
  const ct = contentType.toLowerCase().split(";")[0]!.trim();
  const known = TYPE_NAMES[ct];
  if (known) return known;
  const [major, minor] = ct.split("/");
  if ((major === "image" || major === "video" || major === "audio") && minor) {
    const sub = minor.replace(/^x-/, "").replace(/\+.*$/, "");
    return `${sub.toUpperCase()} ${major}`;
  }
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1) : "";
  return /^[A-Za-z0-9]{1,8}$/.test(ext) ? ext.toUpperCase() : "File";
}

/** What a chip says under the name: "PDF · 1.2 MB". */
export function attachmentSummary(a: Pick<Attachment, "contentType" | "name" | "size">): string {
  return `${typeLabel(a.contentType, a.name)} · ${humanSize(a.size)}`;
}

/** A well-formed attachment from the server (or from storage); anything else is dropped. */
export function isAttachment(x: unknown): x is Attachment {
  if (typeof x !== "object" || x === null) return false;
  const a = x as Record<string, unknown>;
  return (
    typeof a.id === "string" &&
    /^AT[0-9a-f]{32}$/i.test(a.id) &&
    typeof a.name === "string" &&
    typeof a.contentType === "string" &&
    typeof a.size === "number" &&
    Number.isFinite(a.size) &&
    a.size >= 0 &&
    typeof a.sha256 === "string" &&
    typeof a.thumbnail === "boolean"
  );
}

/** A message's attachments, the malformed ones left out. */
export function attachmentsOf(m: { attachments?: unknown }): Attachment[] {
  return Array.isArray(m.attachments) ? m.attachments.filter(isAttachment) : [];
}

/** The Content-Disposition of an upload: the name as RFC 8187 UTF-8 (percent-encoded, ASCII only). */
export function contentDispositionFor(name: string): string {
  const encoded = encodeURIComponent(name).replace(/['()*!]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  return `attachment; filename*=UTF-8''${encoded}`;
}
