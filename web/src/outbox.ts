// Messages this page is sending, with the Idempotency-Key each keeps for its whole life: a retry
// (after a failure, or after a reload, since the outbox persists in sessionStorage) sends the same
// key with a byte-identical body, so the server answers with the message it already stored instead
// of storing a second one.

import { isAttachment } from "./attachments.js";
import type { Attachment } from "./types.js";

export type OutboxStatus = "pending" | "failed";

export interface OutboxItem {
  key: string; // the Idempotency-Key
  text: string;
  /** Uploaded before the send (their ids go in the body); empty when none. */
  attachments: Attachment[];
  createdAt: string; // local time the user pressed send (ISO), for ordering and display
  status: OutboxStatus;
  attempts: number;
  error: string | null;
}

export interface SendRequest {
  idempotencyKey: string;
  body: string;
}

/**
 * The request for an item: the same bytes on every attempt (the server compares bodies). Without
 * attachments the body is exactly what it was before attachments existed.
 */
export function sendRequestFor(item: Pick<OutboxItem, "key" | "text"> & { attachments?: readonly Attachment[] }): SendRequest {
  const ids = (item.attachments ?? []).map((a) => a.id);
  const body = ids.length > 0 ? { message: item.text, attachmentIds: ids } : { message: item.text };
  return { idempotencyKey: item.key, body: JSON.stringify(body) };
}

export class Outbox {
  private items_ = new Map<string, OutboxItem>();

  /** Queues a new message as pending (attempt 1 about to start). */
  add(key: string, text: string, now: Date, attachments: readonly Attachment[] = []): OutboxItem {
    if (this.items_.has(key)) throw new Error("duplicate idempotency key");
    const item: OutboxItem = { key, text, attachments: [...attachments], createdAt: now.toISOString(), status: "pending", attempts: 1, error: null };
    this.items_.set(key, item);
    return item;
  }

  get(key: string): OutboxItem | undefined {
    return this.items_.get(key);
  }

  /**
   * Starts another attempt of a failed item, keeping its key. Returns null if there is no such item
   * or it is already in flight (a double click must not send twice at once).
   */
  retry(key: string): OutboxItem | null {
    const item = this.items_.get(key);
    if (!item || item.status === "pending") return null;
    item.status = "pending";
    item.attempts += 1;
    item.error = null;
    return item;
  }

  fail(key: string, error: string): OutboxItem | null {
    const item = this.items_.get(key);
    if (!item) return null;
    item.status = "failed";
    item.error = error;
    return item;
  }

  /** The server has the message (answered, or it arrived live): forget the item. */
  remove(key: string): boolean {
    return this.items_.delete(key);
  }

  items(): OutboxItem[] {
    return [...this.items_.values()];
  }

  get size(): number {
    return this.items_.size;
  }

  serialize(): string {
    return JSON.stringify(this.items());
  }

  /**
   * Restores items saved by serialize(). Whatever was in flight when the page went away may or may
   * not have been stored, so it comes back as failed: the user retries, with the same key.
   */
  static restore(json: string | null): Outbox {
    const box = new Outbox();
    if (!json) return box;
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      return box;
    }
    if (!Array.isArray(raw)) return box;
    for (const r of raw) {
      if (typeof r !== "object" || r === null) continue;
      const o = r as Record<string, unknown>;
      if (typeof o.key !== "string" || typeof o.text !== "string" || typeof o.createdAt !== "string") continue;
      if (box.items_.has(o.key)) continue;
      box.items_.set(o.key, {
        key: o.key,
        text: o.text,
        attachments: Array.isArray(o.attachments) ? o.attachments.filter(isAttachment) : [],
        createdAt: o.createdAt,
        status: "failed",
        attempts: typeof o.attempts === "number" ? o.attempts : 1,
        error: o.status === "pending" ? "Interrupted by a reload" : typeof o.error === "string" ? o.error : "Not sent",
      });
    }
    return box;
  }
}
