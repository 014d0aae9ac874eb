import { type Command, Option } from "commander";
import { ApiClient, type ApiClientOptions } from "../api-client";
import { nameValue, readSecretValue } from "../secret-value";
import { formatStream, formatStreams, type OutputFormat, type StreamView } from "../stream-output";

interface Common extends ApiClientOptions {
  project: string;
  format: OutputFormat;
}

interface ReplayAnswer {
  id: string;
  found: number;
  delivered: number;
  failed: number;
  done: boolean;
  cancelled_at: string | null;
}

interface DeliveryView {
  at: string;
  event_id: string;
  event_name: string;
  attempt: number;
  outcome: string;
  code: string | null;
  message: string | null;
  latency_ms: number;
  next: string;
}

interface TestEventAnswer {
  event_id: string;
  outcome: string;
  code: string | null;
  message: string | null;
  latency_ms: number;
}

/** The AWS sinks' resource flags and the API field each sets. */
const AWS_RESOURCE_FLAGS = [
  ["--aws-sns-topic-arn <arn>", "sns: the topic to publish to", "awsSnsTopicArn", "topic_arn"],
  ["--aws-sqs-queue-arn <arn>", "sqs: the queue to send to", "awsSqsQueueArn", "queue_arn"],
  [
    "--aws-firehose-delivery-stream-arn <arn>",
    "firehose: the delivery stream to put records on",
    "awsFirehoseDeliveryStreamArn",
    "delivery_stream_arn",
  ],
  [
    "--aws-eventbridge-event-bus-arn <arn>",
    "eventbridge: the event bus to put events on",
    "awsEventbridgeEventBusArn",
    "event_bus_arn",
  ],
  [
    "--aws-kinesis-stream-arn <arn>",
    "kinesis: the data stream to put records on",
    "awsKinesisStreamArn",
    "stream_arn",
  ],
] as const;

type AwsResourceFlags = { [F in (typeof AWS_RESOURCE_FLAGS)[number][2]]?: string };

interface DestinationFlags extends AwsResourceFlags {
  type?: string;
  awsIamRoleArn?: string;
  httpsEndpoint?: string;
  httpsAuthBearerToken?: string;
  httpsAuthBasic?: string;
  httpsAuthHeader?: string;
  httpsHeader?: string[];
  eventTypes?: string;
  rateLimit?: string;
  verify: boolean;
}

/**
 * `create|list|get|update|pause|resume|test|deliveries|replay|delete event-stream(s)`: the reference product's verbs,
 * each a call to the HTTP API.
 */
