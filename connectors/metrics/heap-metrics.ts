import { getHeapSpaceStatistics, getHeapStatistics, type HeapInfo, type HeapSpaceInfo } from "node:v8";
import { Gauge, type Registry } from "prom-client";

/** One isolate's V8 heap, in bytes. */
export interface HeapReading {
  used: number;
  reserved: number;
  /** Memory outside the heap that its objects hold (Buffers, ArrayBuffers). */
  external: number;
  young_used?: number;
  young_reserved?: number;
}

/** An isolate besides the event loop's (a delivery thread): its heap, undefined while it is not running. */
export interface HeapSource {
  heap(): Promise<HeapReading | undefined>;
}

/**
 * `eventstreams_heap_bytes{thread, measure}`: each isolate's V8 heap (the event loop's as `main`,
 * the delivery threads' by index), used and reserved, the young generation apart: where a
 * connector's memory goes.
 */
export function registerHeapMetrics(registry: Registry, threads: readonly HeapSource[] = []): void {
  new Gauge({
    name: "eventstreams_heap_bytes",
    help: "V8 heap per thread (main = the event loop): used and reserved bytes, in all and in the young generation",
    labelNames: ["thread", "measure"],
    registers: [registry],
    async collect() {
      const all = [
        ["main", heapReading(getHeapStatistics(), getHeapSpaceStatistics())] as const,
        ...(await Promise.all(threads.map(async (thread, i) => [String(i), await thread.heap()] as const))),
      ];
      for (const [thread, reading] of all)
        if (reading)
          for (const [measure, bytes] of Object.entries(reading)) this.set({ thread, measure }, bytes);
    },
  });
}

export function heapReading(stats: HeapInfo, spaces?: HeapSpaceInfo[]): HeapReading {
  const young = spaces?.filter(
    (s) => s.space_name === "new_space" || s.space_name === "new_large_object_space",
  );
  return {
    used: stats.used_heap_size,
    reserved: stats.total_heap_size,
    external: (stats as HeapInfo & { external_memory?: number }).external_memory ?? 0,
    ...(young
      ? {
          young_used: young.reduce((sum, s) => sum + s.space_used_size, 0),
          young_reserved: young.reduce((sum, s) => sum + s.space_size, 0),
        }
      : {}),
  };
}
