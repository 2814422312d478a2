// Runs the unit tests: compiles every src/**/*.test.ts with esbuild into .test-build/ (one bundle
// each, for Node), then runs them with Node's built-in test runner. No test framework to install.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { readdir, rm } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(web, ".test-build");

async function findTests(dir) {
  const found = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) found.push(...(await findTests(p)));
    else if (e.name.endsWith(".test.ts")) found.push(p);
  }
  return found;
}

const tests = (await findTests(join(web, "src"))).sort();
await rm(out, { recursive: true, force: true });
await build({
  entryPoints: tests,
  bundle: true,
  outdir: out,
  outbase: join(web, "src"),
  outExtension: { ".js": ".mjs" },
  format: "esm",
  platform: "node",
  target: "node18",
  sourcemap: "inline",
  packages: "external",
  logLevel: "warning",
});
const compiled = tests.map((t) => join(out, relative(join(web, "src"), t)).replace(/\.ts$/, ".mjs"));
const args = ["--test", "--test-reporter=spec", ...compiled];
const r = spawnSync(process.execPath, args, { stdio: "inherit", env: { ...process.env, TZ: "UTC" } });
process.exit(r.status ?? 1);
