// The conversation on screen (testid "timeline", role=log): the window of messages (timeline.ts)
// put in the DOM (view/timeline_view.ts), opening at the oldest unread message, paging older and
// newer in place, the search jump, live messages, one's own sends, filters, the unread divider, the
// "Jump to latest" / "New messages" button, and the scroll rules in web/README.md (nothing above the
// reading position ever moves what the user reads). Owns its DOM subtree; the network, the clock,
// the frames and the timers come in through TimelineOptions.

import type { ChatApi } from "../api.js";
import { matchesFilter, NO_FILTERS, readDirectionFor, type FilterState } from "../filters.js";
import type { LiveState } from "../live.js";
import type { Mode } from "../route.js";
import { buildRows } from "../rows.js";
import type { TimeOptions } from "../time_format.js";
import { LOCAL_PREFIX, Timeline, type Entry, type LiveResult, type OwnIdentity, type SendStatus } from "../timeline.js";
import { directionOf, type Attachment, type ChatMessage, type Direction, type Page, type Party, type SearchHit } from "../types.js";
import { button, h, setAttr, setText } from "../view/dom.js";
import { icon } from "../view/icons.js";
import { attachmentOf, type MediaPort } from "../view/message_view.js";
import { TimelineView } from "../view/timeline_view.js";
import type { ErrorHandler } from "./alerts.js";
import type { Clock, NextFrame, Timers, WatchSize } from "./env.js";

export const PAGE_SIZE = 20;
const AUTOLOAD_PX = 120; // load older/newer when scrolled this close to an end
const STICKY_PX = 48; // "at the bottom" for following new messages
const JUMP_BUTTON_PX = 600; // "Jump to latest" shows when the newest message is this far below

/** A message this page sent earlier that the server may not have (restored from the outbox). */
export interface UnsentMessage {
  key: string; // Idempotency-Key
  message: ChatMessage;
  error: string | null;
}

/** The unread count's side of a page load (read_state.ts). */
export interface UnreadPort {
  beginFetch(): number;
  applyPage(page: Page, epoch: number): void;
}

export interface TimelineOptions {
  mode: Mode;
  /** The API once the page has a token; null before (nothing loads). */
  api: () => Pick<ChatApi, "getPage"> | null;
  unread: UnreadPort;
  own: () => OwnIdentity;
  unsent: () => UnsentMessage[];
  onError: ErrorHandler;
  clearError: () => void;
  announce: (text: string) => void;
  /** Messages the viewer may not have read came into view (read receipts in the patient view). */
  onShown: () => void;
  /** The Retry / Discard buttons of a failed send (the Idempotency-Key). */
  onRetry: (key: string) => void;
  onDiscard: (key: string) => void;
  focusComposer: () => void;
  /** Thumbnails for the bubbles (blob: URLs); none: images show without one. */
  media?: MediaPort;
  /** A click (or Enter/Space) on an attachment: "open" an image full size, "download" a file. */
  onAttachment?: (action: "open" | "download", a: Attachment, control: HTMLElement) => void;
  isHidden: () => boolean;
  now: Clock;
  frame: NextFrame;
  timers: Timers;
  /**
   * Size changes of the scrolling timeline (the composer growing with files or lines, the pane
   * resized): at the bottom, it stays there. None: no such changes are followed.
   */
  watchSize?: WatchSize;
  time?: TimeOptions;
}

export class TimelineController {
  readonly element: HTMLElement;
  readonly model = new Timeline();
  private readonly scroller_: HTMLElement;
  private readonly loadOlder_: HTMLButtonElement;
  private readonly loadNewer_: HTMLButtonElement;
  private readonly empty_: HTMLElement;
  private readonly jump_: HTMLButtonElement;
  private readonly view_: TimelineView;
  private readonly time_: TimeOptions;

