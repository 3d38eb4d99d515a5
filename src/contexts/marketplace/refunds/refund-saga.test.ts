import { describe, expect, it } from "vitest";
import { givenWhenThen } from "../../../platform/testing/given-when-then.js";
import { initialRefund, refundSaga, type RefundInput } from "./refund-saga.domain.js";

const given = givenWhenThen(refundSaga({ retryMs: [1_000, 5_000], pendingRecheckMs: 60_000 }));
const requested = initialRefund("rfn_1", "ord_1");
const asked: RefundInput = { type: "RefundRequested" };
const returned: RefundInput = { type: "MoneyReturned", billingRefundId: "rfd_1" };
const billingDown: RefundInput = { type: "BillingErrored", error: "down" };

describe("refund saga", () => {
  it("given a request, when billing returns the money, then license, enrollments, earnings and order follow in order", () => {
    given(requested)
      .when(asked)
      .then(({ commands }) => expect(commands.map((c) => c.type)).toEqual(["ScheduleDeadline", "RequestMoney"]));
    given(requested, asked)
      .when(returned)
      .then(({ state, commands }) => {
        expect(commands.map((c) => c.type)).toEqual([
          "CancelDeadline",
          "RevokeLicenses",
          "RevokeEnrollments",
          "ReverseEarnings",
          "CompleteRefund",
        ]);
        expect(state).toMatchObject({ status: "refunded", billingRefundId: "rfd_1" });
      });
  });

  it("given billing throws, then it retries with a growing delay until the money is back", () => {
    given(requested, asked)
      .when(billingDown)
      .then(({ commands }) => expect(commands).toEqual([{ type: "ScheduleDeadline", name: "money", afterMs: 1_000 }]));
    given(requested, asked, billingDown)
      .when(billingDown)
      .then(({ commands }) => expect(commands).toEqual([{ type: "ScheduleDeadline", name: "money", afterMs: 5_000 }]));
    const retried = given(requested, asked, billingDown, billingDown)
      .when({ type: "MoneyDeadlinePassed" })
      .then(({ commands }) => expect(commands.map((c) => c.type)).toEqual(["ScheduleDeadline", "RequestMoney"]));
    given(retried.state)
      .when(returned)
      .then(({ state }) => expect(state.status).toBe("refunded"));
  });

  it("given billing refuses, then the hold is released and the saga fails", () => {
    given(requested, asked)
      .when({ type: "MoneyRefused", failureCode: "BILLING.REFUND_EXCEEDS_PAYMENT" })
      .then(({ state, commands }) => {
        expect(state.status).toBe("failed");
        expect(commands.map((c) => c.type)).toEqual(["CancelDeadline", "ReleaseHold"]);
      });
  });

  it("given a refunded saga, when a late outcome or deadline arrives, then nothing happens twice", () => {
    const done = given(requested, asked, returned).state;
    for (const input of [returned, { type: "MoneyDeadlinePassed" }, asked, { type: "BillingErrored", error: "x" }] as RefundInput[]) {
      given(done)
        .when(input)
        .then((reaction) => {
          expect(reaction.commands).toEqual([]);
          expect(reaction.state).toBe(done);
        });
    }
  });

  it("given a provider that confirms later, then the saga waits and re-asks", () => {
    given(requested, asked)
      .when({ type: "MoneyPending", billingRefundId: "rfd_9" })
      .then(({ state, commands }) => {
        expect(state).toMatchObject({ status: "awaiting_money", billingRefundId: "rfd_9" });
        expect(commands).toEqual([{ type: "ScheduleDeadline", name: "money", afterMs: 60_000 }]);
      });
  });
});
