import type { STSClient } from "@aws-sdk/client-sts";
import { AssumedRoleCredentials } from "./assumed-role-credentials";

/** Every tenant names roles of its own: the credentials remembered stay within their bound. */
describe("assumed-role credentials cache", () => {
  function fakeSts() {
    const calls: string[] = [];
    const sts = {
      send: async (command: { input: { RoleArn: string } }) => {
        calls.push(command.input.RoleArn);
        return {
          Credentials: {
            AccessKeyId: "AKIA",
            SecretAccessKey: "secret",
            SessionToken: "token",
            Expiration: new Date(Date.now() + 3_600_000),
          },
        };
      },
    } as unknown as STSClient;
    return { sts, calls };
  }
  const role = (i: number) => ({
    roleArn: `arn:aws:iam::123456789012:role/r${i}`,
    projectId: `p${i}`,
    sessionName: "eventstreams-test",
  });

  it("keeps at most its bound of roles, forgetting the least recently used", async () => {
    const { sts, calls } = fakeSts();
    const credentials = new AssumedRoleCredentials(sts, Date.now, 100);
    for (let i = 0; i < 1_000; i++) {
      await credentials.get(role(i));
      await credentials.get(role(0)); // the one in constant use
    }
    expect(credentials.size).toBe(100);
    const before = calls.length;
    await credentials.get(role(0));
    await credentials.get(role(999));
    expect(calls.length).toBe(before); // both still cached
    await credentials.get(role(1));
    expect(calls.length).toBe(before + 1); // forgotten long ago: assumed again
  });
});
