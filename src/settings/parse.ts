/**
 * The one set of parsers for process settings (flags and environment variables). Each error names
 * the setting as the user wrote it and the form it accepts.
 */
export class SettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingError";
  }
}

export function integerSetting(name: string, raw: string, range: { min: number; max?: number }): number {
  const value = Number(raw.trim());
  const { min, max } = range;
  if (raw.trim() === "" || !Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    const bounds = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new SettingError(`${name} must be a whole number ${bounds}, got "${raw}"`);
  }
  return value;
}

export function portSetting(name: string, raw: string, { allowZero = false } = {}): number {
  return integerSetting(name, raw, { min: allowZero ? 0 : 1, max: 65_535 });
}

const UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `1500ms`, `60s`, `5m`, `2h`, `7d` (a decimal such as `1.5s` too); a bare number is milliseconds. */
export function durationSetting(name: string, raw: string, { allowZero = false } = {}): number {
  const match = /^(\d{1,12}(?:\.\d{1,6})?)(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!match) {
    throw new SettingError(`${name}: "${raw}" is not a duration: write e.g. 1500ms, 60s, 5m, 2h or 7d`);
  }
  const ms = Math.round(Number(match[1]) * UNITS[(match[2] ?? "ms") as keyof typeof UNITS]);
  if (ms <= 0 && !allowZero) throw new SettingError(`${name}: "${raw}" must be longer than zero`);
  return ms;
}

/** Comma-separated, trimmed, empty entries dropped. */
export function listSetting(raw: string): string[] {
  return raw
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

export function oneOfSetting<T extends string>(name: string, raw: string, values: readonly T[]): T {
  if (!(values as readonly string[]).includes(raw)) {
    throw new SettingError(`${name} must be one of ${values.join(", ")}, got "${raw}"`);
  }
  return raw as T;
}

/** `true` or `false` (also `1` and `0`). */
export function booleanSetting(name: string, raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw new SettingError(`${name} must be true or false, got "${raw}"`);
}

/** The raw value of an environment variable, or undefined when it is unset or empty. */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === "" ? undefined : raw;
}
