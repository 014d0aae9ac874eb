import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { withFastProperties } from "./fast-properties";

describe("withFastProperties", () => {
  it("returns the same object with the same properties, accessors included", () => {
    let reads = 0;
    const object: Record<string, unknown> = { a: 1 };
    Object.defineProperty(object, "credentials", { get: () => ++reads, enumerable: true });
    for (let i = 0; i < 200; i++) object[`k${i}`] = i;
    const before = Object.getOwnPropertyNames(object);
    expect(withFastProperties(object)).toBe(object);
    expect(Object.getOwnPropertyNames(object)).toEqual(before);
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
    expect(object.k199).toBe(199);
    expect(object.credentials).toBe(1);
  });

  it("leaves SDK client configs, which the SDK leaves in V8's dictionary mode, in fast mode", () => {
    // Only a process started with --allow-natives-syntax can read V8's property layout.
    const out = execFileSync(process.execPath, [
      "--allow-natives-syntax",
      "--import",
      "tsx",
      path.join(__dirname, "test", "config-layout.ts"),
    ]);
    const layout = JSON.parse(out.toString()) as { asMade: boolean; handedOut: boolean[] };
    // If the SDK stops leaving its config in dictionary mode, withFastProperties can go.
    expect(layout.asMade).toBe(false);
    expect(layout.handedOut).toHaveLength(100);
    expect(layout.handedOut.every(Boolean)).toBe(true);
  });
});
