import { sampleStream } from "../../test/support/streams";
import {
  connectorPauseKey,
  effectiveStream,
  parseConnectorPause,
  pausedStreamOf,
  serializeConnectorPause,
} from "./connector-pause";

describe("a connector's pause of a stream", () => {
  const stream = sampleStream({ revision: 4 });
  const pause = { streamId: stream.id, revision: 4, pausedAt: "2026-12-01T10:00:00.000Z", reason: "gone" };

  it("pauses the revision it names, and no other", () => {
    expect(effectiveStream(stream, pause)).toEqual({
      ...stream,
      status: "paused",
      pausedAt: pause.pausedAt,
      pausedReason: "gone",
    });
    // The API wrote revision 5 meanwhile: its write wins, whatever order the records come in.
    const updated = { ...stream, revision: 5, eventTypes: ["identity.created"] };
    expect(effectiveStream(updated, pause)).toBe(updated);
    // A pause never brings back a deleted stream.
    expect(effectiveStream(undefined, pause)).toBeUndefined();
    // A stream the API paused keeps the API's reason.
    const apiPaused = { ...stream, status: "paused" as const, pausedReason: "paused through the API" };
    expect(effectiveStream(apiPaused, pause)).toBe(apiPaused);
  });

  it("has a key no stream id can have, and a record that round-trips", () => {
    const key = connectorPauseKey(stream.id);
    expect(pausedStreamOf(key)).toBe(stream.id);
    expect(pausedStreamOf(stream.id)).toBeUndefined();
    expect(parseConnectorPause(serializeConnectorPause(pause), stream.id)).toEqual(pause);
    // A record under one stream's key that names another stream is refused, not applied.
    expect(() => parseConnectorPause(serializeConnectorPause(pause), "another")).toThrow(
      /not a connector pause/,
    );
  });
});
