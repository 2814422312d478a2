// Unread state (divider, badge, title, mark all read) and the filters kept in the URL.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { World, eventually, expectAttr, expectCount, readTimeline, sleep } from "../harness.mjs";

const world = new World();
before(() => world.setup());
after(() => world.teardown());

const visible = async (page) => (await readTimeline(page)).filter((m) => m.visible);

world.test("unread patient messages: divider, badge and title; mark all read clears them", async ({ newPage }) => {
  const chat = await world.newChat();
  await chat.patient.inbound("I have a question about the inhaler.");
  await chat.staff.outbound("Sure, go ahead.");
  await chat.staff.markRead();
  const unread = [
    await chat.patient.inbound("It helps a bit."),
    await chat.patient.inbound("But I still cough at night."),
    await chat.patient.inbound("Should I come in?"),
  ];
  assert.equal((await chat.staff.page()).meta.unreadCount, 3);
  const firstUnreadId = (await chat.staff.page({ anchor: "firstUnread" })).meta.firstUnreadExternalId;

  const page = await newPage();
  await world.open(page, chat.staffPath, chat.staffToken);
  await expectCount(page.getByTestId("timeline").getByTestId("message"), 5);
  const badge = page.getByTestId("unread-badge");
  await eventually(async () => assert.equal((await badge.textContent()).trim(), "3"));
  assert.ok(await badge.isVisible(), "the badge is shown");
  await eventually(async () => assert.match(await page.title(), /^\(3\) /));

  const divider = page.getByTestId("unread-divider");
  await expectCount(divider, 1);
  assert.match(await divider.textContent(), /Unread/);
  assert.ok(await divider.isVisible(), "the divider is on screen");
  // The divider sits right before the oldest unread message: after the staff reply, before "It helps a bit."
  const around = await page.getByTestId("timeline").evaluate((tl) => {
    const nodes = [...tl.querySelectorAll('[data-testid="message"], [data-testid="unread-divider"]')];
    const i = nodes.findIndex((n) => n.getAttribute("data-testid") === "unread-divider");
    return [nodes[i - 1]?.getAttribute("data-external-id"), nodes[i + 1]?.getAttribute("data-external-id")];
  });
  const stored = await chat.staff.all();
  assert.deepEqual(around, [stored[1].externalId, firstUnreadId], "divider between the last read and the oldest unread message");
  assert.equal(firstUnreadId, unread[0].externalId ?? stored[2].externalId);
  assert.deepEqual(
    (await readTimeline(page)).filter((m) => m.direction === "inbound").map((m) => m.read),
    ["true", "false", "false", "false"],
    "data-read on patient messages",
  );

  // A patient message arriving live counts too.
  await chat.patient.inbound("Or is a phone call enough?");
  await eventually(async () => assert.equal((await badge.textContent()).trim(), "4"));
  await eventually(async () => assert.match(await page.title(), /^\(4\) /));

  await page.getByTestId("mark-all-read").click();
  await eventually(async () => assert.ok(await badge.isHidden(), "the badge is hidden at 0"));
  await eventually(async () => assert.doesNotMatch(await page.title(), /^\(\d+\)/));
  await eventually(async () => assert.equal((await chat.staff.page()).meta.unreadCount, 0, "API: unreadCount 0"));
  assert.ok((await chat.staff.all()).filter((m) => m.sender.clientType === "PATIENT").every((m) => m.readAt), "API: every patient message has readAt");
  await eventually(async () =>
    assert.ok((await readTimeline(page)).filter((m) => m.direction === "inbound").every((m) => m.read === "true"), "data-read=true after mark all read"),
  );

  // Opened again: nothing unread, no divider, the newest message in view.
  await page.reload();
  await expectCount(page.getByTestId("timeline").getByTestId("message"), 6);
  await sleep(300);
  assert.equal(await page.getByTestId("unread-divider").count(), 0, "no divider without unread messages");
  assert.ok(await page.getByTestId("unread-badge").isHidden());
});

