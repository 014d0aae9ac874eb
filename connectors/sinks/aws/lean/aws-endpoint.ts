/**
 * A service's endpoint as the AWS SDKs find it: `AWS_ENDPOINT_URL_<SERVICE>`, then
 * `AWS_ENDPOINT_URL`, then the public one for the region (FIPS and dual-stack when
 * `AWS_USE_FIPS_ENDPOINT` / `AWS_USE_DUALSTACK_ENDPOINT` say so). Nothing here knows of emulators.
 */
export function awsEndpoint(service: string, region: string, env: NodeJS.ProcessEnv): URL {
  const own = env[`AWS_ENDPOINT_URL_${service.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`];
  const shared = env.AWS_ENDPOINT_URL;
  if (own) return new URL(own);
  if (shared) return new URL(shared);
  const fips = env.AWS_USE_FIPS_ENDPOINT === "true";
  const dualStack = env.AWS_USE_DUALSTACK_ENDPOINT === "true";
  const host = `${service}${fips ? "-fips" : ""}.${region}.${dualStack ? "api.aws" : "amazonaws.com"}`;
  return new URL(`https://${host}/`);
}