export function registerEventStreamCommands(program: Command): void {
  const create = common(verb(program, "create").command("event-stream"))
    .description("create an event stream")
    .requiredOption("--type <type>", "the destination type, e.g. sns")
    .option("--paused", "create it paused: nothing is delivered until it is resumed");
  destinationOptions(create).action(async (options: Common & DestinationFlags & { paused?: boolean }) => {
    const body = {
      type: options.type,
      ...destinationBody(options),
      ...(options.paused ? { status: "paused" } : {}),
    };
    const stream = await client(options).request<StreamView>(
      "POST",
      withVerify(streamsPath(options), options),
      body,
    );
    printWritten(stream, options.format);
  });

  common(verb(program, "list").command("event-streams"))
    .description("list a project's event streams")
    .action(async (options: Common) => {
      const { event_streams } = await client(options).request<{ event_streams: StreamView[] }>(
        "GET",
        streamsPath(options),
      );
      print(formatStreams(event_streams, options.format));
    });

  common(verb(program, "get").command("event-stream").argument("<id>", "the stream id"))
    .description("show one event stream")
    .action(async (id: string, options: Common) => {
      print(
        formatStream(
          await client(options).request<StreamView>("GET", streamPath(options, id)),
          options.format,
        ),
      );
    });

  const update = common(verb(program, "update").command("event-stream").argument("<id>", "the stream id"))
    .description("change an event stream: only the options given change")
    .option("--if-match <revision>", "refuse the update unless the stream is still at this revision");
  destinationOptions(update).action(
    async (id: string, options: Common & DestinationFlags & { ifMatch?: string }) => {
      const body = destinationBody(options);
      if (Object.keys(body).length === 0)
        throw new Error("nothing to update: pass at least one option to change");
      printWritten(await patch(options, id, body, options.ifMatch), options.format);
    },
  );

  for (const [name, status, what] of [
    [
      "pause",
      "paused",
      "stop delivering to a stream; its events are kept (as long as the domain topics keep them)",
    ],
    [
      "resume",
      "active",
      "deliver to a paused stream again, its backlog first (verifies the destination first)",
    ],
  ] as const) {
    const command = common(verb(program, name).command("event-stream").argument("<id>", "the stream id"))
      .description(what)
      .option("--no-verify", "skip the destination check on resume");
    command.action(async (id: string, options: Common & { verify: boolean }) => {
      printWritten(await patch(options, id, { status }, undefined), options.format);
    });
  }

  common(verb(program, "rotate-secret").command("event-stream").argument("<id>", "the stream id"))
    .description("replace a stream's signing secret; the old one keeps signing during the grace period")
    .option("--grace-period-seconds <n>", "how long the old secret keeps signing (default 86400)")
    .action(async (id: string, options: Common & { gracePeriodSeconds?: string }) => {
      const body =
        options.gracePeriodSeconds === undefined
          ? {}
          : { grace_period_seconds: Number(options.gracePeriodSeconds) };
      const stream = await client(options).request<StreamView>(
        "POST",
        `${streamPath(options, id)}/rotate-secret`,
        body,
      );
      print(formatStream(stream, options.format));
    });

  common(verb(program, "test").command("event-stream").argument("<id>", "the stream id"))
    .description("send one test event (EventStreamTest) to the stream's destination and show its answer")
    .action(async (id: string, options: Common) => {
      const result = await client(options).request<TestEventAnswer>(
        "POST",
        `${streamPath(options, id)}/test`,
      );
      if (options.format === "json") print(`${JSON.stringify(result)}\n`);
      else {
        const detail = result.code ? `: ${result.code}${result.message ? ` (${result.message})` : ""}` : "";
        print(`test event ${result.event_id} ${result.outcome} in ${result.latency_ms} ms${detail}\n`);
      }
      if (result.outcome !== "delivered") process.exitCode = 1;
    });

  common(verb(program, "deliveries").command("event-stream").argument("<id>", "the stream id"))
    .description(
      "show a stream's recent delivery attempts, newest first (every failure, a sample of successes)",
    )
    .option("--failed", "failed attempts only")
    .option("--limit <n>", "attempts to show (at most 100)", "20")
    .option("--follow", "keep showing new attempts as they are logged, oldest first, until interrupted")
    .action(async (id: string, options: Common & { failed?: boolean; limit: string; follow?: boolean }) => {
      const query = `?limit=${encodeURIComponent(options.limit)}${options.failed ? "&outcome=failed" : ""}`;
      const page = () =>
        client(options).request<{ deliveries: DeliveryView[] }>(
          "GET",
          `${streamPath(options, id)}/deliveries${query}`,
        );
      const show = (d: DeliveryView) =>
        print(
          options.format === "json"
            ? `${JSON.stringify(d)}\n`
            : `${d.at}  #${d.attempt}  ${d.outcome.padEnd(9)}  ${(d.code ?? "-").padEnd(12)}  ${String(d.latency_ms).padStart(6)} ms  ${d.next.padEnd(12)}  ${d.event_name} ${d.event_id}${d.message ? `  ${d.message}` : ""}\n`,
        );
      const first = (await page()).deliveries;
      if (!options.follow) {
        for (const d of first) show(d);
        return;
      }
      // Oldest first from here on; an attempt is known by its time and event and attempt number.
      const seen = new Set<string>();
      const key = (d: DeliveryView) => `${d.at} ${d.event_id} ${d.attempt} ${d.outcome}`;
      for (const d of [...first].reverse()) {
        seen.add(key(d));
        show(d);
      }
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        for (const d of [...(await page()).deliveries].reverse()) {
          if (seen.has(key(d))) continue;
          if (seen.size > 10_000) seen.clear();
          seen.add(key(d));
          show(d);
        }
      }
    });

  common(verb(program, "replay").command("event-stream").argument("<id>", "the stream id"))
    .description("deliver a stream's events of a time window again (its project's, its filter's)")
    .requiredOption("--since <time>", "the window's start, ISO 8601 (e.g. 2026-11-30T10:00:00Z)")
    .option("--until <time>", "the window's end (default: now)")
    .option("--rate <n>", "events a second at most (default 500)")
    .option("--wait", "show progress until the replay is done")
    .action(
      async (
        id: string,
        options: Common & { since: string; until?: string; rate?: string; wait?: boolean },
      ) => {
        const api = client(options);
        const body = {
          since: options.since,
          ...(options.until ? { until: options.until } : {}),
          ...(options.rate ? { rate: Number(options.rate) } : {}),
        };
        let replay = await api.request<ReplayAnswer>("POST", `${streamPath(options, id)}/replays`, body);
        const show = (r: ReplayAnswer) =>
          options.format === "json"
            ? print(`${JSON.stringify(r)}\n`)
            : print(
                `replay ${r.id}: ${r.found} found, ${r.delivered} delivered, ${r.failed} failed${r.done ? ", done" : ""}\n`,
              );
        show(replay);
        while (options.wait && !replay.done && !replay.cancelled_at) {
          await new Promise((resolve) => setTimeout(resolve, 2_000));
          replay = await api.request<ReplayAnswer>("GET", `${streamPath(options, id)}/replays/${replay.id}`);
          show(replay);
        }
      },
    );

  common(verb(program, "delete").command("event-stream").argument("<id>", "the stream id"))
    .description("delete an event stream")
    .action(async (id: string, options: Common) => {
      await client(options).request("DELETE", streamPath(options, id));
      if (options.format === "json") print(`${JSON.stringify({ id, deleted: true })}\n`);
      else print(`deleted event stream ${id}\n`);
    });
}

