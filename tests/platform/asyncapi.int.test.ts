import { DiagnosticSeverity, Parser } from "@asyncapi/parser";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buy, flow, liveOffer, openShop, type Shop } from "../orders/purchase-support.js";
import { onNats } from "../support/test-app.js";

let shop: Shop;
let document: any;
beforeAll(async () => {
  shop = await openShop();
  const served = await shop.http("GET", "/asyncapi.json");
  expect(served.status).toBe(200);
  document = served.body;
});
afterAll(() => shop?.t.stop());

let headersValidator: ValidateFunction;

/** A validator per message payload, refs resolved inside the served document itself. */
function payloadValidators(doc: any): Map<string, ValidateFunction> {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(doc, "asyncapi.json");
  headersValidator = ajv.compile({ $ref: "asyncapi.json#/components/schemas/Headers" });
  return new Map(
    Object.keys(doc.components.messages).map((type) => [type, ajv.compile({ $ref: `asyncapi.json#/components/messages/${type}/payload` })]),
  );
}

describe("GET /asyncapi.json", () => {
  it("serves a valid AsyncAPI 3.0 document, without a token", async () => {
    expect(document.asyncapi).toBe("3.0.0");
    const diagnostics = await new Parser().validate(JSON.stringify(document));
    expect(diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error)).toEqual([]);
    const parsed = await new Parser().parse(JSON.stringify(document));
    expect(parsed.document?.channels().length).toBe(shop.t.app.kernel.registry.all().length);
  });

  it("has a message for every registered wire type whose example its payload schema accepts", () => {
    const validators = payloadValidators(document);
    for (const { type } of shop.t.app.kernel.registry.all()) {
      const validate = validators.get(type);
      expect(validate, type).toBeDefined();
      const example = document.components.messages[type].examples[0].payload;
      expect(validate!(example), `${type}: ${JSON.stringify(validate!.errors)}`).toBe(true);
      // A schema that accepted anything would pass too: a wrong type, a missing field must not.
      expect(validate!({ ...example, type: "other.type.v1" }), type).toBe(false);
      expect(validate!({ ...example, payload: {} }), type).toBe(false);
    }
  });

  it("describes every event of a real purchase: each envelope validates against its message's schema", async () => {
    const offer = await liveOffer(shop, { kind: "one_time", amount: 4900, currency: "USD", perpetualOffline: true });
    const placed = await buy(shop, offer);
    expect(placed.status).toBe(201);
    const events = await flow(shop, placed.body.orderId);
    expect(events.map((e) => e.type)).toContain("marketplace.license.granted.v2");
    const validators = payloadValidators(document);
    for (const event of events)
      expect(validators.get(event.type)!(event), `${event.type}: ${JSON.stringify(validators.get(event.type)!.errors)}`).toBe(true);
  });

  it("renders the document as an HTML page at /docs/events, without a token", async () => {
    const page = await shop.t.app.server.inject({ method: "GET", url: "/docs/events" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.body).toContain('<section id="t-marketplace-license-granted-v2">');
  });

  it.runIf(onNats)("describes what a NATS subscriber receives: each message's subject, headers and body", async () => {
    const offer = await liveOffer(shop, { kind: "one_time", amount: 2900, currency: "USD" });
    const placed = await buy(shop, offer);
    const events = await flow(shop, placed.body.orderId);
    const validators = payloadValidators(document);
    const bus = shop.t.app.kernel.bus!;
    const nc = await connect({ servers: process.env.NATS_URL! });
    try {
      const jsm = await jetstreamManager(nc);
      for (const event of events as any[]) {
        const message = document.components.messages[event.type];
        const stream = `${shop.t.config.natsPrefix.toUpperCase()}_${message["x-ghasi-stream"]}`;
        const subject = document.channels[event.type].address.replace("{prefix}", `${shop.t.config.natsPrefix}.`);
        expect([stream, subject]).toEqual([bus.streamName(event.retentionClass), bus.subject(event.type)]);
        const stored = (await jsm.streams.getMessage(stream, { last_by_subj: subject }))!;
        const body = stored.json<any>();
        expect(body.eventId, event.type).toBe(event.eventId);
        expect(validators.get(event.type)!(body), event.type).toBe(true);
        const headers = Object.fromEntries([...stored.header.keys()].map((key) => [key, stored.header.get(key)]));
        expect(headersValidator(headers), `${event.type}: ${JSON.stringify(headersValidator.errors)}`).toBe(true);
        expect(headers).toMatchObject({ "Nats-Msg-Id": event.eventId, "Ghasi-Type": event.type, "Content-Type": "application/json" });
      }
    } finally {
      await nc.close();
    }
  });
});
