import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import type { Command } from "commander";
import { loadSinkRegistry } from "../../../connectors/sinks/sink-module";
import { createKafka } from "../../../src/kafka/kafka-client";
import { createLogger } from "../../../src/logging";
import { StreamSecrets } from "../../../src/secrets/stream-secrets";
import { apiSettings } from "../../../src/settings/api-settings";
import { StreamRegistry } from "../../../src/streams/stream-registry";
import { errorMessage } from "../../../src/util/error-message";
import { StreamWrites } from "../../api/writes/stream-writes";

export function registerSecretsCommands(program: Command): void {
  const secrets = program.command("secrets").description("the stream secrets sealed at rest (KMS)");
  secrets
    .command("rewrap")
    .description(
      "seal every stored stream secret anew under the current key (EVENTSTREAMS_KMS_KEY_ID) or --to-key; " +
        "through the running API instances, which apply each project's writes in order",
    )
    .option("--to-key <key>", "a KMS key id, alias or ARN to seal under instead of the current key")
    .action(async (options: { toKey?: string }) => {
      const settings = apiSettings();
      const logger = createLogger("eventstreams-secrets");
      const kafka = createKafka({ clientId: "eventstreams-secrets", brokers: settings.brokers }, logger);
      const sinks = loadSinkRegistry(settings.sinks);
      const registry = new StreamRegistry({ kafka, topic: settings.configTopic, logger });
      const writes = new StreamWrites(kafka, settings.configTopic, undefined, logger);
      const say = (line: string) => process.stderr.write(`${line}\n`);
      try {
        await registry.start();
        await writes.start();
        const target = await keyArnOf(options.toKey ?? settings.kmsKeyId);
        const streams = [...registry.all()].filter((s) => sinks.types().includes(s.type));
        // Idempotent: a stream whose secrets are all sealed under the key already is left alone.
        const todo = streams.filter((s) => {
          const paths = sinks.secretPaths(s.type);
          if (paths.length === 0) return false;
          const { keys, plain } = StreamSecrets.describe(s.config, paths);
          return plain > 0 || [...keys].some((key) => key !== target);
        });
        say(`${todo.length} of ${streams.length} streams to seal under ${target}`);
        let done = 0;
        const failed: string[] = [];
        for (const stream of todo) {
          try {
            await writes.submit({
              op: "rewrap",
              projectId: stream.projectId,
              streamId: stream.id,
              toKey: options.toKey ?? "",
            });
          } catch (error) {
            // Reported and left as it is (still readable, or still refused): the others go on.
            failed.push(`stream ${stream.id} (project ${stream.projectId}): ${errorMessage(error)}`);
          }
          done++;
          if (done % 50 === 0 || done === todo.length)
            say(`${done - failed.length}/${todo.length} rewrapped, ${failed.length} not`);
        }
        for (const line of failed) say(`not rewrapped: ${line}`);
        if (failed.length > 0) process.exitCode = 1;
      } finally {
        await writes.stop();
        await registry.stop();
      }
    });
}

/** The ARN of a KMS key named by id, alias or ARN (sealed secrets name their key by ARN). */
async function keyArnOf(key: string): Promise<string> {
  const kms = new KMSClient({});
  try {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: key }));
    if (!KeyMetadata?.Arn) throw new Error(`KMS does not describe the key ${key}`);
    return KeyMetadata.Arn;
  } finally {
    kms.destroy();
  }
}
