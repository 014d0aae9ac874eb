import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One HTTP answer, as an AWS endpoint would give it; `body` may read the request's (checksums). */
export interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string | ((request: string) => string);
}

/**
 * An HTTP endpoint on loopback that gives every delivery call the answer set last, so the SDK and
 * the lean transport read the very same bytes. SQS's GetQueueUrl (the SDK's lookup before any
 * delivery) is answered with a queue URL.
 */
export class CannedAws {
  private answer: CannedAnswer = { status: 500, body: "" };
  readonly calls: string[] = [];
  private readonly server: Server;

  private constructor(server: Server) {
    this.server = server;
  }

  static async start(): Promise<CannedAws> {
    const server = createServer();
    const canned = new CannedAws(server);
    server.on("request", (request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const target = String(request.headers["x-amz-target"] ?? "");
        const body = Buffer.concat(chunks).toString();
        canned.calls.push(target || (body.match(/Action=(\w+)/)?.[1] ?? "?"));
        const answer =
          target === "AmazonSQS.GetQueueUrl"
            ? { status: 200, body: JSON.stringify({ QueueUrl: `${canned.url}123456789012/queue` }) }
            : canned.answer;
        response.writeHead(answer.status, { "x-amzn-requestid": "canned", ...answer.headers });
        response.end(typeof answer.body === "function" ? answer.body(body) : answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return canned;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  answerWith(answer: CannedAnswer): void {
    this.answer = answer;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const xml = { "content-type": "text/xml" };
const json = (protocol: "1.0" | "1.1") => ({ "content-type": `application/x-amz-json-${protocol}` });

/** SNS's AWS Query error body. */
export function queryError(status: number, code: string, message: string): CannedAnswer {
  return {
    status,
    headers: xml,
    body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>canned</RequestId></ErrorResponse>`,
  };
}

/** An AWS JSON error body (`__type` as the services send it), with SQS's query-compatible header. */
export function jsonError(
  protocol: "1.0" | "1.1",
  status: number,
  type: string,
  message: string,
  queryError?: string,
): CannedAnswer {
  return {
    status,
    headers: { ...json(protocol), ...(queryError ? { "x-amzn-query-error": queryError } : {}) },
    body: JSON.stringify({ __type: type, message }),
  };
}

export function jsonAnswer(
  protocol: "1.0" | "1.1",
  body: unknown | ((request: string) => unknown),
): CannedAnswer {
  return {
    status: 200,
    headers: json(protocol),
    body: typeof body === "function" ? (request) => JSON.stringify(body(request)) : JSON.stringify(body),
  };
}

export function xmlAnswer(body: string): CannedAnswer {
  return { status: 200, headers: xml, body };
}

/** What a load balancer in front of any service answers when it is down: HTML, not the protocol's. */
export const HTML_503: CannedAnswer = {
  status: 503,
  headers: { "content-type": "text/html" },
  body: "<html><body><h1>503 Service Unavailable</h1></body></html>",
};