  private filters_: FilterState = NO_FILTERS;
  private dividerBefore_: string | null = null;
  private highlightedKey_: string | null = null;
  private generation_ = 0; // bumps when the window is replaced: stale page answers are dropped
  private loadingOlder_ = false;
  private loadingNewer_ = false;
  private loadingWindow_ = false;
  private loaded_ = false;
  private newBelow_ = false;
  // At the bottom as of the last scroll or render: a shrinking timeline does not scroll, so this is
  // what a resize is measured against (after it, the bottom may already be out of sight).
  private atBottom_ = true;
  private scrollQueued_ = false;
  // The first load waits briefly for the live connection, so no event falls between page and stream.
  private firstReadySeen_ = false;
  private needCatchUp_ = false;
  private readyWaiters_: (() => void)[] = [];

  constructor(private readonly o: TimelineOptions) {
    this.time_ = o.time ?? {};
    this.loadOlder_ = button("", { class: "btn btn--small btn--quiet", testid: "load-older", hidden: true }, [icon("up", "icon icon--sm"), "Load older messages"]);
    this.empty_ = h("p", { class: "timeline__empty", hidden: true });
    const top = h("div", { class: "timeline__top" }, [this.loadOlder_, this.empty_]);
    this.loadNewer_ = button("", { class: "btn btn--small btn--quiet", testid: "load-newer", hidden: true }, [icon("down", "icon icon--sm"), "Load newer messages"]);
    const bottom = h("div", { class: "timeline__bottom" }, [this.loadNewer_]);
    this.scroller_ = h(
      "main",
      {
        class: "timeline",
        testid: "timeline",
        attrs: { role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "Conversation", tabindex: "0", "aria-busy": "true" },
      },
      [top, bottom],
    );
    this.view_ = new TimelineView(this.scroller_, top, bottom);
    this.jump_ = button("", { class: "jump", testid: "jump-latest", hidden: true }, [icon("down", "icon icon--sm"), h("span", { text: "Jump to latest" })]);
    this.element = h("div", { class: "timeline-wrap" }, [this.scroller_, this.jump_]);

    this.loadOlder_.addEventListener("click", () => void this.loadOlder());
    this.loadNewer_.addEventListener("click", () => void this.loadNewer());
    this.jump_.addEventListener("click", () => void this.jumpToLatest());
    this.scroller_.addEventListener("click", (e) => this.onClick(e));
    this.scroller_.addEventListener("scroll", () => this.onScroll(), { passive: true });
    o.watchSize?.(this.scroller_, () => this.onResize());
  }

  /** The first page is shown (until then live events only wait). */
  get loaded(): boolean {
    return this.loaded_;
  }

  get filters(): FilterState {
    return this.filters_;
  }

  /** Whether the filters show `m` (one's own unsent messages always show). */
  matches(m: ChatMessage): boolean {
    return matchesFilter(m, this.filters_, this.o.mode);
  }

  private get readDirection(): Direction {
    return readDirectionFor(this.o.mode);
  }

  // ---- opening ----------------------------------------------------------------------------------

  /** Loads the first page once the live connection is ready, or after `waitMs` without it. */
  async open(waitMs: number): Promise<void> {
    await this.waitForReady(waitMs);
    await this.initialLoad();
  }

  private waitForReady(ms: number): Promise<void> {
    if (this.firstReadySeen_) return Promise.resolve();
    return new Promise((resolve) => {
      const t = this.o.timers.setTimeout(resolve, ms);
      this.readyWaiters_.push(() => {
        this.o.timers.clearTimeout(t);
        resolve();
      });
    });
  }

  private releaseReadyWaiters(): void {
    for (const w of this.readyWaiters_.splice(0)) w();
  }

  /** The live connection's state: a first connection that failed does not hold up the first load. */
  onLiveState(s: LiveState): void {
    if (s === "reconnecting" && !this.firstReadySeen_) this.releaseReadyWaiters();
  }

  /** A `ready` frame. The first one after the first load closes a possible gap (catch-up). */
  onLiveReady(): void {
    const first = !this.firstReadySeen_;
    this.firstReadySeen_ = true;
    this.releaseReadyWaiters();
    if (first && this.loaded_ && this.needCatchUp_) void this.catchUp();
  }

