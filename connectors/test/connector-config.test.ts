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
