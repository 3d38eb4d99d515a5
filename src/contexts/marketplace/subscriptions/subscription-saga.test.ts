import { describe, expect, it } from "vitest";
import { givenWhenThen } from "../../../platform/testing/given-when-then.js";
import {
  currentPeriod,
  initialSubscription,
  refusalOf,
  subscriptionSaga,
  type SubscriptionCommand,
  type SubscriptionInput,
} from "./subscription-saga.domain.js";
import { DEFAULT_DUNNING, parseChargeRef, chargeRef, periodBoundary, checkDunning, mayAct } from "./subscription.domain.js";

const DAY = 86_400_000;
const given = givenWhenThen(subscriptionSaga(DEFAULT_DUNNING));
const types = (commands: SubscriptionCommand[]) => commands.map((c) => c.type);
const anchor = new Date("2026-01-31T10:00:00.000Z");
const at = (iso: string) => new Date(iso);
const start = initialSubscription("month", anchor);
const due: SubscriptionInput = { type: "RenewalDue", at: at("2026-02-28T09:00:00.000Z") };
const declined = (attempt: number, when: string): SubscriptionInput => ({
  type: "ChargeFailed",
  period: 1,
  attempt,
  paymentId: `pay_${attempt}`,
  failureCode: "card_declined",
  at: at(when),
});
const deadline = (commands: SubscriptionCommand[], name: string) =>
  commands.find((c): c is Extract<SubscriptionCommand, { type: "ScheduleDeadline" }> => c.type === "ScheduleDeadline" && c.name === name);

describe("subscription periods", () => {
  it("counts every period from the anchor, so a month never drifts past the end of a short one", () => {
    expect(periodBoundary(anchor, "month", 1).toISOString()).toBe("2026-02-28T10:00:00.000Z");
    expect(periodBoundary(anchor, "month", 2).toISOString()).toBe("2026-03-31T10:00:00.000Z");
    expect(periodBoundary(anchor, "month", 13).toISOString()).toBe("2027-02-28T10:00:00.000Z");
    expect(periodBoundary(new Date("2028-02-29T00:00:00.000Z"), "year", 1).toISOString()).toBe("2029-02-28T00:00:00.000Z");
  });

  it("names each charge by subscription, period and attempt, and reads it back", () => {
    expect(parseChargeRef(chargeRef("sub_abc", 3, 2))).toEqual({ subscriptionId: "sub_abc", period: 3, attempt: 2 });
    expect(parseChargeRef("ord_123")).toBeNull();
  });

  it("refuses a dunning policy that suspends after it cancels", () => {
    expect(checkDunning({ ...DEFAULT_DUNNING, graceMs: 40 * DAY })).not.toBeNull();
    expect(checkDunning({ ...DEFAULT_DUNNING, retriesAfterMs: [3 * DAY, 1 * DAY] })).not.toBeNull();
    expect(checkDunning(DEFAULT_DUNNING)).toBeNull();
  });
});

