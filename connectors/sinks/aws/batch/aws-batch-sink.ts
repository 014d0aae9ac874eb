import type { STSClient } from "@aws-sdk/client-sts";
import { LRUCache } from "lru-cache";
import type { DomainEvent } from "../../../../src/events/domain-event";
import { RequestSlots } from "../../request-slots";
import type { DeliveryResult, Sink, SinkTarget, VerifyResult } from "../../sink";
import { parseArn } from "../arn";
import {
  AssumedRoleClients,
  describeAwsError,
  MAX_SOCKETS,
  roleTargetOf,
  type SdkClient,
} from "../assumed-role-clients";
import { MAX_CACHED_ROLES, type RoleKey } from "../assumed-role-credentials";
import { classifyAwsError } from "../errors";
import { awsEndpoint } from "../lean/aws-endpoint";
import { SignedRequests } from "../lean/signed-requests";
import type { AwsTransport } from "../lean/transport-setting";
import type { AwsBatchService } from "./aws-batch-service";
import { entryResult } from "./entry-answers";
import { outgoingMessage, verificationMessage } from "./outgoing-message";
import { packEntries } from "./pack-entries";

export interface AwsSinkConfig {
  roleArn: string;
}

export interface AwsBatchSinkOptions {
  transport?: AwsTransport;
  /** Where the endpoint settings are read (AWS_ENDPOINT_URL...): the connector's environment. */
  env: NodeJS.ProcessEnv;
  /** Our own identity's STS client (standard provider chain); tests pass one they observe. */
  sts?: STSClient;
}

/** Where one `deliver` call's requests go, worked out once for all its batches. */
interface Destination<Config> {
  target: SinkTarget<Config>;
  resource: string;
  region: string;
  /** The resource as the delivery call names it (a topic ARN, a queue URL, a stream name). */
  address: string;
  role: RoleKey;
}

/** Per region: its request slots and, for the lean transport, its endpoint. */
interface RegionState {
  slots: RequestSlots;
  endpoint: URL;
}

interface Pending<Entry> {
  /** The event's index in the `deliver` call. */
  index: number;
  id: string;
  entry: Entry;
  bytes: number;
}

/**
 * The AWS sinks' one machinery (as Vector's aws_s_s sinks share theirs): assume the customer's
 * role (ExternalId = project id), pack events into the service's batch calls, send them through
 * request slots per region on the chosen transport, and map each entry's answer to a delivery
 * result. A service adds only its AwsBatchService: encoder, decoder, limits.
 */
