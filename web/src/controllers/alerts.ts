// The error banner (testid "error-banner", role=alert) with its optional action, and the polite
// announcer that screen readers speak. Also the one place that decides what an error means for the
// page: a 401 stops the app for good (onFatal), a 403 says so, anything else shows the context given.

import { ApiError } from "../api.js";
import { button, h, setText } from "../view/dom.js";
import { icon } from "../view/icons.js";
import type { NextFrame } from "./env.js";

export type ErrorAction = { label: string; run: () => void } | null;

/** Reports a failed call; `context` null: only auth failures are shown (background work). */
export type ErrorHandler = (e: unknown, context: string | null, action: ErrorAction) => void;

export interface AlertsOptions {
  frame: NextFrame;
  /** An error nothing on this page can fix was shown: the app stops talking to the server. */
  onFatal: () => void;
}

const ACCESS_EXPIRED = "Your access has expired or this link is not valid. Reopen the chat from the patient's chart.";

export class AlertsController {
  readonly banner: HTMLElement;
  readonly announcer: HTMLElement;
  private readonly text_: HTMLElement;
  private readonly action_: HTMLButtonElement;
  private run_: (() => void) | null = null;
  private fatal_ = false;
  private expired_ = ACCESS_EXPIRED;
  private onExpired_: (() => void) | null = null;

  constructor(private readonly o: AlertsOptions) {
    this.text_ = h("span", { class: "banner__text" });
    this.action_ = button("Retry", { class: "btn btn--small", hidden: true });
    const close = button("", { class: "btn btn--icon btn--quiet", attrs: { "aria-label": "Dismiss" } }, [icon("close", "icon icon--sm")]);
    this.banner = h("div", { class: "banner", testid: "error-banner", hidden: true, attrs: { role: "alert" } }, [
      icon("alert", "icon icon--sm banner__icon"),
      this.text_,
      this.action_,
      close,
    ]);
    this.announcer = h("div", { class: "sr-only", attrs: { role: "status", "aria-live": "polite" } });
    this.action_.addEventListener("click", () => this.run_?.());
    close.addEventListener("click", () => this.hide());
  }

  /** What a 401 says (a SMART session: "Session ended — ..."), and who else hears of it. */
  setExpiredMessage(text: string, onExpired: (() => void) | null = null): void {
    this.expired_ = text;
    this.onExpired_ = onExpired;
  }

  /** True once a fatal error was shown. */
  get fatal(): boolean {
    return this.fatal_;
  }

  readonly handle: ErrorHandler = (e, context, action) => {
    if (e instanceof ApiError && e.status === 401) {
      const wasFatal = this.fatal_;
      this.showFatal(this.expired_);
      if (!wasFatal) this.onExpired_?.();
      return;
    }
    if (e instanceof ApiError && e.status === 403) {
      this.show("You do not have access to this chat.", null);
      return;
    }
    if (context === null) return;
    const detail = e instanceof ApiError ? e.message : "Something went wrong.";
    this.show(`${context} ${detail}`, action);
  };

  /** Shows `text` for good (the banner can no longer be dismissed) and stops the app. */
  showFatal(text: string): void {
    this.fatal_ = true;
    this.show(text, null);
    this.o.onFatal();
  }

  show(text: string, action: ErrorAction): void {
    setText(this.text_, text);
    this.run_ = action
      ? () => {
          this.hide();
          action.run();
        }
      : null;
    this.action_.hidden = action === null;
    if (action) setText(this.action_, action.label);
    this.banner.hidden = false;
  }

  hide(): void {
    if (this.fatal_) return;
    this.banner.hidden = true;
    this.run_ = null;
  }

  readonly announce = (text: string): void => {
    this.announcer.textContent = "";
    // A fresh text node makes screen readers speak repeated messages too.
    this.o.frame(() => (this.announcer.textContent = text));
  };
}
