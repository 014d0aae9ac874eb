// Makes a fresh clone runnable with nothing installed by hand. It puts the process on the project's
// Node.js (installed from the npm registry when the machine's is older), installs the locked
// dependencies when they are missing or stale, and compiles TypeScript (incrementally). With
// `--run COMMAND ARGS...` it then runs that command on the same Node: this is how `npm test`,
// `npm run demo` and the benchmarks get Node 24 on a machine that ships Node 20.
// Plain JavaScript with no dependencies, because it runs before any are installed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const { NODE_VERSION, RUNTIME_MAJOR, nodeHome, onProjectRuntime, projectNodeEnv, runOnProjectNode } =
  require("./project-node.cjs");

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const say = (line) => process.stderr.write(`[bootstrap] ${line}\n`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.status !== 0) {
    say(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
  return result;
}

/** The official binary, as the npm registry serves it (npm checks the tarball's integrity). */
function installProjectNode() {
  const pkg = `node-${process.platform}-${process.arch}@${NODE_VERSION}`;
  say(`installing Node.js ${NODE_VERSION} (${pkg}) from the npm registry into .stack/node/`);
  const download = mkdtempSync(join(tmpdir(), "eventstreams-node-"));
  const staging = `${nodeHome}.partial`;
  try {
    run("npm", ["pack", pkg, "--pack-destination", download, "--silent"], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    const tarball = readdirSync(download).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack ${pkg} wrote no tarball`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    run("tar", ["xzf", join(download, tarball), "-C", staging, "--strip-components=1"]);
    const version = spawnSync(join(staging, "bin", "node"), ["--version"], {
      encoding: "utf8",
    }).stdout?.trim();
    if (version !== `v${NODE_VERSION}`) {
      throw new Error(`the installed node reports ${version || "nothing"}, not v${NODE_VERSION}`);
    }
    renameSync(staging, nodeHome);
  } catch (error) {
    say(
      `could not install Node.js ${NODE_VERSION}: ${error.message}. Install Node.js ${RUNTIME_MAJOR} yourself (https://nodejs.org) and run again.`,
    );
    process.exit(1);
  } finally {
    rmSync(download, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}

const runAt = process.argv.indexOf("--run");
const command = runAt > 0 ? process.argv.slice(runAt + 1) : [];

if (!onProjectRuntime()) {
  if (!existsSync(join(nodeHome, "bin", "node"))) installProjectNode();
  say(
    `Node.js ${process.versions.node} here is older than ${RUNTIME_MAJOR}: using Node.js ${NODE_VERSION} from .stack/node/`,
  );
  runOnProjectNode(join(nodeHome, "bin", "node"), [fileURLToPath(import.meta.url), ...process.argv.slice(2)]);
} else {
  const installed = join(root, "node_modules", ".package-lock.json");
  const stale =
    !existsSync(installed) || statSync(installed).mtimeMs < statSync(join(root, "package-lock.json")).mtimeMs;
  if (stale) {
    say("installing dependencies from package-lock.json (npm ci)");
    run("npm", ["ci", "--no-audit", "--no-fund"]);
  }
  run(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"]);
  run(process.execPath, [join(root, "scripts", "build-console.mjs")]);
  if (command.length > 0) {
    // node_modules/.bin first, as npm scripts have it, then the project's Node.
    const env = projectNodeEnv();
    env.PATH = `${join(root, "node_modules", ".bin")}:${env.PATH}`;
    const [bin, ...args] = command;
    runOnProjectNode(bin, args, env);
  }
}
