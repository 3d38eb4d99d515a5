import { EnvelopeSchema, HeadersSchema, plainSchema } from "./asyncapi-envelope.js";
import type { Envelope } from "./envelope.js";
import { envelope, type EventDefinition } from "./registry.js";

/**
 * The AsyncAPI 3.0 document of every wire type, made from the registry alone (a pure function), so
 * what subscribers read is what the producers validate against. One channel and one message per
 * wire type; `send` operations for what this engine publishes, `receive` for what it consumes from
 * outside. docs/events.md explains subjects, streams, headers and versions in prose.
 */
/** The release whose events the document describes (package.json's version; OpenAPI's info says the same). */
export const CONTRACT_VERSION = "0.1.0";

export interface AsyncApiInfo {
  version?: string;
  /** The wire types this engine's contexts publish (their modules' `events`); the rest are only consumed. */
  published: ReadonlySet<string>;
}

type Json = Record<string, unknown>;

const ref = (path: string) => ({ $ref: `#/${path}` });

/** Example envelopes' fixed facts: a reader sees real-looking ids, and the document stays byte-stable. */
const EXAMPLE_AT = new Date("2026-03-01T09:30:00.000Z");
const EXAMPLE_METADATA = {
  requestId: "req_0194f3b2c1d07a8e9f10",
  actorId: "usr_buyer_42",
  traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
};

export function asyncApiDocument(definitions: readonly EventDefinition[], info: AsyncApiInfo): Json {
  const nextOf = new Map(definitions.filter((d) => d.previous).map((d) => [d.previous!.definition.type, d.type]));
  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {};
  const schemas: Json = { Envelope: plainSchema(EnvelopeSchema), Headers: plainSchema(HeadersSchema) };
  for (const definition of [...definitions].sort((a, b) => a.type.localeCompare(b.type))) {
    const { type } = definition;
    schemas[type] = { ...plainSchema(definition.payload), ...(nextOf.has(type) ? { deprecated: true } : {}) };
    messages[type] = message(definition, nextOf.get(type));
    channels[type] = {
      address: `{prefix}${type}`,
      title: type,
      description: `Subject \`${type}\` (\`acme.${type}\` with NATS_PREFIX=acme) on stream \`${streamOf(definition)}\` (\`ACME_${streamOf(definition)}\`).`,
      parameters: { prefix: ref("components/parameters/prefix") },
      messages: { [type]: ref(`components/messages/${type}`) },
    };
    const operation = (action: "send" | "receive", summary: string) => ({
      action,
      channel: ref(`channels/${type}`),
      summary,
      messages: [ref(`channels/${type}/messages/${type}`)],
    });
    // A type can be both (tenant.member.joined.v1: tenancy publishes it, an upstream tenant service may too).
    if (info.published.has(type)) operations[`send.${type}`] = operation("send", `${definition.source} publishes ${type}.`);
    if (definition.upstream)
      operations[`receive.${type}`] = operation("receive", `Consumed from ${definition.source}, on the bus or through ingest.`);
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Ghasi Commerce events",
      version: info.version ?? CONTRACT_VERSION,
      description: [
        "Every event this engine publishes or consumes, each in the same JSON envelope, on NATS JetStream.",
        "A message's subject is its wire type, after the deployment's NATS_PREFIX token when there is one (`acme.billing.payment.succeeded.v1`);",
        "its stream is `GHASI_<RETENTION CLASS>`, `ACME_GHASI_<RETENTION CLASS>` with that prefix.",
        "Events with the same partition key are published in order. A changed event is a new wire type",
        "(`.v2`), published beside the old one for at least one minor release; the old one is marked deprecated.",
        "See docs/events.md.",
      ].join(" "),
    },
    defaultContentType: "application/json",
    servers: {
      nats: {
        host: "{host}",
        protocol: "nats",
        description: "The deployment's NATS server (NATS_URL), JetStream enabled.",
        variables: { host: { default: "127.0.0.1:4222", description: "Host and port of NATS_URL." } },
      },
    },
    channels,
    operations,
    components: {
      schemas,
      messages,
      parameters: {
        prefix: {
          description:
            "The deployment's NATS_PREFIX and a dot (`acme.` gives `acme.billing.payment.succeeded.v1`), or nothing when NATS_PREFIX is unset.",
          default: "",
          examples: ["acme."],
        },
      },
      correlationIds: {
        flow: {
          description: "The flow the event belongs to (an order's events carry its orderId; a subscription's, its subscriptionId).",
          location: "$message.payload#/correlationId",
        },
      },
    },
  };
}

