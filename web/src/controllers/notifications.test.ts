import { test } from "node:test";
import assert from "node:assert/strict";
import { installDom, MemoryStore, settle } from "../test_dom.js";
import { at, msg } from "../test_helpers.js";
import { NOTIFY_SETTING, NotificationsController, type NotificationPort } from "./notifications.js";

installDom();

class FakePort implements NotificationPort {
  shown: { title: string; options: NotificationOptions }[] = [];
  requests = 0;
  constructor(
    public perm: NotificationPermission,
    public answer: NotificationPermission = "granted",
  ) {}
  permission() {
    return this.perm;
  }
  async request() {
    this.requests++;
    this.perm = this.answer;
    return this.answer;
  }
  show(title: string, options: NotificationOptions) {
    this.shown.push({ title, options });
  }
}

function harness(port: NotificationPort | null, mode: "staff" | "patient" = "staff") {
  const store = new MemoryStore();
  const said: string[] = [];
  const titles: string[] = [];
  let hidden = false;
  const c = new NotificationsController({
    mode,
    patientId: "p-1",
    port,
    store,
    isHidden: () => hidden,
    setTitle: (t) => titles.push(t),
    announce: (t) => said.push(t),
  });
  c.update();
  return { c, store, said, titles, hide: (v: boolean) => (hidden = v) };
}

test("the badge and the title show the unread count", () => {
  const h = harness(null);
  h.c.setUnread(3);
  assert.equal(h.c.badge.hidden, false);
  assert.equal(h.c.badge.textContent, "3");
  assert.equal(h.c.badge.getAttribute("aria-label"), "3 unread");
  assert.equal(h.titles.at(-1), "(3) Patient messages · carechat");
  h.c.setUnread(1);
  assert.equal(h.c.badge.getAttribute("title"), "1 unread message");
  h.c.setUnread(0);
  assert.equal(h.c.badge.hidden, true);
  assert.equal(h.titles.at(-1), "Patient messages · carechat");
  const p = harness(null, "patient");
  p.c.setUnread(2);
  assert.equal(p.titles.at(-1), "(2) Messages with your care team · carechat");
});

test("no Notification API: the bell is hidden", () => {
  const h = harness(null);
  assert.equal(h.c.bell.hidden, true);
  assert.equal(h.c.bell.dataset.testid, "notifications-toggle");
});

test("the bell asks for permission, then toggles on and off", async () => {
  const port = new FakePort("default", "granted");
  const h = harness(port);
  assert.equal(h.c.bell.getAttribute("aria-pressed"), "false");
  h.c.bell.click();
  await settle();
  assert.equal(port.requests, 1);
  assert.equal(h.store.getItem(NOTIFY_SETTING), "on");
  assert.equal(h.c.bell.getAttribute("aria-pressed"), "true");
  assert.equal(h.c.bell.getAttribute("aria-label"), "Notifications on");
  assert.equal(h.said.at(-1), "Notifications on.");
  await h.c.toggle();
  assert.equal(h.store.getItem(NOTIFY_SETTING), "off");
  assert.equal(h.c.bell.getAttribute("aria-pressed"), "false");
  assert.equal(h.said.at(-1), "Notifications off.");
  assert.equal(port.requests, 1, "granted once is enough");
});

test("permission refused or blocked: off, and the viewer is told", async () => {
  const refused = harness(new FakePort("default", "denied"));
  await refused.c.toggle();
  assert.equal(refused.store.getItem(NOTIFY_SETTING), "off");
  const blocked = harness(new FakePort("denied"));
  assert.equal(blocked.c.bell.getAttribute("aria-label"), "Notifications are blocked by the browser");
  await blocked.c.toggle();
  assert.deepEqual(blocked.said, ["Notifications are blocked in this browser's settings for this site.", "Notifications off."]);
});

test("notifies only while hidden and opted in, without the message text", () => {
  const port = new FakePort("granted");
  const h = harness(port);
  const m = msg("a", at(1), "in", { message: "my diagnosis" });
  h.hide(true);
  h.c.notify(m);
  assert.equal(port.shown.length, 0, "not opted in");
  h.store.setItem(NOTIFY_SETTING, "on");
  h.hide(false);
  h.c.notify(m);
  assert.equal(port.shown.length, 0, "visible");
  h.hide(true);
  h.c.notify(m);
  assert.equal(port.shown.length, 1);
  assert.equal(port.shown[0]!.title, "New patient message");
  assert.equal(port.shown[0]!.options.tag, "carechat:p-1");
  assert.doesNotMatch(JSON.stringify(port.shown[0]), /diagnosis/);
});
