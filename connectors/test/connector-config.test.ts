import { connectorConfig } from "../connector-config";

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
