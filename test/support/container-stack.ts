import { spawnSync } from "node:child_process";
import { DockerComposeEnvironment, type StartedDockerComposeEnvironment, Wait } from "testcontainers";
import { findProjectRoot } from "../../src/project-root";

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
    .withWaitStrategy("registry-1", Wait.forHttp("/apis/ccompat/v7/subjects", 8081))
    .withWaitStrategy("aws-1", Wait.forHttp("/moto-api/", 4566))
    .up();
}

export async function stopContainerStack(): Promise<void> {
  await environment?.down();
  environment = undefined;
}
