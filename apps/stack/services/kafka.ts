import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { type StackSettings, VERSIONS } from "../../../src/settings/stack-settings";
import type { LaunchSpec } from "../processes";
import { runToLog } from "../run-command";
import { JAVA_AND_MAVEN, type StackService } from "../service";

/**
 * Broker settings shared by the native stack and docker-compose.yml (a test keeps them equal).
 * A single node must run its internal topics with replication factor 1, or consumer groups never
 * find a coordinator.
 */
export function kafkaBrokerProperties(s: StackSettings): Record<string, string> {
  return {
    "node.id": "1",
    "process.roles": "broker,controller",
    "controller.quorum.voters": `1@${s.host}:${s.kafkaControllerPort}`,
    "controller.listener.names": "CONTROLLER",
    listeners: `PLAINTEXT://${s.host}:${s.kafkaPort},CONTROLLER://${s.host}:${s.kafkaControllerPort}`,
    "advertised.listeners": `PLAINTEXT://${s.host}:${s.kafkaPort}`,
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "offsets.topic.replication.factor": "1",
    "offsets.topic.num.partitions": "10",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    "group.initial.rebalance.delay.ms": "0",
    "auto.create.topics.enable": "false",
    "num.partitions": "1",
  };
}

export class KafkaService implements StackService {
  readonly name = "kafka" as const;
  readonly startTimeoutMs = 90_000;
  readonly prerequisites = JAVA_AND_MAVEN;
  private readonly home: string;
  private readonly libs: string;
  private readonly dataDir: string;
  readonly logFile: string;
  readonly pidFile: string;
  readonly marker: string;

  constructor(private readonly settings: StackSettings) {
    this.home = path.join(settings.root, "kafka");
    this.libs = path.join(this.home, "libs");
    this.dataDir = path.join(settings.root, "data", "kafka");
    this.logFile = path.join(settings.root, "logs", "kafka.log");
    this.pidFile = path.join(settings.root, "run", "kafka.pid");
    this.marker = `-Deventstreams.stack=${settings.root}`;
  }

  get url(): string {
    return `${this.settings.host}:${this.settings.kafkaPort}`;
  }

  isInstalled(): boolean {
    return fs.existsSync(path.join(this.libs, ".complete"));
  }

  async install(progress: (line: string) => void): Promise<void> {
    progress(`kafka: fetching org.apache.kafka:kafka_2.13:${VERSIONS.kafka} and its dependencies with Maven`);
    fs.mkdirSync(this.home, { recursive: true });
    fs.writeFileSync(path.join(this.home, "pom.xml"), kafkaPom());
    await runToLog(
      "mvn",
      [
        "-B",
        "-q",
        `-Dmaven.repo.local=${path.join(this.settings.root, "m2")}`,
        "dependency:copy-dependencies",
        `-DoutputDirectory=${this.libs}`,
      ],
      { cwd: this.home, logFile: path.join(this.settings.root, "logs", "kafka-install.log") },
    );
    fs.writeFileSync(path.join(this.libs, ".complete"), new Date().toISOString());
  }

  async prepareLaunch(): Promise<LaunchSpec> {
    const config = path.join(this.home, "server.properties");
    const properties = { ...kafkaBrokerProperties(this.settings), "log.dirs": this.dataDir };
    fs.writeFileSync(
      config,
      Object.entries(properties)
        .map(([key, value]) => `${key}=${value}`)
        .join("\n"),
    );
    fs.writeFileSync(path.join(this.home, "log4j2.properties"), LOG4J2_PROPERTIES);
    const jvm = [
      this.marker,
      "-Xms256m",
      "-Xmx1g",
      "-XX:+UseG1GC",
      `-Dlog4j2.configurationFile=${path.join(this.home, "log4j2.properties")}`,
      "-cp",
      `${this.libs}/*`,
    ];
    if (!fs.existsSync(path.join(this.dataDir, "meta.properties"))) {
      await runToLog(
        "java",
        [...jvm, "kafka.tools.StorageTool", "format", "-t", kafkaClusterId(), "-c", config],
        {
          cwd: this.home,
          logFile: this.logFile,
        },
      );
    }
    return {
      command: "java",
      args: [...jvm, "kafka.Kafka", config],
      cwd: this.home,
      logFile: this.logFile,
      pidFile: this.pidFile,
      marker: this.marker,
    };
  }

  async isHealthy(): Promise<boolean> {
    const admin = new Kafka({
      clientId: "eventstreams-stack-health",
      brokers: [this.url],
      connectionTimeout: 1_000,
      requestTimeout: 2_000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/**
 * A Kafka cluster id is a UUID in unpadded URL-safe base64. One in 64 starts with "-", which
 * kafka-storage's argument parser takes for an option ("--cluster-id: expected one argument"):
 * Kafka's own Uuid.randomUuid() draws again in that case, and so do we.
 */
export function kafkaClusterId(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replaceAll("-", ""), "hex").toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

function kafkaPom(): string {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.eventstreams.stack</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${VERSIONS.kafka}</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>${VERSIONS.kafka}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.24.3</version></dependency>
  </dependencies>
</project>
`;
}

const LOG4J2_PROPERTIES = `status = warn
appender.console.type = Console
appender.console.name = stdout
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = stdout
logger.controller.name = org.apache.kafka.controller
logger.controller.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
`;
