import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFragment, resolveToken, tokenStorageKey } from "./auth.js";

class MemoryStore {
  m = new Map<string, string>();
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
}

const path = "/app/gh/sb-demo/patient/p1";

test("fragment parsing", () => {
  assert.deepEqual(parseFragment("#token=cc_abc"), { token: "cc_abc", rest: "" });
  assert.deepEqual(parseFragment("#a=1&token=cc%5Fx&b"), { token: "cc_x", rest: "a=1&b" });
  assert.deepEqual(parseFragment(""), { token: null, rest: "" });
  assert.deepEqual(parseFragment("#token="), { token: null, rest: "" });
});

test("a token in the fragment is stored under the path and removed from the URL", () => {
  const s = new MemoryStore();
  const r = resolveToken({ pathname: path, search: "?show=patient", hash: "#token=cc_abc" }, s);
  assert.equal(r.token, "cc_abc");
  assert.equal(r.replaceUrl, path + "?show=patient");
  assert.equal(s.getItem(tokenStorageKey(path)), "cc_abc");
});

test("without a fragment the stored token is used (a reload), per path", () => {
  const s = new MemoryStore();
  s.setItem(tokenStorageKey(path), "cc_saved");
  assert.deepEqual(resolveToken({ pathname: path, search: "", hash: "" }, s), { token: "cc_saved", replaceUrl: null });
  assert.equal(resolveToken({ pathname: "/portal/gh/sb-demo/patient/p1", search: "", hash: "" }, s).token, null);
});

test("a new token in the fragment replaces the stored one; junk is refused", () => {
  const s = new MemoryStore();
  s.setItem(tokenStorageKey(path), "cc_old");
  assert.equal(resolveToken({ pathname: path, search: "", hash: "#token=cc_new" }, s).token, "cc_new");
  assert.equal(s.getItem(tokenStorageKey(path)), "cc_new");
  const bad = resolveToken({ pathname: path, search: "", hash: "#token=has%20space" }, new MemoryStore());
  assert.equal(bad.token, null);
  assert.equal(bad.replaceUrl, path);
});

test("works without storage", () => {
  assert.equal(resolveToken({ pathname: path, search: "", hash: "#token=cc_x" }, null).token, "cc_x");
});
