// The patient view (/portal/...): sending to the care team, staff replies live, read receipts
// sent when shown and seen by staff.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { STAFF, World, eventually, expectAttr, expectCount, readTimeline } from "../harness.mjs";

const world = new World();
before(() => world.setup());
after(() => world.teardown());

world.test("patient view: sends inbound, sees staff replies live, and sends read receipts when shown", async ({ newPage }) => {
  const chat = await world.newChat();
  const greeting = await chat.staff.outbound("Hello from the clinic. How are you feeling today?");
  const greetingId = greeting.externalId ?? (await chat.staff.all())[0].externalId;
  assert.equal((await chat.staff.all())[0].readAt, null, "not read by the patient yet");

  // Staff keep the chart pane open to see the receipt and the patient's message arrive.
  const staffPage = await newPage();
  await world.open(staffPage, chat.staffPath, chat.staffToken);
  const staffGreeting = staffPage.getByTestId("timeline").locator(`[data-testid="message"][data-external-id="${greetingId}"]`);
  await expectCount(staffGreeting, 1);
  assert.equal(await staffGreeting.getByTestId("read-receipt").count(), 0, "no receipt before the patient read it");

  const page = await newPage();
  const requested = [];
  page.on("request", (r) => requested.push(r.url()));
  await world.open(page, chat.portalPath, chat.patientToken);
  await expectAttr(page.getByTestId("app"), "data-mode", "patient");
  assert.ok(!(await page.evaluate(() => location.hash)).includes(chat.patientToken), "token left the fragment");
  for (const u of requested) assert.ok(!u.split("#")[0].includes(chat.patientToken), `token in a request URL: ${u}`);

  const timeline = page.getByTestId("timeline");
  await expectCount(timeline.getByTestId("message"), 1);
  const [shownGreeting] = await readTimeline(page);
  assert.equal(shownGreeting.text, "Hello from the clinic. How are you feeling today?");
  assert.match(shownGreeting.sender, new RegExp(STAFF.name), "the patient sees who wrote");

  // Shown, so read: the receipt reaches the server and the staff pane.
  await eventually(async () => assert.ok((await chat.staff.all())[0].readAt, "API: readAt set on the staff message"), { timeout: 10_000 });
  await expectCount(staffGreeting.getByTestId("read-receipt"), 1);
  assert.match(await staffGreeting.getByTestId("read-receipt").textContent(), /Read/);

  // The patient writes from the portal composer.
  const input = page.getByTestId("composer-input");
  await input.click();
  await page.keyboard.type("Much better today, thanks.");
  await page.keyboard.press("Shift+Enter");
  await page.keyboard.type("The cough is gone.");
  await page.keyboard.press("Enter");
  const text = "Much better today, thanks.\nThe cough is gone.";
  const mine = timeline.locator('[data-testid="message"][data-direction="inbound"]');
  await expectCount(mine, 1);
  await expectAttr(mine, "data-status", "sent");
  assert.equal(await mine.getByTestId("message-text").textContent(), text);
  const stored = await chat.staff.all();
  assert.equal(stored.length, 2, "one message stored");
  assert.equal(stored[1].message, text);
  assert.equal(stored[1].sender.clientType, "PATIENT", "sent inbound, as the patient");
  await eventually(async () => assert.ok((await readTimeline(staffPage)).some((m) => m.text === text && m.direction === "inbound"), "staff see it live"));

  // A staff reply appears live in the portal, and is read because it is shown.
  await chat.staff.outbound("Glad to hear it! Keep taking the inhaler for another week.");
  await eventually(async () => assert.equal((await readTimeline(page)).at(-1)?.text, "Glad to hear it! Keep taking the inhaler for another week."));
  assert.deepEqual((await readTimeline(page)).map((m) => m.direction), ["outbound", "inbound", "outbound"]);
  await eventually(async () => assert.ok((await chat.staff.all())[2].readAt, "API: readAt set on the live reply"), { timeout: 10_000 });
  assert.equal((await chat.patient.page()).meta.unreadCount, 0, "nothing unread for the patient");
});
