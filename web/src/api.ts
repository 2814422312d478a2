// The chat's REST API (docs/api/openapi.yaml) for one patient's chat, with the bearer token on every
// call. Failures become ApiError values with the server's error code; a network failure has status 0.

import type { ChatMessage, Page, ReadResult, SearchPage } from "./types.js";
import type { SendRequest } from "./outbox.js";
import { uploadFile, type UploadFile, type UploadHandle, type XhrLike } from "./upload.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** Worth retrying as is: the network, a timeout, or the server being busy. */
  get transient(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** What staff read when an error answer carries no message of its own (a proxy's 502 page, ...). */
function fallbackMessage(status: number): string {
  return status >= 500 ? `The server had a problem (${status}). Try again.` : `The server refused the request (${status}).`;
}

const REQUEST_TIMEOUT_MS = 30_000;

export interface PageQuery {
  pageSize?: number;
  pageToken?: string;
  includeArchived?: boolean;
  anchor?: "firstUnread";
}

export type SearchQuery =
  | { query: string; pageSize: number; contentPageSize: number; includeArchived: boolean }
  | { pageToken: string; includeArchived?: boolean };

export class ChatApi {
  constructor(
    private readonly base: string, // /{tenant}/{instance}/patient/{patientId}/chat
    private token: string,
    private readonly fetchImpl: FetchLike = (i, init) => fetch(i, init),
    private readonly createXhr: () => XhrLike = () => new XMLHttpRequest() as unknown as XhrLike,
  ) {}

  private async request<T>(method: string, path: string, query: URLSearchParams | null, body?: string, headers?: Record<string, string>): Promise<T> {
    const url = this.base + path + (query && [...query].length ? "?" + query.toString() : "");
    const h: Record<string, string> = { Authorization: "Bearer " + this.token, Accept: "application/json", ...headers };
    if (body !== undefined) h["Content-Type"] = "application/json";
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), REQUEST_TIMEOUT_MS);
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method, headers: h, body, signal: ctrl.signal, cache: "no-store", credentials: "omit" });
    } catch (e) {
      throw new ApiError(0, "network", ctrl.signal.aborted ? "The server did not answer in time." : "The server cannot be reached.");
    } finally {
      clearTimeout(timer);
    }
    let json: unknown = null;
    try {
      json = await res.json();
    } catch {
      json = null;
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      throw new ApiError(
        res.status,
        typeof err?.code === "string" ? err.code : "http_" + res.status,
        typeof err?.message === "string" ? err.message : fallbackMessage(res.status),
      );
    }
    if (json === null) throw new ApiError(res.status, "bad_response", "The server's answer could not be read.");
    return json as T;
  }

  /** A renewed SMART session replaces the token for every later call. */
  setToken(token: string): void {
    this.token = token;
  }

  getPage(q: PageQuery): Promise<Page> {
    const p = new URLSearchParams();
    if (q.pageToken !== undefined) p.set("pageToken", q.pageToken);
    else if (q.pageSize !== undefined) p.set("pageSize", String(q.pageSize));
    if (q.includeArchived) p.set("includeArchived", "true");
    if (q.anchor && q.pageToken === undefined) p.set("anchor", q.anchor);
    return this.request<Page>("GET", "", p);
  }

  /** POST .../inbound (the patient) or .../outbound (staff). */
  send(route: "inbound" | "outbound", req: SendRequest): Promise<ChatMessage> {
    return this.request<ChatMessage>("POST", "/" + route, null, req.body, { "Idempotency-Key": req.idempotencyKey });
  }

  search(q: SearchQuery): Promise<SearchPage> {
    const p = new URLSearchParams();
    if ("pageToken" in q) {
      p.set("pageToken", q.pageToken);
      if (q.includeArchived) p.set("includeArchived", "true");
    } else {
      p.set("query", q.query);
      p.set("pageSize", String(q.pageSize));
      p.set("contentPageSize", String(q.contentPageSize));
      if (q.includeArchived) p.set("includeArchived", "true");
    }
    return this.request<SearchPage>("GET", "/search", p);
  }

  /** POST .../attachments: one file, with progress; abort() cancels. */
  upload(file: UploadFile & Blob, onProgress: (loaded: number, total: number) => void): UploadHandle {
    return uploadFile(file, { url: this.base + "/attachments", token: this.token, createXhr: this.createXhr, onProgress });
  }

  /**
   * GET .../attachments/{id} (the file) or .../{id}/thumbnail, with the token in the header (never in
   * a URL): the bytes as a Blob, for a blob: URL.
   */
  async getAttachment(id: string, variant: "file" | "thumbnail"): Promise<Blob> {
    if (!/^AT[0-9a-f]{32}$/i.test(id)) throw new ApiError(0, "bad_request", "Not an attachment id.");
    const url = this.base + "/attachments/" + encodeURIComponent(id) + (variant === "thumbnail" ? "/thumbnail" : "");
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method: "GET", headers: { Authorization: "Bearer " + this.token }, cache: "no-store", credentials: "omit" });
    } catch {
      throw new ApiError(0, "network", "The server cannot be reached.");
    }
    if (!res.ok) {
      let err: { code?: unknown; message?: unknown } | undefined;
      try {
        err = ((await res.json()) as { error?: typeof err } | null)?.error;
      } catch {
        err = undefined;
      }
      throw new ApiError(res.status, typeof err?.code === "string" ? err.code : "http_" + res.status, typeof err?.message === "string" ? err.message : fallbackMessage(res.status));
    }
    try {
      return await res.blob();
    } catch {
      throw new ApiError(0, "network", "The file could not be received.");
    }
  }

  /** Marks messages read up to and including `upTo`, or all of them (empty body). */
  markRead(upTo?: string): Promise<ReadResult> {
    return this.request<ReadResult>("POST", "/read", null, upTo === undefined ? undefined : JSON.stringify({ upTo }));
  }
}

/** POST /smart/session/renew: a fresh session token (SMART launches only). */
export async function renewSmartSession(token: string, fetchImpl: FetchLike = (i, init) => fetch(i, init)): Promise<{ token: string; expiresIn: number }> {
  let res: Response;
  try {
    res = await fetchImpl("/smart/session/renew", {
      method: "POST",
      headers: { Authorization: "Bearer " + token, Accept: "application/json" },
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiError(0, "network", "The server cannot be reached.");
  }
  const json = (await res.json().catch(() => null)) as { token?: unknown; expiresIn?: unknown } | null;
  if (!res.ok || typeof json?.token !== "string" || typeof json.expiresIn !== "number")
    throw new ApiError(res.status, "unauthorized", "The session could not be renewed.");
  return { token: json.token, expiresIn: json.expiresIn };
}
