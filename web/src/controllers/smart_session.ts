// A SMART launch's carechat session (docs/integration.md, "SMART App Launch"): the token lives in
// this object only (memory; never storage, never a cookie). The server ends a session that is not
// renewed within its idle time, and every session at its absolute end; this controller renews it
// shortly before the idle end when the page was used since the last renewal, and otherwise lets it
// end and says so ("Session ended — reopen carechat from the chart.").

import type { Timers } from "./env.js";

export const SESSION_ENDED = "Session ended — reopen carechat from the chart.";

export interface RenewResult {
  token: string;
  expiresIn: number; // seconds
}

export interface SmartSessionOptions {
  token: string;
  expiresIn: number; // seconds
  /** POST /smart/session/renew with the current token; rejects when the server refuses. */
  renew: (token: string) => Promise<RenewResult>;
  /** The session is over (idle, absolute end, refused renewal): show SESSION_ENDED and stop. */
  onEnded: () => void;
  now: () => number;
  timers: Timers;
}

// Renew this long before the idle end (or at two thirds of a short session).
const MARGIN_MS = 60_000;

export class SmartSession {
  private token_: string;
  private expiresAt_: number;
  private active_ = false;
  private ended_ = false;
  private renewing_ = false;
  private timer_: unknown = null;

  constructor(private readonly o: SmartSessionOptions) {
    this.token_ = o.token;
    this.expiresAt_ = o.now() + o.expiresIn * 1000;
    this.schedule();
  }

  get token(): string {
    return this.token_;
  }

  get ended(): boolean {
    return this.ended_;
  }

  /** The person used the page (a key, a click, a send): the session is worth keeping. */
  touch(): void {
    if (this.ended_) return;
    this.active_ = true;
    if (this.o.now() >= this.renewAt()) void this.renewNow();
  }

  /** The server said 401: the session is over whatever the clock says. */
  end(): void {
    if (this.ended_) return;
    this.ended_ = true;
    this.clear();
    this.o.onEnded();
  }

  private renewAt(): number {
    const left = this.expiresAt_ - this.o.now();
    const margin = Math.min(MARGIN_MS, Math.max(1000, left / 3));
    return this.expiresAt_ - margin;
  }

  private clear(): void {
    if (this.timer_ !== null) this.o.timers.clearTimeout(this.timer_);
    this.timer_ = null;
  }

  private schedule(): void {
    this.clear();
    if (this.ended_) return;
    const now = this.o.now();
    const renewAt = this.renewAt();
    if (now < renewAt) {
      this.timer_ = this.o.timers.setTimeout(() => this.onRenewTime(), renewAt - now);
    } else {
      this.timer_ = this.o.timers.setTimeout(() => this.end(), Math.max(0, this.expiresAt_ - now));
    }
  }

  private onRenewTime(): void {
    this.timer_ = null;
    if (this.active_) void this.renewNow();
    else this.timer_ = this.o.timers.setTimeout(() => this.end(), Math.max(0, this.expiresAt_ - this.o.now()));
  }

  private async renewNow(): Promise<void> {
    if (this.renewing_ || this.ended_) return;
    this.renewing_ = true;
    try {
      const r = await this.o.renew(this.token_);
      this.token_ = r.token;
      this.expiresAt_ = this.o.now() + r.expiresIn * 1000;
      this.active_ = false;
      this.schedule();
    } catch (e) {
      // No answer (status 0): try again shortly while the session still runs; a refusal ends it.
      const status = (e as { status?: unknown } | null)?.status;
      if (status === 0 && this.o.now() < this.expiresAt_ - 1000) {
        this.clear();
        this.timer_ = this.o.timers.setTimeout(() => void this.renewNow(), 5_000);
      } else {
        this.end();
      }
    } finally {
      this.renewing_ = false;
    }
  }
}
