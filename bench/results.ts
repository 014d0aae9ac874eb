import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { findProjectRoot } from "../src/project-root";

/** Writes a benchmark's report as bench/results/<name>-<report.at to the second>.json; returns the path. */
export function writeBenchResult(name: string, report: { at: string }): string {
  const dir = path.join(findProjectRoot(), "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${report.at.replaceAll(":", "-").slice(0, 19)}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