  private async initialLoad(): Promise<void> {
    const api = this.o.api();
    if (!api) return;
    const gen = ++this.generation_;
    this.needCatchUp_ = !this.firstReadySeen_;
    this.setBusy(true);
    const epoch = this.o.unread.beginFetch();
    let page: Page;
    try {
      page = await api.getPage({ pageSize: PAGE_SIZE, anchor: "firstUnread", includeArchived: this.filters_.archived });
    } catch (e) {
      this.setBusy(false);
      this.o.onError(e, "The messages could not be loaded.", { label: "Retry", run: () => void this.initialLoad() });
      return;
    }
    if (gen !== this.generation_) return;
    this.o.clearError();
    this.model.replace(page.content, page.meta.nextPageToken, page.meta.prevPageToken);
    this.dividerBefore_ = page.meta.firstUnreadExternalId ?? null;
    this.o.unread.applyPage(page, epoch);
    for (const u of this.o.unsent()) {
      if (!this.model.hasLocal(u.key)) this.model.addLocal(u.key, u.message, "failed", u.error);
    }
    this.loaded_ = true;
    this.render("none");
    this.setBusy(false);
    // Open at the oldest unread message (the divider near the top), else at the newest.
    const divider = this.view_.divider;
    if (this.dividerBefore_ !== null && divider.isConnected) {
      this.scroller_.scrollTop = Math.max(0, divider.offsetTop - 8);
    } else {
      this.scrollToBottom();
    }
    this.o.onShown();
    if (this.needCatchUp_ && this.firstReadySeen_) void this.catchUp();
    this.o.frame(() => this.checkAutoLoad());
  }

  /** The live connection came up after the first load: fetch the newest page to close the gap. */
  private async catchUp(): Promise<void> {
    this.needCatchUp_ = false;
    const api = this.o.api();
    if (!api || !this.model.atLatest) return;
    const gen = this.generation_;
    const epoch = this.o.unread.beginFetch();
    try {
      const page = await api.getPage({ pageSize: PAGE_SIZE, includeArchived: this.filters_.archived });
      if (gen !== this.generation_) return;
      this.model.addLatest(page);
      this.o.unread.applyPage(page, epoch);
      this.render();
    } catch (e) {
      this.o.onError(e, null, null);
    }
  }

  /** Replaces the window with the newest page (after archive/restore, a resync, "jump to latest"). */
  async reloadLatest(): Promise<void> {
    const api = this.o.api();
    if (!api) return;
    const gen = ++this.generation_;
    this.loadingWindow_ = true;
    this.setBusy(true);
    const epoch = this.o.unread.beginFetch();
    try {
      const page = await api.getPage({ pageSize: PAGE_SIZE, includeArchived: this.filters_.archived });
      if (gen !== this.generation_) return;
      this.o.clearError();
      this.model.replace(page.content, page.meta.nextPageToken, page.meta.prevPageToken);
      this.o.unread.applyPage(page, epoch);
      this.highlightedKey_ = null;
      this.newBelow_ = false;
      this.render("none");
      this.scrollToBottom();
      this.o.onShown();
      this.o.frame(() => this.checkAutoLoad());
    } catch (e) {
      if (gen === this.generation_) this.o.onError(e, "The messages could not be loaded.", { label: "Retry", run: () => void this.reloadLatest() });
    } finally {
      if (gen === this.generation_) {
        this.loadingWindow_ = false;
        this.setBusy(false);
        this.updateChrome();
      }
    }
  }

  /** Shows a search hit with its neighbours (the hit's tokens), highlighted, in place of the window. Resolves true once shown. */
  async jumpTo(hit: SearchHit): Promise<boolean> {
    const api = this.o.api();
    if (!api) return false;
    const gen = ++this.generation_;
    this.loadingWindow_ = true;
    this.setBusy(true);
    try {
      const [older, newer] = await Promise.all([
        hit.meta.nextPageToken ? api.getPage({ pageToken: hit.meta.nextPageToken }) : Promise.resolve(null),
        hit.meta.prevPageToken ? api.getPage({ pageToken: hit.meta.prevPageToken }) : Promise.resolve(null),
      ]);
      if (gen !== this.generation_) return false;
      const newestFirst = [...(newer?.content ?? []), hit.message, ...(older?.content ?? [])];
      this.model.replace(newestFirst, older ? older.meta.nextPageToken : null, newer ? newer.meta.prevPageToken : null);
      this.highlightedKey_ = hit.message.externalId;
      this.newBelow_ = false;
      this.loadingWindow_ = false;
      this.render("none");
      const el = this.view_.element(hit.message.externalId);
      if (el) {
        el.scrollIntoView({ block: "center" });
        el.focus({ preventScroll: true });
      }
      this.o.announce("Showing the message found, with the messages around it.");
      this.o.onShown();
      return true;
    } catch (e) {
      if (gen === this.generation_) this.o.onError(e, "That message could not be shown.", null);
      return false;
    } finally {
      if (gen === this.generation_) {
        this.loadingWindow_ = false;
        this.setBusy(false);
        this.updateChrome();
        this.o.frame(() => this.checkAutoLoad());
      }
    }
  }

