import { Readable } from "node:stream";
import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, HttpRequest } from "@smithy/types";
import { reusedSigner, type SignerConfig } from "./client-signer";

const sha256 = new SNSClient({ region: "us-east-1" }).config.sha256;

const request = (body: string): HttpRequest => ({
  method: "POST",
  protocol: "https:",
  hostname: "sns.eu-west-1.amazonaws.com",
  path: "/",
  query: {},
  headers: { "content-type": "application/x-www-form-urlencoded", host: "sns.eu-west-1.amazonaws.com" },
  body,
});

const credentials = (n: number): AwsCredentialIdentity => ({
  accessKeyId: `ASIAEXAMPLE${n}`,
  secretAccessKey: `secret-${n}`,
  sessionToken: `token-${n}`,
});

/** What the SDK's own signer (a new SignatureV4 per call) puts in the request. */
async function sdkSigned(creds: AwsCredentialIdentity, body: string, signingDate: Date) {
  const signer = new SignatureV4({
    credentials: creds,
    region: "eu-west-1",
    service: "sns",
    sha256,
    uriEscapePath: true,
  });
  const signed = (await signer.sign(request(body), {
    signingDate,
    signingRegion: "eu-west-1",
    signingService: "sns",
  })) as HttpRequest;
  return signed.headers;
}

describe("reusedSigner", () => {
  it("signs exactly as a new SDK signer would, across credential, day and body changes", async () => {
    let current = credentials(1);
    const provider = reusedSigner(
      async () => current,
      "eu-west-1",
      () => ({ sha256, serviceId: "SNS" }),
    );
    const signer = await provider({ signingName: "sns", signingRegion: "eu-west-1" });
    expect(await provider()).toBe(signer);

    const cases: Array<[AwsCredentialIdentity, string, Date]> = [
      [credentials(1), "Action=PublishBatch&a=1", new Date("2026-11-27T10:00:00Z")],
      [credentials(1), "Action=PublishBatch&a=2", new Date("2026-11-27T23:59:59Z")],
      [credentials(1), "Action=PublishBatch&a=2", new Date("2026-11-28T00:00:01Z")], // a new day: new key
      [credentials(2), "Action=PublishBatch&a=3", new Date("2026-11-28T00:00:02Z")], // refreshed credentials
      [credentials(2), "Action=PublishBatch&a=4", new Date("2026-11-28T00:00:03Z")],
    ];
    for (const [creds, body, signingDate] of cases) {
      current = creds;
      const signed = (await signer.sign(request(body), {
        signingDate,
        signingRegion: "eu-west-1",
        signingService: "sns",
      })) as HttpRequest;
      expect(signed.headers).toEqual(await sdkSigned(creds, body, signingDate));
    }
  });
});

/** Requests as the SDK would send them, answered with an empty 200 so nothing leaves the process. */
function capturing() {
  const sent: HttpRequest[] = [];
  const requestHandler = {
    handle: async (request: HttpRequest) => {
      sent.push(request);
      return { response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.from("{}")]) } };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return { sent, requestHandler };
}

describe("an SDK client with reusedSigner", () => {
  beforeAll(() =>
    jest.useFakeTimers({
      now: new Date("2026-11-27T12:00:00Z"),
      doNotFake: ["nextTick", "setImmediate", "queueMicrotask"],
    }),
  );
  afterAll(() => jest.useRealTimers());

  it.each([
    ["SNS", "https://sns.eu-west-1.amazonaws.com", undefined],
    ["SNS", undefined, "http://127.0.0.1:4566"],
    ["SQS", undefined, undefined],
  ])(
    "sends %s requests signed as with the SDK's own signer (endpoint %s, env %s)",
    async (service, endpoint, envEndpoint) => {
      const previous = process.env.AWS_ENDPOINT_URL;
      if (envEndpoint) process.env.AWS_ENDPOINT_URL = envEndpoint;
      else delete process.env.AWS_ENDPOINT_URL;
      try {
        const signed = async (ours: boolean) => {
          const { sent, requestHandler } = capturing();
          const creds = async () => credentials(7);
          const settings = {
            region: "eu-west-1",
            credentials: creds,
            requestHandler,
            maxAttempts: 1,
            ...(endpoint ? { endpoint } : {}),
          };
          const tuned = (config: () => SignerConfig) =>
            ours ? { cacheMiddleware: true, signer: reusedSigner(creds, "eu-west-1", config) } : {};
          // One client, two calls: the second is signed with what the first left behind.
          let send: (i: number) => Promise<unknown>;
          if (service === "SNS") {
            const client: SNSClient = new SNSClient({ ...settings, ...tuned(() => client.config) });
            send = (i) =>
              client.send(
                new PublishBatchCommand({
                  TopicArn: "arn:aws:sns:eu-west-1:123456789012:t",
                  PublishBatchRequestEntries: [{ Id: "0", Message: `m${i}` }],
                }),
              );
          } else {
            const client: SQSClient = new SQSClient({ ...settings, ...tuned(() => client.config) });
            send = (i) =>
              client.send(
                new SendMessageBatchCommand({
                  QueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/q",
                  Entries: [{ Id: "0", MessageBody: `m${i}` }],
                }),
              );
          }
          for (let i = 0; i < 2; i++) await send(i).catch(() => undefined);
          return sent;
        };
        // The invocation id (random, signed) differs per request: compare everything else, and check
        // our signature by signing the very request again with a new SDK SignatureV4.
        const shape = (r: HttpRequest) => {
          const { "amz-sdk-invocation-id": _id, authorization, ...headers } = r.headers;
          return { host: r.hostname, path: r.path, headers, scope: authorization?.split("Signature=")[0] };
        };
        const ours = await signed(true);
        expect(ours).toHaveLength(2);
        expect(ours[0]?.headers.authorization).toContain(`/eu-west-1/${service.toLowerCase()}/aws4_request`);
        expect(ours.map(shape)).toEqual((await signed(false)).map(shape));
        for (const request of ours) {
          const again = (await new SignatureV4({
            credentials: credentials(7),
            region: "eu-west-1",
            service: service.toLowerCase(),
            sha256,
            uriEscapePath: true,
          }).sign(
            { ...request, headers: { ...request.headers } },
            { signingDate: new Date() },
          )) as HttpRequest;
          expect(request.headers.authorization).toBe(again.headers.authorization);
        }
      } finally {
        if (previous === undefined) delete process.env.AWS_ENDPOINT_URL;
        else process.env.AWS_ENDPOINT_URL = previous;
      }
    },
  );
});
