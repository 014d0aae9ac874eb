// Builds the web console (apps/console) into dist/console/: type-checks it (its own tsconfig, DOM
// types), bundles it with esbuild, and copies its page and styles. Run by scripts/bootstrap.mjs
// after the server code is compiled, so `npm test`, `npm run demo` and the API serve a fresh one.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "apps", "console");
const out = join(root, "dist", "console");

execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", join(source, "tsconfig.json")], {
  stdio: "inherit",
});
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(source, "src", "main.tsx")],
  outfile: join(out, "app.js"),
  bundle: true,
  format: "esm",
  minify: true,
  sourcemap: true,
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  logLevel: "warning",
});
for (const file of ["index.html", "console.css"]) copyFileSync(join(source, file), join(out, file));
