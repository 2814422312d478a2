// Read state: the unread count (unread.ts) between server answers and live events, "Mark all read"
// (testid "mark-all-read"), the messages.read events, and, in the patient view, read receipts for
// the care team's messages once they are on screen and the page is visible. The count goes out
// through onCount (the badge and the title, notifications.ts); the messages' read marks go through
// the timeline.

import { ApiError, type ChatApi } from "../api.js";
import { readDirectionFor } from "../filters.js";
import type { Mode } from "../route.js";
import type { Direction, LiveFrame, Page, Party } from "../types.js";
import { UnreadCounter } from "../unread.js";
import { button } from "../view/dom.js";
import { icon } from "../view/icons.js";
import type { ErrorHandler } from "./alerts.js";
import type { Timers } from "./env.js";

const RECEIPT_DELAY_MS = 400; // let the view settle (scrolling, a burst of events) before a receipt
const COUNT_REFRESH_MS = 600;

/** What read state needs of the timeline (controllers/timeline.ts). */
export interface ReadTimeline {
  readonly loaded: boolean;
  markRead(direction: Direction, upTo: string | null, readAt: string, readBy: Party | null): string[];
  newestUnreadShown(direction: Direction): string | null;
  clearDivider(): void;
  render(): void;
}

export type ReadEvent = Extract<LiveFrame, { type: "messages.read" }>;

export interface ReadStateOptions {
  mode: Mode;
  api: () => Pick<ChatApi, "getPage" | "markRead"> | null;
  timeline: ReadTimeline;
  /** The patient of the chat (the reader of the care team's messages). */
  patientParty: () => Party;
  /** Who this viewer is when marking read (staff: once known). */
  reader: () => Party | null;
  onCount: (n: number) => void;
  announce: (text: string) => void;
  onError: ErrorHandler;
  isVisible: () => boolean;
  timers: Timers;
}

export class ReadStateController {
  readonly markAllButton: HTMLButtonElement;
  private readonly unread_ = new UnreadCounter();
  private marking_ = false;
  private stopped_ = false;
  private receiptTimer_: unknown = null;
  private countTimer_: unknown = null;

  constructor(private readonly o: ReadStateOptions) {
    this.markAllButton = button("", { class: "btn btn--small", testid: "mark-all-read" }, [icon("check", "icon icon--sm"), "Mark all read"]);
    this.markAllButton.addEventListener("click", () => void this.markAllRead());
  }

  get count(): number {
    return this.unread_.count;
  }

  private get readDirection(): Direction {
    return readDirectionFor(this.o.mode);
  }

  /** The count changed (or might have): the badge, the title and the button follow. */
  private changed(): void {
    this.o.onCount(this.unread_.count);
    this.updateButton();
  }

  private updateButton(): void {
    this.markAllButton.disabled = this.marking_ || this.unread_.count === 0 || this.stopped_;
  }

  /** Shows the current state (before anything loaded). */
  update(): void {
    this.changed();
  }

  /** The app stopped for good: no more requests. */
  stop(): void {
    this.stopped_ = true;
    for (const t of [this.receiptTimer_, this.countTimer_]) if (t !== null) this.o.timers.clearTimeout(t);
    this.receiptTimer_ = this.countTimer_ = null;
    this.updateButton();
  }

  // ---- the count --------------------------------------------------------------------------------

  /** Call before a GET whose meta.unreadCount is to be applied; pass the result to applyPage. */
  beginFetch(): number {
    return this.unread_.beginFetch();
  }

  applyPage(page: Page, epoch: number): void {
    if (typeof page.meta.unreadCount !== "number") return;
    if (this.unread_.applyServer(page.meta.unreadCount, epoch)) this.scheduleCountRefresh();
    this.changed();
  }

  /** A new message this viewer has not read arrived live. */
  onNewUnread(): void {
    this.unread_.increment();
    this.changed();
  }

  /** A messages.read event: marks in the timeline, and the count if it is this viewer's side. */
  onReadEvent(f: ReadEvent): void {
    const readBy: Party | null = f.direction === "outbound" ? this.o.patientParty() : (f.reader ?? null);
    const changed = this.o.timeline.markRead(f.direction, f.upToExternalId, f.readAt, readBy);
    if (f.direction === this.readDirection) {
      if (this.unread_.applyReadBatch(f.direction, f.upToExternalId, f.readAt, f.count)) this.scheduleCountRefresh();
      this.changed();
    }
    if (changed.length > 0) this.o.timeline.render();
  }

  /** Asks the server for the count again (after read events, whose effect a GET may already include). */
  private scheduleCountRefresh(): void {
    if (this.countTimer_ !== null) this.o.timers.clearTimeout(this.countTimer_);
    this.countTimer_ = this.o.timers.setTimeout(() => {
      this.countTimer_ = null;
      void this.refreshCount();
    }, COUNT_REFRESH_MS);
  }

  private async refreshCount(): Promise<void> {
    const api = this.o.api();
    if (!api || this.stopped_) return;
    const epoch = this.unread_.beginFetch();
    try {
      const page = await api.getPage({ pageSize: 1 });
      this.applyPage(page, epoch);
    } catch {
      /* the next event or reload corrects it */
    }
  }

  // ---- marking read -----------------------------------------------------------------------------

  async markAllRead(): Promise<void> {
    const api = this.o.api();
    if (!api || this.marking_) return;
    this.marking_ = true;
    this.updateButton();
    try {
      const res = await api.markRead();
      if (res.upToExternalId !== null) this.o.timeline.markRead(this.readDirection, res.upToExternalId, res.readAt, this.o.reader());
      this.unread_.applyReadBatch(this.readDirection, res.upToExternalId, res.readAt, res.marked);
      this.o.timeline.clearDivider();
      this.o.announce(res.marked === 0 ? "Nothing was unread." : `Marked ${res.marked} ${res.marked === 1 ? "message" : "messages"} as read.`);
      this.scheduleCountRefresh();
    } catch (e) {
      this.o.onError(e, "The messages could not be marked as read.", { label: "Retry", run: () => void this.markAllRead() });
    } finally {
      this.marking_ = false;
      this.changed();
      this.o.timeline.render();
    }
  }

  /** Patient view: read receipts for the care team's messages on screen, shortly. */
  scheduleReceipts(): void {
    if (this.o.mode !== "patient" || !this.o.timeline.loaded) return;
    if (this.receiptTimer_ !== null) this.o.timers.clearTimeout(this.receiptTimer_);
    this.receiptTimer_ = this.o.timers.setTimeout(() => {
      this.receiptTimer_ = null;
      void this.sendReceipts();
    }, RECEIPT_DELAY_MS);
  }

  private async sendReceipts(): Promise<void> {
    const api = this.o.api();
    if (!api || this.stopped_ || !this.o.isVisible()) return;
    const upTo = this.o.timeline.newestUnreadShown("outbound");
    if (upTo === null) return;
    try {
      const res = await api.markRead(upTo);
      if (res.upToExternalId !== null) this.o.timeline.markRead("outbound", res.upToExternalId, res.readAt, this.o.patientParty());
      if (this.unread_.applyReadBatch("outbound", res.upToExternalId, res.readAt, res.marked)) this.scheduleCountRefresh();
      this.changed();
      this.o.timeline.render();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) this.o.onError(e, null, null);
    }
  }
}
