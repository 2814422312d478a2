import { test } from "node:test";
import assert from "node:assert/strict";
import { LiveConnection, type LiveOptions, type LiveState, type SocketLike } from "./live.js";
import type { LiveFrame } from "./types.js";

class FakeSocket implements SocketLike {
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  closed = false;
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}
  close() {
    this.closed = true;
  }
  frame(f: object) {
    this.onmessage?.({ data: JSON.stringify(f) } as MessageEvent);
  }
  drop(code = 1006) {
    this.onclose?.({ code } as CloseEvent);
  }
}

function harness(start: Pick<LiveOptions, "after" | "epoch"> = {}) {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const frames: LiveFrame[] = [];
  const states: LiveState[] = [];
  const live = new LiveConnection({
    ...start,
    // Spelled out, not eventsUrl: an epoch without a position would show as "&epoch=".
    url: (after, epoch) => "ws://h/chat/events" + (after === null ? "" : `?after=${after}`) + (epoch === null ? "" : `&epoch=${epoch}`),
    token: "cc_tok",
    onFrame: (f) => frames.push(f),
    onState: (s) => states.push(s),
    createSocket: (url, protocols) => {
      const s = new FakeSocket(url, protocols);
      sockets.push(s);
      return s;
    },
    random: () => 0.5,
    setTimer: (fn, ms) => {
      timers.push({ fn, ms });
      return timers.length;
    },
    clearTimer: () => {},
  });
  const fire = () => timers.shift()!.fn();
  return { live, sockets, timers, frames, states, fire };
}

test("connects with the token as subprotocol and goes live on ready", () => {
  const h = harness();
  h.live.start();
  assert.equal(h.sockets[0]!.url, "ws://h/chat/events");
  assert.deepEqual(h.sockets[0]!.protocols, ["carechat.v1", "bearer.cc_tok"]);
  assert.deepEqual(h.states, ["connecting"]);
  h.sockets[0]!.frame({ type: "ready", position: 10 });
  assert.deepEqual(h.states, ["connecting", "live"]);
  assert.equal(h.live.position, 10);
});

test("tracks the last position and resumes after it, with growing delays", () => {
  const h = harness();
  h.live.start();
  const s0 = h.sockets[0]!;
  s0.frame({ type: "ready", position: 10 });
  s0.frame({ type: "message.created", position: 11, patientId: "p", at: "", message: {} });
  s0.frame({ type: "messages.read", position: 12, patientId: "p", at: "" });
  s0.drop();
  assert.equal(h.states.at(-1), "reconnecting");
  assert.equal(h.timers[0]!.ms, 375); // attempt 0: [250, 500] at random 0.5
  h.fire();
  const s1 = h.sockets[1]!;
  assert.equal(s1.url, "ws://h/chat/events?after=12");
  s1.drop(); // refused again (e.g. server still down)
  assert.equal(h.timers[0]!.ms, 750); // attempt 1
  h.fire();
  h.sockets[2]!.frame({ type: "ready", position: 14 });
  assert.equal(h.states.at(-1), "live");
  h.sockets[2]!.drop();
  assert.equal(h.timers[0]!.ms, 375, "backoff resets after a successful ready");
});

test("4008 (too slow) reconnects at once", () => {
  const h = harness();
  h.live.start();
  h.sockets[0]!.frame({ type: "ready", position: 3 });
  h.sockets[0]!.drop(4008);
  assert.equal(h.timers[0]!.ms, 0);
  h.fire();
  assert.equal(h.sockets[1]!.url, "ws://h/chat/events?after=3");
});

test("frames are passed on in order; junk is ignored; stop closes and stays closed", () => {
  const h = harness();
  h.live.start();
  const s = h.sockets[0]!;
  s.onmessage?.({ data: "not json" } as MessageEvent);
  s.frame({ type: "ready", position: 1 });
  s.frame({ type: "chat.archived", position: 2, patientId: "p", at: "", archiveDate: "", count: 1 });
  assert.deepEqual(h.frames.map((f) => f.type), ["ready", "chat.archived"]);
  h.live.stop();
  assert.equal(s.closed, true);
  assert.equal(h.states.at(-1), "stopped");
  s.drop();
  assert.equal(h.timers.length, 0);
});

