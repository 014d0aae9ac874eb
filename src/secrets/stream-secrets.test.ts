import { randomBytes } from "node:crypto";
import { type DataKeys, isSealed, SecretOpenError, type SecretOwner } from "./envelope";
import { ownerOf, StreamSecrets } from "./stream-secrets";

/** Data keys from memory: "encrypted" is the key itself, tagged with its owner (a stand-in for KMS). */
class MemoryDataKeys implements DataKeys {
  generated = 0;
  async generate(owner: SecretOwner, keyId = "key-1") {
    this.generated++;
    const plaintext = randomBytes(32);
    return { plaintext, encrypted: Buffer.concat([Buffer.from(`${owner.streamId}:`), plaintext]), keyId };
  }
  async decrypt(owner: SecretOwner, encrypted: Buffer) {
    const prefix = Buffer.from(`${owner.streamId}:`);
    if (!encrypted.subarray(0, prefix.length).equals(prefix)) throw new Error("not this owner's data key");
    return encrypted.subarray(prefix.length);
  }
}

const stream = { id: "s1", projectId: "p1" };
const paths = ["secret", "previousSecret", "auth.token"];

describe("StreamSecrets", () => {
  it("seals every secret under one data key and opens them again", async () => {
    const keys = new MemoryDataKeys();
    const secrets = new StreamSecrets(keys);
    const config = {
      url: "https://x.example",
      secret: "whsec_abc",
      auth: { type: "bearer", token: "tok-123" },
    };
    const sealed = await secrets.seal(ownerOf(stream), config, paths);
    expect(keys.generated).toBe(1);
    expect(isSealed(sealed.secret)).toBe(true);
    expect(isSealed((sealed.auth as Record<string, unknown>).token)).toBe(true);
    expect(JSON.stringify(sealed)).not.toContain("whsec_abc");
    expect(JSON.stringify(sealed)).not.toContain("tok-123");
    expect(sealed.url).toBe(config.url);
    expect(await secrets.open(ownerOf(stream), sealed, paths)).toEqual(config);
  });

  it("keeps what is sealed already and seals what is still plain (a record from before)", async () => {
    const keys = new MemoryDataKeys();
    const secrets = new StreamSecrets(keys);
    const first = await secrets.seal(ownerOf(stream), { secret: "a" }, paths);
    const again = await secrets.seal(ownerOf(stream), { ...first, previousSecret: "b" }, paths);
    expect(again.secret).toEqual(first.secret);
    expect(isSealed(again.previousSecret)).toBe(true);
    expect(await secrets.open(ownerOf(stream), again, paths)).toEqual({ secret: "a", previousSecret: "b" });
    // Plain values read as they are.
    expect(await secrets.open(ownerOf(stream), { secret: "plain" }, paths)).toEqual({ secret: "plain" });
  });

  it("refuses a sealed value copied into another stream or project, and lets it move within its stream", async () => {
    const keys = new MemoryDataKeys();
    const secrets = new StreamSecrets(keys);
    const sealed = await secrets.seal(ownerOf(stream), { secret: "whsec_abc" }, paths);
    // Another project, same stream id: the data key opens (same owner tag here), the data does not.
    await expect(secrets.open({ projectId: "p2", streamId: "s1" }, sealed, paths)).rejects.toThrow(
      SecretOpenError,
    );
    await expect(
      secrets.open({ projectId: "p2", streamId: "s1" }, { previousSecret: sealed.secret }, paths),
    ).rejects.toThrow(/previousSecret of stream s1 does not decrypt/);
    // A rotation moves the current secret to the previous one, sealed as it is.
    expect(await secrets.open(ownerOf(stream), { previousSecret: sealed.secret }, paths)).toEqual({
      previousSecret: "whsec_abc",
    });
    await expect(secrets.open({ projectId: "p1", streamId: "s2" }, sealed, paths)).rejects.toThrow(
      /not this owner's data key/,
    );
  });

  it("rewraps every secret under another key", async () => {
    const keys = new MemoryDataKeys();
    const secrets = new StreamSecrets(keys);
    const sealed = await secrets.seal(ownerOf(stream), { secret: "a", auth: { token: "t" } }, paths);
    const rewrapped = await secrets.seal(ownerOf(stream), sealed, paths, "key-2");
    expect(StreamSecrets.describe(rewrapped, paths)).toEqual({ keys: new Set(["key-2"]), plain: 0 });
    expect(await secrets.open(ownerOf(stream), rewrapped, paths)).toEqual({
      secret: "a",
      auth: { token: "t" },
    });
  });
});
