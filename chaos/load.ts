// Buyers who keep buying through the faults, as a careful client does: a request that gets no
// answer, or a 5xx, is sent again with the same Idempotency-Key until the service answers it.
import { http } from "../bench/purchase-client.js";

/** The bench's HTTP client: keep-alive, a 15 s answer timeout, the content type kept. */
export const call = http;

export interface LoadTally {
  /** Orders the service acknowledged with 201, by id. */
  orderIds: string[];
  /** Requests sent again after no answer (connection refused or reset, timeout). */
  unanswered: number;
  /** 5xx answers, all problem+json (a 5xx that is not is a violation). */
  serverErrors: number;
  /** Answers that break the contract: a 5xx without problem+json, or a refusal of a valid order. */
  violations: string[];
}

export interface Buyers {
  baseUrl(): string;
  listingId: string;
  planId: string;
  tokens: string[];
}

/** `clients` buyers place orders until `stop` resolves, then each finishes the order it is on. */
export async function buyThroughFaults(buyers: Buyers, clients: number, stop: Promise<void>, finishWithinMs: number): Promise<LoadTally> {
  const tally: LoadTally = { orderIds: [], unanswered: 0, serverErrors: 0, violations: [] };
  let stopping = false;
  let finishBy = Infinity;
  void stop.then(() => {
    stopping = true;
    finishBy = Date.now() + finishWithinMs;
  });
  let n = 0;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!stopping) {
        const i = n++;
        const key = `chaos-${i}`;
        const order = { items: [{ listingId: buyers.listingId, planId: buyers.planId }], payment: { method: "card", token: "tok_visa" } };
        for (let attempt = 0; ; attempt++) {
          if (Date.now() > finishBy) {
            tally.violations.push(`order ${key} was never answered with 201, even after the faults ended`);
            break;
          }
          const answer = await call(buyers.baseUrl(), "POST", "/api/v1/orders", buyers.tokens[i % buyers.tokens.length], order, {
            "idempotency-key": key,
          }).catch(() => null);
          if (answer === null) {
            tally.unanswered++;
            await pause(Math.min(1_000, 50 * 2 ** attempt));
            continue;
          }
          if (answer.status === 201) {
            tally.orderIds.push(answer.body.orderId);
            break;
          }
          if (answer.status >= 500) {
            tally.serverErrors++;
            if (!answer.contentType.startsWith("application/problem+json"))
              tally.violations.push(`a ${answer.status} that is not problem+json: ${JSON.stringify(answer.body).slice(0, 200)}`);
            await pause(Math.min(1_000, 50 * 2 ** attempt));
            continue;
          }
          tally.violations.push(`order ${key} refused with ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
          break;
        }
      }
    }),
  );
  return tally;
}
