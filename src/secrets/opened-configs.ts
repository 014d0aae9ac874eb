import { LRUCache } from "lru-cache";
import type { EventStream } from "../streams/event-stream";
import { ownerOf, type StreamSecrets } from "./stream-secrets";

type Config = Record<string, unknown>;

/** Opened configs kept, and for how long: one per stream revision, as many as streams deliver. */
const MAX_OPENED = 10_000;
const OPENED_TTL_MS = 15 * 60_000;

/**
 * Stream configs with their secrets opened, for the processes that deliver: opened once per
 * stream revision (a data key from KMS, cached) and kept in memory, bounded and for a while, so
 * a delivery costs a map lookup. A failure is not kept: the next delivery tries again.
 */
export class OpenedConfigs {
  private readonly opened = new LRUCache<string, Promise<Config>>({ max: MAX_OPENED, ttl: OPENED_TTL_MS });

  constructor(
    private readonly secrets: StreamSecrets,
    private readonly secretPaths: (type: string) => readonly string[],
  ) {}

  /** The config to deliver with: the stream's own when it has no secrets (no promise then). */
  configOf(stream: EventStream): Config | Promise<Config> {
    const paths = this.secretPaths(stream.type);
    if (paths.length === 0) return stream.config;
    const key = `${stream.id}@${stream.revision}`;
    let opened = this.opened.get(key);
    if (!opened) {
      opened = this.secrets.open(ownerOf(stream), stream.config, paths);
      this.opened.set(key, opened);
      opened.catch(() => this.opened.delete(key));
    }
    return opened;
  }
}
