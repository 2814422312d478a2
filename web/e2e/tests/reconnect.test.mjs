// The live connection across a server restart: "Reconnecting..." while the server is down, then
// the messages written after the restart appear in order, each once.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { World, eventually, expectAttr, expectCount, readTimeline, sleep } from "../harness.mjs";

const world = new World();
before(() => world.setup());
after(() => world.teardown());

world.test("reconnects after the server restarts and shows what was written meanwhile, in order", async ({ t, newPage }) => {
  const chat = await world.newChat();
  await chat.staff.outbound("Before the restart");
  const page = await newPage();
  const sockets = [];
  page.on("websocket", (ws) => sockets.push({ url: ws.url(), at: Date.now() }));
  await world.open(page, chat.staffPath, chat.staffToken);
  const timeline = page.getByTestId("timeline");
  await expectCount(timeline.getByTestId("message"), 1);
  await chat.patient.inbound("Live before the restart");
  await expectCount(timeline.getByTestId("message"), 2);

  const status = page.getByTestId("connection-status");
  await world.server.stop();
  await expectAttr(status, "data-state", "reconnecting", { timeout: 10_000 });
  assert.match(await status.textContent(), /Reconnecting\.\.\.|Reconnecting…/);
  assert.ok(await status.isVisible(), "the reconnecting state is visible");
  await sleep(1_500);
  assert.equal(await status.getAttribute("data-state"), "reconnecting", "still reconnecting while the server is down");

  await world.server.start();
  const restartedAt = Date.now();
  const after = ["After the restart 1", "After the restart 2", "After the restart 3"];
  for (const text of after) await chat.patient.inbound(text);
  const postedAt = Date.now();
  await chat.staff.outbound("After the restart 4 (staff)");

  await expectAttr(status, "data-state", "live", { timeout: 30_000 });
  await eventually(
    async () =>
      assert.deepEqual(
        (await readTimeline(page)).map((m) => m.text),
        ["Before the restart", "Live before the restart", ...after, "After the restart 4 (staff)"],
      ),
    { timeout: 10_000 },
  );
  const shown = await readTimeline(page);
  const stored = await chat.staff.all();
  assert.deepEqual(shown.map((m) => m.externalId), stored.map((m) => m.externalId), "the stored messages, in order, each once");
  const reconnect = sockets.find((s) => s.at >= restartedAt);
  t.diagnostic(
    `sockets opened: ${sockets.length}; first after the restart ${reconnect ? reconnect.at - restartedAt : "?"} ms after it` +
      ` (messages were posted ${postedAt - restartedAt} ms after it, so they were ${reconnect && reconnect.at > postedAt ? "missed and replayed" : "possibly live"})`,
  );

  // And live again afterwards.
  await chat.patient.inbound("Live after the restart");
  await eventually(async () => assert.equal((await readTimeline(page)).at(-1).text, "Live after the restart"));
  assert.equal(new Set((await readTimeline(page)).map((m) => m.externalId)).size, 7, "no duplicates");
});
