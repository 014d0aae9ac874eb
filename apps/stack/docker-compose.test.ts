import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { findProjectRoot } from "../../src/project-root";
import { DEFAULT_PORTS, stackSettings, VERSIONS } from "../../src/settings/stack-settings";
import { kafkaBrokerProperties } from "./services/kafka";
import { registryEnvironment } from "./services/registry";

interface ComposeService {
  image: string;
  ports?: string[];
  network_mode?: string;
  environment?: Record<string, string>;
  command?: string[];
}

const compose = parse(fs.readFileSync(path.join(findProjectRoot(), "docker-compose.yml"), "utf8")) as {
  services: Record<string, ComposeService>;
};
const native = stackSettings({});

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/** The apache/kafka image maps KAFKA_FOO_BAR to foo.bar. */
function kafkaPropertiesFromEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env)
      .filter(([key]) => key.startsWith("KAFKA_"))
      .map(([key, value]) => [key.slice("KAFKA_".length).toLowerCase().replaceAll("_", "."), value]),
  );
}

describe("docker-compose.yml matches the native stack", () => {
  it("has exactly the three services of the native stack", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["aws", "kafka", "registry"]);
  });

  it("runs the same releases", () => {
    expect(service("kafka").image).toBe(`apache/kafka:${VERSIONS.kafka}`);
    expect(service("registry").image).toBe(`apicurio/apicurio-registry:${VERSIONS.apicurio}`);
    expect(service("aws").image).toBe(`motoserver/moto:${VERSIONS.moto}`);
  });

  it("publishes the same ports on loopback only", () => {
    // The registry runs in the broker's network namespace, so the broker's container publishes both.
    expect(service("kafka").ports).toEqual([
      `127.0.0.1:${DEFAULT_PORTS.kafka}:${DEFAULT_PORTS.kafka}`,
      `127.0.0.1:${DEFAULT_PORTS.registry}:${DEFAULT_PORTS.registry}`,
    ]);
    expect(service("registry").network_mode).toBe("service:kafka");
    expect(service("registry").ports).toBeUndefined();
    expect(service("aws").ports).toEqual([`127.0.0.1:${DEFAULT_PORTS.aws}:${DEFAULT_PORTS.aws}`]);
    expect(service("aws").command).toEqual(["-H", "0.0.0.0", "-p", String(DEFAULT_PORTS.aws)]);
  });

  it("configures the broker exactly as the native stack does", () => {
    const fromCompose = kafkaPropertiesFromEnv(service("kafka").environment ?? {});
    const expected = kafkaBrokerProperties(native);
    // Inside a container the client listener binds every interface; the port stays the same.
    expect(fromCompose.listeners).toBe(`PLAINTEXT://0.0.0.0:${native.kafkaPort},CONTROLLER://127.0.0.1:9093`);
    const { listeners: _a, ...expectedRest } = expected;
    const { listeners: _b, "log.dirs": _c, ...composeRest } = fromCompose;
    expect(composeRest).toEqual(expectedRest);
  });

  it("configures the registry exactly as the native stack does", () => {
    const { QUARKUS_HTTP_HOST: _host, ...expected } = registryEnvironment(native);
    const { QUARKUS_HTTP_HOST: composeHost, ...actual } = service("registry").environment ?? {};
    expect(composeHost).toBe("0.0.0.0");
    expect(actual).toEqual(expected);
  });
});
