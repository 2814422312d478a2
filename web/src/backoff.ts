// Reconnect delays: exponential with jitter, capped, so a restarting server is not stampeded by every
// open pane at the same instant, and a pane comes back within ~10 s of the server.

export interface BackoffOptions {
  baseMs: number; // first delay (before jitter)
  capMs: number; // no delay is longer
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 10_000 };

/**
 * The delay before reconnect attempt `attempt` (0 = the first after a drop): the exponential delay
 * d = min(cap, base * 2^attempt), then a uniformly random point in [d/2, d] ("equal jitter").
 * `random` returns [0, 1) like Math.random.
 */
export function reconnectDelay(attempt: number, random: () => number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  const n = Math.max(0, Math.min(30, Math.floor(attempt)));
  const d = Math.min(opts.capMs, opts.baseMs * 2 ** n);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(d / 2 + (r * d) / 2);
}