describe("subscription saga", () => {
  it("schedules the renewal an hour before the period ends", () => {
    given(start)
      .when({ type: "Started", at: anchor })
      .then(({ commands }) =>
        expect(deadline(commands, "renewal")?.afterMs).toBe(at("2026-02-28T09:00:00.000Z").getTime() - anchor.getTime()),
      );
  });

  it("renews: charges the next period, then extends the licence, records revenue, and schedules the next renewal", () => {
    const charging = given(start)
      .when(due)
      .then(({ state, commands }) => {
        expect(commands).toEqual([{ type: "Charge", period: 1, attempt: 1 }]);
        expect(state.charging).toEqual({ period: 1, attempt: 1 });
      });
    given(charging.state)
      .when({ type: "ChargeSucceeded", period: 1, attempt: 1, paymentId: "pay_1", at: at("2026-02-28T09:00:01.000Z") })
      .then(({ state, commands }) => {
        expect(state.period).toBe(1);
        expect(currentPeriod(state).end.toISOString()).toBe("2026-03-31T10:00:00.000Z");
        expect(types(commands)).toEqual([
          "RecordChargeOutcome",
          "ExtendLicense",
          "RecordRevenue",
          "PublishRenewed",
          "CancelDeadline",
          "CancelDeadline",
          "CancelDeadline",
          "ScheduleDeadline",
        ]);
        expect(commands[1]).toEqual({ type: "ExtendLicense", until: "2026-03-31T10:00:00.000Z" });
      });
  });

  it("never charges twice for one period: a repeated due deadline and a repeated outcome change nothing", () => {
    const charging = given(start)
      .when(due)
      .then(() => {});
    given(charging.state)
      .when(due)
      .then(({ commands, note }) => {
        expect(commands).toEqual([]);
        expect(note).toMatch(/in flight/);
      });
    const paid = { type: "ChargeSucceeded", period: 1, attempt: 1, paymentId: "pay_1", at: at("2026-02-28T09:00:01.000Z") } as const;
    given(start, due, paid)
      .when(paid)
      .then(({ commands }) => expect(commands).toEqual([]));
  });

  it("dunning: a declined renewal is past due with grace, retries on days 1, 3 and 5, then suspends and cancels", () => {
    const failedAt = "2026-02-28T09:00:00.000Z";
    const pastDue = given(start, due)
      .when(declined(1, failedAt))
      .then(({ state, commands }) => {
        expect(state.status).toBe("past_due");
        expect(types(commands)).toContain("PublishPastDue");
        expect(deadline(commands, "retry")?.afterMs).toBe(1 * DAY);
        expect(deadline(commands, "grace")?.afterMs).toBe(at("2026-03-07T10:00:00.000Z").getTime() - at(failedAt).getTime());
        expect(deadline(commands, "final")?.afterMs).toBe(at("2026-03-30T10:00:00.000Z").getTime() - at(failedAt).getTime());
      });
    const retried = given(pastDue.state)
      .when({ type: "RetryDue", at: at("2026-03-01T09:00:00.000Z") })
      .then(({ commands }) => expect(commands).toEqual([{ type: "Charge", period: 1, attempt: 2 }]));
    const second = given(retried.state)
      .when(declined(2, "2026-03-01T09:00:00.000Z"))
      .then(({ state, commands }) => {
        expect(state.status).toBe("past_due");
        expect(types(commands)).not.toContain("PublishPastDue");
        expect(deadline(commands, "retry")?.afterMs).toBe(2 * DAY);
      });
    const suspended = given(second.state)
      .when({ type: "GraceEnded", at: at("2026-03-07T10:00:00.000Z") })
      .then(({ state, commands }) => {
        expect(state.status).toBe("suspended");
        expect(types(commands)).toEqual(["HoldAccess", "PublishSuspended"]);
      });
    given(suspended.state)
      .when({ type: "FinalDeadlinePassed", at: at("2026-03-30T10:00:00.000Z") })
      .then(({ state, commands }) => {
        expect(state.status).toBe("canceled");
        expect(state.endedReason).toBe("payment_failed");
        expect(types(commands)).toEqual(["EndAccess", "PublishCanceled"]);
      });
  });

  it("a new payment method charges at once and reactivates a suspended subscription when paid", () => {
    const suspended = given(start, due, declined(1, "2026-02-28T09:00:00.000Z"), {
      type: "GraceEnded",
      at: at("2026-03-07T10:00:00.000Z"),
    }).state;
    const charging = given(suspended)
      .when({ type: "PaymentMethodChanged", at: at("2026-03-08T10:00:00.000Z") })
      .then(({ commands }) => expect(commands).toEqual([{ type: "Charge", period: 1, attempt: 2 }]));
    given(charging.state)
      .when({ type: "ChargeSucceeded", period: 1, attempt: 2, paymentId: "pay_2", at: at("2026-03-08T10:00:00.000Z") })
      .then(({ state, commands }) => {
        expect(state.status).toBe("active");
        expect(state.held).toBe(false);
        expect(types(commands)).toEqual(expect.arrayContaining(["ReleaseAccess", "PublishRenewed", "PublishReactivated", "ExtendLicense"]));
      });
  });

  it("cancel at period end: no renewal, resumable until the end, then expired", () => {
    const canceling = given(start)
      .when({ type: "CancelRequested", atPeriodEnd: true, at: at("2026-02-10T00:00:00.000Z") })
      .then(({ state, commands }) => {
        expect(state.status).toBe("active");
        expect(state.cancelAtPeriodEnd).toBe(true);
        expect(types(commands)).toEqual(["CancelDeadline", "ScheduleDeadline", "PublishCanceled"]);
      });
    given(canceling.state)
      .when(due)
      .then(({ commands }) => expect(commands).toEqual([]));
    given(canceling.state)
      .when({ type: "ResumeRequested", at: at("2026-02-11T00:00:00.000Z") })
      .then(({ state, commands }) => {
        expect(state.cancelAtPeriodEnd).toBe(false);
        expect(types(commands)).toEqual(["CancelDeadline", "ScheduleDeadline", "PublishReactivated"]);
      });
    given(canceling.state)
      .when({ type: "PeriodEnded", at: at("2026-02-28T10:00:00.000Z") })
      .then(({ state, commands }) => {
        expect(state.status).toBe("expired");
        expect(types(commands)).toEqual(["EndAccess", "PublishExpired"]);
      });
    expect(
      refusalOf(
        { status: "active", cancelAtPeriodEnd: true, currentPeriodEnd: at("2026-02-28T10:00:00.000Z") },
        "resume",
        at("2026-03-01T00:00:00.000Z"),
      ),
    ).toBe("SUBSCRIPTION.NOT_CANCELING");
  });

  it("money that arrives after the end goes back", () => {
    const charging = given(start)
      .when(due)
      .then(() => {});
    const canceled = given(charging.state)
      .when({ type: "CancelRequested", atPeriodEnd: false, at: at("2026-02-28T09:00:00.500Z") })
      .then(({ state }) => expect(state.status).toBe("canceled"));
    given(canceled.state)
      .when({ type: "ChargeSucceeded", period: 1, attempt: 1, paymentId: "pay_1", at: at("2026-02-28T09:00:01.000Z") })
      .then(({ commands }) => expect(types(commands)).toEqual(["RecordChargeOutcome", "RefundCharge"]));
  });
});

