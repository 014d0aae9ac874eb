/**
 * How the AWS sinks make their delivery calls: `sdk`, through the AWS SDK's clients, or `lean`,
 * requests built in the service's own protocol and signed with the SDK's signer (SignedRequests).
 * EVENTSTREAMS_AWS_TRANSPORT; `sdk` until the lean path has run the benchmarks and the chaos
 * schedule of issue 22.
 */
export type AwsTransport = "lean" | "sdk";

export function awsTransportSetting(env: NodeJS.ProcessEnv): AwsTransport {
  const value = env.EVENTSTREAMS_AWS_TRANSPORT ?? "sdk";
  if (value !== "lean" && value !== "sdk")
    throw new Error(`EVENTSTREAMS_AWS_TRANSPORT "${value}" is not a transport: use lean or sdk`);
  return value;
}
