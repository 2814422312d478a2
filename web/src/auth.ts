// The bearer token: it arrives in the URL fragment (#token=..., never sent to the server as part of a
// URL), moves into sessionStorage under a key for this page's path, and the fragment is removed.

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function tokenStorageKey(pathname: string): string {
  return "carechat.token:" + pathname;
}

export interface FragmentToken {
  /** The token from the fragment, or null if it had none. */
  token: string | null;
  /** The fragment to keep (without "#"), with the token parameter removed; "" if nothing is left. */
  rest: string;
}

/** Reads `token` from a fragment such as "#token=cc_abc" or "#x=1&token=cc_abc". */
export function parseFragment(hash: string): FragmentToken {
  const raw = hash.startsWith("#") ? hash.slice(1) : hash;
  if (raw === "") return { token: null, rest: "" };
  let token: string | null = null;
  const kept: string[] = [];
  for (const part of raw.split("&")) {
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    if (name === "token") {
      let value = eq < 0 ? "" : part.slice(eq + 1);
      try {
        value = decodeURIComponent(value);
      } catch {
        /* keep it as it is */
      }
      value = value.trim();
      if (value !== "") token = value;
    } else if (part !== "") {
      kept.push(part);
    }
  }
  return { token, rest: kept.join("&") };
}

/** Tokens are sent as a header and a WebSocket subprotocol: only visible ASCII is acceptable. */
export function isPlausibleToken(token: string): boolean {
  return /^[\x21-\x7e]{1,4096}$/.test(token);
}

export interface TokenResolution {
  token: string | null;
  /** The URL to put in place with history.replaceState, or null if the URL is fine as it is. */
  replaceUrl: string | null;
}

/**
 * Takes the token from the fragment (storing it) or, failing that, from storage. The returned
 * replaceUrl drops the token from the fragment so it does not linger in the address bar or history.
 */
export function resolveToken(
  loc: { pathname: string; search: string; hash: string },
  storage: KeyValueStore | null,
): TokenResolution {
  const key = tokenStorageKey(loc.pathname);
  const frag = parseFragment(loc.hash);
  let replaceUrl: string | null = null;
  if (loc.hash.replace(/^#/, "") !== "" && frag.token !== null) {
    replaceUrl = loc.pathname + loc.search + (frag.rest ? "#" + frag.rest : "");
  }
  if (frag.token !== null && isPlausibleToken(frag.token)) {
    try {
      storage?.setItem(key, frag.token);
    } catch {
      /* storage full or disabled: the token still works for this page view */
    }
    return { token: frag.token, replaceUrl };
  }
  let stored: string | null = null;
  try {
    stored = storage?.getItem(key) ?? null;
  } catch {
    stored = null;
  }
  return { token: stored !== null && isPlausibleToken(stored) ? stored : null, replaceUrl };
}

export interface SmartFragment {
  /** The carechat session a SMART launch handed over (#smart=...), or null. */
  session: string | null;
  /** Seconds until it ends unless renewed (#expires_in=...), or null. */
  expiresIn: number | null;
  /** The fragment without those two parameters (without "#"). */
  rest: string;
}

/** Reads `smart` and `expires_in` from a fragment such as "#smart=cc_abc&expires_in=900". */
export function parseSmartFragment(hash: string): SmartFragment {
  const raw = hash.startsWith("#") ? hash.slice(1) : hash;
  let session: string | null = null;
  let expiresIn: number | null = null;
  const kept: string[] = [];
  for (const part of raw.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? "" : part.slice(eq + 1);
    if (name === "smart") session = isPlausibleToken(value) ? value : null;
    else if (name === "expires_in") expiresIn = /^\d{1,7}$/.test(value) ? Number(value) : null;
    else kept.push(part);
  }
  return { session, expiresIn, rest: kept.join("&") };
}

/**
 * A SMART launch's session from the fragment: held by the page in memory only (never written to
 * storage: in an EHR iframe, and for a session that must end when the chart closes), and removed
 * from the address bar at once. Null when the fragment carries none.
 */
export function takeSmartSession(loc: { pathname: string; search: string; hash: string }): {
  token: string;
  expiresIn: number | null;
  replaceUrl: string;
} | null {
  const frag = parseSmartFragment(loc.hash);
  if (!/(^#?|&)smart=/.test(loc.hash)) return null;
  const replaceUrl = loc.pathname + loc.search + (frag.rest ? "#" + frag.rest : "");
  if (frag.session === null) return { token: "", expiresIn: null, replaceUrl };
  return { token: frag.session, expiresIn: frag.expiresIn, replaceUrl };
}
