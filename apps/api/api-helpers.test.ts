import { Authenticator, mayManage } from "./auth";
import { toCamel, toSnake } from "./fields";
import { parseIfMatch, parseStreamInput } from "./stream-input";

describe("field names", () => {
  it.each([
    ["topic_arn", "topicArn"],
    ["https_endpoint", "httpsEndpoint"],
    ["role_arn", "roleArn"],
    ["type", "type"],
  ])("%s ↔ %s", (snake, camel) => {
    expect(toCamel(snake)).toBe(camel);
    expect(toSnake(camel)).toBe(snake);
  });

  it("splits a body into stream fields and sink settings, and refuses read-only fields", () => {
    expect(parseStreamInput({ type: "https", https_endpoint: "https://x", event_types: [] })).toEqual({
      type: "https",
      eventTypes: [],
      config: { httpsEndpoint: "https://x" },
    });
    expect(() => parseStreamInput({ created_at: "now" })).toThrow("created_at is read-only");
  });
});

describe("If-Match", () => {
  it.each([
    ['"3"', 3],
    ['W/"12"', 12],
    ["7", 7],
    ["*", undefined],
    [undefined, undefined],
  ])("%s → %s", (header, revision) => {
    expect(parseIfMatch(header)).toBe(revision);
  });

  it("refuses anything else, naming the header", () => {
    expect(() => parseIfMatch('"abc"')).toThrow("if-match");
  });
});

describe("Authenticator", () => {
  const auth = new Authenticator({
    adminTokens: ["admin-token-0123456789"],
    projectTokens: {
      p1: ["project-one-0123456789"],
      p2: ["project-two-0123456789", "rotated-two-0123456789"],
    },
  });

  it("finds the principal of a bearer token", () => {
    expect(auth.authenticate("Bearer admin-token-0123456789")).toEqual({ kind: "admin" });
    expect(auth.authenticate("bearer rotated-two-0123456789")).toEqual({ kind: "project", projectId: "p2" });
  });

  it.each([undefined, "", "Bearer", "Bearer nope", "Basic admin-token-0123456789", "admin-token-0123456789"])(
    "refuses %p",
    (header) => {
      expect(auth.authenticate(header)).toBeUndefined();
    },
  );

  it("lets a project token manage only its project, and admin every project", () => {
    expect(mayManage({ kind: "project", projectId: "p1" }, "p1")).toBe(true);
    expect(mayManage({ kind: "project", projectId: "p1" }, "p2")).toBe(false);
    expect(mayManage({ kind: "admin" }, "p2")).toBe(true);
  });
});