test("reconnects with the position and the epoch of the log", () => {
  const h = harness();
  h.live.start();
  const s0 = h.sockets[0]!;
  s0.frame({ type: "ready", position: 10, epoch: 9007199254740990 });
  assert.equal(h.live.epoch, 9007199254740990);
  s0.frame({ type: "message.created", position: 11, patientId: "p", at: "", message: {} });
  s0.drop();
  h.fire();
  assert.equal(h.sockets[1]!.url, "ws://h/chat/events?after=11&epoch=9007199254740990");
});

test("resync_required after a renumbering replaces a higher position and the epoch", () => {
  const h = harness();
  h.live.start();
  h.sockets[0]!.frame({ type: "ready", position: 500, epoch: 1 });
  h.sockets[0]!.frame({ type: "chat.restored", position: 502, patientId: "p", at: "", count: 1 });
  h.sockets[0]!.drop(1001); // the server moves to the copied database
  h.fire();
  const s1 = h.sockets[1]!;
  assert.equal(s1.url, "ws://h/chat/events?after=502&epoch=1");
  s1.frame({ type: "resync_required", position: 40, epoch: 2, message: "the event log was renumbered ..." });
  assert.deepEqual([h.live.position, h.live.epoch], [40, 2]);
  assert.equal(h.frames.at(-1)!.type, "resync_required", "the app is told, to refetch the chat");
  s1.drop(); // before its ready: resume in the new numbering all the same
  h.fire();
  const s2 = h.sockets[2]!;
  assert.equal(s2.url, "ws://h/chat/events?after=40&epoch=2");
  s2.frame({ type: "ready", position: 40, epoch: 2 });
  s2.frame({ type: "message.created", position: 41, patientId: "p", at: "", message: {} });
  s2.drop();
  h.fire();
  assert.equal(h.sockets[3]!.url, "ws://h/chat/events?after=41&epoch=2");
});

test("ready is taken as is, also below the position held", () => {
  const h = harness({ after: 90, epoch: 3 });
  h.live.start();
  h.sockets[0]!.frame({ type: "ready", position: 12, epoch: 4 });
  assert.deepEqual([h.live.position, h.live.epoch], [12, 4]);
  h.sockets[0]!.drop();
  h.fire();
  assert.equal(h.sockets[1]!.url, "ws://h/chat/events?after=12&epoch=4");
});

test("the page's position and epoch are used on the first connect; replayed events keep the epoch", () => {
  const h = harness({ after: 412, epoch: 5 });
  assert.deepEqual([h.live.position, h.live.epoch], [412, 5]);
  h.live.start();
  const s0 = h.sockets[0]!;
  assert.equal(s0.url, "ws://h/chat/events?after=412&epoch=5");
  s0.frame({ type: "message.created", position: 413, patientId: "p", at: "", message: {} }); // replay
  s0.drop(4008); // too slow, before ready
  h.fire();
  assert.equal(h.sockets[1]!.url, "ws://h/chat/events?after=413&epoch=5");
});

test("no epoch without a position", () => {
  const h = harness({ epoch: 5 });
  h.live.start();
  assert.equal(h.sockets[0]!.url, "ws://h/chat/events", "an epoch alone is a 400");
  h.sockets[0]!.drop(); // before ready: the position is still unknown
  h.fire();
  assert.equal(h.sockets[1]!.url, "ws://h/chat/events");
  h.sockets[1]!.frame({ type: "ready", position: 7, epoch: 6 });
  h.sockets[1]!.drop();
  h.fire();
  assert.equal(h.sockets[2]!.url, "ws://h/chat/events?after=7&epoch=6");
});

test("a position without an epoch resumes with after alone", () => {
  const h = harness({ after: 20 });
  h.live.start();
  assert.equal(h.sockets[0]!.url, "ws://h/chat/events?after=20");
  h.sockets[0]!.frame({ type: "ready", position: 25, epoch: 8 });
  h.sockets[0]!.frame({ type: "ready", position: 26 }); // a server that does not know epochs
  assert.deepEqual([h.live.position, h.live.epoch], [26, null]);
  h.sockets[0]!.drop();
  h.fire();
  assert.equal(h.sockets[1]!.url, "ws://h/chat/events?after=26");
});
