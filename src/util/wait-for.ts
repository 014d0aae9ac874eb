export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Said in the timeout error: what we were waiting for (a function is read at the deadline). */
  description?: string | (() => string);
}

/**
 * Polls `condition` until it returns a truthy value or the deadline passes. This is how the code
 * and the tests wait for readiness: never a fixed sleep.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeoutMs, intervalMs = 200, description = "condition" }: WaitOptions,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: last error: ${lastError.message}` : "";
      const what = typeof description === "function" ? description() : description;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await delay(intervalMs);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves on the event loop's next turn: lets waiting I/O and timers run between stretches of work. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
