import type { LaunchSpec } from "./processes";

/** One process of the local stack: how to install it, start it and tell that it answers. */
export type StackServiceName = "kafka" | "registry" | "aws";

export interface StackService {
  readonly name: StackServiceName;
  /** Services that must answer before this one is started (the registry keeps its state in Kafka). */
  readonly dependsOn?: readonly StackServiceName[];
  /** What clients connect to, for `stack status`. */
  readonly url: string;
  readonly logFile: string;
  readonly pidFile: string;
  /** Appears in the command line of our process; guards against signalling a recycled pid. */
  readonly marker: string;
  readonly startTimeoutMs: number;
  /** Programs that must be on the machine, checked before anything is downloaded. */
  readonly prerequisites: readonly Prerequisite[];
  isInstalled(): boolean;
  install(progress: (line: string) => void): Promise<void>;
  /** Writes configuration (and formats storage on first start), then says how to run it. */
  prepareLaunch(): Promise<LaunchSpec>;
  isHealthy(): Promise<boolean>;
}

export interface Prerequisite {
  command: string;
  args: string[];
  /** How to get it, shown when it is missing. */
  hint: string;
}

/** Kafka and the registry run on Java and are fetched with Maven, both from Debian's packages. */
export const JAVA_AND_MAVEN: readonly Prerequisite[] = [
  {
    command: "java",
    args: ["-version"],
    hint: "install Java 17 (Debian: apt-get install openjdk-17-jre-headless)",
  },
  { command: "mvn", args: ["-v"], hint: "install Maven (Debian: apt-get install maven)" },
];
