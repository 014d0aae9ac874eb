import { randomUUID } from "node:crypto";

/** Tests share one stack, so every topic, group and AWS resource gets a name of its own. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
