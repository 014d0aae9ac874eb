import type { ServerResponse } from "node:http";
import { verifyWebhook } from "../../connectors/sinks/https/signature";
import { startWebhookServer, type WebhookServer } from "../../support/webhook-server";
import type { Delivery } from "./fault-report";

/**
 * A customer's HTTPS receiver for the chaos run: it checks every delivery's signature with its
 * project's secret and records the event id of each one it accepts (2xx). It can be told to answer
 * 503 for a while, or to hang: requests then get no answer until the hang ends, when their
 * connections are dropped.
 */
export class VerifyingReceiver {
  readonly accepted: Delivery[] = [];
  /** Deliveries whose signature did not verify (must stay 0). */
  badSignatures = 0;
  /** Events of another project than the stream's (must stay 0). */
  misrouted = 0;
  private unavailableUntil = 0;
  private hung: ServerResponse[] | undefined;
  private readonly secrets = new Map<string, string>();

  private constructor(readonly server: WebhookServer) {
    server.keepRequests = false;
    server.reply = (request) => {
      const project = request.path.slice(1);
      if (Date.now() < this.unavailableUntil) return { status: 503 };
      if (this.hung) {
        const hung = this.hung;
        return { status: 0, act: (res) => hung.push(res) };
      }
      const secret = this.secrets.get(project);
      try {
        if (!secret) throw new Error(`no project ${project}`);
        const event = verifyWebhook(secret, request.headers, request.body) as {
          id: string;
          projectId: string;
        };
        if (event.projectId !== project) this.misrouted++;
        else this.accepted.push({ id: event.id, project, at: request.at });
        return { status: 204 };
      } catch {
        this.badSignatures++;
        return { status: 401 };
      }
    };
  }

  static async start(commonName: string): Promise<VerifyingReceiver> {
    return new VerifyingReceiver(await startWebhookServer(commonName));
  }

  /** The endpoint of a project's stream; deliveries to it are checked with `secret`. */
  endpointFor(project: string, secret: string): string {
    this.secrets.set(project, secret);
    return this.server.url("127.0.0.1", `/${project}`);
  }

  answerUnavailable(forMs: number): void {
    this.unavailableUntil = Date.now() + forMs;
  }

  hang(): void {
    this.hung = [];
  }

  /** Ends a hang: the requests held get their connections dropped, never an answer. */
  release(): void {
    for (const res of this.hung ?? []) res.destroy();
    this.hung = undefined;
  }

  close(): Promise<void> {
    this.release();
    return this.server.close();
  }
}
