import pino, { type Logger } from "pino";
import { logSettings } from "./settings/logging-settings";

/**
 * Every secret-bearing field we know of, wherever it appears in a log object. pino replaces the
 * value before serialising, so a secret never reaches a log line or a log file.
 */
export const REDACTED_PATHS = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "req.headers.authorization",
  "*.headers.authorization",
  "token",
  "*.token",
  "apiToken",
  "*.apiToken",
  "secret",
  "*.secret",
  "secrets",
  "*.secrets",
  "signingSecret",
  "*.signingSecret",
  "accessKeyId",
  "*.accessKeyId",
  "secretAccessKey",
  "*.secretAccessKey",
  "sessionToken",
  "*.sessionToken",
  "credentials",
  "*.credentials",
  "password",
  "*.password",
  "previousSecret",
  "*.previousSecret",
  // A stream in a log object carries its destination settings under `config`.
  "*.*.secret",
  "*.*.previousSecret",
  "*.*.token",
  "*.*.password",
  // Destination authentication (bearer token, basic password, API key value), whole.
  "auth",
  "*.auth",
  "*.*.auth",
  // Sealed secrets are not secret, but nothing in them is worth a log line either.
  "$sealed",
  "*.$sealed",
  "*.*.$sealed",
];

/** JSON logs by default; human-readable when a person watches a terminal (or LOG_PRETTY=1). */
export function createLogger(
  name: string,
  options: { level?: string; destination?: NodeJS.WritableStream } = {},
): Logger {
  // biome-ignore lint/style/noProcessEnv: every process logs; its LOG_LEVEL and LOG_PRETTY are parsed in settings
  const settings = logSettings(process.env);
  const level = options.level ?? settings.level ?? "info";
  const pretty = settings.pretty ?? process.stdout.isTTY === true;
  const base = { name, level, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } };
  if (options.destination) return pino(base, options.destination as pino.DestinationStream);
  if (pretty && !options.destination) {
    return pino({
      ...base,
      transport: { target: "pino-pretty", options: { colorize: true, destination: 2 } },
    });
  }
  return pino(base, pino.destination(2));
}
