import {
  kafkaBrokersSetting,
  schemaRegistryUrlSetting,
  topicPrefixSetting,
} from "../../src/settings/endpoints";
import { durationSetting, integerSetting } from "../../src/settings/parse";

/**
 * The command line's defaults and option parsers, all from the settings module: the same
 * environment variables, defaults and error messages as the long-running processes.
 */
export const defaultBrokers = (): string => kafkaBrokersSetting(process.env).join(",");
export const defaultRegistryUrl = (): string => schemaRegistryUrlSetting(process.env);
export const defaultTopicPrefix = (): string => topicPrefixSetting(process.env);

/** A commander option parser for a whole number of at least 1. */
export function positiveInteger(flag: string): (raw: string) => number {
  return (raw) => integerSetting(flag, raw, { min: 1 });
}

/** A commander option parser for a duration (`60s`, `5m`, `1500ms`...). */
export function duration(flag: string): (raw: string) => number {
  return (raw) => durationSetting(flag, raw);
}
