import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { findProjectRoot } from "../../src/project-root";
import { stackSettings } from "../../src/stack/settings";
import type { ServiceStatus } from "../../src/stack/stack";

const run = promisify(execFile);
const root = findProjectRoot();

/**
 * Runs the real `eventstreams stack` command against a second stack on other ports and in another
 * folder, so that stopping it cannot disturb the stack the other suites share. The downloads are
 * linked from the shared stack's folder rather than fetched again.
 */
describe("eventstreams stack up | status | down", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eventstreams-stack-"));
  const env = {
    ...process.env,
    EVENTSTREAMS_STACK_DIR: dir,
    KAFKA_PORT: "19092",
    KAFKA_CONTROLLER_PORT: "19093",
    SCHEMA_REGISTRY_PORT: "18081",
    AWS_EMULATOR_PORT: "14566",
  };
  const ports = [19092, 19093, 18081, 14566];

  beforeAll(() => {
    const shared = stackSettings().root;
    for (const link of ["kafka/libs", "registry", "aws/venv"]) {
      // Where this checkout has no downloads (its stack runs from elsewhere), `up` installs afresh.
      if (!fs.existsSync(path.join(shared, link))) continue;
      fs.mkdirSync(path.dirname(path.join(dir, link)), { recursive: true });
      fs.symlinkSync(path.join(shared, link), path.join(dir, link));
    }
  });

  afterAll(async () => {
    await cli("down").catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function cli(...args: string[]): Promise<string> {
    const { stdout } = await run("node", [path.join(root, "bin/eventstreams.js"), "stack", ...args], {
      env,
      timeout: 180_000,
    });
    return stdout;
  }

  const status = async (): Promise<ServiceStatus[]> =>
    JSON.parse(await cli("status", "--json").catch((e) => e.stdout));

  it("starts every service, reports them healthy, is idempotent, and stops only its own processes", async () => {
    const first: ServiceStatus[] = JSON.parse(await cli("up", "--json"));
    expect(first.map((s) => [s.name, s.healthy])).toEqual([
      ["kafka", true],
      ["registry", true],
      ["aws", true],
    ]);
    expect(first.every((s) => typeof s.pid === "number")).toBe(true);
    expect(first.map((s) => s.url)).toEqual([
      "127.0.0.1:19092",
      "http://127.0.0.1:18081/apis/ccompat/v7",
      "http://127.0.0.1:14566",
    ]);

    // A second `up` starts nothing new: the same processes are still the ones recorded.
    const second: ServiceStatus[] = JSON.parse(await cli("up", "--json"));
    expect(second.map((s) => s.pid)).toEqual(first.map((s) => s.pid));
    expect((await status()).every((s) => s.healthy)).toBe(true);

    await cli("down");
    const after = await status();
    expect(after.map((s) => [s.name, s.healthy, s.pid])).toEqual([
      ["kafka", false, null],
      ["registry", false, null],
      ["aws", false, null],
    ]);
    for (const port of ports) expect(await isListening(port)).toBe(false);
    for (const pid of first.map((s) => s.pid)) expect(isAlive(pid as number)).toBe(false);
  }, 240_000);
});

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** A zombie has exited and only waits to be reaped by its (re)parent. */
function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
