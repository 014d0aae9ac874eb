import * as fs from "node:fs";
import * as path from "node:path";

const PACKAGE_NAME = "live-event-streams";

/** The checkout this code runs from, whether from src/ (ts) or dist/src/ (compiled). */
export function findProjectRoot(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      const { name } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string };
      if (name === PACKAGE_NAME) return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} checkout above ${start}`);
    dir = parent;
  }
}
