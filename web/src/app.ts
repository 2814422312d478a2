// The app: reads the route and the token, builds the page (the DOM contract in web/CONTRACT.md) from
// the feature controllers in controllers/, and wires them to each other, to the REST API and to the
// live connection. Each controller owns its DOM subtree and takes what it needs from outside as
// options (the way live.ts does); this file only assembles them and routes live events.

import { ApiError, ChatApi, renewSmartSession } from "./api.js";
import { parseFragment, resolveToken, takeSmartSession } from "./auth.js";
import { AlertsController } from "./controllers/alerts.js";
import { ComposerController } from "./controllers/composer.js";
import { browserFrame, browserTimers, browserWatchSize, safeLocal, safeSession } from "./controllers/env.js";
import { HeaderController } from "./controllers/header.js";
import { browserBlobUrls, MediaController } from "./controllers/media.js";
import { browserNotifications, NotificationsController } from "./controllers/notifications.js";
import { ReadStateController } from "./controllers/read_state.js";
import { SearchController } from "./controllers/search.js";
import { SendingController } from "./controllers/sending.js";
import { SESSION_ENDED, SmartSession } from "./controllers/smart_session.js";
import { TimelineController } from "./controllers/timeline.js";
import { filtersToSearch, parseFilters, readDirectionFor, type FilterState } from "./filters.js";
import { LiveConnection } from "./live.js";
import { isOwnSide, senderLabel } from "./message_parts.js";
import { chatBasePath, eventsUrl, parseRoute, type Mode, type Route } from "./route.js";
import { LOCAL_PREFIX } from "./timeline.js";
import { directionOf, type ChatMessage, type LiveFrame } from "./types.js";
import { UploadError } from "./upload.js";
import { uuid4 } from "./uuid.js";
import { h } from "./view/dom.js";
import { Viewer } from "./viewer.js";

const READY_WAIT_MS = 1500; // how long the first load waits for the live connection
const TICK_MS = 30_000;

export class App {
  private readonly route_: Route | null;
  private readonly mode_: Mode;
  private api_: ChatApi | null = null;
  private live_: LiveConnection | null = null;
  private tickTimer_: ReturnType<typeof setInterval> | null = null;
  private readonly session_ = safeSession();
  private smart_: SmartSession | null = null;

  private readonly viewer_: Viewer;
  private readonly alerts_: AlertsController;
  private readonly notifications_: NotificationsController;
  private readonly readState_: ReadStateController;
  private readonly timeline_: TimelineController;
  private readonly sending_: SendingController;
  private readonly composer_: ComposerController;
  private readonly search_: SearchController;
  private readonly header_: HeaderController;
  private readonly media_: MediaController;