/** Commands may share a verb with other features (`list ...`): reuse it if it exists. */
function verb(program: Command, name: string): Command {
  return (
    program.commands.find((c) => c.name() === name) ?? program.command(name).description(`${name} a resource`)
  );
}

function common(command: Command): Command {
  return command
    .requiredOption("--project <id>", "the project id")
    .option(
      "--api-url <url>",
      "the event streams API (default: EVENTSTREAMS_API_URL or http://127.0.0.1:8080)",
    )
    .option("--token <token>", "an API token (default: EVENTSTREAMS_API_TOKEN)")
    .addOption(new Option("--format <format>", "output format").choices(["table", "json"]).default("table"));
}

function destinationOptions(command: Command): Command {
  for (const [flag, description] of AWS_RESOURCE_FLAGS) command.option(flag, description);
  return command
    .option("--aws-iam-role-arn <arn>", "AWS sinks: the role to assume, with the project id as ExternalId")
    .option("--https-endpoint <url>", "https: the https:// URL to POST signed events to")
    .option(
      "--https-auth-bearer-token <token>",
      "https: send Authorization: Bearer <token> (- reads stdin, @file a file)",
    )
    .option("--https-auth-basic <user:pass>", "https: send basic credentials (- reads stdin, @file a file)")
    .option(
      "--https-auth-header <name=value>",
      "https: send an API key in header NAME (value: - for stdin, @file)",
    )
    .option(
      "--https-header <name=value>",
      "https: a static header every request carries (repeatable, at most 10)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--event-types <names>", "comma-separated event names to deliver; empty for all")
    .option("--rate-limit <events/s>", "events a second the destination gets at most; none removes it")
    .option("--no-verify", "store it without checking the destination first");
}

