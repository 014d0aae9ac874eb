import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runToLog } from "./run-command";

describe("runToLog", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "run-to-log-"));
  const logFile = path.join(dir, "step.log");

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("appends the step's output to the log and resolves when it succeeds", async () => {
    await runToLog("sh", ["-c", "echo fine"], { cwd: dir, logFile });
    expect(fs.readFileSync(logFile, "utf8")).toContain("fine");
  });

  it("names the log and quotes the failed step's own last lines, not earlier steps'", async () => {
    const error = await runToLog("sh", ["-c", "echo first; echo 'the real cause' >&2; exit 3"], {
      cwd: dir,
      logFile,
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`failed (exit 3): see ${logFile}`);
    expect(message).toContain("  the real cause");
    expect(message).not.toContain("fine");
  });
});
