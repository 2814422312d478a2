// The staff chart pane: opening it, sending from the composer, receiving live, and text that
// looks like HTML staying text.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { STAFF, World, eventually, expectAttr, expectCount, gateRequests, readTimeline, sleep } from "../harness.mjs";

const world = new World();
before(() => world.setup());
after(() => world.teardown());

/** Request URLs as sent to the network: the fragment never leaves the browser. */
function withoutFragment(url) {
  const u = new URL(url);
  u.hash = "";
  return u.href;
}

world.test("opens the staff pane: messages with sender and time; the token leaves the URL", async ({ newPage }) => {
  const chat = await world.newChat();
  const sent = [
    await chat.patient.inbound("Hello, I have a question about my new prescription."),
    await chat.staff.outbound("Hi! Of course. What would you like to know?"),
    await chat.patient.inbound("Should I take it with food?"),
  ];
  const stored = await chat.staff.all();
  assert.equal(stored.length, 3);

  const page = await newPage();
  const requested = [];
  page.on("request", (r) => requested.push(r.url()));
  page.on("websocket", (ws) => requested.push(ws.url()));
  await world.open(page, chat.staffPath, chat.staffToken);

  await expectAttr(page.getByTestId("app"), "data-mode", "staff");
  const timeline = page.getByTestId("timeline");
  assert.equal(await timeline.getAttribute("role"), "log");
  assert.equal(await timeline.getAttribute("aria-live"), "polite");
  assert.equal(await page.getByRole("log").getAttribute("data-testid"), "timeline");

  const messages = timeline.getByTestId("message");
  await expectCount(messages, 3);
  const shown = await readTimeline(page);
  assert.deepEqual(
    shown.map((m) => [m.externalId, m.direction, m.text]),
    stored.map((m) => [m.externalId, m.sender.clientType === "PATIENT" ? "inbound" : "outbound", m.message]),
    "oldest at the top, each with its external id, direction and text",
  );
  assert.equal(sent[1].externalId ?? stored[1].externalId, stored[1].externalId);
  assert.match(shown[1].sender, new RegExp(STAFF.name), "a staff message names its sender");
  assert.match(shown[0].sender, /Patient/, "a patient message says it is the patient's");
  for (const m of shown) assert.ok(m.visible, `message ${m.externalId} is visible`);
  // Patient and staff on opposite sides.
  const [inBox, outBox] = await Promise.all([0, 1].map((i) => messages.nth(i).getByTestId("message-text").boundingBox()));
  assert.ok(inBox.x < outBox.x && inBox.x + inBox.width < outBox.x + outBox.width, "patient left, staff right");

  for (let i = 0; i < 3; i++) {
    const time = messages.nth(i).getByTestId("message-time");
    assert.equal(await time.evaluate((e) => e.tagName), "TIME");
    const exact = Date.parse(stored[i].createdAt);
    assert.equal(Date.parse(await time.getAttribute("datetime")), exact, "datetime is the exact time");
    assert.equal(Date.parse(await time.getAttribute("title")), exact, "title (hover) is the exact time");
    const relative = (await time.textContent()).trim();
    assert.ok(relative.length > 0 && relative !== stored[i].createdAt, `relative time text, got "${relative}"`);
  }
  assert.ok((await page.getByTestId("day-separator").count()) >= 1, "a day separator above today's messages");

  // The token moved out of the fragment and never went to the server in a URL.
  const hash = await page.evaluate(() => location.hash);
  assert.ok(!hash.includes(chat.staffToken), `location.hash still holds the token: ${hash}`);
  assert.ok(!page.url().includes(chat.staffToken), "page URL still holds the token");
  assert.ok(requested.length >= 3, `requests were observed: ${requested.join(" ")}`);
  assert.ok(requested.some((u) => u.startsWith("ws://")), "the live WebSocket was opened");
  for (const u of requested) {
    const sentUrl = withoutFragment(u);
    assert.ok(!sentUrl.includes(chat.staffToken), `token in a request URL: ${sentUrl}`);
    assert.ok(!/[?&]token=/.test(sentUrl), `a token parameter in a request URL: ${sentUrl}`);
  }
  // Still works after a reload without the fragment (the token is in sessionStorage).
  await page.reload();
  await expectCount(page.getByTestId("timeline").getByTestId("message"), 3);
  await expectAttr(page.getByTestId("connection-status"), "data-state", "live");
  assert.equal(await page.getByTestId("error-banner").isVisible(), false, "no error banner");
});

