import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSmartFragment, takeSmartSession } from "./auth.js";
import { SESSION_ENDED, SmartSession, type RenewResult } from "./controllers/smart_session.js";

// Timers driven by hand: advance(ms) runs what falls due, in order.
class FakeTimers {
  now = 0;
  private next = 1;
  private due = new Map<number, { at: number; fn: () => void }>();
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.next++;
    this.due.set(id, { at: this.now + ms, fn });
    return id;
  };
  clearTimeout = (h: unknown): void => {
    this.due.delete(h as number);
  };
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      const first = [...this.due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (!first || first[1].at > end) break;
      this.due.delete(first[0]);
      this.now = first[1].at;
      first[1].fn();
      await new Promise((r) => setImmediate(r));
    }
    this.now = end;
  }
}

test("the SMART fragment is read, and taken out of the URL without storage", () => {
  assert.deepEqual(parseSmartFragment("#smart=cc_abc&expires_in=900"), { session: "cc_abc", expiresIn: 900, rest: "" });
  assert.deepEqual(parseSmartFragment("#x=1&smart=cc_a"), { session: "cc_a", expiresIn: null, rest: "x=1" });
  const taken = takeSmartSession({ pathname: "/app/gh/sb/patient/p1", search: "?show=all", hash: "#smart=cc_abc&expires_in=60" });
  assert.deepEqual(taken, { token: "cc_abc", expiresIn: 60, replaceUrl: "/app/gh/sb/patient/p1?show=all" });
  assert.equal(takeSmartSession({ pathname: "/app/gh/sb/patient/p1", search: "", hash: "#token=cc_x" }), null);
  // Junk in place of a session: the fragment still goes, and no session is made of it.
  assert.equal(takeSmartSession({ pathname: "/p", search: "", hash: "#smart=" })?.token, "");
});

function session(t: FakeTimers, renew: (token: string) => Promise<RenewResult>) {
  const ended: string[] = [];
  const s = new SmartSession({
    token: "cc_first",
    expiresIn: 900,
    renew,
    onEnded: () => ended.push(SESSION_ENDED),
    now: () => t.now,
    timers: t,
  });
  return { s, ended };
}

test("an unused session ends at its idle expiry and says so", async () => {
  const t = new FakeTimers();
  let renewals = 0;
  const { s, ended } = session(t, async () => {
    renewals++;
    return { token: "cc_next", expiresIn: 900 };
  });
  await t.advance(899_000);
  assert.equal(ended.length, 0);
  await t.advance(1_000);
  assert.deepEqual(ended, ["Session ended — reopen carechat from the chart."]);
  assert.equal(renewals, 0);
  assert.ok(s.ended);
});

test("a used session is renewed before its idle end and keeps the new token", async () => {
  const t = new FakeTimers();
  const seen: string[] = [];
  const { s, ended } = session(t, async (token) => {
    seen.push(token);
    return { token: `cc_${seen.length + 1}`, expiresIn: 900 };
  });
  await t.advance(100_000);
  s.touch();
  await t.advance(800_000); // the renew time (60 s before the end) passed: renewed
  assert.deepEqual(seen, ["cc_first"]);
  assert.equal(s.token, "cc_2");
  await t.advance(839_000); // renewed at 840 s for 900 s more: ends at 1740 s unless used again
  assert.equal(ended.length, 0);
  await t.advance(2_000);
  assert.equal(ended.length, 1); // not used since: it ends
});

test("a refused renewal or a 401 ends the session once", async () => {
  const t = new FakeTimers();
  const { s, ended } = session(t, async () => {
    throw Object.assign(new Error("no"), { status: 401 });
  });
  s.touch();
  await t.advance(840_000);
  assert.equal(ended.length, 1);
  s.end();
  assert.equal(ended.length, 1);
});

test("a renewal without an answer is retried while the session runs", async () => {
  const t = new FakeTimers();
  let calls = 0;
  const { s, ended } = session(t, async () => {
    calls++;
    if (calls === 1) throw Object.assign(new Error("offline"), { status: 0 });
    return { token: "cc_back", expiresIn: 900 };
  });
  s.touch();
  await t.advance(846_000);
  assert.equal(calls, 2);
  assert.equal(s.token, "cc_back");
  assert.equal(ended.length, 0);
});
