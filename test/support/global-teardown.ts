import { stopContainerStack } from "./container-stack";

/** The native stack stays up for the next run (CI's .ci/run stops it); containers are removed. */
export default async function globalTeardown(): Promise<void> {
  await stopContainerStack();
}
