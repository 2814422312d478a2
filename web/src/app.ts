// The app: builds the page (the DOM contract in web/CONTRACT.md), loads the chat, keeps it live, and
// wires the composer, paging, search, filters, read state and notifications together. The logic that
// decides things (merging, order, filters, counts, retries, times) lives in the pure modules beside
// this one; this file is the glue between them, the network and the DOM.

import { ApiError, ChatApi } from "./api.js";
import { parseFragment, resolveToken } from "./auth.js";
import { describeFilter, filtersToSearch, matchesFilter, NO_FILTERS, parseFilters, readDirectionFor, toggleShow, type FilterState } from "./filters.js";
import { LiveConnection, type LiveState } from "./live.js";
import { isOwnSide, senderLabel } from "./message_parts.js";
import { Outbox, sendRequestFor } from "./outbox.js";
import { chatBasePath, eventsUrl, parseRoute, type Mode, type Route } from "./route.js";
import { buildRows } from "./rows.js";
import { relativeTime, type TimeOptions } from "./time_format.js";
import { LOCAL_PREFIX, Timeline, type Entry, type OwnIdentity } from "./timeline.js";
import { directionOf, MESSAGE_LIMIT, type ChatMessage, type LiveFrame, type Page, type Party, type SearchHit } from "./types.js";
import { titleWithCount, UnreadCounter } from "./unread.js";
import { uuid4 } from "./uuid.js";
import { button, h, setAttr, setText } from "./view/dom.js";
import { icon } from "./view/icons.js";
import { TimelineView } from "./view/timeline_view.js";

const PAGE_SIZE = 20;
const SEARCH_PAGE_SIZE = 20;
const SEARCH_CONTEXT = 10; // messages fetched on each side of a search hit
const COUNTER_FROM = 500; // show the character counter within this many of the limit
const AUTOLOAD_PX = 120; // load older/newer when scrolled this close to an end
const STICKY_PX = 48; // "at the bottom" for following new messages
const READY_WAIT_MS = 1500; // how long the first load waits for the live connection
const TICK_MS = 30_000;

