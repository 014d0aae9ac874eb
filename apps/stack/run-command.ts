import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface RunOptions {
  cwd: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

/** Lines of the step's own output quoted in its error: where the log is gone (a CI machine), the cause is not. */
const QUOTED_LINES = 15;

/**
 * Runs an install step to completion, its output appended to a log file; an error names the log
 * and quotes the end of what this step wrote to it.
 */
export function runToLog(command: string, args: string[], options: RunOptions): Promise<void> {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  fs.mkdirSync(options.cwd, { recursive: true });
  const log = fs.openSync(options.logFile, "a");
  fs.writeSync(log, `\n$ ${command} ${args.join(" ")}\n`);
  const start = fs.fstatSync(log).size;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", log, log],
    });
    child.on("error", (error) => {
      fs.closeSync(log);
      reject(new Error(`could not run ${command}: ${error.message}`));
    });
    child.on("exit", (code, signal) => {
      fs.closeSync(log);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${command} ${args[0] ?? ""} failed (${signal ?? `exit ${code}`}): see ${options.logFile}${quoteTail(options.logFile, start)}`,
          ),
        );
    });
  });
}

/** The last lines written to `file` from byte `start` on, indented, or "" if there are none. */
function quoteTail(file: string, start: number): string {
  try {
    const lines = fs
      .readFileSync(file)
      .subarray(start)
      .toString("utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .slice(-QUOTED_LINES)
      .map((line) => `  ${line.slice(0, 300)}`);
    return lines.length > 0 ? `; its last lines:\n${lines.join("\n")}` : "";
  } catch {
    return "";
  }
}
