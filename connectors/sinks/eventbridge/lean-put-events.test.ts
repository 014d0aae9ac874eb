import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { sdkRequest, seededRandom, textOf } from "../aws/lean/test/differential";
import { PUT_EVENTS_HEADERS, putEventsBody } from "./lean-put-events";

/**
 * Differential test of the lean PutEvents encoder: for generated batches (unicode, escapes, bus
 * names and ARNs, the largest detail), the body and the protocol headers equal what the SDK's own
 * serializer sends for the same input (captured by a handler that never sends).
 */
const sdkSend = (entries: PutEventsRequestEntry[]) =>
  sdkRequest(
    (config) => new EventBridgeClient(config),
    (client) => client.send(new PutEventsCommand({ Entries: entries })),
  );

const PIECES = [
  "a",
  "Z",
  "0",
  " ",
  "ü",
  "中",
  "😀",
  '"',
  "\\",
  "\n",
  "\t",
  "\u0000",
  "\u2028",
  "<",
  "&",
  "%",
];

function batch(seed: number): PutEventsRequestEntry[] {
  const next = seededRandom(seed);
  return Array.from({ length: 1 + Math.floor(next() * 10) }, () => ({
    Source: `eventstreams.${textOf(next, ["identities", "oauth2", "permissions"], 1)}`,
    DetailType: textOf(next, PIECES, Math.floor(next() * 40)),
    Detail: JSON.stringify({
      id: textOf(next, PIECES, 8),
      text: textOf(next, PIECES, Math.floor(next() * 500)),
    }),
    EventBusName:
      next() < 0.5
        ? "arn:aws:events:eu-west-1:123456789012:event-bus/customer.bus"
        : "aws.partner/example.com/123/bus",
  }));
}

describe("lean EventBridge PutEvents encoding", () => {
  it.each(Array.from({ length: 100 }, (_, i) => i + 1))(
    "equals the SDK's body for generated batch %i",
    async (seed) => {
      const entries = batch(seed);
      const sdk = await sdkSend(entries);
      expect(putEventsBody(entries)).toBe(sdk.body);
      for (const [name, value] of Object.entries(PUT_EVENTS_HEADERS)) expect(sdk.headers[name]).toBe(value);
    },
  );

  it("equals the SDK's body for the largest detail", async () => {
    const entries = [
      {
        Source: "eventstreams.identities",
        DetailType: "IdentityCreated",
        Detail: "x".repeat(256 * 1024 - 40),
        EventBusName: "b",
      },
    ];
    expect(putEventsBody(entries)).toBe((await sdkSend(entries)).body);
  });
});
