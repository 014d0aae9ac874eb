/**
 * How the AWS sinks make their delivery calls: `lean` (the default), requests built in the
 * service's own protocol and signed with the SDK's signer (SignedRequests), or `sdk`, through the
 * AWS SDK's clients. EVENTSTREAMS_AWS_TRANSPORT.
 */
export type AwsTransport = "lean" | "sdk";

export function awsTransportSetting(env: NodeJS.ProcessEnv): AwsTransport {
  const value = env.EVENTSTREAMS_AWS_TRANSPORT ?? "lean";
  if (value !== "lean" && value !== "sdk")
    throw new Error(`EVENTSTREAMS_AWS_TRANSPORT "${value}" is not a transport: use lean or sdk`);
  return value;
}