function message(definition: EventDefinition, next: string | undefined): Json {
  const { type } = definition;
  const deprecation = next ? ` Deprecated: published beside ${next}, which replaces it; move to it.` : "";
  const example = definition.example === undefined ? undefined : exampleEnvelope(definition);
  return {
    name: type,
    title: type,
    summary: `${definition.summary ?? `${definition.aggregateType} event from ${definition.source}.`}${deprecation}`,
    contentType: "application/json",
    headers: ref("components/schemas/Headers"),
    payload: {
      allOf: [
        ref("components/schemas/Envelope"),
        {
          type: "object",
          properties: {
            type: { const: type },
            source: { const: definition.source },
            aggregateType: { const: definition.aggregateType },
            retentionClass: { const: definition.retentionClass },
            payload: ref(`components/schemas/${type}`),
          },
        },
      ],
    },
    correlationId: ref("components/correlationIds/flow"),
    ...(next ? { tags: [{ name: "deprecated", description: `Replaced by ${next}.` }] } : {}),
    ...(example
      ? {
          examples: [{ name: "example", summary: `A ${type} as a subscriber receives it.`, headers: headersOf(example), payload: example }],
        }
      : {}),
    "x-ghasi-partition-key": partitionKeyOf(definition),
    "x-ghasi-retention-class": definition.retentionClass,
    "x-ghasi-stream": streamOf(definition),
    "x-ghasi-producer": definition.source,
    ...(definition.upstream ? { "x-ghasi-upstream": true } : {}),
    ...(next ? { "x-ghasi-deprecated-by": next } : {}),
    ...(definition.previous ? { "x-ghasi-previous-version": definition.previous.definition.type } : {}),
  };
}

/** `GHASI_FINANCIAL`: one stream per retention class, `ACME_GHASI_FINANCIAL` with NATS_PREFIX=acme. */
export function streamOf(definition: EventDefinition): string {
  return `GHASI_${definition.retentionClass.toUpperCase()}`;
}

/**
 * How the partition key is derived, in words: the definition's own description, else the payload
 * field(s) the key function picks out of the example (computed, so the words cannot drift from it).
 */
export function partitionKeyOf(definition: EventDefinition): string | undefined {
  if (definition.partitionKeyDescription) return definition.partitionKeyDescription;
  if (definition.example === undefined) return undefined;
  const key = definition.partitionKey(definition.example);
  const fields = Object.entries(definition.example as Record<string, unknown>).filter(([, value]) => value === key);
  return fields.length > 0 ? `payload.${fields[0]![0]}` : undefined;
}

/** The example payload in a full envelope, as it would be published. */
export function exampleEnvelope(definition: EventDefinition): Envelope {
  const payload = definition.example as Record<string, unknown>;
  const tenantId = typeof payload.tenantId === "string" ? payload.tenantId : "ten_acme";
  return envelope(
    definition,
    payload,
    { eventId: "evt_0194f3b2c1d07a8e9f1a2b3c4d5e6f70", occurredAt: EXAMPLE_AT, tenantId },
    { correlationId: definition.partitionKey(payload), causationId: null, metadata: EXAMPLE_METADATA },
  );
}

function headersOf(event: Envelope): Json {
  return {
    "Nats-Msg-Id": event.eventId,
    "Ghasi-Type": event.type,
    "Content-Type": "application/json",
    traceparent: EXAMPLE_METADATA.traceparent,
  };
}
