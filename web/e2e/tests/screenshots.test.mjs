// Screenshots of the staff pane and the patient view at chart-pane size (420x800), with a short,
// realistic conversation, and of the staff pane with attachments (a photo, a PDF, a file in the
// composer). Always written to build-e2e/screenshots/; with
// CARECHAT_E2E_UPDATE_SCREENSHOTS=1 (web/e2e/run.sh --update-screenshots) also to docs/screenshots/,
// the pictures the README shows.
import assert from "node:assert/strict";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before } from "node:test";
import { ChatApi, World, artifactsDir, eventually, expectAttr, expectCount, repoRoot, sleep } from "../harness.mjs";
import { pdfBytes, photoPng } from "../files.mjs";

const world = new World();
before(() => world.setup());
after(() => world.teardown());

const outDir = join(artifactsDir, "screenshots");
const docsDir = join(repoRoot, "docs/screenshots");
const update = process.env.CARECHAT_E2E_UPDATE_SCREENSHOTS === "1";

async function shoot(page, name) {
  await page.evaluate(() => document.fonts.ready);
  await sleep(200);
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, name);
  await page.screenshot({ path: file, animations: "disabled", caret: "hide" });
  if (update) {
    await mkdir(docsDir, { recursive: true });
    await copyFile(file, join(docsDir, name));
  }
  return file;
}

world.test("screenshots: staff pane with an unread divider, and the patient view", async ({ t, newPage }) => {
  const chat = await world.newChat();
  const nurse = { id: "u-2", titleName: "Dana Whitfield" };
  const client = new ChatApi(world.server, chat.patientId, world.clientToken); // an integration, naming the nurse
  await chat.patient.inbound("Hi, I picked up the new blood pressure prescription. Should I take it in the morning or at night?");
  await chat.staff.outbound("Good question! Take it in the morning with breakfast.");
  await client.outbound("If you feel dizzy when you stand up, sit down for a moment and let us know.", nurse);
  await chat.staff.markRead();
  await chat.patient.markRead(); // the patient has read the replies: read receipts show
  await chat.patient.inbound("Thanks! One more thing: can I still take ibuprofen for my knee?");
  await chat.patient.inbound("About 400 mg, twice a week.");

  const staff = await newPage();
  await world.open(staff, chat.staffPath, chat.staffToken);
  await expectCount(staff.getByTestId("message"), 5);
  await expectCount(staff.getByTestId("unread-divider"), 1);
  await eventually(async () => assert.equal((await staff.getByTestId("unread-badge").textContent()).trim(), "2"));
  await staff.getByTestId("composer-input").fill("Let me check with Dr. Patel and get back to you today.");
  const staffFile = await shoot(staff, "staff-pane.png");

  const patient = await newPage();
  await world.open(patient, chat.portalPath, chat.patientToken);
  await expectCount(patient.getByTestId("message"), 5);
  await expectAttr(patient.getByTestId("app"), "data-mode", "patient");
  await patient.getByTestId("composer-input").fill("Thank you!");
  const patientFile = await shoot(patient, "patient-view.png");
  t.diagnostic(`screenshots: ${staffFile}, ${patientFile}${update ? ` (copied to ${docsDir})` : ""}`);
});

world.test("screenshots: staff pane with a photo and a PDF from the patient", async ({ t, newPage }) => {
  const chat = await world.newChat();
  await chat.patient.inbound("The rash on my arm came back after I stopped the cream.");
  await chat.staff.outbound("Sorry to hear that. Could you send a photo, and the lab report from the other clinic?");
  const photo = await chat.patient.upload("rash-left-arm.png", "image/png", photoPng(480, 360));
  const report = await chat.patient.upload("Lab report 2024-05-14.pdf", "application/pdf", pdfBytes("Lab report"));
  await chat.patient.inbound("Here it is this morning, and the report.", { attachmentIds: [photo.id, report.id] });
  await chat.staff.markRead();

  const staff = await newPage();
  await world.open(staff, chat.staffPath, chat.staffToken);
  await expectCount(staff.getByTestId("message"), 3);
  const thumb = staff.getByTestId("attachment-image");
  await eventually(async () => assert.ok(await thumb.evaluate((el) => (el.querySelector("img")?.naturalWidth ?? 0) > 0), "the thumbnail is shown"));
  await expectCount(staff.getByTestId("attachment-file"), 1);
  // A reply being written, with a file of its own already uploaded.
  await staff.getByTestId("composer-file-input").setInputFiles([{ name: "Eczema care plan.pdf", mimeType: "application/pdf", buffer: pdfBytes("Care plan") }]);
  await expectAttr(staff.getByTestId("upload"), "data-state", "done");
  await staff.getByTestId("composer-input").fill("Thank you. It looks like eczema again: here is the care plan.");
  const file = await shoot(staff, "staff-attachments.png");
  t.diagnostic(`screenshot: ${file}${update ? ` (copied to ${docsDir})` : ""}`);
});
