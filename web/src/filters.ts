// Timeline filters, kept in the URL query so they survive reloads: ?show=patient|staff|unread and
// ?archived=1. "show" filters are applied on the client, to loaded and to newly arriving messages
// alike; "archived" changes what the server returns (includeArchived=true).

import { directionOf, type ChatMessage, type Direction } from "./types.js";
import type { Mode } from "./route.js";

export type ShowFilter = "all" | "patient" | "staff" | "unread";

export interface FilterState {
  show: ShowFilter;
  archived: boolean;
}

export const NO_FILTERS: FilterState = { show: "all", archived: false };

export function parseFilters(search: string): FilterState {
  const q = new URLSearchParams(search);
  const show = q.get("show");
  const archived = q.get("archived");
  return {
    show: show === "patient" || show === "staff" || show === "unread" ? show : "all",
    archived: archived === "1" || archived === "true",
  };
}

/** The query string (with "?", or "" if empty) for `state`, keeping unrelated parameters. */
export function filtersToSearch(state: FilterState, currentSearch: string): string {
  const q = new URLSearchParams(currentSearch);
  q.delete("show");
  q.delete("archived");
  if (state.show !== "all") q.set("show", state.show);
  if (state.archived) q.set("archived", "1");
  const s = q.toString();
  return s === "" ? "" : "?" + s;
}

/** Toggling a "show" button: pressing the active one clears it; the three are exclusive. */
export function toggleShow(state: FilterState, show: Exclude<ShowFilter, "all">): FilterState {
  return { ...state, show: state.show === show ? "all" : show };
}

/** The messages this viewer reads (and that count as unread for them). */
export function readDirectionFor(mode: Mode): Direction {
  return mode === "staff" ? "inbound" : "outbound";
}

export function matchesFilter(m: ChatMessage, state: FilterState, mode: Mode): boolean {
  switch (state.show) {
    case "all":
      return true;
    case "patient":
      return directionOf(m) === "inbound";
    case "staff":
      return directionOf(m) === "outbound";
    case "unread":
      return directionOf(m) === readDirectionFor(mode) && m.readAt === null;
  }
}

export function describeFilter(state: FilterState, mode: Mode): string {
  const parts: string[] = [];
  if (state.show === "patient") parts.push(mode === "staff" ? "patient messages only" : "your messages only");
  if (state.show === "staff") parts.push("care team messages only");
  if (state.show === "unread") parts.push("unread only");
  if (state.archived) parts.push("including archived");
  return parts.join(", ");
}
