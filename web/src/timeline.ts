// The conversation as the app holds it: one contiguous window of the chat's messages (plus the
// messages this page is still sending), merged by externalId and kept in the server's order,
// createdAt then arrival order. Pages, live events and send answers all go through here, so there
// is one place where duplicates are dropped and order is decided. Pure: no DOM, no network.
//
// The window: olderToken walks to older messages (null: the window starts at the chat's first
// message), newerToken to newer ones (null: the window reaches the newest message, so live messages
// are appended). A window that does not reach the newest message (after a search jump, or when the
// first unread page does not reach the end) does not take live messages in, which would leave a gap;
// they are remembered and merged once the window reaches the newest message again.

import { directionOf, type ChatMessage, type Direction, type Party } from "./types.js";
import { parseIso } from "./time_format.js";

export type SendStatus = "pending" | "sent" | "failed";

export interface Entry {
  /** externalId, or LOCAL_PREFIX + Idempotency-Key while the server has not answered. */
  key: string;
  message: ChatMessage;
  status: SendStatus;
  local: boolean;
  error: string | null;
  /** createdAt in ms, cached for sorting. */
  time: number;
  /** Arrival order: breaks createdAt ties; older pages get smaller values, newer ones larger. */
  ord: number;
}

export const LOCAL_PREFIX = "local:";

export interface PageLike {
  meta: { nextPageToken: string | null; prevPageToken: string | null };
  /** Newest first, as the server sends pages. */
  content: ChatMessage[];
}

export interface LiveResult {
  /** First time this message is seen (not already in the window or remembered). */
  isNew: boolean;
  /** added: now in the window; updated: was there; adopted: replaced a local entry; outside: remembered only. */
  kind: "added" | "updated" | "adopted" | "outside";
  key: string;
  /** For "adopted": the local key whose element now shows this message. */
  adoptedLocalKey?: string;
}

export interface OwnIdentity {
  /** The direction this viewer sends in (staff: outbound; patient: inbound). */
  direction: Direction;
  /** The viewer's sender id once known (from a send answer); narrows adoption to own messages. */
  senderId: string | null;
}

const RECENT_LIVE_LIMIT = 1000;
// A live message may stand for a local one only if it was created around when the user pressed
// send (allowing for the client's clock being off).
const ADOPT_WINDOW_MS = 10 * 60_000;

/** The attachments' ids: a live message stands for a local one only if it carries the same files. */
function attachmentKey(m: ChatMessage): string {
  return (m.attachments ?? []).map((a) => a.id).join(",");
}

function mergeMessage(old: ChatMessage, incoming: ChatMessage): ChatMessage {
  // Read state only ever moves forward; an older snapshot (a page fetched before the read) must not
  // undo it.
  return {
    ...incoming,
    readAt: incoming.readAt ?? old.readAt,
    readBy: incoming.readBy ?? old.readBy ?? null,
  };
}

export class Timeline {
  private server_ = new Map<string, Entry>();
  private locals_ = new Map<string, Entry>(); // by Idempotency-Key
  private recentLive_ = new Map<string, ChatMessage>();
  private minOrd_ = 0;
  private maxOrd_ = 0;
  private localOrd_ = 0;
  private sorted_: Entry[] | null = null;

  olderToken: string | null = null;
  newerToken: string | null = null;

  get atLatest(): boolean {
    return this.newerToken === null;
  }

  get hasOlder(): boolean {
    return this.olderToken !== null;
  }

  /** Server messages in order, then the local (unsent) ones in the order they were written. */
  entries(): readonly Entry[] {
    if (!this.sorted_) {
      const s = [...this.server_.values()].sort((a, b) => a.time - b.time || a.ord - b.ord);
      const l = [...this.locals_.values()].sort((a, b) => a.ord - b.ord);
      this.sorted_ = s.concat(l);
    }
    return this.sorted_;
  }

  get(externalId: string): Entry | undefined {
    return this.server_.get(externalId);
  }

  get serverCount(): number {
    return this.server_.size;
  }

  /** The newest message in the window. */
  newest(): Entry | undefined {
    let best: Entry | undefined;
    for (const e of this.server_.values()) if (!best || e.time > best.time || (e.time === best.time && e.ord > best.ord)) best = e;
    return best;
  }

  private touch(): void {
    this.sorted_ = null;
  }

