import { describe, expect, it } from "vitest";
import { billingEvents } from "../../src/contracts/billing.js";
import { defaultEnrollmentEvents } from "../../src/contracts/default-enrollments.js";
import { enrollmentEvents } from "../../src/contracts/enrollment.js";
import { marketplaceListingEvents } from "../../src/contracts/marketplace-listings.js";
import { marketplaceOrderEvents } from "../../src/contracts/marketplace-orders.js";
import { marketplaceSubscriptionEvents } from "../../src/contracts/marketplace-subscriptions.js";
import { tenancyEvents } from "../../src/contracts/tenancy.js";
import { upstreamEvents } from "../../src/contracts/upstream.js";
import { asyncApiDocument, exampleEnvelope, partitionKeyOf } from "../../src/platform/events/asyncapi.js";
import { eventsPage } from "../../src/platform/events/asyncapi-html.js";
import { EventRegistry } from "../../src/platform/events/registry.js";

const published = [
  ...billingEvents,
  ...defaultEnrollmentEvents,
  ...enrollmentEvents,
  ...marketplaceListingEvents,
  ...marketplaceOrderEvents,
  ...marketplaceSubscriptionEvents,
  ...tenancyEvents,
];
const registry = new EventRegistry().register(...upstreamEvents, ...published);
const document = asyncApiDocument(registry.all(), { published: new Set(published.map((d) => d.type)) }) as any;

describe("the AsyncAPI document, from the registry", () => {
  it("has a summary and an example for every wire type, the example accepted by its own schema", () => {
    for (const definition of registry.all()) {
      expect(definition.summary, definition.type).toMatch(/^[A-Z].+\.$/);
      expect(definition.example, definition.type).toBeDefined();
      expect(registry.validate(definition.type, definition.example), definition.type).toEqual([]);
    }
  });

  it("says how every wire type's partition key is derived", () => {
    for (const definition of registry.all()) expect(partitionKeyOf(definition), definition.type).toMatch(/payload\.\w+/);
    expect(partitionKeyOf(registry.get("marketplace.order.paid.v1")!)).toBe("payload.orderId");
    expect(partitionKeyOf(registry.get("billing.wallet.debited.v1")!)).toBe("payload.userId");
  });

  it("gives every wire type a channel on its subject and a message with envelope, headers and example", () => {
    for (const { type } of registry.all()) {
      expect(document.channels[type].address).toBe(`{prefix}${type}`);
      const message = document.components.messages[type];
      expect(message.payload.allOf[1].properties.type).toEqual({ const: type });
      expect(message.examples[0].payload).toEqual(exampleEnvelope(registry.get(type)!));
      expect(message["x-ghasi-stream"]).toMatch(/^GHASI_(OPERATIONAL|FINANCIAL|AUDIT)$/);
    }
  });

  it("sends what the engine publishes and receives what comes from outside, both for a type that is both", () => {
    expect(document.operations["send.marketplace.order.placed.v1"].action).toBe("send");
    expect(document.operations["receive.marketplace.order.placed.v1"]).toBeUndefined();
    expect(document.operations["receive.catalog.course_version.published.v1"].action).toBe("receive");
    expect(document.operations["send.catalog.course_version.published.v1"]).toBeUndefined();
    expect(Object.keys(document.operations).filter((id) => id.endsWith("tenant.member.joined.v1"))).toEqual([
      "send.tenant.member.joined.v1",
      "receive.tenant.member.joined.v1",
    ]);
  });

  it("marks a version that has a successor deprecated and names the successor", () => {
    const v1 = document.components.messages["marketplace.license.granted.v1"];
    expect(v1["x-ghasi-deprecated-by"]).toBe("marketplace.license.granted.v2");
    expect(document.components.schemas["marketplace.license.granted.v1"].deprecated).toBe(true);
    const v2 = document.components.messages["marketplace.license.granted.v2"];
    expect(v2["x-ghasi-previous-version"]).toBe("marketplace.license.granted.v1");
    expect(document.components.schemas["marketplace.license.granted.v2"].required).toContain("perpetualOffline");
  });

  it("is the same document every time it is made", () => {
    const again = asyncApiDocument(registry.all(), { published: new Set(published.map((d) => d.type)) });
    expect(JSON.stringify(again)).toBe(JSON.stringify(document));
  });

  it("renders as an HTML page with a section per wire type, the document's text escaped", () => {
    const page = eventsPage(document);
    for (const { type } of registry.all()) expect(page).toContain(`<h2>${type}`);
    expect(page).toContain("replaced by");
    const hostile = { ...document, info: { ...document.info, description: '<script>alert("x")</script>' } };
    const rendered = eventsPage(hostile);
    expect(rendered).not.toContain("<script>");
    expect(rendered).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  });
});
