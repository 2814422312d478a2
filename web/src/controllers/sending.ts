// Sending: a message written in the composer goes into the outbox (outbox.ts, its Idempotency-Key
// kept for good, saved in sessionStorage) and shows at once as a pending bubble; the POST's answer
// makes it sent, a failure makes it failed with Retry (same key, same bytes) and Discard. Failures
// for want of a connection are retried when the live connection comes back; a live copy adopted by
// the timeline ends the item.

import { ApiError, type ChatApi } from "../api.js";
import { Outbox, sendRequestFor } from "../outbox.js";
import type { SendStatus } from "../timeline.js";
import type { Attachment, ChatMessage } from "../types.js";
import type { Viewer } from "../viewer.js";
import type { ErrorHandler } from "./alerts.js";
import { tryStore, type Clock, type KeyValueStore } from "./env.js";
import type { UnsentMessage } from "./timeline.js";

/** What sending needs of the timeline (controllers/timeline.ts). */
export interface SendTimeline {
  addLocal(key: string, message: ChatMessage): void;
  showOwnSend(): void;
  confirmLocal(key: string, m: ChatMessage): void;
  setLocalStatus(key: string, status: SendStatus, error?: string | null): void;
  removeLocal(key: string): void;
  matches(m: ChatMessage): boolean;
}

export interface SendingOptions {
  api: () => Pick<ChatApi, "send"> | null;
  viewer: Viewer;
  timeline: SendTimeline;
  /** sessionStorage and the key of this chat's outbox in it. */
  store: KeyValueStore | null;
  storeKey: string;
  newKey: () => string;
  now: Clock;
  announce: (text: string) => void;
  onError: ErrorHandler;
  focusComposer: () => void;
}

export class SendingController {
  private outbox_ = new Outbox();
  private readonly failedTransient_ = new Map<string, boolean>();

  constructor(private readonly o: SendingOptions) {}

  /** Takes up what an earlier page view of this chat left unsent. */
  restore(): void {
    this.outbox_ = Outbox.restore(this.o.store?.getItem(this.o.storeKey) ?? null);
  }

  /** The outbox's messages, to show as failed until the user retries or discards them. */
  unsent(): UnsentMessage[] {
    return this.outbox_.items().map((item) => ({ key: item.key, message: this.o.viewer.provisional(item.text, item.createdAt, item.attachments), error: item.error }));
  }

  /** Sends a new message (already checked: trimmed, within the limit, not blank or with attachments uploaded). */
  send(text: string, attachments: readonly Attachment[] = []): void {
    if (!this.o.api()) return;
    const key = this.o.newKey();
    const item = this.outbox_.add(key, text, new Date(this.o.now()), attachments);
    this.save();
    this.o.timeline.addLocal(key, this.o.viewer.provisional(text, item.createdAt, item.attachments));
    this.o.timeline.showOwnSend();
    void this.deliver(key);
  }

  private async deliver(key: string): Promise<void> {
    const item = this.outbox_.get(key);
    const api = this.o.api();
    if (!api || !item) return;
    try {
      const m = await api.send(this.o.viewer.mode === "staff" ? "outbound" : "inbound", sendRequestFor(item));
      this.outbox_.remove(key);
      this.save();
      this.o.viewer.learn(m.sender);
      this.o.timeline.confirmLocal(key, m);
      if (!this.o.timeline.matches(m)) this.o.announce("Message sent. The filters hide it: choose Show all to see it.");
    } catch (e) {
      if (!this.outbox_.get(key)) return; // it arrived live meanwhile: it is stored
      const err = e instanceof ApiError ? e : new ApiError(0, "network", "The server cannot be reached.");
      const reason = err.status === 0 ? "no connection" : err.status === 401 ? "not signed in" : err.message;
      this.outbox_.fail(key, reason);
      this.failedTransient_.set(key, err.transient);
      this.save();
      this.o.timeline.setLocalStatus(key, "failed", reason);
      if (err.status === 401) this.o.onError(err, null, null);
    }
  }

  /** Another attempt of a failed send, with the same key (the server never stores it twice). */
  retry(key: string): void {
    const item = this.outbox_.retry(key);
    if (!item) return;
    this.failedTransient_.delete(key);
    this.save();
    this.o.timeline.setLocalStatus(key, "pending");
    void this.deliver(key);
  }

  /** Back online: resend what failed for want of a connection (same keys, so never twice). */
  retryTransientFailures(): void {
    for (const [key, transient] of [...this.failedTransient_]) if (transient) this.retry(key);
  }

  discard(key: string): void {
    this.outbox_.remove(key);
    this.failedTransient_.delete(key);
    this.save();
    this.o.timeline.removeLocal(key);
    this.o.focusComposer();
  }

  /** The timeline adopted a live copy of this send: the server has it. */
  stored(key: string): void {
    this.outbox_.remove(key);
    this.save();
  }

  private save(): void {
    const store = this.o.store;
    tryStore(() => {
      if (this.outbox_.size === 0) store?.removeItem(this.o.storeKey);
      else store?.setItem(this.o.storeKey, this.outbox_.serialize());
    });
  }
}