  private insert(m: ChatMessage, ord: number): Entry {
    const e: Entry = { key: m.externalId, message: m, status: "sent", local: false, error: null, time: parseIso(m.createdAt), ord };
    this.server_.set(m.externalId, e);
    this.touch();
    return e;
  }

  /** Adds or updates; returns true if it was added. */
  private upsert(m: ChatMessage, side: "older" | "newer"): boolean {
    const old = this.server_.get(m.externalId);
    if (old) {
      old.message = mergeMessage(old.message, m);
      return false;
    }
    this.insert(m, side === "older" ? --this.minOrd_ : ++this.maxOrd_);
    return true;
  }

  /** Replaces the window with one page (newest first) or several messages, keeping local entries. */
  replace(newestFirst: ChatMessage[], olderToken: string | null, newerToken: string | null): void {
    this.server_.clear();
    this.minOrd_ = 0;
    this.maxOrd_ = 0;
    for (let i = newestFirst.length - 1; i >= 0; i--) this.upsert(newestFirst[i]!, "newer");
    this.olderToken = olderToken;
    this.newerToken = newerToken;
    this.touch();
    if (this.atLatest) this.mergeRecentLive();
  }

  /** The next older page (fetched with olderToken). Returns how many messages were new. */
  addOlder(page: PageLike): number {
    let added = 0;
    for (const m of page.content) if (this.upsert(m, "older")) added++;
    this.olderToken = page.meta.nextPageToken;
    this.touch();
    return added;
  }

  /** The next newer page (fetched with newerToken). Returns how many messages were new. */
  addNewer(page: PageLike): number {
    let added = 0;
    for (let i = page.content.length - 1; i >= 0; i--) if (this.upsert(page.content[i]!, "newer")) added++;
    this.newerToken = page.meta.prevPageToken;
    this.touch();
    if (this.atLatest) added += this.mergeRecentLive();
    return added;
  }

  /**
   * Newest messages fetched to close a possible gap (e.g. after the live connection came up late):
   * merged if they overlap the window, else they replace it (the gap could not be bridged).
   */
  addLatest(page: PageLike): void {
    if (!this.atLatest) return;
    const overlaps = page.content.some((m) => this.server_.has(m.externalId)) || this.server_.size === 0;
    if (!overlaps && page.meta.nextPageToken !== null) {
      this.replace(page.content, page.meta.nextPageToken, page.meta.prevPageToken);
      return;
    }
    for (let i = page.content.length - 1; i >= 0; i--) this.upsert(page.content[i]!, "newer");
    if (this.server_.size === page.content.length) this.olderToken = page.meta.nextPageToken;
    this.touch();
  }

  private remember(m: ChatMessage): void {
    this.recentLive_.delete(m.externalId);
    this.recentLive_.set(m.externalId, m);
    if (this.recentLive_.size > RECENT_LIVE_LIMIT) {
      const first = this.recentLive_.keys().next().value;
      if (first !== undefined) this.recentLive_.delete(first);
    }
  }

  /** Live messages newer than the window's newest, merged once the window reaches the newest message. */
  private mergeRecentLive(): number {
    const newest = this.newest();
    const from = newest ? newest.time : -Infinity;
    const pending = [...this.recentLive_.values()]
      .filter((m) => !this.server_.has(m.externalId) && parseIso(m.createdAt) >= from)
      .sort((a, b) => parseIso(a.createdAt) - parseIso(b.createdAt));
    for (const m of pending) this.upsert(m, "newer");
    return pending.length;
  }

  /** A message.created event (or a message learnt some other way that is newer than any page). */
  applyLive(m: ChatMessage, own: OwnIdentity | null = null): LiveResult {
    const seen = this.server_.has(m.externalId) || this.recentLive_.has(m.externalId);
    this.remember(m);
    const existing = this.server_.get(m.externalId);
    if (existing) {
      existing.message = mergeMessage(existing.message, m);
      return { isNew: false, kind: "updated", key: m.externalId };
    }
    if (!this.atLatest) return { isNew: !seen, kind: "outside", key: m.externalId };
    const local = own ? this.findAdoptable(m, own) : undefined;
    if (local) {
      const idem = local.key.slice(LOCAL_PREFIX.length);
      this.locals_.delete(idem);
      this.insert(m, ++this.maxOrd_);
      return { isNew: false, kind: "adopted", key: m.externalId, adoptedLocalKey: local.key };
    }
    this.insert(m, ++this.maxOrd_);
    return { isNew: !seen, kind: "added", key: m.externalId };
  }

