// A DOM for unit tests of the controllers (happy-dom, a dev dependency: never in the bundle), and
// fakes of what controllers take from the browser (timers, frames, storage). Only *.test.ts files
// import this.
import { after } from "node:test";
import { Window } from "happy-dom";
import type { KeyValueStore, NextFrame, Timers } from "./controllers/env.js";
import type { XhrLike } from "./upload.js";

let installed: Window | null = null;

/** Installs `window` and `document` as globals (once per test file) and closes them after its tests. */
export function installDom(url = "http://127.0.0.1:8080/app/gh/sb-demo/patient/p-1"): Window {
  if (installed) return installed;
  const w = new Window({ url, width: 420, height: 800 });
  const g = globalThis as Record<string, unknown>;
  g.window = w;
  g.document = w.document;
  for (const k of ["Node", "Element", "HTMLElement", "Event", "KeyboardEvent", "MouseEvent", "FocusEvent"]) g[k] = (w as unknown as Record<string, unknown>)[k];
  installed = w;
  after(() => w.happyDOM.close());
  return w;
}

/** Fresh body content for a test: the element appended to document.body. */
export function mount<T extends Element>(el: T): T {
  document.body.replaceChildren(el);
  return el;
}

export function byTestId<T extends HTMLElement = HTMLElement>(root: ParentNode, id: string): T {
  const el = root.querySelector<T>(`[data-testid='${id}']`);
  if (!el) throw new Error(`no [data-testid='${id}']`);
  return el;
}

export function allByTestId(root: ParentNode, id: string): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(`[data-testid='${id}']`)];
}

export function key(el: Element, k: string, init: { shiftKey?: boolean; isComposing?: boolean } = {}): KeyboardEvent {
  const ev = new (window as unknown as { KeyboardEvent: typeof KeyboardEvent }).KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true, ...init });
  el.dispatchEvent(ev);
  return ev;
}

export function input(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  el.value = value;
  el.dispatchEvent(new (window as unknown as { Event: typeof Event }).Event("input", { bubbles: true }));
}

/** Timers run by hand: fire(ms) runs those due by then, in order. */
export class ManualTimers implements Timers {
  now = 0;
  private seq_ = 0;
  private pending_ = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq_;
    this.pending_.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending_.delete(handle as number);
  }

  get size(): number {
    return this.pending_.size;
  }

  /** Moves the clock on by `ms`, running what falls due. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.pending_].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      this.pending_.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = until;
  }
}

/** requestAnimationFrame by hand. */
export class ManualFrames {
  private queue_: (() => void)[] = [];
  readonly frame: NextFrame = (fn) => {
    this.queue_.push(fn);
  };
  flush(): void {
    for (let i = 0; i < 10 && this.queue_.length > 0; i++) for (const fn of this.queue_.splice(0)) fn();
  }
}

export class MemoryStore implements KeyValueStore {
  readonly map = new Map<string, string>();
  getItem(k: string): string | null {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.map.set(k, v);
  }
  removeItem(k: string): void {
    this.map.delete(k);
  }
}

/** Lets pending promise callbacks (an awaited fake API answer and what follows it) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

/** A promise with its resolve and reject, to answer a fake call when the test chooses. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** An XMLHttpRequest driven by the test: progress, answer, abort. */
export class FakeXhr implements XhrLike {
  method = "";
  url = "";
  headers: Record<string, string> = {};
  body: Blob | null = null;
  aborted = false;
  upload = { onprogress: null as XhrLike["upload"]["onprogress"] };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  status = 0;
  responseText = "";
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(k: string, v: string) {
    this.headers[k] = v;
  }
  send(body: Blob) {
    this.body = body;
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  progress(loaded: number, total: number) {
    this.upload.onprogress?.({ loaded, total, lengthComputable: true });
  }
  answer(status: number, body: unknown) {
    this.status = status;
    this.responseText = typeof body === "string" ? body : JSON.stringify(body);
    this.onload?.();
  }
}