world.test("filters: patient only is kept in the URL, survives a reload, and new staff messages stay hidden", async ({ newPage }) => {
  const chat = await world.newChat();
  await chat.patient.inbound("P1: is my lab result back?");
  await chat.staff.outbound("S1: yes, all normal.");
  await chat.patient.inbound("P2: great, thanks!");
  await chat.staff.outbound("S2: you're welcome.");
  await chat.staff.markRead();

  const page = await newPage();
  await world.open(page, chat.staffPath, chat.staffToken);
  await expectCount(page.getByTestId("timeline").getByTestId("message"), 4);
  const patientOnly = page.getByTestId("filter-patient");
  assert.equal(await patientOnly.getAttribute("aria-pressed"), "false");

  await patientOnly.click();
  await expectAttr(patientOnly, "aria-pressed", "true");
  await eventually(async () => assert.equal(new URL(page.url()).searchParams.get("show"), "patient", `URL ${page.url()}`));
  await eventually(async () => assert.deepEqual((await visible(page)).map((m) => m.text), ["P1: is my lab result back?", "P2: great, thanks!"]));

  await page.reload();
  await page.getByTestId("app").waitFor();
  await expectAttr(page.getByTestId("filter-patient"), "aria-pressed", "true");
  await expectAttr(page.getByTestId("connection-status"), "data-state", "live");
  assert.equal(new URL(page.url()).searchParams.get("show"), "patient");
  await eventually(async () => assert.deepEqual((await visible(page)).map((m) => m.direction), ["inbound", "inbound"], "still only patient messages"));

  // A staff message arriving live stays hidden; the patient message after it (same ordered stream) shows.
  await chat.staff.outbound("S3: arrived live");
  await chat.patient.inbound("P3: arrived live");
  await eventually(async () => assert.deepEqual((await visible(page)).map((m) => m.text).at(-1), "P3: arrived live"));
  await sleep(300);
  assert.deepEqual((await visible(page)).map((m) => m.direction), ["inbound", "inbound", "inbound"], "no staff message visible");
  assert.equal(new URL(page.url()).searchParams.get("show"), "patient", "the filter stays on after new messages");

  // Staff only, then no filter: the live staff message was kept, not dropped.
  await page.getByTestId("filter-staff").click();
  await expectAttr(page.getByTestId("filter-staff"), "aria-pressed", "true");
  await expectAttr(page.getByTestId("filter-patient"), "aria-pressed", "false");
  await eventually(async () => assert.equal(new URL(page.url()).searchParams.get("show"), "staff"));
  await eventually(async () => assert.deepEqual((await visible(page)).map((m) => m.text), ["S1: yes, all normal.", "S2: you're welcome.", "S3: arrived live"]));
  await page.getByTestId("filter-staff").click();
  await expectAttr(page.getByTestId("filter-staff"), "aria-pressed", "false");
  await eventually(async () => assert.equal(new URL(page.url()).searchParams.get("show"), null, `URL ${page.url()}`));
  await eventually(async () => assert.equal((await visible(page)).length, 6, "all messages again"));
});

world.test("filters: unread only, and archived messages shown on request", async ({ newPage }) => {
  const chat = await world.newChat();
  await chat.patient.inbound("Old question from last year");
  await chat.staff.outbound("Old answer");
  await chat.staff.markRead();
  await sleep(20);
  const cutoff = new Date().toISOString();
  await sleep(20);
  await chat.staff.call("POST", "/archive", { query: { archiveDate: cutoff } });
  await chat.staff.outbound("New: how are you today?");
  await chat.patient.inbound("New: much better");
  await chat.patient.inbound("New: one more question");
  assert.equal((await chat.staff.all()).length, 3, "two messages archived");

  const page = await newPage();
  await world.open(page, chat.staffPath, chat.staffToken);
  await eventually(async () => assert.equal((await visible(page)).length, 3, "archived messages are not shown by default"));

  await page.getByTestId("filter-unread").click();
  await expectAttr(page.getByTestId("filter-unread"), "aria-pressed", "true");
  await eventually(async () => assert.equal(new URL(page.url()).searchParams.get("show"), "unread"));
  await eventually(async () => assert.deepEqual((await visible(page)).map((m) => m.text), ["New: much better", "New: one more question"]));
  await page.reload();
  await expectAttr(page.getByTestId("filter-unread"), "aria-pressed", "true");
  await eventually(async () => assert.deepEqual((await visible(page)).map((m) => m.text), ["New: much better", "New: one more question"]));
  await page.getByTestId("filter-unread").click();
  await expectAttr(page.getByTestId("filter-unread"), "aria-pressed", "false");

  await page.getByTestId("filter-archived").click();
  await expectAttr(page.getByTestId("filter-archived"), "aria-pressed", "true");
  await eventually(async () => assert.equal(new URL(page.url()).searchParams.get("archived"), "1"));
  await eventually(async () =>
    assert.deepEqual((await visible(page)).map((m) => m.text), [
      "Old question from last year",
      "Old answer",
      "New: how are you today?",
      "New: much better",
      "New: one more question",
    ]),
  );
  await page.reload();
  await expectAttr(page.getByTestId("filter-archived"), "aria-pressed", "true");
  await eventually(async () => assert.equal((await visible(page)).length, 5, "archived still shown after a reload"));
});
