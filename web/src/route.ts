// Which chat this page is for, and as whom: parsed from location.pathname.
//   /app/{tenant}/{instance}/patient/{patientId}     staff chart pane
//   /portal/{tenant}/{instance}/patient/{patientId}  the patient's own view

export type Mode = "staff" | "patient";

export interface Route {
  mode: Mode;
  tenant: string;
  instance: string;
  patientId: string;
}

// The server's rule for path ids: 1-64 of [A-Za-z0-9._-], not "." or "..".
const PATH_ID = /^[A-Za-z0-9._-]{1,64}$/;

function isPathId(s: string): boolean {
  return PATH_ID.test(s) && s !== "." && s !== "..";
}

export function parseRoute(pathname: string): Route | null {
  const segs = pathname.split("/").filter((s, i, all) => !(s === "" && (i === 0 || i === all.length - 1)));
  if (segs.length !== 5) return null;
  const [first, tenant, instance, patient, patientId] = segs as [string, string, string, string, string];
  if (first !== "app" && first !== "portal") return null;
  if (patient !== "patient" || !isPathId(tenant) || !isPathId(instance) || !isPathId(patientId)) return null;
  return { mode: first === "app" ? "staff" : "patient", tenant, instance, patientId };
}

/** The REST base of the chat: /{tenant}/{instance}/patient/{patientId}/chat */
export function chatBasePath(r: Route): string {
  return `/${r.tenant}/${r.instance}/patient/${r.patientId}/chat`;
}

/**
 * The chat's live endpoint, ws:// or wss:// like the page, resuming after position `after` of the
 * log numbered `epoch` when given (the server refuses an epoch without a position, so it is left
 * out then).
 */
export function eventsUrl(r: Route, loc: { protocol: string; host: string }, after: number | null, epoch: number | null = null): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  const q = after === null ? "" : `?after=${after}` + (epoch === null ? "" : `&epoch=${epoch}`);
  return `${scheme}//${loc.host}${chatBasePath(r)}/events${q}`;
}
