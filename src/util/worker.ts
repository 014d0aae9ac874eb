import * as path from "node:path";
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * A worker thread on `file`, compiled JavaScript or, run from the TypeScript sources (tests, tsx),
 * TypeScript: Node's `--import tsx` does not reach worker threads, so the thread registers tsx
 * itself before it loads the file.
 */
export function startWorker(file: string, options: WorkerOptions = {}): Worker {
  if (path.extname(file) !== ".ts") return new Worker(file, options);
  const code = `require(${JSON.stringify(require.resolve("tsx/cjs"))}); require(${JSON.stringify(file)});`;
  return new Worker(code, { ...options, eval: true });
}