  // ---- filters ----------------------------------------------------------------------------------

  /** The filters from the URL, before anything is shown. */
  initFilters(f: FilterState): void {
    this.filters_ = f;
  }

  /** New filters: "show" filters re-render; "archived" refetches the newest page. */
  setFilters(next: FilterState): void {
    const archivedChanged = next.archived !== this.filters_.archived;
    this.filters_ = next;
    this.highlightedKey_ = null; // the search jump is over: the filters decide what shows
    if (archivedChanged) {
      if (this.loaded_) void this.reloadLatest();
    } else {
      this.render();
    }
  }

  // ---- live -------------------------------------------------------------------------------------

  /** A message.created event: into the window (or remembered beyond it), with the divider and the "New messages" button. */
  onLiveMessage(m: ChatMessage): LiveResult {
    const res = this.model.applyLive(m, this.o.own());
    if (res.kind === "adopted" && res.adoptedLocalKey) this.view_.rekey(res.adoptedLocalKey, res.key);
    if (res.isNew && directionOf(m) === this.readDirection && m.readAt === null) {
      if (this.dividerBefore_ === null && res.kind === "added" && (this.o.isHidden() || !this.nearBottom())) this.dividerBefore_ = m.externalId;
    }
    if (res.isNew && directionOf(m) !== this.ownDirection) {
      if (res.kind === "outside" || !this.nearBottom()) this.newBelow_ = true;
    }
    if (res.kind !== "outside") this.render();
    else this.updateChrome();
    return res;
  }

  private get ownDirection(): Direction {
    return this.o.mode === "staff" ? "outbound" : "inbound";
  }

  // ---- read state -------------------------------------------------------------------------------

  /** Marks `direction` read up to `upTo` (null: all) in the window; returns the keys that changed. Does not render. */
  markRead(direction: Direction, upTo: string | null, readAt: string, readBy: Party | null): string[] {
    return this.model.markRead(direction, upTo, readAt, readBy);
  }

  /** Everything was marked read: the "Unread" divider goes. */
  clearDivider(): void {
    this.dividerBefore_ = null;
  }

  /** The newest stored message of `direction`, unread and shown by the filters, if any. */
  newestUnreadShown(direction: Direction): string | null {
    let upTo: Entry | undefined;
    for (const e of this.model.entries()) {
      if (!e.local && directionOf(e.message) === direction && e.message.readAt === null && this.isVisible(e)) upTo = e;
    }
    return upTo?.key ?? null;
  }

  // ---- own sends --------------------------------------------------------------------------------

  hasLocal(key: string): boolean {
    return this.model.hasLocal(key);
  }

  /** A message being sent, shown at the end at once (pending). */
  addLocal(key: string, message: ChatMessage): void {
    this.model.addLocal(key, message);
  }

  /** Brings the newest messages and the one just written into view. */
  showOwnSend(): void {
    if (!this.model.atLatest || this.highlightedKey_ !== null) {
      void this.reloadLatest();
    } else {
      this.render("none");
      this.scrollToBottom();
    }
  }

  /** The server stored a send: its bubble now shows the stored message. */
  confirmLocal(key: string, m: ChatMessage): void {
    const r = this.model.confirmLocal(key, m);
    if (r.key !== null) this.view_.rekey(r.localKey, r.key);
    this.render();
  }

  setLocalStatus(key: string, status: SendStatus, error: string | null = null): void {
    this.model.setLocalStatus(key, status, error);
    this.render();
  }