describe("subscription saga, edges", () => {
  it("a charge still in flight when the subscriber cancels at period end is refunded, and the paid period runs out", () => {
    const charging = given(start)
      .when(due)
      .then(() => {});
    const canceling = given(charging.state)
      .when({ type: "CancelRequested", atPeriodEnd: true, at: at("2026-02-28T09:30:00.000Z") })
      .then(({ commands }) => expect(deadline(commands, "period_end")).toBeDefined());
    given(canceling.state)
      .when({ type: "ChargeSucceeded", period: 1, attempt: 1, paymentId: "pay_1", at: at("2026-02-28T09:45:00.000Z") })
      .then(({ state, commands }) => {
        expect(types(commands)).toEqual(["RecordChargeOutcome", "RefundCharge"]);
        expect(state.period).toBe(0);
      });
  });

  it("a licence revoked while suspended releases the hold, so what the revocation left answers", () => {
    const suspended = given(start, due, declined(1, "2026-02-28T09:00:00.000Z"), {
      type: "GraceEnded",
      at: at("2026-03-07T10:00:00.000Z"),
    }).state;
    given(suspended)
      .when({ type: "LicenseRevoked", at: at("2026-03-08T00:00:00.000Z") })
      .then(({ state, commands }) => {
        expect(state.status).toBe("canceled");
        expect(types(commands)).toEqual(["ReleaseAccess", "PublishCanceled"]);
      });
  });
});

describe("who may act on a subscription", () => {
  const personal = { buyerUserId: "usr_1", tenantId: "ten_1", kind: "subscription" as const };
  const pack = { ...personal, kind: "seat_pack" as const };
  const buyer = { userId: "usr_1", tenantId: "ten_1", roles: ["learner"] };
  const orgAdmin = { userId: "usr_2", tenantId: "ten_1", roles: ["org_admin"] };
  const admin = { userId: "usr_3", tenantId: "ten_0", roles: ["platform_admin"] };
  it("lets only the buyer set a payment method, and an org admin manage only the tenant's packs and licences", () => {
    expect([
      mayAct(personal, buyer, "payment_method"),
      mayAct(personal, orgAdmin, "payment_method"),
      mayAct(personal, admin, "payment_method"),
    ]).toEqual([true, false, false]);
    expect([mayAct(personal, orgAdmin, "read"), mayAct(personal, orgAdmin, "manage"), mayAct(pack, orgAdmin, "manage")]).toEqual([
      true,
      false,
      true,
    ]);
    expect(mayAct(personal, { ...buyer, tenantId: "ten_9" }, "read")).toBe(false);
  });
});
