// What the controllers take from the browser, as small injectable pieces (the way live.ts takes its
// socket, timers and randomness): tests pass fakes, the App passes the browser's. Nothing here keeps
// state.

/** Milliseconds since the epoch (Date.now in the browser). */
export type Clock = () => number;

/** Runs `fn` before the next paint (requestAnimationFrame in the browser). */
export type NextFrame = (fn: () => void) => void;

/** Calls `fn` whenever `el`'s box changes size (a ResizeObserver in the browser). */
export type WatchSize = (el: Element, fn: () => void) => void;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The part of Storage the app uses (sessionStorage, localStorage). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const browserTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export const browserFrame: NextFrame = (fn) => {
  requestAnimationFrame(() => fn());
};

export const browserWatchSize: WatchSize = (el, fn) => {
  if (typeof ResizeObserver === "undefined") return;
  new ResizeObserver(() => fn()).observe(el);
};

/** sessionStorage, or null where the browser refuses it (some privacy modes, sandboxed frames). */
export function safeSession(): KeyValueStore | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function safeLocal(): KeyValueStore | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** A store write that may fail (quota, privacy mode): the feature then lives for this page view only. */
export function tryStore(fn: () => void): void {
  try {
    fn();
  } catch {
    /* not essential */
  }
}
