// Search (testids "search-input", "search-results", "search-hit"): the box, debounced queries (Enter
// at once), the results with the matches marked (text nodes and <mark>s only), "More results",
// arrow keys between box and hits, Escape to clear, and a click on a hit handing it to the timeline
// (jumpTo), which shows it with its neighbours. The panel closes when the user works elsewhere and
// comes back on the search box.

import { ApiError, type ChatApi } from "../api.js";
import { senderLabel } from "../message_parts.js";
import type { Mode } from "../route.js";
import { relativeTime, type TimeOptions } from "../time_format.js";
import type { SearchHit } from "../types.js";
import { button, h, setText } from "../view/dom.js";
import { icon } from "../view/icons.js";
import type { ErrorHandler } from "./alerts.js";
import type { Clock, Timers } from "./env.js";

const SEARCH_PAGE_SIZE = 20;
const SEARCH_CONTEXT = 10; // messages fetched on each side of a search hit
const DEBOUNCE_MS = 300;
const SNIPPET_CHARS = 400;

export interface SearchOptions {
  mode: Mode;
  api: () => Pick<ChatApi, "search"> | null;
  includeArchived: () => boolean;
  /** Shows a hit in the timeline; resolves true once it is shown. */
  jumpTo: (hit: SearchHit) => Promise<boolean>;
  onError: ErrorHandler;
  /** The document, for Escape and clicks elsewhere. */
  doc: Document;
  timers: Timers;
  now: Clock;
  time?: TimeOptions;
}

export class SearchController {
  readonly element: HTMLElement;
  private readonly input_: HTMLInputElement;
  private readonly panel_: HTMLElement;
  private readonly status_: HTMLElement;
  private readonly results_: HTMLUListElement;
  private readonly more_: HTMLButtonElement;
  private timer_: unknown = null;
  private seq_ = 0; // bumps with each new query: stale answers are dropped
  private next_: string | null = null;
  private query_ = "";