world.test("sends from the composer: Enter sends at once (pending, then sent), Shift+Enter is a new line, one message stored", async ({ newPage }) => {
  const chat = await world.newChat();
  await chat.patient.inbound("Can I call you tomorrow?");
  const page = await newPage();
  await world.open(page, chat.staffPath, chat.staffToken);
  const messages = page.getByTestId("timeline").getByTestId("message");
  await expectCount(messages, 1);

  const input = page.getByTestId("composer-input");
  await input.click();
  await page.keyboard.type("Tomorrow works.");
  await page.keyboard.press("Shift+Enter");
  await page.keyboard.type("Call after 9.");
  const text = "Tomorrow works.\nCall after 9.";
  assert.equal(await input.inputValue(), text, "Shift+Enter inserts a newline");
  await sleep(300);
  assert.equal((await chat.staff.all()).length, 1, "Shift+Enter sent nothing");
  assert.equal(await messages.count(), 1);

  // Hold the POST so the optimistic bubble can be seen before the server answers.
  const gate = await gateRequests(page, (url) => url.pathname.endsWith("/chat/outbound"));
  await page.keyboard.press("Enter");
  const mine = page.getByTestId("timeline").locator('[data-testid="message"][data-direction="outbound"]');
  await expectCount(mine, 1, { timeout: 2_000 });
  await expectAttr(mine, "data-status", "pending", { timeout: 2_000 });
  assert.equal(await mine.getByTestId("message-text").textContent(), text);
  assert.equal(await input.inputValue(), "", "the composer is cleared");
  await eventually(() => assert.equal(gate.pending, 1, "one POST in flight"));
  gate.release();
  await expectAttr(mine, "data-status", "sent");

  const stored = (await chat.staff.all()).filter((m) => m.sender.clientType !== "PATIENT");
  assert.equal(stored.length, 1, "exactly one message stored");
  assert.equal(stored[0].message, text, "stored with its newline, no trailing Enter");
  await expectAttr(mine, "data-external-id", stored[0].externalId);
  // The live echo of our own message must not add a second bubble.
  await sleep(1_000);
  assert.equal(await mine.count(), 1, "no duplicate bubble after the live event");
  assert.equal(gate.seen.length, 1, "one POST");

  // The send button works too.
  await input.fill("See you then.");
  await page.getByTestId("composer-send").click();
  await expectCount(mine, 2);
  await expectAttr(mine.nth(1), "data-status", "sent");
  await eventually(async () => assert.equal((await chat.staff.all()).length, 3));
});

world.test("a failed send is retried with the same Idempotency-Key and never duplicated", async ({ newPage }) => {
  const chat = await world.newChat();
  await chat.patient.inbound("Is the clinic open on Saturday?");
  const page = await newPage();
  await world.open(page, chat.staffPath, chat.staffToken);

  // Attempt 1 fails on the network (never reaches the server). Attempt 2 reaches the server and is
  // stored, but its answer is lost. Later attempts go through.
  const keys = [];
  await page.route(
    (url) => url.pathname.endsWith("/chat/outbound"),
    async (route) => {
      keys.push(route.request().headers()["idempotency-key"]);
      if (keys.length === 1) return route.abort("internetdisconnected");
      if (keys.length === 2) {
        await route.fetch();
        return route.abort("connectionreset");
      }
      return route.continue();
    },
  );
  await page.getByTestId("composer-input").fill("Yes, 9 to 12.");
  await page.keyboard.press("Enter");

  const mine = page.getByTestId("timeline").locator('[data-testid="message"][data-direction="outbound"]');
  await expectCount(mine, 1);
  await expectAttr(mine, "data-status", "failed");
  assert.equal((await chat.staff.all()).length, 1, "nothing stored yet");
  await mine.getByTestId("retry-send").click();

  // The stored message arrives live (the app may adopt it) or the send fails again: then retry once more.
  await eventually(async () => {
    const statuses = await mine.evaluateAll((els) => els.map((e) => e.getAttribute("data-status")));
    assert.ok(statuses.includes("failed") || (keys.length >= 2 && statuses.every((s) => s === "sent")), `statuses ${statuses}`);
  });
  const retry = page.getByTestId("retry-send");
  if ((await retry.count()) > 0) await retry.first().click();

  await eventually(async () => {
    const shown = (await readTimeline(page)).filter((m) => m.direction === "outbound");
    assert.deepEqual(shown.map((m) => [m.text, m.status]), [["Yes, 9 to 12.", "sent"]], "one bubble, sent");
  });
  const stored = (await chat.staff.all()).filter((m) => m.sender.clientType !== "PATIENT");
  assert.equal(stored.length, 1, "exactly one message stored");
  await expectAttr(mine, "data-external-id", stored[0].externalId);
  assert.ok(keys.length >= 2, "the send was retried");
  assert.ok(keys[0], "the send carries an Idempotency-Key");
  assert.ok(keys.every((k) => k === keys[0]), `every attempt carries the same Idempotency-Key: ${keys}`);
  await sleep(500);
  assert.equal(await mine.count(), 1, "still one bubble");
});

