import { Registry } from "prom-client";
import { type HeapSource, registerHeapMetrics } from "./heap-metrics";

const reading = (registry: Registry, thread: string, measure: string) =>
  registry.metrics().then((text) => {
    const match = new RegExp(
      `^eventstreams_heap_bytes\\{thread="${thread}",measure="${measure}"\\} (\\d+)`,
      "m",
    );
    return Number(match.exec(text)?.[1] ?? Number.NaN);
  });

describe("eventstreams_heap_bytes", () => {
  it("reads the event loop's heap with no delivery threads at all", async () => {
    const registry = new Registry();
    registerHeapMetrics(registry);
    const used = await reading(registry, "main", "used");
    expect(used).toBeGreaterThan(1024 * 1024);
    expect(await reading(registry, "main", "reserved")).toBeGreaterThanOrEqual(used);
  });

  it("adds each running thread's heap by index, and leaves out one that is not running", async () => {
    const registry = new Registry();
    const running: HeapSource = { heap: async () => ({ used: 5_000_000, reserved: 8_000_000, external: 1 }) };
    const stopped: HeapSource = { heap: async () => undefined };
    registerHeapMetrics(registry, [running, stopped]);
    expect(await reading(registry, "0", "used")).toBe(5_000_000);
    expect(await reading(registry, "0", "reserved")).toBe(8_000_000);
    expect(await reading(registry, "1", "used")).toBeNaN();
  });
});