type ErrorAction = { label: string; run: () => void } | null;

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function safeSession(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function safeLocal(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export class App {
  private route_: Route | null;
  private mode_: Mode;
  private api_: ChatApi | null = null;
  private live_: LiveConnection | null = null;
  private readonly timeline_ = new Timeline();
  private readonly unread_ = new UnreadCounter();
  private outbox_ = new Outbox();
  private filters_: FilterState = NO_FILTERS;
  private dividerBefore_: string | null = null;
  private highlightedKey_: string | null = null;
  private me_: Party | null = null;
  private readonly time_: TimeOptions = {};

  private generation_ = 0; // bumps when the window is replaced: stale page answers are dropped
  private loadingOlder_ = false;
  private loadingNewer_ = false;
  private loadingWindow_ = false;
  private initialLoaded_ = false;
  private firstReadySeen_ = false;
  private needCatchUp_ = false;
  private readyWaiters_: (() => void)[] = [];
  private authFailed_ = false;
  private markingRead_ = false;
  private receiptTimer_: ReturnType<typeof setTimeout> | null = null;
  private countTimer_: ReturnType<typeof setTimeout> | null = null;
  private searchTimer_: ReturnType<typeof setTimeout> | null = null;
  private tickTimer_: ReturnType<typeof setInterval> | null = null;
  private searchSeq_ = 0;
  private searchNext_: string | null = null;
  private searchQuery_ = "";
  private newBelow_ = false;
  private scrollQueued_ = false;

  // Elements.
  private readonly root_: HTMLElement;
  private readonly badge_: HTMLElement;
  private readonly conn_: HTMLElement;
  private readonly connText_: HTMLElement;
  private readonly notifyBtn_: HTMLButtonElement;
  private readonly markReadBtn_: HTMLButtonElement;
  private readonly searchInput_: HTMLInputElement;
  private readonly searchPanel_: HTMLElement;
  private readonly searchStatus_: HTMLElement;
  private readonly searchResults_: HTMLUListElement;
  private readonly searchMore_: HTMLButtonElement;
  private readonly filterBtns_: Record<"patient" | "staff" | "unread" | "archived", HTMLButtonElement>;
  private readonly filterNote_: HTMLElement;
  private readonly filterNoteText_: HTMLElement;
  private readonly banner_: HTMLElement;
  private readonly bannerText_: HTMLElement;
  private readonly bannerAction_: HTMLButtonElement;
  private bannerRun_: (() => void) | null = null;
  private readonly timelineEl_: HTMLElement;
  private readonly loadOlder_: HTMLButtonElement;
  private readonly loadNewer_: HTMLButtonElement;
  private readonly empty_: HTMLElement;
  private readonly jump_: HTMLButtonElement;
  private readonly input_: HTMLTextAreaElement;
  private readonly send_: HTMLButtonElement;
  private readonly counter_: HTMLElement;
  private readonly announcer_: HTMLElement;
  private readonly view_: TimelineView;

  constructor(mount: HTMLElement, private readonly loc: Location = window.location) {
    this.route_ = parseRoute(loc.pathname);
    this.mode_ = this.route_?.mode ?? (loc.pathname.startsWith("/portal/") ? "patient" : "staff");
    const staff = this.mode_ === "staff";

    // Header: title, unread badge, connection state, actions.
    this.badge_ = h("span", { class: "badge", testid: "unread-badge", hidden: true, attrs: { role: "status" } });
    this.connText_ = h("span", { class: "conn__text", text: "Connecting..." });
    this.conn_ = h("span", { class: "conn", testid: "connection-status", attrs: { "data-state": "connecting", role: "status" } }, [
      h("span", { class: "conn__dot", attrs: { "aria-hidden": "true" } }),
      this.connText_,
    ]);
    this.notifyBtn_ = button("", { class: "btn btn--icon", testid: "notifications-toggle", attrs: { "aria-pressed": "false", "aria-label": "Notify me of new messages", title: "Notify me of new messages while this pane is hidden" } }, [icon("bell")]);
    this.markReadBtn_ = button("", { class: "btn btn--small", testid: "mark-all-read" }, [icon("check", "icon icon--sm"), "Mark all read"]);
    const title = h("h1", { class: "bar__title" }, [staff ? "Messages" : "Your care team"]);
    const row1 = h("div", { class: "bar__row" }, [h("div", { class: "bar__heading" }, [title, this.badge_]), h("div", { class: "bar__actions" }, [this.notifyBtn_, this.markReadBtn_])]);

    // Search.
    this.searchInput_ = h("input", {
      class: "search__input",
      testid: "search-input",
      attrs: { type: "search", id: "search-input", placeholder: "Search messages", maxlength: "200", autocomplete: "off", spellcheck: "false", "aria-controls": "search-results", enterkeyhint: "search" },
    });
    this.searchStatus_ = h("p", { class: "search__status", attrs: { role: "status" } });
    this.searchResults_ = h("ul", { class: "search__results", testid: "search-results", attrs: { id: "search-results", "aria-label": "Search results" } });
    this.searchMore_ = button("More results", { class: "btn btn--small btn--quiet search__more", hidden: true });
    this.searchPanel_ = h("div", { class: "search__panel", hidden: true }, [this.searchStatus_, this.searchResults_, this.searchMore_]);
    const search = h("div", { class: "search", attrs: { role: "search" } }, [
      h("label", { class: "sr-only", text: "Search messages", attrs: { for: "search-input" } }),
      h("span", { class: "search__icon" }, [icon("search", "icon icon--sm")]),
      this.searchInput_,
      this.searchPanel_,
    ]);

    // Filters.
    const fb = (id: string, label: string) => button(label, { class: "chip", testid: `filter-${id}`, attrs: { "aria-pressed": "false" } });
    this.filterBtns_ = {
      patient: fb("patient", staff ? "Patient" : "Mine"),
      staff: fb("staff", staff ? "Staff" : "Care team"),
      unread: fb("unread", "Unread"),
      archived: fb("archived", "Archived"),
    };
    const filters = h("div", { class: "bar__row bar__row--filters" }, [
      h("div", { class: "filters", attrs: { role: "group", "aria-label": "Filter messages" } }, [
        this.filterBtns_.patient,
        this.filterBtns_.staff,
        this.filterBtns_.unread,
        this.filterBtns_.archived,
      ]),
      this.conn_,
    ]);
    this.filterNoteText_ = h("span");
    const clearFilters = button("Show all", { class: "linkish" });
    this.filterNote_ = h("div", { class: "filter-note", hidden: true }, [this.filterNoteText_, clearFilters]);

    const header = h("header", { class: "bar" }, [row1, search, filters]);

    // Error banner.
    this.bannerText_ = h("span", { class: "banner__text" });
    this.bannerAction_ = button("Retry", { class: "btn btn--small", hidden: true });
    const bannerClose = button("", { class: "btn btn--icon btn--quiet", attrs: { "aria-label": "Dismiss" } }, [icon("close", "icon icon--sm")]);
    this.banner_ = h("div", { class: "banner", testid: "error-banner", hidden: true, attrs: { role: "alert" } }, [
      icon("alert", "icon icon--sm banner__icon"),
      this.bannerText_,
      this.bannerAction_,
      bannerClose,
    ]);

    // Timeline: the scroll container and the log.
    this.loadOlder_ = button("", { class: "btn btn--small btn--quiet", testid: "load-older", hidden: true }, [icon("up", "icon icon--sm"), "Load older messages"]);
    this.empty_ = h("p", { class: "timeline__empty", hidden: true });
    const top = h("div", { class: "timeline__top" }, [this.loadOlder_, this.empty_]);
    this.loadNewer_ = button("", { class: "btn btn--small btn--quiet", testid: "load-newer", hidden: true }, [icon("down", "icon icon--sm"), "Load newer messages"]);
    const bottom = h("div", { class: "timeline__bottom" }, [this.loadNewer_]);
    this.timelineEl_ = h("main", {
      class: "timeline",
      testid: "timeline",
      attrs: { role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "Conversation", tabindex: "0", "aria-busy": "true" },
    }, [top, bottom]);
    this.view_ = new TimelineView(this.timelineEl_, top, bottom);
    this.jump_ = button("", { class: "jump", testid: "jump-latest", hidden: true }, [icon("down", "icon icon--sm"), h("span", { text: "Jump to latest" })]);
    const timelineWrap = h("div", { class: "timeline-wrap" }, [this.timelineEl_, this.jump_]);

    // Composer.
    this.input_ = h("textarea", {
      class: "composer__input",
      testid: "composer-input",
      attrs: {
        id: "composer-input",
        rows: "1",
        placeholder: staff ? "Message the patient" : "Message your care team",
        "aria-describedby": "composer-hint char-counter",
        enterkeyhint: "send",
      },
    });
    this.send_ = button("", { class: "btn btn--primary composer__send", testid: "composer-send", attrs: { "aria-label": "Send", title: "Send (Enter)" } }, [icon("send")]);
    this.send_.disabled = true;
    this.counter_ = h("span", { class: "composer__counter", testid: "char-counter", hidden: true, attrs: { id: "char-counter", "aria-live": "polite" } });
    const composer = h("footer", { class: "composer" }, [
      h("label", { class: "sr-only", text: staff ? "Message to the patient" : "Message to your care team", attrs: { for: "composer-input" } }),
      h("div", { class: "composer__row" }, [this.input_, this.send_]),
      h("div", { class: "composer__meta" }, [h("span", { class: "composer__hint", text: "Enter to send · Shift+Enter for a new line", attrs: { id: "composer-hint" } }), this.counter_]),
    ]);

    this.announcer_ = h("div", { class: "sr-only", attrs: { role: "status", "aria-live": "polite" } });

    this.root_ = h("div", { class: `app app--${this.mode_}`, testid: "app", attrs: { "data-mode": this.mode_ } }, [
      header,
      this.banner_,
      this.filterNote_,
      timelineWrap,
      composer,
      this.announcer_,
    ]);
    mount.replaceChildren(this.root_);

    // Events.
    this.markReadBtn_.addEventListener("click", () => void this.markAllRead());
    this.notifyBtn_.addEventListener("click", () => void this.toggleNotifications());
    this.loadOlder_.addEventListener("click", () => void this.loadOlder());
    this.loadNewer_.addEventListener("click", () => void this.loadNewer());
    this.jump_.addEventListener("click", () => void this.jumpToLatest());
    this.bannerAction_.addEventListener("click", () => this.bannerRun_?.());
    bannerClose.addEventListener("click", () => this.hideError());
    clearFilters.addEventListener("click", () => this.setFilters(NO_FILTERS));
    this.filterBtns_.patient.addEventListener("click", () => this.setFilters(toggleShow(this.filters_, "patient")));
    this.filterBtns_.staff.addEventListener("click", () => this.setFilters(toggleShow(this.filters_, "staff")));
    this.filterBtns_.unread.addEventListener("click", () => this.setFilters(toggleShow(this.filters_, "unread")));
    this.filterBtns_.archived.addEventListener("click", () => this.setFilters({ ...this.filters_, archived: !this.filters_.archived }));
    this.timelineEl_.addEventListener("click", (e) => this.onTimelineClick(e));
    this.timelineEl_.addEventListener("scroll", () => this.onScroll(), { passive: true });
    this.input_.addEventListener("input", () => this.updateComposer());
    this.input_.addEventListener("keydown", (e) => this.onComposerKey(e));
    this.send_.addEventListener("click", () => this.sendFromComposer());
    this.searchInput_.addEventListener("input", () => this.onSearchInput());
    this.searchInput_.addEventListener("keydown", (e) => this.onSearchKey(e));
    this.searchResults_.addEventListener("keydown", (e) => this.onResultsKey(e));
    this.searchMore_.addEventListener("click", () => void this.searchMore());
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && (this.searchInput_.value !== "" || !this.searchPanel_.hidden) && this.root_.contains(document.activeElement)) {
        const inSearch = (document.activeElement as HTMLElement | null)?.closest(".search") !== null;
        if (inSearch) {
          e.preventDefault();
          this.clearSearch(true);
        }
      }
    });
    // The results panel closes when the user works elsewhere, and comes back on the search box.
    document.addEventListener("pointerdown", (e) => {
      if (!this.searchPanel_.hidden && !(e.target as Element | null)?.closest(".search")) this.searchPanel_.hidden = true;
    });
    this.searchInput_.addEventListener("focus", () => {
      if (this.searchQuery_ !== "" && this.searchInput_.value.trim() === this.searchQuery_) this.searchPanel_.hidden = false;
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") {
        this.scheduleReceipts();
        this.live_?.reconnectNow();
      }
    });
    window.addEventListener("online", () => this.live_?.reconnectNow());
    // A new #token=... on the same page (the EHR re-opening the pane) starts over with it.
    window.addEventListener("hashchange", () => {
      if (parseFragment(this.loc.hash).token !== null) this.loc.reload();
    });
    window.addEventListener("popstate", () => this.applyFiltersFromUrl());
    this.tickTimer_ = setInterval(() => this.tick(), TICK_MS);
  }

  // ---- start ------------------------------------------------------------------------------------

  start(): void {
    this.filters_ = parseFilters(this.loc.search);
    this.updateFilterButtons();
    this.updateNotifyButton();
    this.updateBadge();
    this.updateComposer();
    if (!this.route_) {
      this.fatal("This address does not name a chat. Open it from the patient's chart.");
      return;
    }
    const session = safeSession();
    const tok = resolveToken({ pathname: this.loc.pathname, search: this.loc.search, hash: this.loc.hash }, session);
    if (tok.replaceUrl !== null) history.replaceState(history.state, "", tok.replaceUrl);
    if (tok.token === null) {
      this.fatal("No access token: open this chat from the patient's chart (the link carries a #token=...).");
      return;
    }
    const route = this.route_;
    this.api_ = new ChatApi(chatBasePath(route), tok.token);
    this.outbox_ = Outbox.restore(session?.getItem(this.outboxKey()) ?? null);
    try {
      const me = session?.getItem(this.meKey());
      if (me) this.me_ = JSON.parse(me) as Party;
    } catch {
      this.me_ = null;
    }
    this.live_ = new LiveConnection({
      url: (after, epoch) => eventsUrl(route, this.loc, after, epoch),
      token: tok.token,
      onFrame: (f) => this.onFrame(f),
      onState: (s) => this.onLiveState(s),
    });
    this.live_.start();
    void this.waitForReady(READY_WAIT_MS).then(() => this.initialLoad());
  }

  private outboxKey(): string {
    return "carechat.outbox:" + this.loc.pathname;
  }

  private meKey(): string {
    return "carechat.me:" + this.loc.pathname;
  }

  private releaseReadyWaiters(): void {
    for (const w of this.readyWaiters_.splice(0)) w();
  }

  private waitForReady(ms: number): Promise<void> {
    if (this.firstReadySeen_) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.readyWaiters_.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private get readDirection() {
    return readDirectionFor(this.mode_);
  }

  /** The patient of this chat, as a party (a sender, or the reader of the care team's messages). */
  private get patientParty(): Party {
    return { clientType: "PATIENT", id: this.route_?.patientId ?? "", titleName: null };
  }

  private get own(): OwnIdentity {
    return this.mode_ === "staff"
      ? { direction: "outbound", senderId: this.me_?.id ?? null }
      : { direction: "inbound", senderId: this.route_?.patientId ?? null };
  }

  private async initialLoad(): Promise<void> {
    if (!this.api_) return;
    const gen = ++this.generation_;
    this.needCatchUp_ = !this.firstReadySeen_;
    this.setBusy(true);
    const epoch = this.unread_.beginFetch();
    let page: Page;
    try {
      page = await this.api_.getPage({ pageSize: PAGE_SIZE, anchor: "firstUnread", includeArchived: this.filters_.archived });
    } catch (e) {
      this.setBusy(false);
      this.handleError(e, "The messages could not be loaded.", { label: "Retry", run: () => void this.initialLoad() });
      return;
    }
    if (gen !== this.generation_) return;
    this.hideError();
    this.timeline_.replace(page.content, page.meta.nextPageToken, page.meta.prevPageToken);
    this.dividerBefore_ = page.meta.firstUnreadExternalId ?? null;
    this.applyCount(page, epoch);
    for (const item of this.outbox_.items()) {
      if (!this.timeline_.hasLocal(item.key)) this.timeline_.addLocal(item.key, this.provisional(item.text, item.createdAt), "failed", item.error);
    }
    this.initialLoaded_ = true;
    this.render("none");
    this.setBusy(false);
    // Open at the oldest unread message (the divider near the top), else at the newest.
    const divider = this.view_.divider;
    if (this.dividerBefore_ !== null && divider.isConnected) {
      this.timelineEl_.scrollTop = Math.max(0, divider.offsetTop - 8);
    } else {
      this.scrollToBottom();
    }
    this.scheduleReceipts();
    if (this.needCatchUp_ && this.firstReadySeen_) void this.catchUp();
    requestAnimationFrame(() => this.checkAutoLoad());
  }

  /** The live connection came up after the first load: fetch the newest page to close the gap. */
  private async catchUp(): Promise<void> {
    this.needCatchUp_ = false;
    if (!this.api_ || !this.timeline_.atLatest) return;
    const gen = this.generation_;
    const epoch = this.unread_.beginFetch();
    try {
      const page = await this.api_.getPage({ pageSize: PAGE_SIZE, includeArchived: this.filters_.archived });
      if (gen !== this.generation_) return;
      this.timeline_.addLatest(page);
      this.applyCount(page, epoch);
      this.render();
    } catch (e) {
      this.handleError(e, null, null);
    }
  }

  /** Replaces the window with the newest page (after archive/restore, a resync, "jump to latest"). */
  private async reloadLatest(): Promise<void> {
    if (!this.api_) return;
    const gen = ++this.generation_;
    this.loadingWindow_ = true;
    this.setBusy(true);
    const epoch = this.unread_.beginFetch();
    try {
      const page = await this.api_.getPage({ pageSize: PAGE_SIZE, includeArchived: this.filters_.archived });
      if (gen !== this.generation_) return;
      this.hideError();
      this.timeline_.replace(page.content, page.meta.nextPageToken, page.meta.prevPageToken);
      this.applyCount(page, epoch);
      this.highlightedKey_ = null;
      this.newBelow_ = false;
      this.render("none");
      this.scrollToBottom();
      this.scheduleReceipts();
      requestAnimationFrame(() => this.checkAutoLoad());
    } catch (e) {
      if (gen === this.generation_) this.handleError(e, "The messages could not be loaded.", { label: "Retry", run: () => void this.reloadLatest() });
    } finally {
      if (gen === this.generation_) {
        this.loadingWindow_ = false;
        this.setBusy(false);
        this.updateChrome();
      }
    }
  }

  // ---- live -------------------------------------------------------------------------------------

  private onLiveState(s: LiveState): void {
    // The first connection failed: load without waiting for it (a catch-up follows its first ready).
    if (s === "reconnecting" && !this.firstReadySeen_) this.releaseReadyWaiters();
    const state = s === "stopped" ? "offline" : s; // "offline": stopped for good (e.g. the token was refused)
    setAttr(this.conn_, "data-state", state);
    const text = s === "live" ? "Live" : s === "connecting" ? "Connecting..." : s === "stopped" ? "Offline" : "Reconnecting...";
    setText(this.connText_, text);
    this.conn_.title = s === "live" ? "New messages appear as they arrive" : s === "reconnecting" ? "The live connection dropped; reconnecting" : "";
  }

  private onFrame(f: LiveFrame): void {
    const route = this.route_;
    if (!route) return;
    if ("patientId" in f && f.patientId !== route.patientId) return;
    switch (f.type) {
      case "ready": {
        const first = !this.firstReadySeen_;
        this.firstReadySeen_ = true;
        this.releaseReadyWaiters();
        if (first && this.initialLoaded_ && this.needCatchUp_) void this.catchUp();
        if (this.initialLoaded_) this.retryTransientFailures();
        return;
      }
      case "resync_required":
      case "chat.archived":
      case "chat.restored":
        if (this.initialLoaded_) void this.reloadLatest();
        return;
      case "message.created":
        this.onLiveMessage(f.message);
        return;
      case "messages.read": {
        const readBy: Party | null = f.direction === "outbound" ? this.patientParty : (f.reader ?? null);
        const changed = this.timeline_.markRead(f.direction, f.upToExternalId, f.readAt, readBy);
        if (f.direction === this.readDirection) {
          if (this.unread_.applyReadBatch(f.direction, f.upToExternalId, f.readAt, f.count)) this.scheduleCountRefresh();
          this.updateBadge();
        }
        if (changed.length > 0) this.render();
        return;
      }
    }
  }

  private onLiveMessage(m: ChatMessage): void {
    const res = this.timeline_.applyLive(m, this.own);
    if (res.kind === "adopted" && res.adoptedLocalKey) {
      this.view_.rekey(res.adoptedLocalKey, res.key);
      this.outbox_.remove(res.adoptedLocalKey.slice(LOCAL_PREFIX.length));
      this.saveOutbox();
    }
    const theirs = !isOwnSide(m, this.mode_);
    if (res.isNew && directionOf(m) === this.readDirection && m.readAt === null) {
      this.unread_.increment();
      this.updateBadge();
      if (this.dividerBefore_ === null && res.kind === "added" && (document.hidden || !this.nearBottom())) this.dividerBefore_ = m.externalId;
    }
    if (res.isNew && theirs) {
      this.notify(m);
      if (res.kind === "outside" || !this.nearBottom()) this.newBelow_ = true;
      if (matchesFilter(m, this.filters_, this.mode_)) this.announce(`New message from ${senderLabel(m, this.mode_, false)}`);
    }
    if (res.kind !== "outside") this.render();
    else this.updateChrome();
    if (theirs) this.scheduleReceipts();
  }

  // ---- rendering --------------------------------------------------------------------------------

  private isVisible = (e: Entry): boolean => {
    if (e.local) return true; // one's own unsent messages stay in sight until they are stored
    if (e.key === this.highlightedKey_) return true;
    return matchesFilter(e.message, this.filters_, this.mode_);
  };

  private nearBottom(): boolean {
    const t = this.timelineEl_;
    return t.scrollHeight - t.scrollTop - t.clientHeight <= STICKY_PX;
  }

  private scrollToBottom(): void {
    this.timelineEl_.scrollTop = this.timelineEl_.scrollHeight;
    this.newBelow_ = false;
    this.updateChrome();
  }

  /** The first row in view and its offset from the top of the viewport, to keep it in place. */
  private captureAnchor(): { el: Element; offset: number } | null {
    const top = this.timelineEl_.getBoundingClientRect().top;
    // Messages only: separators and the divider move when rows are added around them.
    for (const el of this.timelineEl_.querySelectorAll("[data-testid='message']")) {
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
  private render(scroll: "auto" | "none" = "auto"): void {
    const pinned = scroll === "auto" && this.timeline_.atLatest && this.nearBottom();
    const anchor = scroll === "auto" && !pinned ? this.captureAnchor() : null;
    const rows = buildRows(this.timeline_.entries(), this.isVisible, this.dividerBefore_, this.time_);
    this.view_.render(rows, { mode: this.mode_, now: Date.now(), highlightedKey: this.highlightedKey_, time: this.time_ });
    const shown = rows.some((r) => r.kind === "message");
    this.empty_.hidden = shown;
    if (!shown) {
      setText(
        this.empty_,
        this.timeline_.serverCount > 0 || this.filters_.show !== "all"
          ? "No messages match the filters."
          : this.mode_ === "staff"
            ? "No messages yet. Write the first one below."
            : "No messages yet. Write to your care team below.",
      );
    }
    // The load-older/newer buttons sit inside the scrolling timeline: settle them before measuring,
    // or hiding one (the oldest page reached) would shift what the user reads by its height.
    this.updateChrome();
    if (pinned) {
      this.timelineEl_.scrollTop = this.timelineEl_.scrollHeight;
      this.newBelow_ = false;
    } else if (anchor && anchor.el.isConnected) {
      const top = this.timelineEl_.getBoundingClientRect().top;
      const delta = anchor.el.getBoundingClientRect().top - top - anchor.offset;
      if (delta !== 0) this.timelineEl_.scrollTop += delta;
    }
    this.updateChrome();
  }

  private updateChrome(): void {
    const tl = this.timeline_;
    this.loadOlder_.hidden = !tl.hasOlder || !this.initialLoaded_;
    this.loadOlder_.disabled = this.loadingOlder_;
    setText(this.loadOlder_.lastChild ?? this.loadOlder_, this.loadingOlder_ ? "Loading older messages..." : "Load older messages");
    this.loadNewer_.hidden = tl.atLatest || !this.initialLoaded_;
    this.loadNewer_.disabled = this.loadingNewer_;
    setText(this.loadNewer_.lastChild ?? this.loadNewer_, this.loadingNewer_ ? "Loading newer messages..." : "Load newer messages");
    const showJump = this.initialLoaded_ && (!tl.atLatest || this.newBelow_ || this.timelineEl_.scrollHeight - this.timelineEl_.scrollTop - this.timelineEl_.clientHeight > 600);
    this.jump_.hidden = !showJump;
    const label = this.jump_.lastElementChild;
    if (label) setText(label, this.newBelow_ ? "New messages" : "Jump to latest");
    this.jump_.classList.toggle("jump--new", this.newBelow_);
    this.updateMarkRead();
  }

  private updateMarkRead(): void {
    this.markReadBtn_.disabled = this.markingRead_ || this.unread_.count === 0 || this.authFailed_;
  }

  private setBusy(busy: boolean): void {
    setAttr(this.timelineEl_, "aria-busy", busy ? "true" : "false");
  }

  private tick(): void {
    this.view_.refreshTimes({ mode: this.mode_, now: Date.now(), highlightedKey: this.highlightedKey_, time: this.time_ });
  }

  private announce(text: string): void {
    this.announcer_.textContent = "";
    // A fresh text node makes screen readers speak repeated messages too.
    requestAnimationFrame(() => (this.announcer_.textContent = text));
  }

  // ---- paging -----------------------------------------------------------------------------------

  private onScroll(): void {
    if (this.scrollQueued_) return;
    this.scrollQueued_ = true;
    requestAnimationFrame(() => {
      this.scrollQueued_ = false;
      if (this.nearBottom() && this.timeline_.atLatest) this.newBelow_ = false;
      this.updateChrome();
      this.checkAutoLoad();
    });
  }

  private checkAutoLoad(): void {
    if (!this.initialLoaded_ || this.loadingWindow_) return;
    const t = this.timelineEl_;
    if (t.scrollTop <= AUTOLOAD_PX && this.timeline_.hasOlder) void this.loadOlder();
    else if (t.scrollHeight - t.scrollTop - t.clientHeight <= AUTOLOAD_PX && !this.timeline_.atLatest) void this.loadNewer();
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
    const tokenNow = () => (older ? this.timeline_.olderToken : this.timeline_.newerToken);
    const setLoading = (v: boolean) => {
      if (older) this.loadingOlder_ = v;
      else this.loadingNewer_ = v;
    };
    const token = tokenNow();
    if (!this.api_ || token === null || (older ? this.loadingOlder_ : this.loadingNewer_) || this.loadingWindow_) return;
    const gen = this.generation_;
    setLoading(true);
    this.setBusy(true);
    this.updateChrome();
    try {
      const page = await this.api_.getPage({ pageToken: token });
      if (gen !== this.generation_ || tokenNow() !== token) return;
      if (older) this.timeline_.addOlder(page);
      else this.timeline_.addNewer(page);
      setLoading(false);
      this.render(); // keeps the first visible row in place
      if (!older && this.timeline_.atLatest) this.scheduleReceipts();
    } catch (e) {
      // A failure that arrives after the window was replaced (a search jump, a reload) is stale.
      if (gen === this.generation_) {
        this.handleError(e, older ? "Older messages could not be loaded." : "Newer messages could not be loaded.", { label: "Retry", run: () => void this.loadPage(side) });
      }
    } finally {
      setLoading(false);
      this.setBusy(false);
      this.updateChrome();
    }
    requestAnimationFrame(() => this.checkAutoLoad());
  }

  private async jumpToLatest(): Promise<void> {
    if (!this.timeline_.atLatest) {
      await this.reloadLatest();
    } else {
      this.highlightedKey_ = null;
      this.render("none");
      this.scrollToBottom();
    }
    this.input_.focus({ preventScroll: true });
  }

  // ---- read state -------------------------------------------------------------------------------

  private applyCount(page: Page, epoch: number): void {
    if (typeof page.meta.unreadCount !== "number") return;
    if (this.unread_.applyServer(page.meta.unreadCount, epoch)) this.scheduleCountRefresh();
    this.updateBadge();
  }

  private updateBadge(): void {
    const n = this.unread_.count;
    this.badge_.hidden = n === 0;
    setText(this.badge_, String(n));
    setAttr(this.badge_, "aria-label", `${n} unread`);
    setAttr(this.badge_, "title", `${n} unread ${n === 1 ? "message" : "messages"}`);
    document.title = titleWithCount(this.mode_ === "staff" ? "Patient messages · carechat" : "Messages with your care team · carechat", n);
    this.updateMarkRead();
  }

  /** Asks the server for the unread count again (after read events, whose effect a GET may already include). */
  private scheduleCountRefresh(): void {
    if (this.countTimer_ !== null) clearTimeout(this.countTimer_);
    this.countTimer_ = setTimeout(() => {
      this.countTimer_ = null;
      void this.refreshCount();
    }, 600);
  }

  private async refreshCount(): Promise<void> {
    if (!this.api_ || this.authFailed_) return;
    const epoch = this.unread_.beginFetch();
    try {
      const page = await this.api_.getPage({ pageSize: 1 });
      this.applyCount(page, epoch);
    } catch {
      /* the next event or reload corrects it */
    }
  }

  async markAllRead(): Promise<void> {
    if (!this.api_ || this.markingRead_) return;
    this.markingRead_ = true;
    this.updateChrome();
    try {
      const res = await this.api_.markRead();
      const readBy: Party | null = this.mode_ === "patient" ? this.patientParty : this.me_;
      if (res.upToExternalId !== null) this.timeline_.markRead(this.readDirection, res.upToExternalId, res.readAt, readBy);
      this.unread_.applyReadBatch(this.readDirection, res.upToExternalId, res.readAt, res.marked);
      this.dividerBefore_ = null;
      this.announce(res.marked === 0 ? "Nothing was unread." : `Marked ${res.marked} ${res.marked === 1 ? "message" : "messages"} as read.`);
      this.scheduleCountRefresh();
    } catch (e) {
      this.handleError(e, "The messages could not be marked as read.", { label: "Retry", run: () => void this.markAllRead() });
    } finally {
      this.markingRead_ = false;
      this.updateBadge();
      this.render();
    }
  }

  /** Patient view: read receipts for the care team's messages once they are on screen. */
  private scheduleReceipts(): void {
    if (this.mode_ !== "patient" || !this.initialLoaded_) return;
    if (this.receiptTimer_ !== null) clearTimeout(this.receiptTimer_);
    this.receiptTimer_ = setTimeout(() => {
      this.receiptTimer_ = null;
      void this.sendReceipts();
    }, 400);
  }

  private async sendReceipts(): Promise<void> {
    if (!this.api_ || this.authFailed_ || document.visibilityState !== "visible") return;
    let upTo: Entry | undefined;
    for (const e of this.timeline_.entries()) {
      if (!e.local && directionOf(e.message) === "outbound" && e.message.readAt === null && this.isVisible(e)) upTo = e;
    }
    if (!upTo) return;
    try {
      const res = await this.api_.markRead(upTo.key);
      if (res.upToExternalId !== null) this.timeline_.markRead("outbound", res.upToExternalId, res.readAt, this.patientParty);
      if (this.unread_.applyReadBatch("outbound", res.upToExternalId, res.readAt, res.marked)) this.scheduleCountRefresh();
      this.updateBadge();
      this.render();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) this.handleError(e, null, null);
    }
  }

  // ---- notifications ----------------------------------------------------------------------------

  private notifyWanted(): boolean {
    return safeLocal()?.getItem("carechat.notifications") === "on";
  }

  private updateNotifyButton(): void {
    if (!("Notification" in window)) {
      this.notifyBtn_.hidden = true;
      return;
    }
    const on = this.notifyWanted() && Notification.permission === "granted";
    setAttr(this.notifyBtn_, "aria-pressed", on ? "true" : "false");
    this.notifyBtn_.replaceChildren(icon(on ? "bell" : "bellOff"));
    const label = Notification.permission === "denied" ? "Notifications are blocked by the browser" : on ? "Notifications on" : "Notify me of new messages";
    setAttr(this.notifyBtn_, "aria-label", label);
    setAttr(this.notifyBtn_, "title", label + (on ? " (while this pane is hidden)" : ""));
  }

  private async toggleNotifications(): Promise<void> {
    if (!("Notification" in window)) return;
    const store = safeLocal();
    if (this.notifyWanted() && Notification.permission === "granted") {
      store?.setItem("carechat.notifications", "off");
    } else if (Notification.permission === "granted") {
      store?.setItem("carechat.notifications", "on");
    } else if (Notification.permission === "denied") {
      this.announce("Notifications are blocked in this browser's settings for this site.");
    } else {
      const p = await Notification.requestPermission();
      store?.setItem("carechat.notifications", p === "granted" ? "on" : "off");
    }
    this.updateNotifyButton();
    this.announce(this.notifyWanted() && Notification.permission === "granted" ? "Notifications on." : "Notifications off.");
  }

  private notify(m: ChatMessage): void {
    if (!document.hidden || !("Notification" in window) || Notification.permission !== "granted" || !this.notifyWanted()) return;
    // No message text: notifications show on lock screens and shared displays (patient data).
    const title = this.mode_ === "staff" ? "New patient message" : "New message from your care team";
    try {
      const n = new Notification(title, { body: "Open the chat to read it.", tag: "carechat:" + (this.route_?.patientId ?? ""), icon: "/assets/icon.svg" });
      n.onclick = () => {
        window.focus();
        n.close();
      };
    } catch {
      /* some browsers only allow notifications from a service worker */
    }
  }

  // ---- composer ---------------------------------------------------------------------------------

  private updateComposer(): void {
    const text = this.input_.value;
    const n = codePoints(text);
    const left = MESSAGE_LIMIT - n;
    const blank = text.trim() === "";
    this.send_.disabled = blank || left < 0 || this.authFailed_ || !this.api_;
    this.counter_.hidden = left > COUNTER_FROM;
    setText(this.counter_, left >= 0 ? `${left} left` : `${-left} over the limit`);
    setAttr(this.counter_, "data-state", left < 0 ? "over" : left <= 100 ? "low" : null);
    setAttr(this.input_, "aria-invalid", left < 0 ? "true" : null);
  }

  private onComposerKey(e: KeyboardEvent): void {
    if (e.key !== "Enter" || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    this.sendFromComposer();
  }

  private provisional(text: string, createdAt: string): ChatMessage {
    const sender: Party =
      this.mode_ === "staff"
        ? { clientType: "USER", id: this.me_?.id ?? "", titleName: this.me_?.titleName ?? null }
        : this.patientParty;
    return { sender, receiver: null, message: text, externalId: "", createdAt, readAt: null };
  }

  private sendFromComposer(): void {
    const text = this.input_.value.trim();
    if (!this.api_ || this.authFailed_ || text === "" || codePoints(text) > MESSAGE_LIMIT) return;
    const key = uuid4();
    const item = this.outbox_.add(key, text, new Date());
    this.saveOutbox();
    this.timeline_.addLocal(key, this.provisional(text, item.createdAt));
    this.input_.value = "";
    this.updateComposer();
    if (!this.timeline_.atLatest || this.highlightedKey_ !== null) {
      void this.reloadLatest();
    } else {
      this.render("none");
      this.scrollToBottom();
    }
    void this.deliver(key);
  }

  private async deliver(key: string): Promise<void> {
    const item = this.outbox_.get(key);
    if (!this.api_ || !item) return;
    try {
      const m = await this.api_.send(this.mode_ === "staff" ? "outbound" : "inbound", sendRequestFor(item));
      this.outbox_.remove(key);
      this.saveOutbox();
      if (this.mode_ === "staff" && (this.me_ === null || this.me_.id !== m.sender.id)) {
        this.me_ = m.sender;
        try {
          safeSession()?.setItem(this.meKey(), JSON.stringify(m.sender));
        } catch {
          /* not essential */
        }
      }
      const r = this.timeline_.confirmLocal(key, m);
      if (r.key !== null) this.view_.rekey(r.localKey, r.key);
      this.render();
      if (!matchesFilter(m, this.filters_, this.mode_)) this.announce("Message sent. The filters hide it: choose Show all to see it.");
    } catch (e) {
      if (!this.outbox_.get(key)) return; // it arrived live meanwhile: it is stored
      const err = e instanceof ApiError ? e : new ApiError(0, "network", "The server cannot be reached.");
      const reason = err.status === 0 ? "no connection" : err.status === 401 ? "not signed in" : err.message;
      this.outbox_.fail(key, reason);
      this.failedTransient_.set(key, err.transient);
      this.saveOutbox();
      this.timeline_.setLocalStatus(key, "failed", reason);
      this.render();
      if (err.status === 401) this.handleError(err, null, null);
    }
  }

  private failedTransient_ = new Map<string, boolean>();

  private retrySend(key: string): void {
    const item = this.outbox_.retry(key);
    if (!item) return;
    this.failedTransient_.delete(key);
    this.saveOutbox();
    this.timeline_.setLocalStatus(key, "pending");
    this.render();
    void this.deliver(key);
  }

  /** Back online: resend what failed for want of a connection (same keys, so never twice). */
  private retryTransientFailures(): void {
    for (const [key, transient] of [...this.failedTransient_]) if (transient) this.retrySend(key);
  }

  private discardSend(key: string): void {
    this.outbox_.remove(key);
    this.failedTransient_.delete(key);
    this.saveOutbox();
    this.timeline_.removeLocal(key);
    this.render();
    this.input_.focus();
  }

  private saveOutbox(): void {
    try {
      const s = safeSession();
      if (this.outbox_.size === 0) s?.removeItem(this.outboxKey());
      else s?.setItem(this.outboxKey(), this.outbox_.serialize());
    } catch {
      /* the outbox then lives for this page view only */
    }
  }

  private onTimelineClick(e: MouseEvent): void {
    const target = (e.target as Element | null)?.closest<HTMLElement>("[data-action]");
    if (!target) return;
    const key = target.dataset.key ?? "";
    if (!key.startsWith(LOCAL_PREFIX)) return;
    const idem = key.slice(LOCAL_PREFIX.length);
    if (target.dataset.action === "retry") this.retrySend(idem);
    else if (target.dataset.action === "discard") this.discardSend(idem);
  }

  // ---- search -----------------------------------------------------------------------------------

  private onSearchInput(): void {
    if (this.searchTimer_ !== null) clearTimeout(this.searchTimer_);
    const q = this.searchInput_.value;
    if (q.trim() === "") {
      this.clearSearch(false);
      return;
    }
    this.searchTimer_ = setTimeout(() => void this.runSearch(q), 300);
  }

  private onSearchKey(e: KeyboardEvent): void {
    if (e.key === "Enter") {
      e.preventDefault();
      if (this.searchTimer_ !== null) clearTimeout(this.searchTimer_);
      const q = this.searchInput_.value;
      if (q.trim() !== "") void this.runSearch(q);
    } else if (e.key === "ArrowDown") {
      const first = this.searchResults_.querySelector<HTMLElement>("[data-testid='search-hit']");
      if (first) {
        e.preventDefault();
        first.focus();
      }
    }
  }

  private onResultsKey(e: KeyboardEvent): void {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const hits = [...this.searchResults_.querySelectorAll<HTMLElement>("[data-testid='search-hit']")];
    const i = hits.indexOf(document.activeElement as HTMLElement);
    if (i < 0) return;
    e.preventDefault();
    if (e.key === "ArrowDown") hits[Math.min(hits.length - 1, i + 1)]?.focus();
    else if (i === 0) this.searchInput_.focus();
    else hits[i - 1]?.focus();
  }

  private clearSearch(clearInput: boolean): void {
    if (this.searchTimer_ !== null) clearTimeout(this.searchTimer_);
    this.searchSeq_++;
    if (clearInput) this.searchInput_.value = "";
    this.searchQuery_ = "";
    this.searchNext_ = null;
    this.searchResults_.replaceChildren();
    this.searchPanel_.hidden = true;
    setText(this.searchStatus_, "");
    if (clearInput) this.searchInput_.focus();
  }

  private async runSearch(query: string): Promise<void> {
    if (!this.api_) return;
    const seq = ++this.searchSeq_;
    this.searchQuery_ = query.trim();
    this.searchPanel_.hidden = false;
    setText(this.searchStatus_, "Searching...");
    try {
      const res = await this.api_.search({ query: this.searchQuery_, pageSize: SEARCH_PAGE_SIZE, contentPageSize: SEARCH_CONTEXT, includeArchived: this.filters_.archived });
      if (seq !== this.searchSeq_) return;
      this.searchResults_.replaceChildren(...res.content.map((hit) => this.hitElement(hit)));
      this.searchNext_ = res.meta.nextPageToken;
      this.searchMore_.hidden = this.searchNext_ === null;
      setText(this.searchStatus_, res.content.length === 0 ? "No messages match." : res.meta.nextPageToken ? `Newest ${res.content.length} matches` : `${res.content.length} ${res.content.length === 1 ? "match" : "matches"}`);
    } catch (e) {
      if (seq !== this.searchSeq_) return;
      setText(this.searchStatus_, e instanceof ApiError && e.code === "bad_request" ? e.message : "The search failed. Try again.");
      if (e instanceof ApiError && e.status === 401) this.handleError(e, null, null);
    }
  }

  private async searchMore(): Promise<void> {
    const token = this.searchNext_;
    if (!this.api_ || token === null) return;
    const seq = this.searchSeq_;
    this.searchMore_.disabled = true;
    try {
      const res = await this.api_.search({ pageToken: token, includeArchived: this.filters_.archived });
      if (seq !== this.searchSeq_) return;
      const first = this.hitElements().length;
      this.searchResults_.append(...res.content.map((hit) => this.hitElement(hit)));
      this.searchNext_ = res.meta.nextPageToken;
      this.searchMore_.hidden = this.searchNext_ === null;
      const n = this.hitElements().length;
      setText(this.searchStatus_, `${n} ${n === 1 ? "match" : "matches"}${this.searchNext_ ? " so far" : ""}`);
      this.hitElements()[first]?.focus();
    } catch {
      if (seq === this.searchSeq_) setText(this.searchStatus_, "More results could not be loaded.");
    } finally {
      this.searchMore_.disabled = false;
    }
  }

  private hitElements(): HTMLElement[] {
    return [...this.searchResults_.querySelectorAll<HTMLElement>("[data-testid='search-hit']")];
  }

  /** A search result: who, when, and the text with the matches marked (text nodes and <mark>s only). */
  private hitElement(hit: SearchHit): HTMLLIElement {
    const m = hit.message;
    const text = h("span", { class: "hit__text" });
    const q = this.searchQuery_.toLowerCase();
    const body = m.message.length > 400 ? m.message.slice(0, 400) + "…" : m.message;
    let at = body.toLowerCase().indexOf(q);
    // Show the first match near the start of the snippet.
    const start = at > 60 ? at - 40 : 0;
    let i = start;
    if (start > 0) text.append("…");
    while (q !== "" && at >= 0) {
      text.append(body.slice(i, at), h("mark", { text: body.slice(at, at + q.length) }));
      i = at + q.length;
      at = body.toLowerCase().indexOf(q, i);
    }
    text.append(body.slice(i));
    const b = button("", { class: "hit", testid: "search-hit", attrs: { "data-external-id": m.externalId } }, [
      h("span", { class: "hit__meta" }, [h("span", { class: "hit__sender", text: senderLabel(m, this.mode_, false) }), h("time", { class: "hit__time", text: relativeTime(m.createdAt, Date.now(), this.time_), attrs: { datetime: m.createdAt, title: m.createdAt } })]),
      text,
    ]);
    b.addEventListener("click", () => void this.jumpTo(hit));
    return h("li", {}, [b]);
  }

  /** Shows a search hit with its neighbours (the hit's tokens), highlighted, in place of the timeline. */
  private async jumpTo(hit: SearchHit): Promise<void> {
    if (!this.api_) return;
    const gen = ++this.generation_;
    this.loadingWindow_ = true;
    this.setBusy(true);
    try {
      const [older, newer] = await Promise.all([
        hit.meta.nextPageToken ? this.api_.getPage({ pageToken: hit.meta.nextPageToken }) : Promise.resolve(null),
        hit.meta.prevPageToken ? this.api_.getPage({ pageToken: hit.meta.prevPageToken }) : Promise.resolve(null),
      ]);
      if (gen !== this.generation_) return;
      const newestFirst = [...(newer?.content ?? []), hit.message, ...(older?.content ?? [])];
      this.timeline_.replace(newestFirst, older ? older.meta.nextPageToken : null, newer ? newer.meta.prevPageToken : null);
      this.highlightedKey_ = hit.message.externalId;
      this.newBelow_ = false;
      this.searchPanel_.hidden = true;
      this.loadingWindow_ = false;
      this.render("none");
      const el = this.view_.element(hit.message.externalId);
      if (el) {
        el.scrollIntoView({ block: "center" });
        el.focus({ preventScroll: true });
      }
      this.announce("Showing the message found, with the messages around it.");
      this.scheduleReceipts();
    } catch (e) {
      if (gen === this.generation_) this.handleError(e, "That message could not be shown.", null);
    } finally {
      if (gen === this.generation_) {
        this.loadingWindow_ = false;
        this.setBusy(false);
        this.updateChrome();
        requestAnimationFrame(() => this.checkAutoLoad());
      }
    }
  }

  // ---- filters ----------------------------------------------------------------------------------

  private setFilters(next: FilterState): void {
    const archivedChanged = next.archived !== this.filters_.archived;
    this.filters_ = next;
    this.highlightedKey_ = null; // the search jump is over: the filters decide what shows
    const url = this.loc.pathname + filtersToSearch(next, this.loc.search) + this.loc.hash;
    history.replaceState(history.state, "", url);
    this.updateFilterButtons();
    if (archivedChanged) {
      if (this.initialLoaded_) void this.reloadLatest();
      if (this.searchQuery_ !== "") void this.runSearch(this.searchQuery_);
    } else {
      this.render();
    }
  }

  private applyFiltersFromUrl(): void {
    const next = parseFilters(this.loc.search);
    if (next.show !== this.filters_.show || next.archived !== this.filters_.archived) this.setFilters(next);
  }

  private updateFilterButtons(): void {
    const f = this.filters_;
    setAttr(this.filterBtns_.patient, "aria-pressed", String(f.show === "patient"));
    setAttr(this.filterBtns_.staff, "aria-pressed", String(f.show === "staff"));
    setAttr(this.filterBtns_.unread, "aria-pressed", String(f.show === "unread"));
    setAttr(this.filterBtns_.archived, "aria-pressed", String(f.archived));
    const desc = describeFilter(f, this.mode_);
    this.filterNote_.hidden = desc === "";
    setText(this.filterNoteText_, desc === "" ? "" : `Showing ${desc}.`);
  }

  // ---- errors -----------------------------------------------------------------------------------

  private handleError(e: unknown, context: string | null, action: ErrorAction): void {
    if (e instanceof ApiError && e.status === 401) {
      this.fatal("Your access has expired or this link is not valid. Reopen the chat from the patient's chart.");
      return;
    }
    if (e instanceof ApiError && e.status === 403) {
      this.showError("You do not have access to this chat.", null);
      return;
    }
    if (context === null) return;
    const detail = e instanceof ApiError ? e.message : "Something went wrong.";
    this.showError(`${context} ${detail}`, action);
  }

  /** An error nothing on this page can fix: stop talking to the server. */
  private fatal(text: string): void {
    this.authFailed_ = true;
    this.live_?.stop();
    if (this.tickTimer_ !== null) clearInterval(this.tickTimer_);
    this.tickTimer_ = null;
    this.setBusy(false);
    this.showError(text, null);
    this.input_.disabled = true;
    this.updateComposer();
    this.updateChrome();
  }

  private showError(text: string, action: ErrorAction): void {
    setText(this.bannerText_, text);
    this.bannerRun_ = action
      ? () => {
          this.hideError();
          action.run();
        }
      : null;
    this.bannerAction_.hidden = action === null;
    if (action) setText(this.bannerAction_, action.label);
    this.banner_.hidden = false;
  }

  private hideError(): void {
    if (this.authFailed_) return;
    this.banner_.hidden = true;
    this.bannerRun_ = null;
  }
}
