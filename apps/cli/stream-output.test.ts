import { formatStream, formatStreams, type StreamView } from "./stream-output";

const base: StreamView = {
  id: "s1",
  project_id: "p1",
  type: "sns",
  topic_arn: "arn:aws:sns:us-east-1:123456789012:orders",
  status: "paused",
  event_types: [],
  revision: 3,
  health: { status: "healthy" },
  summary: null,
};

describe("stream output", () => {
  it("shows a paused stream's backlog as events waiting, oldest and expiry", () => {
    const out = formatStream(
      {
        ...base,
        backlog: {
          from: { identities: { partition: 1, offset: "10" } },
          waiting: {
            events: 42,
            oldest_event_at: "2026-12-01T10:00:00.000Z",
            oldest_expires_at: "2026-12-08T10:00:00.000Z",
          },
        },
      },
      "table",
    );
    expect(out).toMatch(
      /BACKLOG\s+42 events waiting · oldest 2026-12-01T10:00:00.000Z · expires 2026-12-08T10:00:00.000Z/,
    );
    expect(out).not.toContain("[object Object]");
  });

  it("shows a resumed stream's catch-up per topic", () => {
    const out = formatStream(
      {
        ...base,
        status: "active",
        backlog: {
          from: { identities: { partition: 1, offset: "10" } },
          to: { identities: { partition: 1, offset: "310" } },
          in_order: true,
        },
        catch_up: { identities: { next: "120", to: "310", delivered: 95, done: false } },
      },
      "table",
    );
    expect(out).toMatch(/BACKLOG\s+identities 10\.\.310 · in order/);
    expect(out).toMatch(/CATCH_UP\s+identities 120\/310 \(delivered 95\)/);
  });

  it("keeps the backlog out of the destination column of a list", () => {
    const out = formatStreams([{ ...base, backlog: { from: {} } }], "table");
    expect(out).toContain("topic_arn=arn:aws:sns:us-east-1:123456789012:orders");
    expect(out).not.toContain("backlog=");
  });
});
