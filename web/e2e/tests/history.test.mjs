// Older messages and search: loading older pages in place with the scroll position kept, and
// jumping to a search hit with its neighbours, from where the user can go both ways.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { World, eventually, expectAttr, gateRequests, isOnScreen, readTimeline, scrollerHandle, seqOf, sleep } from "../harness.mjs";

const world = new World();
before(() => world.setup());
after(() => world.teardown());

const pad = (n) => String(n).padStart(2, "0");

/** Sixty messages, alternating patient and staff, "Message 01" oldest; all read by staff. */
async function seedSixty(chat, textOf = (i) => `Message ${pad(i)}: routine note`) {
  for (let i = 1; i <= 60; i++) {
    if (i % 2) await chat.patient.inbound(textOf(i));
    else await chat.staff.outbound(textOf(i));
  }
  await chat.staff.markRead();
  const stored = await chat.staff.all();
  assert.equal(stored.length, 60);
  return stored;
}

/** The shown messages must be one run of consecutive seeded messages, each once. */
function assertContiguous(shown, what) {
  const seqs = shown.map((m) => seqOf(m.text));
  const ids = shown.map((m) => m.externalId);
  assert.equal(new Set(ids).size, ids.length, `${what}: duplicate data-external-id in ${ids}`);
  for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1, `${what}: not one ordered run: ${seqs.join(",")}`);
  return seqs;
}

/** Two animation frames: whatever the app does after inserting nodes has been laid out. */
const settle = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

world.test("load older prepends the next page in place, keeping the scroll position, without duplicates", async ({ newPage }) => {
  const chat = await world.newChat();
  const stored = await seedSixty(chat);
  const page = await newPage();
  await world.open(page, chat.staffPath, chat.staffToken);
  const timeline = page.getByTestId("timeline");
  const byId = (id) => timeline.locator(`[data-testid="message"][data-external-id="${id}"]`);

  let shown;
  await eventually(async () => {
    shown = await readTimeline(page);
    assert.ok(shown.length > 0);
  });
  let seqs = assertContiguous(shown, "first page");
  assert.equal(seqs.at(-1), 60, "opens at the newest message");
  assert.ok(shown.length < 60, `the first page is a page, not all ${shown.length} messages`);
  assert.ok(await isOnScreen(byId(stored.at(-1).externalId)), "the newest message is on screen");

  // 1. Scrolling to the top loads the next page. Hold the request to see the position just before it lands.
  const gate = await gateRequests(page, (url) => url.pathname.endsWith("/chat"));
  const scroller = await scrollerHandle(page);
  const top = byId(shown[0].externalId);
  await scroller.evaluate((el) => {
    el.scrollTop = 0;
  });
  await eventually(() => assert.equal(gate.pending, 1, "scrolling to the top asks for the next older page"));
  await settle(page);
  const yBefore = (await top.boundingBox()).y;
  const countBefore = shown.length;
  gate.releaseHeld();
  await eventually(async () => assert.ok((await readTimeline(page)).length > countBefore, "older messages were added"));
  await settle(page);
  const yAfter = (await top.boundingBox()).y;
  assert.ok(Math.abs(yAfter - yBefore) <= 2, `the previous top message moved from y=${yBefore} to y=${yAfter}`);
  await sleep(300);
  assert.ok(Math.abs((await top.boundingBox()).y - yBefore) <= 2, "and stays there");
  shown = await readTimeline(page);
  seqs = assertContiguous(shown, "after scrolling to the top");
  assert.equal(seqs.at(-1), 60);
  assert.ok(seqs[0] < seqOf(await top.getByTestId("message-text").textContent()), "older messages prepended above");

  // 2. The load-older button (clicked where it is: reaching it by scrolling would load by itself);
  //    what the user is reading (the first message on screen) stays in place, and a message
  //    arriving meanwhile is neither lost nor doubled.
  const loadOlder = page.getByTestId("load-older");
  const firstOnScreen = await scroller.evaluate((el) => {
    const top = el.getBoundingClientRect().top;
    return [...el.querySelectorAll('[data-testid="message"]')].find((m) => m.getBoundingClientRect().bottom > top)?.getAttribute("data-external-id");
  });
  const top2 = byId(firstOnScreen);
  await expectAttr(loadOlder, "disabled", null);
  await loadOlder.evaluate((b) => b.click());
  await eventually(() => assert.equal(gate.pending, 1, "load-older asks for the next older page"));
  await chat.patient.inbound("Message 61: arrived while loading");
  await settle(page);
  const y2Before = (await top2.boundingBox()).y;
  const count2 = shown.length;
  gate.releaseHeld();
  await eventually(async () => assert.ok((await readTimeline(page)).length > count2 + 1, "older page and the new message were added"));
  await settle(page);
  const y2After = (await top2.boundingBox()).y;
  const reachedFirst = seqOf((await readTimeline(page))[0].text) === 1;
  const buttonShown = await loadOlder.isVisible();
  assert.ok(
    Math.abs(y2After - y2Before) <= 2,
    `load-older: the first message on screen moved from y=${y2Before} to y=${y2After}` +
      ` (this page reached the first message: ${reachedFirst}; load-older still visible: ${buttonShown})`,
  );
  seqs = assertContiguous(await readTimeline(page), "after load-older and a live message");
  assert.equal(seqs.at(-1), 61, "the live message at the bottom");

  // 3. Everything, in order, once.
  gate.release();
  await loadAllOlder(page);
  shown = await readTimeline(page);
  seqs = assertContiguous(shown, "all loaded");
  assert.deepEqual([seqs[0], seqs.at(-1), seqs.length], [1, 61, 61], "messages 1..61, each once");
  assert.ok(!(await loadOlder.isVisible()) || (await loadOlder.isDisabled()), "no more load-older at the beginning");
});

