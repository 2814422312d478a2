// Times as the timeline shows them: relative ("2 min ago") for recent messages, clock times and day
// labels in the viewer's time zone. Pure: "now", locale and time zone are parameters (tests pin them).

export interface TimeOptions {
  locale?: string | undefined; // default: the browser's
  timeZone?: string | undefined; // default: the browser's
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function parseIso(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function fmt(opts: TimeOptions, o: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify([opts.locale ?? "", opts.timeZone ?? "", o]);
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(opts.locale, { ...o, timeZone: opts.timeZone });
    formatters.set(key, f);
  }
  return f;
}

/** "2026-11-21": the calendar day of an instant in the viewer's time zone (sortable, comparable). */
export function dayKey(ms: number, opts: TimeOptions = {}): string {
  const parts = fmt(opts, { year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** The day key of the day before `key` ("2026-03-01" -> "2026-02-28"). */
export function previousDayKey(key: string): string {
  const [y, m, d] = key.split("-").map(Number) as [number, number, number];
  const t = Date.UTC(y, m - 1, d) - DAY;
  return new Date(t).toISOString().slice(0, 10);
}

/** "10:42 AM" (per locale). */
export function clockTime(ms: number, opts: TimeOptions = {}): string {
  return fmt(opts, { hour: "numeric", minute: "2-digit" }).format(new Date(ms));
}

/** "Nov 20" or, in another year than now, "Nov 20, 2025". */
export function shortDate(ms: number, nowMs: number, opts: TimeOptions = {}): string {
  const sameYear = dayKey(ms, opts).slice(0, 4) === dayKey(nowMs, opts).slice(0, 4);
  return fmt(opts, sameYear ? { month: "short", day: "numeric" } : { year: "numeric", month: "short", day: "numeric" }).format(
    new Date(ms),
  );
}

/**
 * The relative time of a message: "just now", "N min ago", "N h ago" within a day, then a date and
 * clock time ("Nov 20, 10:42 AM"). Instants slightly in the future (clock skew) read "just now".
 */
export function relativeTime(iso: string, nowMs: number, opts: TimeOptions = {}): string {
  const t = parseIso(iso);
  const diff = nowMs - t;
  if (diff < 45_000) return "just now";
  if (diff < HOUR) return `${Math.max(1, Math.floor(diff / MINUTE))} min ago`;
  if (diff < DAY) return `${Math.floor(diff / HOUR)} h ago`;
  return `${shortDate(t, nowMs, opts)}, ${clockTime(t, opts)}`;
}

/** A day separator's label: "Today", "Yesterday", or "Fri, Nov 20" (with the year if not this year). */
export function dayLabel(key: string, nowMs: number, opts: TimeOptions = {}): string {
  const today = dayKey(nowMs, opts);
  if (key === today) return "Today";
  if (key === previousDayKey(today)) return "Yesterday";
  const [y, m, d] = key.split("-").map(Number) as [number, number, number];
  // Noon UTC of that calendar day, formatted in UTC: the same calendar day whatever the zone.
  const noon = Date.UTC(y, m - 1, d, 12);
  const sameYear = key.slice(0, 4) === today.slice(0, 4);
  return fmt(
    { locale: opts.locale, timeZone: "UTC" },
    sameYear ? { weekday: "short", month: "short", day: "numeric" } : { year: "numeric", month: "short", day: "numeric" },
  ).format(new Date(noon));
}

/** "Read 10:42 AM" today, else "Read Nov 20". */
export function readReceiptText(readAtIso: string, nowMs: number, opts: TimeOptions = {}): string {
  const t = parseIso(readAtIso);
  if (dayKey(t, opts) === dayKey(nowMs, opts)) return `Read ${clockTime(t, opts)}`;
  return `Read ${shortDate(t, nowMs, opts)}`;
}
