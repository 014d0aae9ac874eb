import { spawnSync } from "node:child_process";
import { DockerComposeEnvironment, type StartedDockerComposeEnvironment, Wait } from "testcontainers";
import { RegistryService } from "../../apps/stack/services/registry";
import { findProjectRoot } from "../../src/project-root";
import { stackSettings } from "../../src/settings/stack-settings";
import { waitFor } from "../../src/util/wait-for";

// Global setup and teardown run in the same process, so the handle can live here.
let environment: StartedDockerComposeEnvironment | undefined;

/** The same three services as the native stack, from docker-compose.yml, on the same ports. */
export async function startContainerStack(log: (line: string) => void): Promise<void> {
  if (spawnSync("docker", ["info"], { stdio: "ignore" }).status !== 0) {
    throw new Error("STACK=containers needs a running Docker engine; unset STACK to use the native stack");
  }
  log("starting docker-compose.yml with testcontainers");
  environment = await new DockerComposeEnvironment(findProjectRoot(), "docker-compose.yml")
    .withWaitStrategy("kafka-1", Wait.forLogMessage(/Kafka Server started/))
    // The registry shares the broker's network namespace: its port is published by kafka-1.
    .withWaitStrategy("registry-1", Wait.forLogMessage(/KafkaSQL storage bootstrapped/))
    .withWaitStrategy("aws-1", Wait.forHttp("/moto-api/", 4566))
    .up();
  const registry = new RegistryService(stackSettings());
  await waitFor(() => registry.isHealthy(), {
    timeoutMs: 60_000,
    description: `the registry at ${registry.url}`,
  });
}

export async function stopContainerStack(): Promise<void> {
  await environment?.down();
  environment = undefined;
}
