// Makes a fresh clone runnable with nothing installed by hand: checks Node, installs the locked
// dependencies when they are missing or stale, and compiles TypeScript (incrementally).
// Plain JavaScript with no dependencies, because it runs before any are installed.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const say = (line) => process.stderr.write(`[bootstrap] ${line}\n`);

const major = Number(process.versions.node.split(".")[0]);
if (major < 20) {
  say(
    `Node.js ${process.versions.node} is too old: install Node.js 20 (https://nodejs.org or your package manager)`,
  );
  process.exit(1);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    say(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

const installed = join(root, "node_modules", ".package-lock.json");
const stale =
  !existsSync(installed) || statSync(installed).mtimeMs < statSync(join(root, "package-lock.json")).mtimeMs;
if (stale) {
  say("installing dependencies from package-lock.json (npm ci)");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}
run(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"]);
