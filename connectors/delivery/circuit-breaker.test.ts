import { CircuitBreakers } from "./circuit-breaker";

describe("circuit breaker", () => {
  it("opens after N failures, lets one probe through per interval, closes on success", () => {
    let now = 0;
    const b = new CircuitBreakers({ threshold: 3, probeIntervalMs: 100, autoPauseAfterMs: 1_000 }, () => now);
    const changes: string[] = [];
    const paused: string[] = [];
    b.on("change", (_id, h) => changes.push(h.status));
    b.on("auto-pause", (id) => paused.push(id));
    for (let i = 0; i < 3; i++) {
      expect(b.admit("s")).toBe("closed");
      b.failed("s", { code: "Down", message: "down" });
    }
    expect(b.admit("s")).toBe("open");
    now = 100;
    expect(b.admit("s")).toBe("probe");
    expect(b.admit("s")).toBe("open"); // one probe at a time
    b.failed("s", { code: "Down", message: "down" });
    expect(b.admit("s")).toBe("open");
    now = 1_200;
    expect(b.admit("s")).toBe("probe");
    b.failed("s", { code: "Down", message: "still down" });
    expect(paused).toEqual(["s"]);
    b.succeeded("s");
    expect(b.admit("s")).toBe("closed");
    expect(changes).toEqual(["failing", "circuit-open", "healthy"]);
  });
});
