import { connectorConfig } from "./connector-settings";
import { booleanSetting, durationSetting, integerSetting, listSetting } from "./parse";

describe("connectorConfig: where the retry tiers run", () => {
  it("runs them by default, as commander passes the --no-retry-consumers default", () => {
    expect(connectorConfig({}, {}).retryConsumers).toBe(true);
    expect(connectorConfig({ retryConsumers: true }, {}).retryConsumers).toBe(true);
  });

  it("leaves them out for the flag or the environment variable", () => {
    expect(connectorConfig({ retryConsumers: false }, {}).retryConsumers).toBe(false);
    expect(
      connectorConfig({ retryConsumers: true }, { EVENTSTREAMS_RETRY_CONSUMERS: "false" }).retryConsumers,
    ).toBe(false);
  });
});

describe("connectorConfig: retry tiers alone", () => {
  it("runs only the retry tiers for --retry-only or EVENTSTREAMS_RETRY_ONLY=true", () => {
    expect(connectorConfig({}, {}).mainPath).toBe(true);
    expect(connectorConfig({ retryOnly: true }, {}).mainPath).toBe(false);
    expect(connectorConfig({}, { EVENTSTREAMS_RETRY_ONLY: "true" }).mainPath).toBe(false);
  });

  it("refuses a connector with neither the main path nor the retry tiers", () => {
    expect(() => connectorConfig({ retryOnly: true, retryConsumers: false }, {})).toThrow(/nothing to do/);
  });
});

describe("connectorConfig: CPU priority", () => {
  it("lowers a retry-only process's priority by default, and no other", () => {
    expect(connectorConfig({}, {}).nice).toBe(0);
    expect(connectorConfig({ retryOnly: true }, {}).nice).toBe(10);
  });

  it("takes --nice over EVENTSTREAMS_NICE over the default", () => {
    expect(connectorConfig({ retryOnly: true }, { EVENTSTREAMS_NICE: "0" }).nice).toBe(0);
    expect(connectorConfig({ nice: "19" }, { EVENTSTREAMS_NICE: "5" }).nice).toBe(19);
  });

  it("refuses a value outside 0 to 19, naming the flag", () => {
    expect(() => connectorConfig({ nice: "-5" }, {})).toThrow(
      /--nice \(EVENTSTREAMS_NICE\) must be a whole number from 0 to 19, got "-5"/,
    );
    expect(() => connectorConfig({}, { EVENTSTREAMS_NICE: "high" })).toThrow(/--nice/);
  });
});

describe("connectorConfig: linger", () => {
  it("waits 5 ms for a partial batch unless --linger-ms or EVENTSTREAMS_LINGER_MS says otherwise", () => {
    expect(connectorConfig({}, {}).lingerMs).toBe(5);
    expect(connectorConfig({}, { EVENTSTREAMS_LINGER_MS: "20" }).lingerMs).toBe(20);
    expect(connectorConfig({ lingerMs: "0" }, { EVENTSTREAMS_LINGER_MS: "20" }).lingerMs).toBe(0);
  });

  it("refuses a linger that is not a whole number of milliseconds, naming the flag", () => {
    expect(() => connectorConfig({ lingerMs: "5ms" }, {})).toThrow(/--linger-ms/);
  });
});

describe("connectorConfig: delivery threads", () => {
  it("makes sink calls on one thread, unless --delivery-threads or the env says otherwise", () => {
    expect(connectorConfig({}, {}).deliveryThreads).toBe(1);
    expect(connectorConfig({}, { EVENTSTREAMS_DELIVERY_THREADS: "3" }).deliveryThreads).toBe(3);
    expect(
      connectorConfig({ deliveryThreads: "0" }, { EVENTSTREAMS_DELIVERY_THREADS: "3" }).deliveryThreads,
    ).toBe(0);
  });

  it("refuses a thread count out of range, naming the flag and the range", () => {
    expect(() => connectorConfig({ deliveryThreads: "65" }, {})).toThrow(
      '--delivery-threads (EVENTSTREAMS_DELIVERY_THREADS) must be a whole number from 0 to 64, got "65"',
    );
  });
});

describe("the settings parsers", () => {
  it("name the setting and the accepted form in every error", () => {
    expect(() => integerSetting("EVENTSTREAMS_X", "1.5", { min: 0 })).toThrow(
      'EVENTSTREAMS_X must be a whole number of at least 0, got "1.5"',
    );
    expect(() => integerSetting("--port", "", { min: 1, max: 65_535 })).toThrow(
      /--port must be a whole number/,
    );
    expect(() => durationSetting("EVENTSTREAMS_Y", "soon")).toThrow(
      'EVENTSTREAMS_Y: "soon" is not a duration: write e.g. 1500ms, 60s, 5m, 2h or 7d',
    );
    expect(() => durationSetting("EVENTSTREAMS_Y", "0s")).toThrow(/must be longer than zero/);
    expect(() => booleanSetting("EVENTSTREAMS_Z", "yes")).toThrow(
      'EVENTSTREAMS_Z must be true or false, got "yes"',
    );
  });

  it("read durations with or without a unit, lists without blanks", () => {
    expect(["1500ms", "60s", "5m", "2h", "7d", "1.5s", "250"].map((d) => durationSetting("d", d))).toEqual([
      1_500, 60_000, 300_000, 7_200_000, 604_800_000, 1_500, 250,
    ]);
    expect(durationSetting("d", "0", { allowZero: true })).toBe(0);
    expect(listSetting(" a, ,b ,")).toEqual(["a", "b"]);
  });
});
