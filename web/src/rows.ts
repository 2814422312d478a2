// What the timeline shows, top to bottom: a day separator before the first shown message of each
// day, the "Unread" divider before the oldest unread message, and the messages that pass the
// filters. Pure, so the view only has to put these rows in the DOM.

import type { Entry } from "./timeline.js";
import { dayKey, type TimeOptions } from "./time_format.js";

export type Row =
  | { kind: "day"; key: string; day: string }
  | { kind: "unread"; key: "unread" }
  | { kind: "message"; key: string; entry: Entry };

/**
 * `dividerBefore` names the oldest unread message; if the filters hide it, the divider goes before
 * the next shown message after it (and nowhere if none follows).
 */
export function buildRows(
  entries: readonly Entry[],
  isVisible: (e: Entry) => boolean,
  dividerBefore: string | null,
  opts: TimeOptions = {},
): Row[] {
  const rows: Row[] = [];
  let lastDay: string | null = null;
  let dividerDue = false;
  let dividerDone = false;
  for (const e of entries) {
    if (!dividerDone && dividerBefore !== null && e.key === dividerBefore) dividerDue = true;
    if (!isVisible(e)) continue;
    const day = dayKey(e.time, opts);
    if (day !== lastDay) {
      rows.push({ kind: "day", key: "day:" + day, day });
      lastDay = day;
    }
    if (dividerDue && !dividerDone) {
      rows.push({ kind: "unread", key: "unread" });
      dividerDone = true;
    }
    rows.push({ kind: "message", key: e.key, entry: e });
  }
  return rows;
}
