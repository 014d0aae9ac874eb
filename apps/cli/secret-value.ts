import { readFileSync } from "node:fs";

/**
 * A secret given on the command line: `-` reads it from standard input, `@path` from a file (its
 * trailing newline dropped), anything else is the value itself. The first two keep it out of the
 * shell's history and the process list.
 */
export function readSecretValue(raw: string, what: string): string {
  let value = raw;
  if (raw === "-") value = readFileSync(0, "utf8");
  else if (raw.startsWith("@")) {
    try {
      value = readFileSync(raw.slice(1), "utf8");
    } catch (error) {
      throw new Error(
        `${what}: cannot read ${raw.slice(1)} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
  }
  value = value.replace(/\r?\n$/, "");
  if (value === "") throw new Error(`${what} is empty`);
  return value;
}

/** `NAME=VALUE` (the value may itself be `-` or `@file` when `secret`). */
export function nameValue(raw: string, what: string, secret: boolean): [string, string] {
  const at = raw.indexOf("=");
  if (at <= 0) throw new Error(`${what} must be NAME=VALUE, e.g. X-Api-Key=@key.txt`);
  const value = raw.slice(at + 1);
  return [raw.slice(0, at), secret ? readSecretValue(value, what) : value];
}
