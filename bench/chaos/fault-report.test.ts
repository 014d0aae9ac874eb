import { faultFigures } from "./fault-report";
import { chaosSchedule } from "./schedule";

describe("the chaos run's figures", () => {
  it("counts a duplicate against the last fault before it, and a pause against the faults it spans", () => {
    const d = (id: string, project: string, at: number) => ({ id, project, at });
    const deliveries = [
      d("a", "p", 0),
      d("b", "p", 100),
      d("a", "p", 150), // before any fault
      d("c", "p", 1_100), // 1 s without a new event of p, across the kill at 500
      d("b", "p", 1_200), // after the kill
      d("x", "q", 0),
      d("y", "q", 5_000), // q was held up by the receiver fault from 2,000 to 3,000
      d("x", "q", 5_100), // after the receiver fault
    ];
    const { figures, duplicatesBeforeFaults } = faultFigures(deliveries, [
      { label: "receiver", startedAt: 2_000, endedAt: 3_000, projects: new Set(["q"]) },
      { label: "kill", startedAt: 500, endedAt: 500 },
    ]);
    expect(duplicatesBeforeFaults).toBe(1);
    expect(figures).toEqual([
      {
        label: "kill",
        lastedMs: 0,
        duplicates: 1,
        longestPauseMs: 5_000,
        longestPauseOf: { project: "q", fromMs: -500 },
      },
      {
        label: "receiver",
        lastedMs: 1_000,
        duplicates: 1,
        longestPauseMs: 5_000,
        longestPauseOf: { project: "q", fromMs: -2_000 },
      },
    ]);
  });

  it("draws the same schedule from the same seed, and every kill of it", () => {
    const options = { seed: 18, runMs: 400_000, kills: 20, instances: 2, receiverFaults: true };
    const schedule = chaosSchedule(options);
    expect(chaosSchedule(options)).toEqual(schedule);
    expect(chaosSchedule({ ...options, seed: 19 })).not.toEqual(schedule);
    expect(schedule.filter((f) => f.kind === "connector-kill")).toHaveLength(20);
    expect(schedule.map((f) => f.kind).filter((k) => k !== "connector-kill")).toEqual([
      "receiver-503",
      "receiver-hang",
      "registry-stop",
      "broker-kill",
    ]);
    expect(schedule.every((f) => f.atMs >= 0 && f.atMs <= options.runMs)).toBe(true);
  });
});
