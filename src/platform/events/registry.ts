import { FormatRegistry, type Static, type TSchema } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import type { Envelope, EventContext, RetentionClass } from "./envelope.js";

// TypeBox's compiler knows no string formats of its own: without this every `format: "date-time"`
// payload field fails validation as "Unknown format". ISO-8601 with a time zone, as the envelope uses.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has("date-time")) FormatRegistry.Set("date-time", (value) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)));

/** One wire type: its payload schema, its producer, and how it is partitioned and retained. */
export interface EventDefinition<T extends string = string, S extends TSchema = TSchema> {
  type: T;
  source: string;
  aggregateType: string;
  retentionClass: RetentionClass;
  payload: S;
  aggregateId: (payload: Static<S>) => string;
  partitionKey: (payload: Static<S>) => string;
  /** Consumed from outside (catalog, content, progress…): accepted via ingest or the bus, never produced here. */
  upstream?: boolean;
  /** What happened, in one sentence for a subscriber (the AsyncAPI message's summary). */
  summary?: string;
  /** A realistic payload, shown in the AsyncAPI document; a test checks it against `payload`, so it cannot drift. */
  example?: Static<S>;
  /** How `partitionKey` is derived, in words, where the example cannot show it (a union's branches). */
  partitionKeyDescription?: string;
  /** This type is the next version of another one; while both are registered, both are published. */
  previous?: PreviousVersion<S>;
}

/**
 * seed 001 §7 F20: a changed event is a new type (`.v2`), published beside the old one for at least
 * one minor release. One of the two payloads is derived from the other: the producer writes the new
 * type and `toPrevious` makes the old, or the producer still writes the old one and `fromPrevious`
 * makes the new.
 */
export interface PreviousVersion<S extends TSchema = TSchema> {
  definition: EventDefinition<string, any>;
  toPrevious?: (payload: Static<S>) => unknown;
  fromPrevious?: (previous: any) => Static<S>;
}

export function defineEvent<T extends string, S extends TSchema>(definition: EventDefinition<T, S>): EventDefinition<T, S> {
  return definition;
}

/** A definition with its summary and example (for definitions made by a contract file's own helper). */
export function described<D extends EventDefinition<string, any>>(definition: D, words: { summary: string; example: PayloadOf<D> }): D {
  return { ...definition, ...words };
}

export type PayloadOf<D> = D extends EventDefinition<string, infer S> ? Static<S> : never;

export interface EventError {
  path: string;
  message: string;
}

/** Every wire type the system knows, with a compiled validator each. */
export class EventRegistry {
  private readonly definitions = new Map<string, { definition: EventDefinition; check: TypeCheck<TSchema> }>();

  private readonly successors = new Map<string, EventDefinition>();

  register(...definitions: EventDefinition<string, any>[]): this {
    for (const definition of definitions) {
      if (this.definitions.has(definition.type)) throw new Error(`event type registered twice: ${definition.type}`);
      const previous = definition.previous;
      if (previous) {
        // Checked here, at start-up: a version pair that cannot derive one payload from the other
        // would only fail at its first publish.
        if (!this.definitions.has(previous.definition.type))
          throw new Error(`${definition.type}: register ${previous.definition.type} first`);
        if (!previous.toPrevious === !previous.fromPrevious)
          throw new Error(`${definition.type}: give exactly one of toPrevious, fromPrevious`);
        if (this.successors.has(previous.definition.type)) throw new Error(`${previous.definition.type} has two next versions`);
        this.successors.set(previous.definition.type, definition);
      }
      this.definitions.set(definition.type, { definition, check: TypeCompiler.Compile(definition.payload) });
    }
    return this;
  }

  /** The registered next version of a type, published beside it (dual publish). */
  successorOf(type: string): EventDefinition | undefined {
    return this.successors.get(type);
  }

  /**
   * The envelopes as they are published: a type with a registered next (or previous) version goes
   * out with it, the old version first and the new right after it, in one transaction, with the
   * same partition key, correlation, causation, metadata and time. The second one's eventId is the
   * first one's plus its version (`evt_….v2`), so a retried or redelivered write stays one pair.
   */
  withEveryVersion(envelopes: readonly Envelope[]): Envelope[] {
    return envelopes.flatMap((event) => {
      const definition = this.get(event.type);
      const previous = definition?.previous;
      if (definition && previous) {
        if (!previous.toPrevious) throw new Error(`${event.type} is made from ${previous.definition.type}: publish that one`);
        const old = versionOf(event, previous.definition, previous.toPrevious(event.payload), event.eventId);
        return [old, versionOf(event, definition, event.payload, nextVersionId(event.eventId, definition.type), old.partitionKey)];
      }
      const next = this.successorOf(event.type);
      if (!next) return [event];
      if (!next.previous!.fromPrevious) throw new Error(`${next.type} carries what ${event.type} lacks: publish ${next.type}`);
      return [
        event,
        versionOf(event, next, next.previous!.fromPrevious(event.payload), nextVersionId(event.eventId, next.type), event.partitionKey),
      ];
    });
  }

  get(type: string): EventDefinition | undefined {
    return this.definitions.get(type)?.definition;
  }

  all(): EventDefinition[] {
    return [...this.definitions.values()].map((entry) => entry.definition);
  }

  /** Payload errors for a type; `undefined` type errors mean the type is unknown. */
  validate(type: string, payload: unknown): EventError[] | undefined {
    const entry = this.definitions.get(type);
    if (!entry) return undefined;
    // The compiled check first: the error walk is the slow path, taken only for a payload that fails.
    if (entry.check.Check(payload)) return [];
    return [...entry.check.Errors(payload)].map((error) => ({ path: error.path || "/", message: error.message }));
  }
}

/** `evt_123` + `marketplace.license.granted.v2` → `evt_123.v2`: the same every time it is derived. */
export function nextVersionId(eventId: string, type: string): string {
  return `${eventId}.${type.slice(type.lastIndexOf(".") + 1)}`;
}

function versionOf(event: Envelope, definition: EventDefinition, payload: unknown, eventId: string, partitionKey?: string): Envelope {
  return {
    ...event,
    eventId,
    type: definition.type,
    source: definition.source,
    aggregateType: definition.aggregateType,
    aggregateId: definition.aggregateId(payload),
    // Both versions on one key, so a subscriber of either sees the aggregate's events in order.
    partitionKey: partitionKey ?? definition.partitionKey(payload),
    retentionClass: definition.retentionClass,
    payload,
  };
}

/** Builds an envelope; ids and time come from the caller (application layer), never from here. */
export function envelope<D extends EventDefinition<string, any>>(
  definition: D,
  payload: PayloadOf<D>,
  at: { eventId: string; occurredAt: Date; tenantId: string | null },
  context: EventContext,
): Envelope<PayloadOf<D>, D["type"]> {
  return {
    eventId: at.eventId,
    type: definition.type,
    occurredAt: at.occurredAt.toISOString(),
    source: definition.source,
    aggregateType: definition.aggregateType,
    aggregateId: definition.aggregateId(payload),
    tenantId: at.tenantId,
    partitionKey: definition.partitionKey(payload),
    correlationId: context.correlationId,
    causationId: context.causationId ?? null,
    retentionClass: definition.retentionClass,
    payload,
    metadata: context.metadata ?? {},
  };
}
