// The files attached in the composer before the message is sent: each upload's state (uploading
// with progress, done with its attachment, failed with the reason to show), cancel and remove, the
// per-message limit, and a send that waits: `whenSettled` resolves once nothing is uploading. No DOM:
// the composer renders `items` after every change (onChange).

import type { Attachment } from "./types.js";
import { UploadError, type UploadFile, type UploadHandle } from "./upload.js";

export type UploadState = "uploading" | "done" | "failed";

export interface UploadItem {
  /** This page's id for the item (the server's id comes with `attachment`). */
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly type: string;
  state: UploadState;
  loaded: number;
  total: number;
  attachment: Attachment | null;
  /** Why it failed, in words for the user (the server's message where it has one). */
  error: string | null;
  /** The status of the failed answer (0: no answer): 401 stops the app. */
  errorStatus: number | null;
}

export interface UploadQueueOptions {
  start: (file: UploadFile & Blob, onProgress: (loaded: number, total: number) => void) => UploadHandle;
  onChange: () => void;
  /** An upload failed (after the item shows the reason): lets the app react to a 401. */
  onFailed?: (item: UploadItem) => void;
  limit: number;
}

export class UploadQueue {
  private items_: UploadItem[] = [];
  private handles_ = new Map<number, UploadHandle>();
  private seq_ = 0;
  private waiters_: (() => void)[] = [];

  constructor(private readonly o: UploadQueueOptions) {}

  get items(): readonly UploadItem[] {
    return this.items_;
  }

  /** Some upload is still going. */
  get busy(): boolean {
    return this.items_.some((i) => i.state === "uploading");
  }

  get failed(): boolean {
    return this.items_.some((i) => i.state === "failed");
  }

  /** The uploaded attachments, in the order they were added. */
  get attachments(): Attachment[] {
    return this.items_.flatMap((i) => (i.state === "done" && i.attachment ? [i.attachment] : []));
  }

  /** Uploading or uploaded: what the message would carry. */
  get count(): number {
    return this.items_.filter((i) => i.state !== "failed").length;
  }

  /** Starts uploading `files`; returns how many were left out for the per-message limit. */
  add(files: readonly (UploadFile & Blob)[]): number {
    const room = Math.max(0, this.o.limit - this.count);
    const taken = files.slice(0, room);
    for (const file of taken) {
      const item: UploadItem = { id: ++this.seq_, name: file.name, size: file.size, type: file.type, state: "uploading", loaded: 0, total: file.size, attachment: null, error: null, errorStatus: null };
      this.items_.push(item);
      const handle = this.o.start(file, (loaded, total) => {
        if (item.state !== "uploading" || !this.has(item.id)) return;
        item.loaded = loaded;
        item.total = total;
        this.o.onChange();
      });
      this.handles_.set(item.id, handle);
      handle.result.then(
        (a) => this.finish(item, a, null),
        (e: unknown) => this.finish(item, null, e),
      );
    }
    if (taken.length > 0) this.o.onChange();
    return files.length - taken.length;
  }

  private has(id: number): boolean {
    return this.items_.some((i) => i.id === id);
  }

  private finish(item: UploadItem, a: Attachment | null, e: unknown): void {
    this.handles_.delete(item.id);
    if (!this.has(item.id)) return; // cancelled or removed meanwhile
    if (a) {
      item.state = "done";
      item.attachment = a;
      item.loaded = item.total;
    } else {
      item.state = "failed";
      item.error = e instanceof UploadError ? e.message : "The upload failed.";
      item.errorStatus = e instanceof UploadError ? e.status : 0;
    }
    this.o.onChange();
    if (!a) this.o.onFailed?.(item);
    this.wake();
  }

  /** Cancels an upload in flight (the request is aborted) or removes a finished one. */
  remove(id: number): void {
    const i = this.items_.findIndex((x) => x.id === id);
    if (i < 0) return;
    this.items_.splice(i, 1);
    this.handles_.get(id)?.abort();
    this.handles_.delete(id);
    this.o.onChange();
    this.wake();
  }

  /** Forgets everything (the message was sent); uploads still going are aborted. */
  clear(): void {
    for (const h of this.handles_.values()) h.abort();
    this.handles_.clear();
    this.items_ = [];
    this.o.onChange();
    this.wake();
  }

  /** Resolves once nothing is uploading (at once if nothing is). */
  whenSettled(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.waiters_.push(resolve));
  }

  private wake(): void {
    if (this.busy) return;
    for (const w of this.waiters_.splice(0)) w();
  }
}
