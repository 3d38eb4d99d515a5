import { Type } from "@sinclair/typebox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Envelope } from "../../src/platform/events/envelope.js";
import { defineEvent, envelope } from "../../src/platform/events/registry.js";
import { newId } from "../../src/platform/ids.js";
import type { ContextModule } from "../../src/platform/module.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// A wire type whose producer still writes .v1, and a .v2 the registry upcasts from it.
const Shape = { thingId: Type.String(), ownerId: Type.String() };
const ThingMade = defineEvent({
  type: "probe.thing.made.v1",
  source: "probe",
  aggregateType: "Thing",
  retentionClass: "operational",
  payload: Type.Object(Shape, { additionalProperties: false }),
  aggregateId: (p) => p.thingId,
  partitionKey: (p) => p.ownerId,
});
const ThingMadeV2 = defineEvent({
  type: "probe.thing.made.v2",
  source: "probe",
  aggregateType: "Thing",
  retentionClass: "operational",
  aggregateId: (p) => p.thingId,
  partitionKey: (p) => p.ownerId,
  payload: Type.Object({ ...Shape, colour: Type.String() }, { additionalProperties: false }),
  previous: { definition: ThingMade, fromPrevious: (v1: { thingId: string; ownerId: string }) => ({ ...v1, colour: "unknown" }) },
});

const received: Record<string, Envelope[]> = { v1: [], v2: [] };
const things: ContextModule = {
  name: "things",
  events: [ThingMade, ThingMadeV2],
  errors: {},
  install({ kernel }) {
    // A subscriber that knows only .v1, and one that has moved to .v2.
    kernel.hub.register({
      name: "things.old-reader",
      types: [ThingMade.type],
      handle: async (_tx, event) => void received.v1!.push(event),
    });
    kernel.hub.register({
      name: "things.new-reader",
      types: [ThingMadeV2.type],
      handle: async (_tx, event) => void received.v2!.push(event),
    });
  },
};

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ modules: [things] });
});
afterAll(() => t?.stop());

const rows = (thingId: string) =>
  t.app.kernel.db
    .query<{ position: string; event_id: string; type: string; bucket: number }>(
      `SELECT position, event_id, type, bucket FROM platform.outbox WHERE aggregate_id = $1 ORDER BY position`,
      [thingId],
    )
    .then((r) => r.rows);

describe("dual publish through the outbox", () => {
  it("writes .v1 and its .v2 side by side, once even when the same event is written again, and each reader gets its version", async () => {
    const made = envelope(
      ThingMade,
      { thingId: "thg_1", ownerId: "usr_1" },
      { eventId: newId("evt"), occurredAt: t.clock.now(), tenantId: null },
      { correlationId: "thg_1" },
    );
    await t.app.kernel.db.tx((tx) => t.app.kernel.outbox.append(tx, [made]));
    // A producer retrying after an unclear commit writes the same event again: the pair stays one pair.
    await t.app.kernel.db.tx((tx) => t.app.kernel.outbox.append(tx, [made]));
    await t.settle();

    const written = await rows("thg_1");
    expect(written.map((r) => [r.type, r.event_id])).toEqual([
      ["probe.thing.made.v1", made.eventId],
      ["probe.thing.made.v2", `${made.eventId}.v2`],
    ]);
    expect(BigInt(written[1]!.position) - BigInt(written[0]!.position)).toBe(1n);
    expect(written[1]!.bucket).toBe(written[0]!.bucket);

    expect(received.v1!.map((e) => e.payload)).toEqual([{ thingId: "thg_1", ownerId: "usr_1" }]);
    expect(received.v2!.map((e) => e.payload)).toEqual([{ thingId: "thg_1", ownerId: "usr_1", colour: "unknown" }]);
  });
});
