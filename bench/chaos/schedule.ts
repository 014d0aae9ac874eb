/**
 * The chaos run's faults, on one timeline drawn from a fixed seed: the same seed gives the same
 * run, so a figure can be checked by running it again.
 */
export type FaultKind = "connector-kill" | "broker-kill" | "registry-stop" | "receiver-503" | "receiver-hang";

export interface Fault {
  kind: FaultKind;
  /** From the start of the run. */
  atMs: number;
  /** How long the fault lasts (0 for a kill: the process is started again at once). */
  forMs: number;
  /** Which connector instance a kill hits. */
  instance?: number;
}

export interface ScheduleOptions {
  seed: number;
  /** How long events are published. */
  runMs: number;
  kills: number;
  instances: number;
  /** The HTTPS run's receiver faults; the SNS run has none. */
  receiverFaults: boolean;
}

/** mulberry32: small, fast, and the same numbers for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Faults one after another, each in a stretch of its own so its duplicates and its pause can be
 * told apart: the receiver's 503s, the hanging receiver, the registry stopped (one kill falls
 * inside it, so a connector starts with no schema cached and no registry), the broker, then the
 * other kills, spread over the rest of the run. Positions are fractions of the run.
 */
export function chaosSchedule(options: ScheduleOptions): Fault[] {
  const random = seededRandom(options.seed);
  const at = (fraction: number) => Math.round(fraction * options.runMs);
  const jitter = (spreadMs: number) => Math.round((random() - 0.5) * spreadMs);
  const instance = () => Math.floor(random() * options.instances);
  const faults: Fault[] = [];
  if (options.receiverFaults) {
    faults.push({ kind: "receiver-503", atMs: at(0.05), forMs: 60_000 });
    faults.push({ kind: "receiver-hang", atMs: at(0.25), forMs: 30_000 });
  }
  const registryAt = at(0.36);
  faults.push({ kind: "registry-stop", atMs: registryAt, forMs: 30_000 });
  const kills = Math.max(0, options.kills);
  if (kills > 0)
    faults.push({ kind: "connector-kill", atMs: registryAt + 10_000, forMs: 0, instance: instance() });
  faults.push({ kind: "broker-kill", atMs: at(0.5), forMs: 0 });
  const first = at(0.57);
  const last = at(0.97);
  const rest = kills - 1;
  for (let k = 0; k < rest; k++) {
    const spacing = rest > 1 ? (last - first) / (rest - 1) : 0;
    faults.push({
      kind: "connector-kill",
      atMs: Math.round(first + k * spacing + jitter(spacing / 2)),
      forMs: 0,
      instance: instance(),
    });
  }
  return faults.sort((a, b) => a.atMs - b.atMs);
}
