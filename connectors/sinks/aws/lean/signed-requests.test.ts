import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { MAX_ANSWER_BYTES, SignedRequests } from "./signed-requests";

/** What an endpoint answers is read within a bound: an answer past it fails the call, unread. */
describe("SignedRequests", () => {
  let size = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => response.end(Buffer.alloc(size, "a")));
  });
  const requests = new SignedRequests();
  let endpoint: URL;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });
  afterAll(async () => {
    await requests.close();
    await new Promise((resolve) => server.close(resolve));
  });
  const send = () =>
    requests.send({
      signerKey: "test",
      service: "sns",
      region: "eu-west-1",
      endpoint,
      credentials: async () => ({ accessKeyId: "AKID", secretAccessKey: "secret" }),
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: "Action=PublishBatch",
    });

  it("reads an answer up to the bound", async () => {
    size = MAX_ANSWER_BYTES;
    expect((await send()).body).toHaveLength(MAX_ANSWER_BYTES);
  });

  it("refuses an answer past the bound", async () => {
    size = MAX_ANSWER_BYTES + 1;
    await expect(send()).rejects.toThrow(`answered more than ${MAX_ANSWER_BYTES} bytes`);
  });
});
