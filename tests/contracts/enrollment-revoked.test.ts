import { describe, expect, it } from "vitest";
import { EnrollmentRevoked } from "../../src/contracts/enrollment.js";
import { EventRegistry, envelope } from "../../src/platform/events/registry.js";

// enrollment.revoked.v1 has two shapes in seed 000: §2.4 (one enrollment) and §2.0 (the refund
// saga's aggregate). One schema takes both; whoever validates it (the outbox before a write, the
// bus consumer before a delivery, a webhook) accepts either and nothing in between.
const registry = new EventRegistry().register(EnrollmentRevoked);
const TYPE = "enrollment.revoked.v1";

const perEnrollment = {
  enrollmentId: "enr_1",
  tenantId: "ten_1",
  userId: "usr_1",
  reason: "license_revoked" as const,
  revokedAt: "2026-04-01T10:00:00.000Z",
};
const refundAggregate = { orderId: "ord_1", revokedCount: 3 };

describe("enrollment.revoked.v1: one schema, two seed shapes", () => {
  it("accepts one enrollment revoked (seed 000 §2.4), for each of the seed's reasons", () => {
    for (const reason of ["license_revoked", "admin", "compliance"]) {
      expect(registry.validate(TYPE, { ...perEnrollment, reason })).toEqual([]);
    }
  });

  it("accepts the refund aggregate (seed 000 §2.0), also when nothing was left to revoke", () => {
    expect(registry.validate(TYPE, refundAggregate)).toEqual([]);
    expect(registry.validate(TYPE, { orderId: "ord_2", revokedCount: 0 })).toEqual([]);
  });

  it("refuses a payload that is neither shape: a mix of both, a missing field, a reason the seed does not list", () => {
    expect(registry.validate(TYPE, { ...perEnrollment, ...refundAggregate })).not.toEqual([]);
    expect(registry.validate(TYPE, { orderId: "ord_1" })).not.toEqual([]);
    expect(registry.validate(TYPE, { ...perEnrollment, reason: "expired" })).not.toEqual([]);
    expect(registry.validate(TYPE, { orderId: "ord_1", revokedCount: 1.5 })).not.toEqual([]);
  });

  it("is documented as a JSON Schema oneOf of two closed objects", () => {
    const schema = JSON.parse(JSON.stringify(EnrollmentRevoked.payload)) as { oneOf?: Array<Record<string, unknown>>; anyOf?: unknown };
    expect(schema.anyOf).toBeUndefined();
    expect(schema.oneOf?.map((branch) => [branch.required, branch.additionalProperties])).toEqual([
      [["enrollmentId", "tenantId", "userId", "reason", "revokedAt"], false],
      [["orderId", "revokedCount"], false],
    ]);
  });

  it("partitions one enrollment's revocation by learner and the aggregate by order", () => {
    const at = { eventId: "evt_1", occurredAt: new Date("2026-04-01T10:00:00Z"), tenantId: "ten_1" };
    const one = envelope(EnrollmentRevoked, perEnrollment, at, { correlationId: "c" });
    const bulk = envelope(EnrollmentRevoked, refundAggregate, at, { correlationId: "c" });
    expect([one.partitionKey, one.aggregateId]).toEqual(["usr_1", "enr_1"]);
    expect([bulk.partitionKey, bulk.aggregateId]).toEqual(["ord_1", "ord_1"]);
  });
});
