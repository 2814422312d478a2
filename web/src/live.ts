// The live connection (docs/api/events.md): one WebSocket to .../chat/events, the token as the
// "bearer.<token>" subprotocol. Remembers the position of the last event and the epoch of the log
// that numbered it and, whenever the socket drops, reconnects with ?after=<position>&epoch=<epoch>
// (exponential backoff with jitter, at once after a 4008 "too slow" close), so missed events arrive
// in order and nothing is lost or repeated. The epoch lets the server notice positions from another
// numbering (the database was copied or restored) and answer resync_required instead of a replay
// that would silently skip events.

import { reconnectDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.js";
import type { LiveFrame } from "./types.js";

export type LiveState = "connecting" | "live" | "reconnecting" | "stopped";

export interface SocketLike {
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  close(code?: number, reason?: string): void;
}

export interface LiveOptions {
  /** The endpoint's URL: with `after` (a position) unless null, and `epoch` (only ever with `after`) unless null. */
  url: (after: number | null, epoch: number | null) => string;
  token: string;
  /** Resume after this position on the first connect, e.g. `meta.position` of the page shown; else live from now. */
  after?: number;
  /** The epoch of `after`'s numbering (`meta.epoch` of that page); sent only together with a position. */
  epoch?: number;
  onFrame: (frame: LiveFrame) => void;
  onState: (state: LiveState) => void;
  createSocket?: (url: string, protocols: string[]) => SocketLike;
  random?: () => number;
  backoff?: BackoffOptions;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export const CLOSE_TOO_SLOW = 4008;

export class LiveConnection {
  private socket_: SocketLike | null = null;
  private position_: number | null;
  private epoch_: number | null;
  private attempt_ = 0;
  private timer_: unknown = null;
  private stopped_ = true;
  private state_: LiveState = "stopped";
  private everReady_ = false;

  constructor(private readonly o: LiveOptions) {
    this.position_ = isCount(o.after) ? o.after : null;
    this.epoch_ = isCount(o.epoch) ? o.epoch : null;
  }

  get state(): LiveState {
    return this.state_;
  }

  /** The position of the last event processed, or null before the first `ready` (without `after`). */
  get position(): number | null {
    return this.position_;
  }

  /** The epoch of the log that numbered `position`, or null while unknown. */
  get epoch(): number | null {
    return this.epoch_;
  }

  start(): void {
    if (!this.stopped_) return;
    this.stopped_ = false;
    this.setState(this.everReady_ ? "reconnecting" : "connecting");
    this.open();
  }

  stop(): void {
    this.stopped_ = true;
    this.cancelTimer();
    this.detach(true);
    this.setState("stopped");
  }

  /** Skips the remaining backoff (e.g. the browser came back online). */
  reconnectNow(): void {
    if (this.stopped_ || this.socket_) return;
    this.cancelTimer();
    this.open();
  }

  private setState(s: LiveState): void {
    if (s === this.state_) return;
    this.state_ = s;
    this.o.onState(s);
  }

  private cancelTimer(): void {
    if (this.timer_ !== null) (this.o.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>)))(this.timer_);
    this.timer_ = null;
  }

  private detach(close: boolean): void {
    const s = this.socket_;
    this.socket_ = null;
    if (!s) return;
    s.onopen = s.onmessage = s.onerror = null;
    s.onclose = null;
    if (close) {
      try {
        s.close(1000, "bye");
      } catch {
        /* already closed */
      }
    }
  }

  private open(): void {
    const url = this.o.url(this.position_, this.position_ === null ? null : this.epoch_);
    const protocols = ["carechat.v1", "bearer." + this.o.token];
    let s: SocketLike;
    try {
      s = this.o.createSocket ? this.o.createSocket(url, protocols) : (new WebSocket(url, protocols) as unknown as SocketLike);
    } catch {
      this.scheduleReconnect(false);
      return;
    }
    this.socket_ = s;
    s.onmessage = (ev) => this.onMessage(ev);
    s.onerror = () => {
      /* a close event follows */
    };
    s.onclose = (ev) => {
      if (this.socket_ !== s) return;
      this.detach(false);
      this.scheduleReconnect(ev.code === CLOSE_TOO_SLOW);
    };
  }

  private onMessage(ev: MessageEvent): void {
    if (typeof ev.data !== "string") return;
    let frame: LiveFrame;
    try {
      frame = JSON.parse(ev.data) as LiveFrame;
    } catch {
      return;
    }
    if (typeof frame !== "object" || frame === null || typeof frame.type !== "string") return;
    if (frame.type === "ready") {
      this.attempt_ = 0;
      this.everReady_ = true;
      this.setState("live");
    }
    try {
      this.o.onFrame(frame);
    } finally {
      this.track(frame);
    }
  }

  private track(frame: LiveFrame): void {
    if (!isCount(frame.position)) return;
    if (frame.type === "ready" || frame.type === "resync_required") {
      // Where the server says the stream stands, taken as is: after a renumbering (another epoch)
      // it may be lower than the position held, and resuming from the higher one would ask the new
      // log for positions it never issued. A frame without an epoch (an older server) leaves it unknown.
      this.position_ = frame.position;
      this.epoch_ = isCount(frame.epoch) ? frame.epoch : null;
    } else if (this.position_ === null || frame.position > this.position_) {
      this.position_ = frame.position;
    }
  }

  private scheduleReconnect(immediately: boolean): void {
    if (this.stopped_) return;
    this.setState("reconnecting");
    const delay = immediately ? 0 : reconnectDelay(this.attempt_, this.o.random ?? Math.random, this.o.backoff ?? DEFAULT_BACKOFF);
    this.attempt_ += 1;
    this.cancelTimer();
    const set = this.o.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.timer_ = set(() => {
      this.timer_ = null;
      if (!this.stopped_) this.open();
    }, delay);
  }
}

/** A position or an epoch as the server sends them: a non-negative integer, exact in a double. */
function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}
