/** What the chaos run counts, from the receivers' accepted deliveries and the faults as they ran. */

export interface Delivery {
  id: string;
  project: string;
  at: number;
}

export interface FaultRun {
  label: string;
  startedAt: number;
  /** When the fault was over (the process answering again; the same as startedAt for a kill). */
  endedAt: number;
  /** The projects it can hold up; undefined: every project. */
  projects?: ReadonlySet<string>;
}

export interface FaultFigures {
  label: string;
  lastedMs: number;
  duplicates: number;
  /** The longest time an affected project received no new event, over a stretch touching the fault. */
  longestPauseMs: number;
  /** Whose pause that was, and when it began (ms after the fault started; negative: before it). */
  longestPauseOf?: { project: string; fromMs: number };
}

/**
 * Per fault: the duplicates that arrived after it and before the next one (a duplicate is a
 * second acceptance of an event id), and the longest pause in any affected project's deliveries
 * of new events that overlaps the fault. Faults that overlap share a pause.
 */
export function faultFigures(
  deliveries: readonly Delivery[],
  faults: readonly FaultRun[],
): { figures: FaultFigures[]; duplicatesBeforeFaults: number } {
  const ordered = [...faults].sort((a, b) => a.startedAt - b.startedAt);
  const duplicates = new Array<number>(ordered.length).fill(0);
  let duplicatesBeforeFaults = 0;
  const seen = new Set<string>();
  /** Per project, the arrival times of events it had not received before. */
  const firsts = new Map<string, number[]>();
  for (const d of [...deliveries].sort((a, b) => a.at - b.at)) {
    if (seen.has(d.id)) {
      const index = lastStartedBefore(ordered, d.at);
      if (index < 0) duplicatesBeforeFaults++;
      else duplicates[index] = (duplicates[index] ?? 0) + 1;
      continue;
    }
    seen.add(d.id);
    const times = firsts.get(d.project) ?? [];
    times.push(d.at);
    firsts.set(d.project, times);
  }
  const figures = ordered.map((fault, i) => {
    const pause = longestPauseAcross(firsts, fault);
    return {
      label: fault.label,
      lastedMs: fault.endedAt - fault.startedAt,
      duplicates: duplicates[i] ?? 0,
      longestPauseMs: pause.ms,
      ...(pause.project
        ? { longestPauseOf: { project: pause.project, fromMs: pause.from - fault.startedAt } }
        : {}),
    };
  });
  return { figures, duplicatesBeforeFaults };
}

function lastStartedBefore(faults: readonly FaultRun[], at: number): number {
  let found = -1;
  for (let i = 0; i < faults.length && (faults[i] as FaultRun).startedAt <= at; i++) found = i;
  return found;
}

function longestPauseAcross(
  firsts: ReadonlyMap<string, number[]>,
  fault: FaultRun,
): { ms: number; project?: string; from: number } {
  let longest: { ms: number; project?: string; from: number } = { ms: 0, from: 0 };
  for (const [project, times] of firsts) {
    if (fault.projects && !fault.projects.has(project)) continue;
    for (let i = 1; i < times.length; i++) {
      const from = times[i - 1] as number;
      const to = times[i] as number;
      // The gap overlaps the fault (for a kill: it spans the moment of the kill).
      if (from <= fault.endedAt && to > fault.startedAt && to - from > longest.ms) {
        longest = { ms: to - from, project, from };
      }
    }
  }
  return longest;
}
