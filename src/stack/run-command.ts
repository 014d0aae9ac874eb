import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface RunOptions {
  cwd: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs an install step to completion, its output appended to a log file named in any error. */
export function runToLog(command: string, args: string[], options: RunOptions): Promise<void> {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  fs.mkdirSync(options.cwd, { recursive: true });
  const log = fs.openSync(options.logFile, "a");
  fs.writeSync(log, `\n$ ${command} ${args.join(" ")}\n`);
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
            `${command} ${args[0] ?? ""} failed (${signal ?? `exit ${code}`}): see ${options.logFile}`,
          ),
        );
    });
  });
}