  /** The oldest local entry that this live message is the stored copy of, if any. */
  private findAdoptable(m: ChatMessage, own: OwnIdentity): Entry | undefined {
    if (directionOf(m) !== own.direction) return undefined;
    if (own.senderId !== null && m.sender.id !== own.senderId) return undefined;
    const t = parseIso(m.createdAt);
    const candidates = [...this.locals_.values()]
      .filter((e) => e.message.message === m.message && attachmentKey(e.message) === attachmentKey(m) && Math.abs(t - e.time) <= ADOPT_WINDOW_MS)
      .sort((a, b) => a.ord - b.ord);
    return candidates[0];
  }

  /** A message being sent, shown at the end until the server answers. */
  addLocal(idempotencyKey: string, message: ChatMessage, status: SendStatus = "pending", error: string | null = null): Entry {
    const e: Entry = {
      key: LOCAL_PREFIX + idempotencyKey,
      message,
      status,
      local: true,
      error,
      time: parseIso(message.createdAt),
      ord: ++this.localOrd_,
    };
    this.locals_.set(idempotencyKey, e);
    this.touch();
    return e;
  }

  hasLocal(idempotencyKey: string): boolean {
    return this.locals_.has(idempotencyKey);
  }

  setLocalStatus(idempotencyKey: string, status: SendStatus, error: string | null = null): Entry | undefined {
    const e = this.locals_.get(idempotencyKey);
    if (!e) return undefined;
    e.status = status;
    e.error = error;
    return e;
  }

  removeLocal(idempotencyKey: string): boolean {
    const ok = this.locals_.delete(idempotencyKey);
    if (ok) this.touch();
    return ok;
  }

  /**
   * The server answered a send with the stored message. The local entry gives way to it (once: a
   * live copy may have been adopted already). Returns the key now showing the message, or null when
   * it lies beyond a window that does not reach the newest message (it is remembered for later).
   */
  confirmLocal(idempotencyKey: string, m: ChatMessage): { key: string | null; localKey: string } {
    const localKey = LOCAL_PREFIX + idempotencyKey;
    this.locals_.delete(idempotencyKey);
    this.touch();
    this.remember(m);
    if (this.server_.has(m.externalId)) {
      this.upsert(m, "newer");
      return { key: m.externalId, localKey };
    }
    if (!this.atLatest) return { key: null, localKey };
    this.insert(m, ++this.maxOrd_);
    return { key: m.externalId, localKey };
  }

  /**
   * Messages of `direction` became read up to and including `upTo` (null: all of them). When `upTo`
   * is not in the window: if the window reaches the newest message, it is older than the window and
   * nothing here changes; otherwise it may be newer, and messages created up to readAt are marked.
   * Returns the keys that changed.
   */
  markRead(direction: Direction, upTo: string | null, readAt: string, readBy: Party | null): string[] {
    const list = this.entries().filter((e) => !e.local);
    let limit: number;
    if (upTo === null) {
      limit = list.length - 1;
    } else {
      const i = list.findIndex((e) => e.key === upTo);
      if (i >= 0) {
        limit = i;
      } else if (this.atLatest) {
        return [];
      } else {
        const t = parseIso(readAt);
        limit = -1;
        list.forEach((e, j) => {
          if (e.time <= t) limit = j;
        });
      }
    }
    const changed: string[] = [];
    for (let j = 0; j <= limit; j++) {
      const e = list[j]!;
      if (directionOf(e.message) !== direction || e.message.readAt !== null) continue;
      e.message = { ...e.message, readAt, readBy: readBy ?? e.message.readBy ?? null };
      changed.push(e.key);
    }
    // Remembered live messages beyond the window: keep their read state right for when they merge.
    const upToMsg = upTo === null ? null : (this.server_.get(upTo)?.message ?? this.recentLive_.get(upTo) ?? undefined);
    if (upToMsg !== undefined) {
      const until = upToMsg === null ? parseIso(readAt) : parseIso(upToMsg.createdAt);
      for (const m of [...this.recentLive_.values()]) {
        if (this.server_.has(m.externalId) || directionOf(m) !== direction || m.readAt !== null) continue;
        if (parseIso(m.createdAt) <= until) this.recentLive_.set(m.externalId, { ...m, readAt, readBy: readBy ?? null });
      }
    }
    return changed;
  }
}