  removeLocal(key: string): void {
    this.model.removeLocal(key);
    this.render();
  }

  private onClick(e: MouseEvent): void {
    const target = (e.target as Element | null)?.closest<HTMLElement>("[data-action]");
    if (!target) return;
    const action = target.dataset.action;
    if (action === "open-attachment" || action === "download-attachment") {
      const a = attachmentOf(target);
      if (a) this.o.onAttachment?.(action === "open-attachment" ? "open" : "download", a, target);
      return;
    }
    const key = target.dataset.key ?? "";
    if (!key.startsWith(LOCAL_PREFIX)) return;
    const idem = key.slice(LOCAL_PREFIX.length);
    if (target.dataset.action === "retry") this.o.onRetry(idem);
    else if (target.dataset.action === "discard") this.o.onDiscard(idem);
  }

  // ---- rendering --------------------------------------------------------------------------------

  private isVisible = (e: Entry): boolean => {
    if (e.local) return true; // one's own unsent messages stay in sight until they are stored
    if (e.key === this.highlightedKey_) return true;
    return this.matches(e.message);
  };

  private nearBottom(): boolean {
    const t = this.scroller_;
    return t.scrollHeight - t.scrollTop - t.clientHeight <= STICKY_PX;
  }

  private scrollToBottom(): void {
    this.scroller_.scrollTop = this.scroller_.scrollHeight;
    this.atBottom_ = true;
    this.newBelow_ = false;
    this.updateChrome();
  }

  /** The timeline changed size: if it was at the newest message, it stays there. */
  private onResize(): void {
    if (!this.loaded_ || !this.atBottom_ || !this.model.atLatest) return;
    this.scroller_.scrollTop = this.scroller_.scrollHeight;
    this.updateChrome();
  }

  /** The first message in view and its offset from the top of the viewport, to keep it in place. */
  private captureAnchor(): { el: Element; offset: number } | null {
    const top = this.scroller_.getBoundingClientRect().top;
    // Messages only: separators and the divider move when rows are added around them.
    for (const el of this.scroller_.querySelectorAll("[data-testid='message']")) {
      const r = el.getBoundingClientRect();
      if (r.bottom > top) return { el, offset: r.top - top };
    }
    return null;
  }

  /**
   * Re-renders the rows. "auto": stay at the bottom if we were there (and the window reaches the
   * newest message), else keep the first visible row exactly where it was (prepending older
   * messages, a read receipt appearing above, ... never move what the user is reading).
   */
  render(scroll: "auto" | "none" = "auto"): void {
    const pinned = scroll === "auto" && this.model.atLatest && this.nearBottom();
    const anchor = scroll === "auto" && !pinned ? this.captureAnchor() : null;
    const rows = buildRows(this.model.entries(), this.isVisible, this.dividerBefore_, this.time_);
    this.view_.render(rows, this.renderContext());
    const shown = rows.some((r) => r.kind === "message");
    this.empty_.hidden = shown;
    if (!shown) {
      setText(
        this.empty_,
        this.model.serverCount > 0 || this.filters_.show !== "all"
          ? "No messages match the filters."
          : this.o.mode === "staff"
            ? "No messages yet. Write the first one below."
            : "No messages yet. Write to your care team below.",
      );
    }
    // The load-older/newer buttons sit inside the scrolling timeline: settle them before measuring,
    // or hiding one (the oldest page reached) would shift what the user reads by its height.
    this.updateChrome();
    if (pinned) {
      this.scroller_.scrollTop = this.scroller_.scrollHeight;
      this.newBelow_ = false;
    } else if (anchor && anchor.el.isConnected) {
      const top = this.scroller_.getBoundingClientRect().top;
      const delta = anchor.el.getBoundingClientRect().top - top - anchor.offset;
      if (delta !== 0) this.scroller_.scrollTop += delta;
    }
    this.atBottom_ = this.nearBottom();
    this.updateChrome();
  }

  private renderContext() {
    return { mode: this.o.mode, now: this.o.now(), highlightedKey: this.highlightedKey_, time: this.time_, media: this.o.media };
  }

  /** The 30 s tick: relative times and day labels move on. */
  refreshTimes(): void {
    this.view_.refreshTimes(this.renderContext());
  }