/** Scrolls to the top until the first seeded message is shown. */
async function loadAllOlder(page) {
  const scroller = await scrollerHandle(page);
  for (let i = 0; i < 10 && seqOf((await readTimeline(page))[0].text) !== 1; i++) {
    const n = (await readTimeline(page)).length;
    await scroller.evaluate((el) => {
      el.scrollTop = 0;
    });
    await eventually(async () => assert.ok((await readTimeline(page)).length > n, "scrolling to the top added older messages"));
  }
  assert.equal(seqOf((await readTimeline(page))[0].text), 1, "reached the first message");
}

world.test("search jumps to a hit with its neighbours, highlighted, and the user can go both ways from there", async ({ newPage }) => {
  const chat = await world.newChat();
  const stored = await seedSixty(chat, (i) => (i === 10 ? `Message 10: the zebra crossing by the clinic` : `Message ${pad(i)}: routine note`));
  const target = stored[9];
  const page = await newPage();
  await world.open(page, chat.staffPath, chat.staffToken);
  const timeline = page.getByTestId("timeline");
  const byId = (id) => timeline.locator(`[data-testid="message"][data-external-id="${id}"]`);
  await eventually(async () => assert.equal(seqOf((await readTimeline(page)).at(-1)?.text), 60));
  assert.equal(await byId(target.externalId).count(), 0, "the hit is not loaded yet");

  const search = page.getByTestId("search-input");
  await search.fill("ZEBRA");
  await search.press("Enter");
  const hits = page.getByTestId("search-results").getByTestId("search-hit");
  await eventually(async () => assert.equal(await hits.count(), 1, "one hit"));
  await expectAttr(hits, "data-external-id", target.externalId);
  assert.match(await hits.textContent(), /zebra crossing/);
  await hits.click();

  const hit = byId(target.externalId);
  await eventually(async () => assert.equal(await hit.count(), 1, "the hit is in the timeline"));
  await expectAttr(hit, "data-highlighted", "true");
  await eventually(async () => assert.ok(await isOnScreen(hit), "the hit is on screen"));
  assert.equal(await timeline.locator('[data-highlighted="true"]').count(), 1, "only the hit is highlighted");
  let shown = await readTimeline(page);
  let seqs = assertContiguous(shown, "around the hit");
  assert.ok(seqs.includes(9) && seqs.includes(11), `neighbours 9 and 11 shown: ${seqs}`);

  // Older: up to the first message.
  await loadAllOlder(page);

  // Newer: scroll to the bottom until the newest message.
  const scroller = await scrollerHandle(page);
  for (let i = 0; i < 10 && seqOf((await readTimeline(page)).at(-1).text) !== 60; i++) {
    const n = (await readTimeline(page)).length;
    await scroller.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await eventually(async () => assert.ok((await readTimeline(page)).length > n, "scrolling down added newer messages")).catch(() => {});
  }
  shown = await readTimeline(page);
  seqs = assertContiguous(shown, "after going both ways");
  assert.deepEqual([seqs[0], seqs.at(-1)], [1, 60], "all of 1..60 reachable from the hit");

  // A live message goes to the bottom (the timeline is back at the newest).
  await chat.patient.inbound("Message 61: after the search");
  await eventually(async () => assert.equal(seqOf((await readTimeline(page)).at(-1).text), 61));
  assertContiguous(await readTimeline(page), "after a live message");
});
