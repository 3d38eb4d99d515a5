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
}

export function defineEvent<T extends string, S extends TSchema>(definition: EventDefinition<T, S>): EventDefinition<T, S> {
  return definition;
}

export type PayloadOf<D> = D extends EventDefinition<string, infer S> ? Static<S> : never;

export interface EventError {
  path: string;
  message: string;
}

/** Every wire type the system knows, with a compiled validator each. */
export class EventRegistry {
  private readonly definitions = new Map<string, { definition: EventDefinition; check: TypeCheck<TSchema> }>();

  register(...definitions: EventDefinition<string, any>[]): this {
    for (const definition of definitions) {
      if (this.definitions.has(definition.type)) throw new Error(`event type registered twice: ${definition.type}`);
      this.definitions.set(definition.type, { definition, check: TypeCompiler.Compile(definition.payload) });
    }
    return this;
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
