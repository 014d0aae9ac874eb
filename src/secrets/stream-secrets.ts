import {
  type DataKeys,
  isSealed,
  openWith,
  type SealedSecret,
  SecretOpenError,
  type SecretOwner,
  sealWith,
} from "./envelope";

type Config = Record<string, unknown>;

/** KMS's answers for a data key that is not this owner's, or not under that key (not outages). */
const REFUSED_DATA_KEY = new Set(["InvalidCiphertextException", "IncorrectKeyException"]);

/** What a stream's sealed secrets are bound to. */
export const ownerOf = (stream: { id: string; projectId: string }): SecretOwner => ({
  projectId: stream.projectId,
  streamId: stream.id,
});

/**
 * Seals and opens the secret settings of a stream's destination (their paths: `secret`,
 * `auth.token`), all of a stream's under one data key per write. Values stored before secrets
 * were sealed (plain strings) are read as they are and sealed on the stream's next write.
 */
export class StreamSecrets {
  constructor(private readonly keys: DataKeys) {}

  /**
   * The config with every secret sealed: plain values under a new data key, sealed ones kept as
   * they are, unless `rewrapTo` (a key id; "" for the current key) asks for all of them anew.
   */
  async seal(
    owner: SecretOwner,
    config: Config,
    paths: readonly string[],
    rewrapTo?: string,
  ): Promise<Config> {
    const present = paths.filter((path) => valueAt(config, path) !== undefined);
    const toSeal = present.filter((path) => rewrapTo !== undefined || !isSealed(valueAt(config, path)));
    if (toSeal.length === 0) return config;
    const opened = rewrapTo === undefined ? config : await this.open(owner, config, toSeal);
    const dataKey = await this.keys.generate(owner, rewrapTo || undefined);
    let sealed = config;
    for (const path of toSeal) {
      const value = valueAt(opened, path);
      if (typeof value === "string") sealed = withValueAt(sealed, path, sealWith(dataKey, owner, value));
    }
    return sealed;
  }

  /** The config with its secrets in plain text (in memory only); throws SecretOpenError. */
  async open(owner: SecretOwner, config: Config, paths: readonly string[]): Promise<Config> {
    let opened = config;
    for (const path of paths) {
      const value = valueAt(config, path);
      if (!isSealed(value)) continue;
      const key = await this.keys
        .decrypt(owner, Buffer.from(value.$sealed.dataKey, "base64"), value.$sealed.key)
        .catch((error: unknown) => {
          // The key service answered that this data key is not this stream's: it never will be.
          const name = (error as { name?: string }).name ?? "";
          if (REFUSED_DATA_KEY.has(name))
            throw new SecretOpenError(owner.streamId, path, `the key service refused its data key (${name})`);
          throw error;
        });
      opened = withValueAt(opened, path, openWith(key, owner, path, value));
    }
    return opened;
  }

  /** The keys a config's secrets are sealed under, and whether any is still in plain text. */
  static describe(config: Config, paths: readonly string[]): { keys: Set<string>; plain: number } {
    const keys = new Set<string>();
    let plain = 0;
    for (const path of paths) {
      const value = valueAt(config, path);
      if (isSealed(value)) keys.add(value.$sealed.key);
      else if (typeof value === "string") plain++;
    }
    return { keys, plain };
  }
}

export type { SealedSecret };

function valueAt(config: Config, path: string): unknown {
  let at: unknown = config;
  for (const part of path.split(".")) {
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Config)[part];
  }
  return at;
}

/** A copy of the config with one value replaced (nested objects copied on the way). */
function withValueAt(config: Config, path: string, value: unknown): Config {
  const [head, ...rest] = path.split(".") as [string, ...string[]];
  if (rest.length === 0) return { ...config, [head]: value };
  const inner = config[head];
  if (typeof inner !== "object" || inner === null) return config;
  return { ...config, [head]: withValueAt(inner as Config, rest.join("."), value) };
}
