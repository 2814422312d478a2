import { test } from "node:test";
import assert from "node:assert/strict";
import { reconnectDelay } from "./backoff.js";

test("delays grow exponentially within their jitter range and cap at 10 s", () => {
  const lo = () => 0;
  const hi = () => 0.999999;
  assert.equal(reconnectDelay(0, lo), 250);
  assert.equal(reconnectDelay(0, hi), 500);
  assert.equal(reconnectDelay(1, lo), 500);
  assert.equal(reconnectDelay(3, hi), 4000);
  assert.equal(reconnectDelay(5, hi), 10000);
  assert.equal(reconnectDelay(50, hi), 10000);
  assert.equal(reconnectDelay(50, lo), 5000);
  for (let a = 0; a < 20; a++) {
    const d = reconnectDelay(a, Math.random);
    assert.ok(d >= 250 && d <= 10000, `attempt ${a}: ${d}`);
  }
});

test("jitter spreads clients apart", () => {
  const seen = new Set<number>();
  for (let i = 0; i < 50; i++) seen.add(reconnectDelay(4, Math.random));
  assert.ok(seen.size > 10);
});
