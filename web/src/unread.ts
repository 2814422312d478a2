// The unread count shown in the badge and the document title. The server's meta.unreadCount is the
// truth at the moment it answered; live events adjust it in between. Two hazards are handled here:
//  - an event that lands while a GET is in flight may or may not be counted in its answer: such an
//    answer is applied but reported stale, and the caller asks again;
//  - a read batch is seen twice, once as the POST .../read answer and once as the messages.read
//    event (same direction, upToExternalId and readAt): it is subtracted once.

import type { Direction } from "./types.js";

export class UnreadCounter {
  private count_ = 0;
  private epoch_ = 0;
  private seenBatches_ = new Set<string>();

  get count(): number {
    return this.count_;
  }

  /** Call before sending a GET whose meta.unreadCount will be applied; pass the result to applyServer. */
  beginFetch(): number {
    return this.epoch_;
  }

  /** Applies meta.unreadCount. Returns true if events arrived meanwhile: the count may be off, ask again. */
  applyServer(count: number, fetchEpoch: number): boolean {
    this.count_ = Math.max(0, Math.floor(count));
    return fetchEpoch !== this.epoch_;
  }

  /** A new unread message arrived. */
  increment(): void {
    this.count_ += 1;
    this.epoch_ += 1;
  }

  /**
   * A read batch (from the POST answer or the live event). Subtracts `count` the first time a batch
   * is seen; returns whether it was new.
   */
  applyReadBatch(direction: Direction, upToExternalId: string | null, readAt: string, count: number): boolean {
    const key = `${direction}|${upToExternalId ?? ""}|${readAt}`;
    if (this.seenBatches_.has(key)) return false;
    if (this.seenBatches_.size > 500) this.seenBatches_.clear();
    this.seenBatches_.add(key);
    this.count_ = Math.max(0, this.count_ - Math.max(0, count));
    this.epoch_ += 1;
    return true;
  }
}

/** "(3) Title" when n > 0, else "Title". */
export function titleWithCount(base: string, n: number): string {
  return n > 0 ? `(${n}) ${base}` : base;
}
