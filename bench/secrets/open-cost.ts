/**
 * What opening a stream's sealed secrets costs a delivery: the first delivery of a stream revision
 * (a KMS Decrypt of the data key on the emulator, then AES-256-GCM) and every later one (the opened
 * config from memory), against a stream without secrets (no lookup at all).
 *
 *   npm run bench:secrets -- [--calls 200000]
 *
 * Prints the figures and writes bench/results/secrets-open-<time>.json.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { httpsSecrets } from "../../connectors/sinks/https/config";
import { KmsDataKeys } from "../../src/secrets/kms-data-keys";
import { OpenedConfigs } from "../../src/secrets/opened-configs";
import { ownerOf, StreamSecrets } from "../../src/secrets/stream-secrets";
import { DEFAULT_KMS_KEY_ALIAS } from "../../src/settings/secrets-settings";
import { clientEnvironment, stackEndpoints, stackSettings } from "../../src/settings/stack-settings";
import { newEventStream } from "../../src/streams/event-stream";
import { writeBenchResult } from "../results";

const { values } = parseArgs({ options: { calls: { type: "string", default: "200000" } } });
const calls = Number(values.calls);

async function main(): Promise<void> {
  Object.assign(process.env, clientEnvironment(stackEndpoints(stackSettings())), process.env);
  const secrets = new StreamSecrets(
    new KmsDataKeys(process.env.EVENTSTREAMS_KMS_KEY_ID ?? DEFAULT_KMS_KEY_ALIAS),
  );
  const paths = ["secret", "previousSecret", "auth.token"];
  const opened = new OpenedConfigs(secrets, (type) => (type === "https" ? paths : []));
  const plain = newEventStream({ projectId: randomUUID(), type: "sns", config: { topicArn: "arn" } });
  const https = newEventStream({
    projectId: randomUUID(),
    type: "https",
    config: httpsSecrets.generate({
      httpsEndpoint: "https://example.com",
      auth: { type: "bearer", token: "t" },
    } as never) as unknown as Record<string, unknown>,
  });
  const sealed = { ...https, config: await secrets.seal(ownerOf(https), https.config, paths) };

  const firstStarted = performance.now();
  await opened.configOf(sealed);
  const firstMs = performance.now() - firstStarted;

  const time = async (stream: typeof sealed) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await opened.configOf(stream);
    return Number(process.hrtime.bigint() - started) / calls;
  };
  await time(sealed); // warm up
  const cachedNs = await time(sealed);
  const plainNs = await time(plain);
  const report = {
    at: new Date().toISOString(),
    node: process.version,
    calls,
    firstOpenMs: Math.round(firstMs * 100) / 100,
    cachedOpenNsPerDelivery: Math.round(cachedNs),
    noSecretsNsPerDelivery: Math.round(plainNs),
  };
  console.log(
    `first open of a revision ${report.firstOpenMs} ms (KMS Decrypt + AES-GCM); then ${report.cachedOpenNsPerDelivery} ns a delivery (${report.noSecretsNsPerDelivery} ns without secrets)`,
  );
  console.log(`written to ${writeBenchResult("secrets-open", report)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
