#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the prepare script) or by
// scripts/bootstrap.mjs. On a machine whose Node.js is older than the project's, it re-runs itself
// on the project's Node (installed by the bootstrap into .stack/node/).
if (!require("../scripts/project-node.cjs").reexecOnProjectNode()) {
  require("../dist/apps/cli/main.js").main(process.argv);
}