  constructor(private readonly o: SearchOptions) {
    this.input_ = h("input", {
      class: "search__input",
      testid: "search-input",
      attrs: { type: "search", id: "search-input", placeholder: "Search messages", maxlength: "200", autocomplete: "off", spellcheck: "false", "aria-controls": "search-results", enterkeyhint: "search" },
    });
    this.status_ = h("p", { class: "search__status", attrs: { role: "status" } });
    this.results_ = h("ul", { class: "search__results", testid: "search-results", attrs: { id: "search-results", "aria-label": "Search results" } });
    this.more_ = button("More results", { class: "btn btn--small btn--quiet search__more", hidden: true });
    this.panel_ = h("div", { class: "search__panel", hidden: true }, [this.status_, this.results_, this.more_]);
    this.element = h("div", { class: "search", attrs: { role: "search" } }, [
      h("label", { class: "sr-only", text: "Search messages", attrs: { for: "search-input" } }),
      h("span", { class: "search__icon" }, [icon("search", "icon icon--sm")]),
      this.input_,
      this.panel_,
    ]);

    this.input_.addEventListener("input", () => this.onInput());
    this.input_.addEventListener("keydown", (e) => this.onKey(e));
    this.results_.addEventListener("keydown", (e) => this.onResultsKey(e));
    this.more_.addEventListener("click", () => void this.loadMore());
    this.input_.addEventListener("focus", () => {
      if (this.query_ !== "" && this.input_.value.trim() === this.query_) this.panel_.hidden = false;
    });
    const doc = o.doc;
    doc.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && (this.input_.value !== "" || !this.panel_.hidden) && this.element.contains(doc.activeElement)) {
        e.preventDefault();
        this.clear(true);
      }
    });
    doc.addEventListener("pointerdown", (e) => {
      if (!this.panel_.hidden && !this.element.contains(e.target as Node | null)) this.panel_.hidden = true;
    });
  }

  /** The query shown, "" when none. */
  get query(): string {
    return this.query_;
  }

  /** Asks again with the same query (the archived filter changed). */
  rerun(): void {
    if (this.query_ !== "") void this.run(this.query_);
  }

  private onInput(): void {
    if (this.timer_ !== null) this.o.timers.clearTimeout(this.timer_);
    this.timer_ = null;
    const q = this.input_.value;
    if (q.trim() === "") {
      this.clear(false);
      return;
    }
    this.timer_ = this.o.timers.setTimeout(() => {
      this.timer_ = null;
      void this.run(q);
    }, DEBOUNCE_MS);
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === "Enter") {
      e.preventDefault();
      if (this.timer_ !== null) this.o.timers.clearTimeout(this.timer_);
      this.timer_ = null;
      const q = this.input_.value;
      if (q.trim() !== "") void this.run(q);
    } else if (e.key === "ArrowDown") {
      const first = this.hits()[0];
      if (first) {
        e.preventDefault();
        first.focus();
      }
    }
  }

  private onResultsKey(e: KeyboardEvent): void {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const hits = this.hits();
    const i = hits.indexOf(this.o.doc.activeElement as HTMLElement);
    if (i < 0) return;
    e.preventDefault();
    if (e.key === "ArrowDown") hits[Math.min(hits.length - 1, i + 1)]?.focus();
    else if (i === 0) this.input_.focus();
    else hits[i - 1]?.focus();
  }

  private clear(clearInput: boolean): void {
    if (this.timer_ !== null) this.o.timers.clearTimeout(this.timer_);
    this.timer_ = null;
    this.seq_++;
    if (clearInput) this.input_.value = "";
    this.query_ = "";
    this.next_ = null;
    this.results_.replaceChildren();
    this.panel_.hidden = true;
    setText(this.status_, "");
    if (clearInput) this.input_.focus();
  }

  private async run(query: string): Promise<void> {
    const api = this.o.api();
    if (!api) return;
    const seq = ++this.seq_;
    this.query_ = query.trim();
    this.panel_.hidden = false;
    setText(this.status_, "Searching...");
    try {
      const res = await api.search({ query: this.query_, pageSize: SEARCH_PAGE_SIZE, contentPageSize: SEARCH_CONTEXT, includeArchived: this.o.includeArchived() });
      if (seq !== this.seq_) return;
      this.results_.replaceChildren(...res.content.map((hit) => this.hitElement(hit)));
      this.next_ = res.meta.nextPageToken;
      this.more_.hidden = this.next_ === null;
      const n = res.content.length;
      setText(this.status_, n === 0 ? "No messages match." : res.meta.nextPageToken ? `Newest ${n} matches` : `${n} ${n === 1 ? "match" : "matches"}`);
    } catch (e) {
      if (seq !== this.seq_) return;
      setText(this.status_, e instanceof ApiError && e.code === "bad_request" ? e.message : "The search failed. Try again.");
      if (e instanceof ApiError && e.status === 401) this.o.onError(e, null, null);
    }
  }

  private async loadMore(): Promise<void> {
    const token = this.next_;
    const api = this.o.api();
    if (!api || token === null) return;
    const seq = this.seq_;
    this.more_.disabled = true;
    try {
      const res = await api.search({ pageToken: token, includeArchived: this.o.includeArchived() });
      if (seq !== this.seq_) return;
      const first = this.hits().length;
      this.results_.append(...res.content.map((hit) => this.hitElement(hit)));
      this.next_ = res.meta.nextPageToken;
      this.more_.hidden = this.next_ === null;
      const n = this.hits().length;
      setText(this.status_, `${n} ${n === 1 ? "match" : "matches"}${this.next_ ? " so far" : ""}`);
      this.hits()[first]?.focus();
    } catch {
      if (seq === this.seq_) setText(this.status_, "More results could not be loaded.");
    } finally {
      this.more_.disabled = false;
    }
  }

  private hits(): HTMLElement[] {
    return [...this.results_.querySelectorAll<HTMLElement>("[data-testid='search-hit']")];
  }

  /** A search result: who, when, and the text with the matches marked. */
  private hitElement(hit: SearchHit): HTMLLIElement {
    const m = hit.message;
    const text = h("span", { class: "hit__text" }, highlightMatches(m.message, this.query_));
    const b = button("", { class: "hit", testid: "search-hit", attrs: { "data-external-id": m.externalId } }, [
      h("span", { class: "hit__meta" }, [
        h("span", { class: "hit__sender", text: senderLabel(m, this.o.mode, false) }),
        h("time", { class: "hit__time", text: relativeTime(m.createdAt, this.o.now(), this.o.time ?? {}), attrs: { datetime: m.createdAt, title: m.createdAt } }),
      ]),
      text,
    ]);
    b.addEventListener("click", () => void this.open(hit));
    return h("li", {}, [b]);
  }

  private async open(hit: SearchHit): Promise<void> {
    if (await this.o.jumpTo(hit)) this.panel_.hidden = true;
  }
}

/**
 * A snippet of `body` (its first 400 characters) as text and <mark> nodes, every case-insensitive
 * match of `query` marked, starting shortly before the first match when that lies far in.
 */
export function highlightMatches(body: string, query: string): (string | HTMLElement)[] {
  const out: (string | HTMLElement)[] = [];
  const q = query.toLowerCase();
  const snippet = body.length > SNIPPET_CHARS ? body.slice(0, SNIPPET_CHARS) + "…" : body;
  const lower = snippet.toLowerCase();
  let at = lower.indexOf(q);
  const start = at > 60 ? at - 40 : 0;
  let i = start;
  if (start > 0) out.push("…");
  while (q !== "" && at >= 0) {
    out.push(snippet.slice(i, at), h("mark", { text: snippet.slice(at, at + q.length) }));
    i = at + q.length;
    at = lower.indexOf(q, i);
  }
  out.push(snippet.slice(i));
  return out;
}
