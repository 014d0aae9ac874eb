import { booleanSetting, envValue, oneOfSetting } from "./parse";

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export interface LogSettings {
  /** LOG_LEVEL, when set. */
  level?: string;
  /** LOG_PRETTY: true or false when set; unset means "when a person watches a terminal". */
  pretty?: boolean;
}

export function logSettings(env: NodeJS.ProcessEnv): LogSettings {
  const level = envValue(env, "LOG_LEVEL");
  const pretty = envValue(env, "LOG_PRETTY");
  return {
    ...(level === undefined ? {} : { level: oneOfSetting("LOG_LEVEL", level, LEVELS) }),
    ...(pretty === undefined ? {} : { pretty: booleanSetting("LOG_PRETTY", pretty) }),
  };
}
