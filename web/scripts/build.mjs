// Builds the app into dist/: index.html, assets/app.js (one ES module bundle), assets/app.css and
// the icon. No inline scripts or styles anywhere (the server's CSP allows only 'self').
//   node scripts/build.mjs          production build (minified)
//   node scripts/build.mjs --dev    readable, with inline source maps
import { build } from "esbuild";
import { cp, mkdir, readdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(web, "dist");
const dev = process.argv.includes("--dev");
const target = ["es2020", "chrome100", "firefox100", "safari15.4"];

await rm(dist, { recursive: true, force: true });
await mkdir(join(dist, "assets"), { recursive: true });

await build({
  entryPoints: { app: join(web, "src/main.ts"), "app-css": join(web, "src/styles/app.css") },
  bundle: true,
  outdir: join(dist, "assets"),
  entryNames: "[name]",
  format: "esm",
  platform: "browser",
  target,
  minify: !dev,
  sourcemap: dev ? "inline" : false,
  legalComments: "none",
  charset: "utf8",
  logLevel: "warning",
});
// esbuild names a CSS entry after its key: rename app-css.css to app.css.
await cp(join(dist, "assets/app-css.css"), join(dist, "assets/app.css"));
await rm(join(dist, "assets/app-css.css"));
await rm(join(dist, "assets/app-css.js"), { force: true });

await cp(join(web, "index.html"), join(dist, "index.html"));
for (const f of await readdir(join(web, "public"))) await cp(join(web, "public", f), join(dist, "assets", f));

const files = await readdir(join(dist, "assets"));
console.log(`built ${dev ? "(dev) " : ""}dist/index.html, dist/assets/{${files.sort().join(",")}}`);