  private updateChrome(): void {
    const tl = this.model;
    this.loadOlder_.hidden = !tl.hasOlder || !this.loaded_;
    this.loadOlder_.disabled = this.loadingOlder_;
    setText(this.loadOlder_.lastChild ?? this.loadOlder_, this.loadingOlder_ ? "Loading older messages..." : "Load older messages");
    this.loadNewer_.hidden = tl.atLatest || !this.loaded_;
    this.loadNewer_.disabled = this.loadingNewer_;
    setText(this.loadNewer_.lastChild ?? this.loadNewer_, this.loadingNewer_ ? "Loading newer messages..." : "Load newer messages");
    const t = this.scroller_;
    const showJump = this.loaded_ && (!tl.atLatest || this.newBelow_ || t.scrollHeight - t.scrollTop - t.clientHeight > JUMP_BUTTON_PX);
    this.jump_.hidden = !showJump;
    const label = this.jump_.lastElementChild;
    if (label) setText(label, this.newBelow_ ? "New messages" : "Jump to latest");
    this.jump_.classList.toggle("jump--new", this.newBelow_);
  }

  setBusy(busy: boolean): void {
    setAttr(this.scroller_, "aria-busy", busy ? "true" : "false");
  }

  // ---- paging -----------------------------------------------------------------------------------

  private onScroll(): void {
    this.atBottom_ = this.nearBottom();
    if (this.scrollQueued_) return;
    this.scrollQueued_ = true;
    this.o.frame(() => {
      this.scrollQueued_ = false;
      if (this.nearBottom() && this.model.atLatest) this.newBelow_ = false;
      this.updateChrome();
      this.checkAutoLoad();
    });
  }

  private checkAutoLoad(): void {
    if (!this.loaded_ || this.loadingWindow_) return;
    const t = this.scroller_;
    if (t.scrollTop <= AUTOLOAD_PX && this.model.hasOlder) void this.loadOlder();
    else if (t.scrollHeight - t.scrollTop - t.clientHeight <= AUTOLOAD_PX && !this.model.atLatest) void this.loadNewer();
  }

  loadOlder(): Promise<void> {
    return this.loadPage("older");
  }

  loadNewer(): Promise<void> {
    return this.loadPage("newer");
  }

  /** Extends the window by one page at one end (the page token of that side). */
  private async loadPage(side: "older" | "newer"): Promise<void> {
    const older = side === "older";
    const tokenNow = () => (older ? this.model.olderToken : this.model.newerToken);
    const setLoading = (v: boolean) => {
      if (older) this.loadingOlder_ = v;
      else this.loadingNewer_ = v;
    };
    const token = tokenNow();
    const api = this.o.api();
    if (!api || token === null || (older ? this.loadingOlder_ : this.loadingNewer_) || this.loadingWindow_) return;
    const gen = this.generation_;
    setLoading(true);
    this.setBusy(true);
    this.updateChrome();
    try {
      const page = await api.getPage({ pageToken: token });
      if (gen !== this.generation_ || tokenNow() !== token) return;
      if (older) this.model.addOlder(page);
      else this.model.addNewer(page);
      setLoading(false);
      this.render(); // keeps the first visible row in place
      if (!older && this.model.atLatest) this.o.onShown();
    } catch (e) {
      // A failure that arrives after the window was replaced (a search jump, a reload) is stale.
      if (gen === this.generation_) {
        this.o.onError(e, older ? "Older messages could not be loaded." : "Newer messages could not be loaded.", { label: "Retry", run: () => void this.loadPage(side) });
      }
    } finally {
      setLoading(false);
      this.setBusy(false);
      this.updateChrome();
    }
    this.o.frame(() => this.checkAutoLoad());
  }

  async jumpToLatest(): Promise<void> {
    if (!this.model.atLatest) {
      await this.reloadLatest();
    } else {
      this.highlightedKey_ = null;
      this.render("none");
      this.scrollToBottom();
    }
    this.o.focusComposer();
  }

  /** The element showing a message (by externalId or local key), if rendered. */
  elementFor(key: string): HTMLElement | undefined {
    return this.view_.element(key);
  }
}
