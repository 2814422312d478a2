// Puts the timeline's rows (rows.ts) into the DOM, reusing each element by key so that a render
// moves, adds and removes only what changed: scroll positions, focus and screen reader state survive.

import type { Row } from "../rows.js";
import { dayLabel, type TimeOptions } from "../time_format.js";
import type { Mode } from "../route.js";
import { h, setAttr, setText } from "./dom.js";
import { createMessageElement, releaseMessageElement, updateMessageElement, updateTime, type MediaPort } from "./message_view.js";

export interface RenderContext {
  mode: Mode;
  now: number;
  highlightedKey: string | null;
  time: TimeOptions;
  media?: MediaPort;
}

export class TimelineView {
  private messages_ = new Map<string, HTMLElement>();
  private days_ = new Map<string, HTMLElement>();
  private readonly divider_: HTMLElement;

  /** Rows go between `top` and `bottom`, two fixed children of `root`. */
  constructor(
    private readonly root: HTMLElement,
    private readonly top: HTMLElement,
    private readonly bottom: HTMLElement,
  ) {
    this.divider_ = h("div", { class: "unread-divider", testid: "unread-divider", attrs: { role: "separator", "aria-label": "Unread messages below" } }, [
      h("span", { text: "Unread" }),
    ]);
  }

  element(key: string): HTMLElement | undefined {
    return this.messages_.get(key);
  }

  get divider(): HTMLElement {
    return this.divider_;
  }

  /** A local message became a stored one: its bubble now answers to the stored key. */
  rekey(oldKey: string, newKey: string): void {
    const el = this.messages_.get(oldKey);
    if (!el) return;
    this.messages_.delete(oldKey);
    if (!this.messages_.has(newKey)) {
      this.messages_.set(newKey, el);
    } else {
      el.remove();
      releaseMessageElement(el);
    }
  }

  render(rows: Row[], ctx: RenderContext): void {
    const usedMessages = new Set<string>();
    const usedDays = new Set<string>();
    let cursor: ChildNode | null = this.top.nextSibling;
    for (const row of rows) {
      let el: HTMLElement;
      if (row.kind === "message") {
        el = this.messages_.get(row.key) ?? this.newMessage(row.key);
        updateMessageElement(el, row.entry, { mode: ctx.mode, now: ctx.now, highlighted: row.key === ctx.highlightedKey, time: ctx.time, media: ctx.media });
        usedMessages.add(row.key);
      } else if (row.kind === "day") {
        el = this.days_.get(row.key) ?? this.newDay(row.key, row.day);
        this.updateDay(el, row.day, ctx);
        usedDays.add(row.key);
      } else {
        el = this.divider_;
      }
      if (el === cursor) {
        cursor = cursor.nextSibling;
      } else {
        this.root.insertBefore(el, cursor);
      }
    }
    while (cursor && cursor !== this.bottom) {
      const next: ChildNode | null = cursor.nextSibling;
      cursor.remove();
      cursor = next;
    }
    for (const [k, el] of [...this.messages_]) {
      if (usedMessages.has(k)) continue;
      this.messages_.delete(k);
      releaseMessageElement(el);
    }
    for (const k of [...this.days_.keys()]) if (!usedDays.has(k)) this.days_.delete(k);
  }

  /** The 30 s tick: relative times and day labels move on. */
  refreshTimes(ctx: RenderContext): void {
    for (const el of this.messages_.values()) updateTime(el, ctx.now, ctx.time);
    for (const [key, el] of this.days_) this.updateDay(el, key.slice(4), ctx);
  }

  private newMessage(key: string): HTMLElement {
    const el = createMessageElement();
    this.messages_.set(key, el);
    return el;
  }

  private newDay(key: string, day: string): HTMLElement {
    const el = h("div", { class: "day", testid: "day-separator" }, [h("time", { attrs: { datetime: day } })]);
    this.days_.set(key, el);
    return el;
  }

  private updateDay(el: HTMLElement, day: string, ctx: RenderContext): void {
    const t = el.firstElementChild;
    if (!t) return;
    setText(t, dayLabel(day, ctx.now, ctx.time));
    setAttr(t, "datetime", day);
  }
}