export class AwsBatchSink<Config extends AwsSinkConfig, Entry, Output, Client extends SdkClient>
  implements Sink<Config>
{
  private readonly clients: AssumedRoleClients<Client>;
  /** Per region; a tenant names its resource's region, so the regions remembered are bounded too. */
  private readonly regions = new LRUCache<string, RegionState>({ max: 64 });
  /** Addresses looked up through the SDK (SQS queue URLs), per stream's resource and role; others are not kept. */
  private readonly addresses = new LRUCache<string, Promise<string>>({ max: MAX_CACHED_ROLES });
  private readonly transport: AwsTransport;
  private readonly env: NodeJS.ProcessEnv;
  /** The lean transport's signed requests (connection pools, signers); only made for it. */
  private readonly requests?: SignedRequests;

  constructor(
    private readonly service: AwsBatchService<Config, Entry, Output, Client>,
    options: AwsBatchSinkOptions,
  ) {
    this.env = options.env;
    this.clients = new AssumedRoleClients(service.sdk.client, options.sts, MAX_CACHED_ROLES, {
      service: service.service,
      env: this.env,
    });
    this.transport = options.transport ?? "lean";
    if (this.transport === "lean") this.requests = new SignedRequests();
  }

  /** Assumes the role, then sends one verification message with the delivery call itself, on the SDK. */
  async verify(target: SinkTarget<Config>): Promise<VerifyResult> {
    const resource = this.service.resourceArn(target.config);
    const { roleArn } = target.config;
    try {
      await this.clients.credentials.get(this.roleKey(target));
    } catch (error) {
      const { code, message } = describeAwsError(error);
      return {
        ok: false,
        code,
        message: `could not assume ${roleArn}: ${message}`,
        hint: `the role's trust policy must allow sts:AssumeRole for our account with the condition sts:ExternalId = "${target.projectId}" (your project id)`,
      };
    }
    const failed = (code: string, message: string): VerifyResult => ({
      ok: false,
      code,
      message: `could not deliver to ${resource} as ${roleArn}: ${message}`,
      hint: `the role needs ${this.service.permissions}, and the ${this.service.resourceKind} must exist in the region of its ARN`,
    });
    try {
      const client = await this.client(target);
      const address = await this.address(target);
      const { entry } = this.service.entry(verificationMessage(target), "0", target.config);
      const output = await this.service.sdk.send(client, address, [entry]);
      const [answer] = this.service.answers(output, ["0"]);
      if (!answer?.ok) return failed(answer?.code ?? "MissingResult", answer?.message ?? "not reported");
    } catch (error) {
      const { code, message } = describeAwsError(error);
      return failed(code, message);
    }
    // The role works with the project id; may it work without? (A confused deputy, if so.)
    const warning = await this.clients.trustPolicyWarning(target);
    return warning ? { ok: true, warnings: [warning] } : { ok: true };
  }

  async deliver(target: SinkTarget<Config>, events: readonly DomainEvent[]): Promise<DeliveryResult[]> {
    const { service } = this;
    const resource = service.resourceArn(target.config);
    const results: DeliveryResult[] = new Array(events.length);
    const pending = events.map((event, index): Pending<Entry> => {
      const id = String(index);
      return { index, id, ...service.entry(outgoingMessage(event), id, target.config) };
    });
    const { batches, oversized } = packEntries(pending, service.limits);
    const { maxEntryBytes, unit } = service.limits;
    for (const { index, bytes } of oversized) {
      results[index] = {
        outcome: "permanent",
        code: "MessageTooLarge",
        message: `event ${events[index]?.id} is ${bytes} bytes as ${article(unit)} ${service.title} ${unit}; ${service.title} accepts at most ${maxEntryBytes}`,
      };
    }
    if (batches.length === 0) return results;
    let destination: Destination<Config>;
    try {
      const region = parseArn(resource).region;
      destination = {
        target,
        resource,
        region,
        address: await this.address(target),
        role: this.roleKey(target),
      };
    } catch (error) {
      const result = classifyAwsError(error, `finding ${resource}`);
      for (const batch of batches) for (const { index } of batch) results[index] = result;
      return results;
    }
    const { slots } = this.region(destination.region);
    const send = (batch: Pending<Entry>[]) => slots.run(() => this.send(destination, batch, results));
    // An ordered resource sees a project's events in order: one call after the other.
    if (service.ordered?.(target.config)) for (const batch of batches) await send(batch);
    else await Promise.all(batches.map(send));
    return results;
  }

  private async send(
    destination: Destination<Config>,
    batch: Pending<Entry>[],
    results: DeliveryResult[],
  ): Promise<void> {
    const { service } = this;
    const entries = batch.map((p) => p.entry);
    try {
      const output =
        this.transport === "sdk"
          ? await service.sdk.send(await this.client(destination.target), destination.address, entries)
          : await this.sendLean(destination, entries);
      const answers = service.answers(
        output,
        batch.map((p) => p.id),
      );
      batch.forEach((p, i) => {
        results[p.index] = entryResult(service.operation, answers[i]);
      });
    } catch (error) {
      const result = classifyAwsError(error, `${service.operation} to ${destination.resource}`);
      for (const p of batch) results[p.index] = result;
    }
  }

  /** The call on the lean transport: the role assumed as for the SDK, the request built and signed here. */
  private async sendLean(destination: Destination<Config>, entries: Entry[]): Promise<Output> {
    const { service } = this;
    const { role, region } = destination;
    await this.clients.credentials.get(role);
    const { headers, body } = service.lean.request(destination.address, entries);
    const answer = await (this.requests as SignedRequests).send({
      signerKey: signerKeyOf(role),
      service: service.service.endpointPrefix,
      region,
      endpoint: this.region(region).endpoint,
      credentials: this.clients.credentials.provider(role),
      headers,
      body,
    });
    return service.lean.read(answer);
  }

  /** The address from the config itself, or an SDK lookup's (made once per stream and kept). */
  private address(target: SinkTarget<Config>): string | Promise<string> {
    const key = addressKey(this.service.resourceArn(target.config), target);
    const known = this.addresses.get(key);
    if (known) return known;
    const address = this.service.address(target.config, () => this.client(target));
    if (typeof address === "string") return address;
    this.addresses.set(key, address);
    // A failure (resource not created yet, role not trusted yet) is not remembered.
    address.catch(() => this.addresses.get(key) === address && this.addresses.delete(key));
    return address;
  }

  private region(region: string): RegionState {
    let state = this.regions.get(region);
    if (!state) {
      state = {
        slots: new RequestSlots(MAX_SOCKETS),
        endpoint: awsEndpoint(this.service.service, region, this.env),
      };
      this.regions.set(region, state);
    }
    return state;
  }

  private client(target: SinkTarget<Config>): Promise<Client> {
    return this.clients.client(roleTargetOf(target, this.service.resourceArn(target.config)));
  }

  private roleKey(target: SinkTarget<Config>): RoleKey {
    return this.clients.roleKey(roleTargetOf(target, this.service.resourceArn(target.config)));
  }

  release(target: SinkTarget<Config>): void {
    const resource = this.service.resourceArn(target.config);
    this.clients.release(roleTargetOf(target, resource));
    this.addresses.delete(addressKey(resource, target));
    this.requests?.forget({
      signerKey: signerKeyOf(this.roleKey(target)),
      service: this.service.service.endpointPrefix,
      region: parseArn(resource).region,
    });
  }

  cached(): Record<string, number> {
    return {
      ...this.clients.cached(),
      regions: this.regions.size,
      addresses: this.addresses.size,
      signers: this.requests?.signerCount ?? 0,
    };
  }

  async close(): Promise<void> {
    this.clients.close();
    await this.requests?.close();
  }
}

/** One signer per role and project (its credentials), per region and service in SignedRequests. */
const signerKeyOf = (role: RoleKey) => `${role.roleArn}\n${role.projectId}`;

const addressKey = (resource: string, target: SinkTarget<AwsSinkConfig>) =>
  `${resource}\n${target.config.roleArn}\n${target.projectId}`;

const article = (word: string) => (/^[aeiou]/.test(word) ? "an" : "a");