  constructor(mount: HTMLElement, private readonly loc: Location = window.location) {
    this.route_ = parseRoute(loc.pathname);
    const mode = (this.mode_ = this.route_?.mode ?? (loc.pathname.startsWith("/portal/") ? "patient" : "staff"));
    const api = () => this.api_;
    const now = () => Date.now();
    const timers = browserTimers;
    const frame = browserFrame;
    const isHidden = () => document.hidden;

    this.viewer_ = new Viewer(mode, this.route_?.patientId ?? "", this.session_, "carechat.me:" + loc.pathname);
    const viewer = this.viewer_;
    const alerts = (this.alerts_ = new AlertsController({ frame, onFatal: () => this.stop() }));
    const onError = alerts.handle;
    const announce = alerts.announce;
    const notifications = (this.notifications_ = new NotificationsController({
      mode,
      patientId: viewer.patientId,
      port: browserNotifications(),
      store: safeLocal(),
      isHidden,
      setTitle: (t) => (document.title = t),
      announce,
    }));
    const media = (this.media_ = new MediaController({
      fetch: (id, variant) => {
        const a = this.api_;
        return a ? a.getAttachment(id, variant) : Promise.reject(new ApiError(0, "network", "Not connected."));
      },
      urls: browserBlobUrls,
      doc: document,
      timers,
      onError,
      announce,
    }));
    // The controllers reach one another only through these arrows, wired once all exist.
    const composer = (): ComposerController => this.composer_;
    const sending = (): SendingController => this.sending_;
    const readState = (): ReadStateController => this.readState_;

    const timeline = (this.timeline_ = new TimelineController({
      mode,
      api,
      unread: { beginFetch: () => readState().beginFetch(), applyPage: (p, e) => readState().applyPage(p, e) },
      own: () => viewer.own,
      unsent: () => sending().unsent(),
      onError,
      clearError: () => alerts.hide(),
      announce,
      onShown: () => readState().scheduleReceipts(),
      onRetry: (key) => sending().retry(key),
      onDiscard: (key) => sending().discard(key),
      focusComposer: () => composer().focus({ preventScroll: true }),
      media,
      onAttachment: (action, a, control) => void (action === "open" ? media.open(a, control) : media.download(a, control)),
      isHidden,
      now,
      frame,
      timers,
      watchSize: browserWatchSize,
    }));
    this.readState_ = new ReadStateController({
      mode,
      api,
      timeline,
      patientParty: () => viewer.patientParty,
      reader: () => viewer.reader,
      onCount: (n) => notifications.setUnread(n),
      announce,
      onError,
      isVisible: () => document.visibilityState === "visible",
      timers,
    });
    this.sending_ = new SendingController({
      api,
      viewer,
      timeline,
      store: this.session_,
      storeKey: "carechat.outbox:" + loc.pathname,
      newKey: () => uuid4(),
      now,
      announce,
      onError,
      focusComposer: () => composer().focus(),
    });
    this.composer_ = new ComposerController({
      mode,
      send: (text, attachments) => sending().send(text, attachments),
      upload: (file, onProgress) => {
        const a = this.api_;
        if (a) return a.upload(file, onProgress);
        return { result: Promise.reject(new UploadError(0, "network", "Not connected.")), abort: () => {} };
      },
      onUploadFailed: (item) => {
        if (item.errorStatus === 401) onError(new ApiError(401, "unauthorized", item.error ?? ""), null, null);
      },
      announce,
    });
    this.search_ = new SearchController({
      mode,
      api,
      includeArchived: () => timeline.filters.archived,
      jumpTo: (hit) => timeline.jumpTo(hit),
      onError,
      doc: document,
      timers,
      now,
    });
    this.header_ = new HeaderController({
      mode,
      badge: notifications.badge,
      actions: [notifications.bell, this.readState_.markAllButton],
      search: this.search_.element,
      onFilters: (next) => this.setFilters(next),
    });

    const root = h("div", { class: `app app--${mode}`, testid: "app", attrs: { "data-mode": mode } }, [
      this.header_.element,
      alerts.banner,
      this.header_.filterNote,
      timeline.element,
      this.composer_.element,
      alerts.announcer,
      media.dialog,
    ]);
    mount.replaceChildren(root);

    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") {
        this.readState_.scheduleReceipts();
        this.live_?.reconnectNow();
      }
    });
    window.addEventListener("online", () => this.live_?.reconnectNow());
    // A new #token=... on the same page (the EHR re-opening the pane) starts over with it.
    window.addEventListener("hashchange", () => {
      if (parseFragment(this.loc.hash).token !== null) this.loc.reload();
    });
    window.addEventListener("popstate", () => this.applyFiltersFromUrl());
    this.tickTimer_ = setInterval(() => timeline.refreshTimes(), TICK_MS);
  }

  start(): void {
    const filters = parseFilters(this.loc.search);
    this.header_.showFilters(filters);
    this.timeline_.initFilters(filters);
    this.notifications_.update();
    this.readState_.update();
    this.composer_.update();
    if (!this.route_) {
      this.alerts_.showFatal("This address does not name a chat. Open it from the patient's chart.");
      return;
    }
    const where = { pathname: this.loc.pathname, search: this.loc.search, hash: this.loc.hash };
    const smart = takeSmartSession(where);
    let token: string | null;
    if (smart !== null) {
      // A SMART launch: the session stays in memory only; nothing of it is stored.
      history.replaceState(history.state, "", smart.replaceUrl);
      token = smart.token === "" ? null : smart.token;
    } else {
      const tok = resolveToken(where, this.session_);
      if (tok.replaceUrl !== null) history.replaceState(history.state, "", tok.replaceUrl);
      token = tok.token;
    }
    if (token === null) {
      this.alerts_.showFatal(
        smart !== null ? SESSION_ENDED : "No access token: open this chat from the patient's chart (the link carries a #token=...).",
      );
      return;
    }
    const route = this.route_;
    const api = (this.api_ = new ChatApi(chatBasePath(route), token));
    if (smart !== null) this.startSmartSession(token, smart.expiresIn ?? 900, api);
    this.composer_.setAvailable(true);
    this.sending_.restore();
    this.viewer_.restore();
    const session = this.smart_;
    this.live_ = new LiveConnection({
      url: (after, epoch) => eventsUrl(route, this.loc, after, epoch),
      // Read at each connect: a renewed SMART session's token for every reconnect.
      get token() {
        return session ? session.token : (token as string);
      },
      onFrame: (f) => this.onFrame(f),
      onState: (s) => {
        this.timeline_.onLiveState(s);
        this.header_.showConnection(s);
      },
    });
    this.live_.start();
    void this.timeline_.open(READY_WAIT_MS);
  }

  /**
   * A SMART session: renewed while the page is used, and when it ends (idle, absolute end, or any
   * 401) the pane says "Session ended — reopen carechat from the chart." and stops.
   */
  private startSmartSession(token: string, expiresIn: number, api: ChatApi): void {
    const session = new SmartSession({
      token,
      expiresIn,
      renew: async (current) => {
        const r = await renewSmartSession(current);
        api.setToken(r.token);
        return r;
      },
      onEnded: () => {
        if (!this.alerts_.fatal) this.alerts_.showFatal(SESSION_ENDED);
      },
      now: () => Date.now(),
      timers: browserTimers,
    });
    this.smart_ = session;
    this.alerts_.setExpiredMessage(SESSION_ENDED, () => session.end());
    const touch = () => session.touch();
    document.addEventListener("keydown", touch, { passive: true });
    document.addEventListener("pointerdown", touch, { passive: true });
  }

  /** An error nothing on this page can fix was shown: stop talking to the server. */
  private stop(): void {
    this.live_?.stop();
    if (this.tickTimer_ !== null) clearInterval(this.tickTimer_);
    this.tickTimer_ = null;
    this.timeline_.setBusy(false);
    this.composer_.disable();
    this.readState_.stop();
  }

  private onFrame(f: LiveFrame): void {
    const route = this.route_;
    if (!route) return;
    if ("patientId" in f && f.patientId !== route.patientId) return;
    switch (f.type) {
      case "ready":
        this.timeline_.onLiveReady();
        if (this.timeline_.loaded) this.sending_.retryTransientFailures();
        return;
      case "resync_required":
      case "chat.archived":
      case "chat.restored":
        if (this.timeline_.loaded) void this.timeline_.reloadLatest();
        return;
      case "message.created":
        this.onLiveMessage(f.message);
        return;
      case "messages.read":
        this.readState_.onReadEvent(f);
        return;
    }
  }

  private onLiveMessage(m: ChatMessage): void {
    const res = this.timeline_.onLiveMessage(m);
    if (res.kind === "adopted" && res.adoptedLocalKey) this.sending_.stored(res.adoptedLocalKey.slice(LOCAL_PREFIX.length));
    if (res.isNew && directionOf(m) === readDirectionFor(this.mode_) && m.readAt === null) this.readState_.onNewUnread();
    const theirs = !isOwnSide(m, this.mode_);
    if (res.isNew && theirs) {
      this.notifications_.notify(m);
      if (this.timeline_.matches(m)) this.alerts_.announce(`New message from ${senderLabel(m, this.mode_, false)}`);
    }
    if (theirs) this.readState_.scheduleReceipts();
  }

  private setFilters(next: FilterState): void {
    const archivedChanged = next.archived !== this.timeline_.filters.archived;
    history.replaceState(history.state, "", this.loc.pathname + filtersToSearch(next, this.loc.search) + this.loc.hash);
    this.header_.showFilters(next);
    this.timeline_.setFilters(next);
    if (archivedChanged) this.search_.rerun();
  }

  private applyFiltersFromUrl(): void {
    const next = parseFilters(this.loc.search);
    const now = this.timeline_.filters;
    if (next.show !== now.show || next.archived !== now.archived) this.setFilters(next);
  }
}
