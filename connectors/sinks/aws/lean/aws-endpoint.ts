/** A service as endpoints know it: its host prefix (`events`) and its SDK id (`EventBridge`). */
export interface AwsServiceName {
  /** The first label of its public host, also its signing name for the calls we make. */
  endpointPrefix: string;
  /** Names its own endpoint setting: `AWS_ENDPOINT_URL_<SDK ID, upper case, spaces as _>`. */
  sdkId: string;
}

/**
 * A service's endpoint as the AWS SDKs find it: `AWS_ENDPOINT_URL_<SERVICE>`, then
 * `AWS_ENDPOINT_URL`, then the public one for the region (FIPS and dual-stack when
 * `AWS_USE_FIPS_ENDPOINT` / `AWS_USE_DUALSTACK_ENDPOINT` say so). Nothing here knows of emulators.
 */
export function awsEndpoint(service: AwsServiceName, region: string, env: NodeJS.ProcessEnv): URL {
  const configured = configuredEndpoint(service, env);
  if (configured) return new URL(configured);
  const fips = env.AWS_USE_FIPS_ENDPOINT === "true";
  const dualStack = env.AWS_USE_DUALSTACK_ENDPOINT === "true";
  const host = `${service.endpointPrefix}${fips ? "-fips" : ""}.${region}.${dualStack ? "api.aws" : "amazonaws.com"}`;
  return new URL(`https://${host}/`);
}

/**
 * The SDK client setting for the same environment: the configured endpoint, so both transports
 * read one environment (the connector's); without one the SDK resolves the public endpoint itself.
 */
export function endpointSetting(service: AwsServiceName, env: NodeJS.ProcessEnv): { endpoint?: string } {
  const configured = configuredEndpoint(service, env);
  return configured ? { endpoint: configured } : {};
}

function configuredEndpoint(service: AwsServiceName, env: NodeJS.ProcessEnv): string | undefined {
  return env[`AWS_ENDPOINT_URL_${service.sdkId.toUpperCase().replace(/ /g, "_")}`] ?? env.AWS_ENDPOINT_URL;
}
