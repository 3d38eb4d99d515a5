import { describe, expect, it } from "vitest";
import { initialRefund, refundSaga, type RefundInput, type RefundSagaState } from "./refund-saga.domain.js";

const saga = refundSaga({ retryMs: [1_000, 5_000], pendingRecheckMs: 60_000 });
const run = (inputs: RefundInput[], state: RefundSagaState = initialRefund("rfn_1", "ord_1")) =>
  inputs.reduce<{ state: RefundSagaState; commands: string[][] }>(
    (acc, input) => {
      const reaction = saga.react(acc.state, input);
      return { state: reaction.state, commands: [...acc.commands, reaction.commands.map((c) => c.type)] };
    },
    { state, commands: [] },
  );

describe("refund saga", () => {
  it("given a request, when billing returns the money, then license, enrollments, earnings and order follow in order", () => {
    const { state, commands } = run([{ type: "RefundRequested" }, { type: "MoneyReturned", billingRefundId: "rfd_1" }]);
    expect(commands).toEqual([
      ["ScheduleDeadline", "RequestMoney"],
      ["CancelDeadline", "RevokeLicenses", "RevokeEnrollments", "ReverseEarnings", "CompleteRefund"],
    ]);
    expect(state).toMatchObject({ status: "refunded", billingRefundId: "rfd_1" });
  });

  it("given billing throws, then it retries with a growing delay until the money is back", () => {
    const saga1 = saga.react(run([{ type: "RefundRequested" }]).state, { type: "BillingErrored", error: "down" });
    expect(saga1.commands).toEqual([{ type: "ScheduleDeadline", name: "money", afterMs: 1_000 }]);
    const saga2 = saga.react(saga1.state, { type: "BillingErrored", error: "down" });
    expect(saga2.commands).toEqual([{ type: "ScheduleDeadline", name: "money", afterMs: 5_000 }]);
    const retried = saga.react(saga2.state, { type: "MoneyDeadlinePassed" });
    expect(retried.commands.map((c) => c.type)).toEqual(["ScheduleDeadline", "RequestMoney"]);
    expect(saga.react(retried.state, { type: "MoneyReturned", billingRefundId: "rfd_1" }).state.status).toBe("refunded");
  });

  it("given billing refuses, then the hold is released and the saga fails", () => {
    const { state, commands } = run([{ type: "RefundRequested" }, { type: "MoneyRefused", failureCode: "BILLING.REFUND_EXCEEDS_PAYMENT" }]);
    expect(state.status).toBe("failed");
    expect(commands[1]).toEqual(["CancelDeadline", "ReleaseHold"]);
  });

  it("given a refunded saga, when a late outcome or deadline arrives, then nothing happens twice", () => {
    const done = run([{ type: "RefundRequested" }, { type: "MoneyReturned", billingRefundId: "rfd_1" }]).state;
    for (const input of [
      { type: "MoneyReturned", billingRefundId: "rfd_1" },
      { type: "MoneyDeadlinePassed" },
      { type: "RefundRequested" },
      { type: "BillingErrored", error: "x" },
    ] as RefundInput[]) {
      const reaction = saga.react(done, input);
      expect(reaction.commands).toEqual([]);
      expect(reaction.state).toBe(done);
    }
  });

  it("given a provider that confirms later, then the saga waits and re-asks", () => {
    const pending = saga.react(run([{ type: "RefundRequested" }]).state, { type: "MoneyPending", billingRefundId: "rfd_9" });
    expect(pending.state).toMatchObject({ status: "awaiting_money", billingRefundId: "rfd_9" });
    expect(pending.commands).toEqual([{ type: "ScheduleDeadline", name: "money", afterMs: 60_000 }]);
  });
});
