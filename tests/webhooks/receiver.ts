import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

/** One request the receiver got, and whether its signature verified with the endpoint's secret. */
export interface Received {
  webhookId: string;
  headers: IncomingHttpHeaders;
  body: string;
  verified: boolean;
  event: { eventId: string; type: string; tenantId: string | null; partitionKey: string; [key: string]: any };
  answered: number;
}

/**
 * A real HTTP receiver on 127.0.0.1 (random port), as an integrator would write one: it verifies each
 * request with the standardwebhooks package and answers what `answer` says (200 unless told otherwise).
 */
export class Receiver {
  readonly received: Received[] = [];
  secret = "";
  answer: (body: Received["event"]) => number = () => 200;
  private constructor(private readonly server: Server) {}

  static async start(): Promise<Receiver> {
    const receiver: Receiver = new Receiver(
      createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          let verified = false;
          try {
            new Webhook(receiver.secret).verify(body, request.headers as Record<string, string>);
            verified = true;
          } catch {
            verified = false;
          }
          const event = JSON.parse(body) as Received["event"];
          const status = verified ? receiver.answer(event) : 400;
          receiver.received.push({
            webhookId: String(request.headers["webhook-id"]),
            headers: request.headers,
            body,
            verified,
            event,
            answered: status,
          });
          response.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "not now");
        });
      }),
    );
    await new Promise<void>((resolve) => receiver.server.listen(0, "127.0.0.1", resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  /** The events it accepted (answered 2xx), in arrival order. */
  accepted(): Received[] {
    return this.received.filter((r) => r.answered >= 200 && r.answered < 300);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
