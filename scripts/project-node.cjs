// The Node.js release the project runs on, and how a process gets onto it. The machines this
// project is set up on may ship an older Node.js. Then scripts/bootstrap.mjs installs this release
// from the npm registry (the official binary, packaged as node-<platform>-<arch>) into
// .stack/node/, and every entry point re-runs itself there.
// Plain CommonJS with no dependencies: it runs before anything is installed, and under any Node.
"use strict";
const { spawn } = require("node:child_process");
const { existsSync } = require("node:fs");
const path = require("node:path");

/**
 * Node 24 is the active LTS: the project is developed, tested and benchmarked on it. (As a library
 * it supports 22 and later: package.json engines.)
 */
const NODE_VERSION = "24.22.3";
const RUNTIME_MAJOR = 24;

const root = path.join(__dirname, "..");
const nodeHome = path.join(root, ".stack", "node", NODE_VERSION);
const nodeBin = path.join(nodeHome, "bin");

const majorOf = (version) => Number(version.split(".")[0]);

/** True when this process already runs on the project's Node.js major (or a newer one). */
function onProjectRuntime() {
  return majorOf(process.versions.node) >= RUNTIME_MAJOR;
}

/** The environment with the project's Node first on PATH, so child `node` and `npm` use it too. */
function projectNodeEnv(env = process.env) {
  return { ...env, PATH: `${nodeBin}${path.delimiter}${env.PATH ?? ""}` };
}

/**
 * Runs `command args` as a child on the project's Node, forwards SIGTERM and SIGINT, and exits
 * with the child's status: the caller goes no further.
 */
function runOnProjectNode(command, args, env = projectNodeEnv()) {
  const child = spawn(command, args, { stdio: "inherit", env });
  // A terminal's Ctrl-C reaches the whole process group, the child included; a SIGTERM sent to
  // this process alone is passed on. Either way the child decides when it is done.
  process.on("SIGINT", () => undefined);
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  child.on("error", (error) => {
    process.stderr.write(`cannot start ${command}: ${error.message}\n`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}

/**
 * For entry points (bin/eventstreams.js): when this Node is too old and the project's Node is
 * installed, re-runs the same script there and returns true; otherwise returns false.
 */
function reexecOnProjectNode() {
  if (onProjectRuntime() || !existsSync(path.join(nodeBin, "node"))) return false;
  runOnProjectNode(path.join(nodeBin, "node"), process.argv.slice(1));
  return true;
}

module.exports = {
  NODE_VERSION,
  RUNTIME_MAJOR,
  nodeHome,
  nodeBin,
  onProjectRuntime,
  projectNodeEnv,
  runOnProjectNode,
  reexecOnProjectNode,
};