function destinationBody(options: DestinationFlags): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [, , option, field] of AWS_RESOURCE_FLAGS)
    if (options[option] !== undefined) body[field] = options[option];
  if (options.awsIamRoleArn !== undefined) body.role_arn = options.awsIamRoleArn;
  if (options.httpsEndpoint !== undefined) body.https_endpoint = options.httpsEndpoint;
  const auth = destinationAuth(options);
  if (auth) body.auth = auth;
  if (options.httpsHeader)
    body.headers = Object.fromEntries(options.httpsHeader.map((h) => nameValue(h, "--https-header", false)));
  if (options.rateLimit !== undefined) body.rate_limit = rateLimitValue(options.rateLimit);
  if (options.eventTypes !== undefined) {
    body.event_types = options.eventTypes
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean);
  }
  return body;
}

/** `--rate-limit`: a whole number of events a second, or `none`; the API checks its range. */
function rateLimitValue(raw: string): number | null {
  if (raw.trim().toLowerCase() === "none") return null;
  if (!/^\d{1,9}$/.test(raw.trim()))
    throw new Error(`--rate-limit: "${raw}" is not a whole number of events a second (or none)`);
  return Number(raw.trim());
}

/** One of the three ways a destination authenticates us, from its flag. */
function destinationAuth(options: DestinationFlags): Record<string, string> | undefined {
  const given = [options.httpsAuthBearerToken, options.httpsAuthBasic, options.httpsAuthHeader].filter(
    (v) => v !== undefined,
  );
  if (given.length > 1)
    throw new Error("give one of --https-auth-bearer-token, --https-auth-basic and --https-auth-header");
  if (options.httpsAuthBearerToken !== undefined)
    return {
      type: "bearer",
      token: readSecretValue(options.httpsAuthBearerToken, "--https-auth-bearer-token"),
    };
  if (options.httpsAuthBasic !== undefined) {
    const credentials = readSecretValue(options.httpsAuthBasic, "--https-auth-basic");
    const colon = credentials.indexOf(":");
    if (colon <= 0) throw new Error("--https-auth-basic must be USER:PASSWORD");
    return { type: "basic", username: credentials.slice(0, colon), password: credentials.slice(colon + 1) };
  }
  if (options.httpsAuthHeader !== undefined) {
    const [header, value] = nameValue(options.httpsAuthHeader, "--https-auth-header", true);
    return { type: "api_key", header, value };
  }
  return undefined;
}

async function patch(
  options: Common & { verify?: boolean },
  id: string,
  body: Record<string, unknown>,
  ifMatch: string | undefined,
): Promise<StreamView> {
  const api = client(options);
  const path = withVerify(streamPath(options, id), options);
  return ifMatch === undefined
    ? api.request<StreamView>("PATCH", path, body)
    : api.request<StreamView>("PATCH", path, body, { "if-match": `"${ifMatch}"` });
}

const client = (options: ApiClientOptions) => new ApiClient(options);
const streamsPath = (options: Common) => `/projects/${encodeURIComponent(options.project)}/eventstreams`;
const streamPath = (options: Common, id: string) => `${streamsPath(options)}/${encodeURIComponent(id)}`;
const withVerify = (path: string, options: { verify?: boolean }) =>
  options.verify === false ? `${path}?verify=false` : path;
const print = (text: string) => process.stdout.write(text);

/** A written stream on stdout; what its verification warned about on stderr, to be seen and fixed. */
function printWritten(stream: StreamView, format: OutputFormat): void {
  const { warnings, ...view } = stream as StreamView & {
    warnings?: { code: string; message: string; hint?: string }[];
  };
  for (const w of warnings ?? [])
    process.stderr.write(`warning (${w.code}): ${w.message}${w.hint ? `\n  fix: ${w.hint}` : ""}\n`);
  print(formatStream(view as StreamView, format));
}