world.test("receives a patient message live, without a reload and without refetching the chat", async ({ newPage }) => {
  const chat = await world.newChat();
  await chat.staff.outbound("How did the new dose go?");
  const page = await newPage();
  const chatGets = [];
  page.on("request", (r) => {
    if (r.method() === "GET" && new URL(r.url()).pathname.endsWith("/chat")) chatGets.push(r.url());
  });
  let navigations = 0;
  page.on("framenavigated", (f) => {
    if (f === page.mainFrame()) navigations++;
  });
  await world.open(page, chat.staffPath, chat.staffToken);
  const messages = page.getByTestId("timeline").getByTestId("message");
  await expectCount(messages, 1);
  await page.evaluate(() => (window.__e2eMarker = "still here"));
  const initialGets = chatGets.length;
  const initialNavigations = navigations;
  assert.ok(initialGets >= 1, "the chat was fetched once at load");

  const posted = await chat.patient.inbound("Much better, thank you!");
  const live = page.getByTestId("timeline").locator(`[data-testid="message"][data-direction="inbound"]`);
  await expectCount(live, 1, { timeout: 5_000 });
  assert.equal(await live.getByTestId("message-text").textContent(), "Much better, thank you!");
  const id = posted.externalId ?? (await chat.staff.all()).at(-1).externalId;
  await expectAttr(live, "data-external-id", id);
  assert.deepEqual((await readTimeline(page)).map((m) => m.direction), ["outbound", "inbound"], "appended at the bottom");

  await sleep(500);
  assert.equal(chatGets.length, initialGets, `no GET .../chat after the initial load: ${chatGets.slice(initialGets)}`);
  assert.equal(navigations, initialNavigations, "no navigation");
  assert.equal(await page.evaluate(() => window.__e2eMarker), "still here", "no reload");
});

world.test("a message that looks like HTML is shown as text and never runs", async ({ newPage }) => {
  const payload = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`;
  const chat = await world.newChat();
  await chat.patient.inbound(payload);
  const page = await newPage();
  await world.open(page, chat.staffPath, chat.staffToken);
  const timeline = page.getByTestId("timeline");
  await expectCount(timeline.getByTestId("message"), 1);

  // And one arriving live, one sent from the composer.
  await chat.patient.inbound(`${payload} (live)`);
  await expectCount(timeline.getByTestId("message"), 2);
  await page.getByTestId("composer-input").fill("<b>bold?</b> <a href=javascript:alert(1)>x</a>");
  await page.keyboard.press("Enter");
  await expectCount(timeline.getByTestId("message"), 3);
  await expectAttr(timeline.getByTestId("message").nth(2), "data-status", "sent");

  const texts = await timeline.getByTestId("message-text").allTextContents();
  assert.deepEqual(texts, [payload, `${payload} (live)`, "<b>bold?</b> <a href=javascript:alert(1)>x</a>"]);
  assert.equal(await timeline.getByTestId("message-text").locator("img, script, b, a").count(), 0, "no elements from message text");
  assert.equal(await page.locator("img[src=x]").count(), 0);

  // Search hits render the text too.
  await page.getByTestId("search-input").fill("onerror");
  await page.getByTestId("search-input").press("Enter");
  await eventually(async () => assert.ok((await page.getByTestId("search-hit").count()) >= 2, "search hits shown"));
  assert.equal(await page.getByTestId("search-results").locator("img, script").count(), 0, "no elements in search hits");

  await sleep(300);
  assert.equal(await page.evaluate(() => typeof window.__pwned), "undefined", "window.__pwned was set: script ran");
});
