import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError } from "../api.js";
import { installDom, ManualFrames } from "../test_dom.js";
import { AlertsController } from "./alerts.js";

installDom();

function harness() {
  const frames = new ManualFrames();
  let fatal = 0;
  const a = new AlertsController({ frame: frames.frame, onFatal: () => fatal++ });
  const text = () => a.banner.querySelector(".banner__text")!.textContent;
  const [action, close] = [...a.banner.querySelectorAll("button")] as [HTMLButtonElement, HTMLButtonElement];
  return { a, frames, text, action, close, fatal: () => fatal };
}

test("an error with context shows it with the server's message and a working action", () => {
  const h = harness();
  let runs = 0;
  h.a.handle(new ApiError(500, "internal", "Boom."), "The messages could not be loaded.", { label: "Retry", run: () => runs++ });
  assert.equal(h.a.banner.hidden, false);
  assert.equal(h.a.banner.getAttribute("role"), "alert");
  assert.equal(h.text(), "The messages could not be loaded. Boom.");
  assert.equal(h.action.hidden, false);
  assert.equal(h.action.textContent, "Retry");
  h.action.click();
  assert.equal(runs, 1);
  assert.equal(h.a.banner.hidden, true, "the action dismisses the banner first");
});

test("background errors (no context) show only auth failures; 403 is shown without action", () => {
  const h = harness();
  h.a.handle(new ApiError(0, "network", "x"), null, null);
  assert.equal(h.a.banner.hidden, true);
  h.a.handle(new ApiError(403, "forbidden", "x"), null, null);
  assert.equal(h.text(), "You do not have access to this chat.");
  assert.equal(h.action.hidden, true);
  h.close.click();
  assert.equal(h.a.banner.hidden, true);
  assert.equal(h.fatal(), 0);
});

test("401 is fatal: the app stops and the banner can no longer be dismissed", () => {
  const h = harness();
  h.a.handle(new ApiError(401, "unauthorized", "x"), null, null);
  assert.equal(h.fatal(), 1);
  assert.equal(h.a.fatal, true);
  assert.match(h.text() ?? "", /access has expired/);
  h.close.click();
  h.a.hide();
  assert.equal(h.a.banner.hidden, false);
});

test("a non-API error says something went wrong", () => {
  const h = harness();
  h.a.handle(new TypeError("x"), "Older messages could not be loaded.", null);
  assert.equal(h.text(), "Older messages could not be loaded. Something went wrong.");
});

test("announcements are set on the next frame, so repeats are spoken again", () => {
  const h = harness();
  h.a.announce("Hello");
  assert.equal(h.a.announcer.textContent, "");
  h.frames.flush();
  assert.equal(h.a.announcer.textContent, "Hello");
  h.a.announce("Hello");
  assert.equal(h.a.announcer.textContent, "", "cleared first");
  h.frames.flush();
  assert.equal(h.a.announcer.textContent, "Hello");
  assert.equal(h.a.announcer.getAttribute("aria-live"), "polite");
});
