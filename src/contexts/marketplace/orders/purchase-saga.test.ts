import { describe, expect, it } from "vitest";
import { initialPurchase, purchaseSaga, type PurchaseCommand, type PurchaseInput, type PurchaseState } from "./purchase-saga.domain.js";

const saga = purchaseSaga({ paymentMs: 900_000, enrollmentMs: 300_000 });

function run(state: PurchaseState, ...inputs: PurchaseInput[]): { state: PurchaseState; commands: PurchaseCommand[] } {
  let commands: PurchaseCommand[] = [];
  for (const input of inputs) {
    const reaction = saga.react(state, input);
    state = reaction.state;
    commands = reaction.commands;
  }
  return { state, commands };
}
const types = (commands: PurchaseCommand[]) => commands.map((c) => c.type);

describe("purchase saga", () => {
  it("takes a one-time purchase from placed to fulfilled once its enrollment exists", () => {
    const placed = run(initialPurchase("ord_1", 1, false), { type: "OrderPlaced" });
    expect(placed.state.status).toBe("awaiting_payment");
    expect(types(placed.commands)).toEqual(["PublishPlaced", "ScheduleDeadline", "RequestPayment"]);
    const paid = run(placed.state, { type: "PaymentSucceeded", paymentId: "pay_1" });
    expect(paid.state.status).toBe("licensing");
    expect(types(paid.commands)).toEqual(["CancelDeadline", "PublishPaid", "GrantLicenses"]);
    const licensed = run(paid.state, { type: "LicensesGranted", licenseIds: ["lcn_1"] });
    expect(licensed.state.status).toBe("enrolling");
    const done = run(licensed.state, { type: "EnrollmentCreated", enrollmentId: "enr_1" });
    expect(done.state.status).toBe("fulfilled");
    expect(types(done.commands)).toEqual(["CancelDeadline", "RecordRevenue", "PublishFulfilled"]);
  });

  it("fulfils a seat pack as soon as its license exists (seats enroll later)", () => {
    const { state } = run(
      initialPurchase("ord_1", 0, false),
      { type: "OrderPlaced" },
      { type: "PaymentSucceeded", paymentId: "pay_1" },
      { type: "LicensesGranted", licenseIds: ["lcn_1"] },
    );
    expect(state.status).toBe("fulfilled");
  });

  it("fails a declined payment and releases the coupon it reserved", () => {
    const { state, commands } = run(
      initialPurchase("ord_1", 1, true),
      { type: "OrderPlaced" },
      { type: "PaymentFailed", paymentId: "pay_1", failureCode: "card_declined" },
    );
    expect(state.status).toBe("failed");
    expect(state.failure).toEqual({ reason: "card_declined", stage: "payment", rollbackCompleted: true });
    expect(types(commands)).toEqual(["CancelDeadline", "ReleaseCoupon", "PublishFailed"]);
  });

  it("fails an order whose payment never answers when the payment deadline passes", () => {
    const { state, commands } = run(initialPurchase("ord_1", 1, false), { type: "OrderPlaced" }, { type: "PaymentDeadlinePassed" });
    expect(state.status).toBe("failed");
    expect(state.failure?.reason).toBe("PAYMENT_TIMEOUT");
    expect(types(commands)).toEqual(["PublishFailed"]);
  });

  it("refunds a payment that arrives after the order failed", () => {
    const { state, commands } = run(
      initialPurchase("ord_1", 1, false),
      { type: "OrderPlaced" },
      { type: "PaymentDeadlinePassed" },
      { type: "PaymentSucceeded", paymentId: "pay_late" },
    );
    expect(state.status).toBe("failed");
    expect(commands).toEqual([{ type: "RefundPayment", paymentId: "pay_late", reason: "payment_after_failure" }]);
  });

  it("revokes the license, refunds the payment and releases the coupon when enrollment is refused", () => {
    const { state, commands } = run(
      initialPurchase("ord_1", 1, true),
      { type: "OrderPlaced" },
      { type: "PaymentSucceeded", paymentId: "pay_1" },
      { type: "LicensesGranted", licenseIds: ["lcn_1"] },
      { type: "EnrollmentRefused", reason: "ENROLLMENT.COURSE_NOT_ENROLLABLE" },
    );
    expect(state.status).toBe("failed");
    expect(state.failure).toEqual({ reason: "ENROLLMENT.COURSE_NOT_ENROLLABLE", stage: "enrollment", rollbackCompleted: true });
    expect(types(commands)).toEqual(["CancelDeadline", "RevokeLicenses", "RefundPayment", "ReleaseCoupon", "PublishFailed"]);
  });

  it("names a wallet shortfall's stage wallet_debit, with what was required and what was there", () => {
    const { state, commands } = run(
      initialPurchase("ord_1", 1, false),
      { type: "OrderPlaced" },
      {
        type: "PaymentFailed",
        paymentId: "pay_1",
        failureCode: "WALLET_INSUFFICIENT_BALANCE",
        amountRequired: 3000,
        amountAvailable: 1000,
      },
    );
    expect(state.failure).toEqual({ reason: "WALLET_INSUFFICIENT_BALANCE", stage: "wallet_debit", rollbackCompleted: true });
    expect(commands.at(-1)).toMatchObject({
      type: "PublishFailed",
      failureStage: "wallet_debit",
      amountRequired: 3000,
      amountAvailable: 1000,
    });
  });

  it("compensates when the enrollment deadline passes", () => {
    const { state } = run(
      initialPurchase("ord_1", 1, false),
      { type: "OrderPlaced" },
      { type: "PaymentSucceeded", paymentId: "pay_1" },
      { type: "LicensesGranted", licenseIds: ["lcn_1"] },
      { type: "EnrollmentDeadlinePassed" },
    );
    expect(state.failure?.reason).toBe("ENROLLMENT_TIMEOUT");
  });

  it("ignores duplicates: a second payment success or enrollment changes nothing", () => {
    const paid = run(initialPurchase("ord_1", 2, false), { type: "OrderPlaced" }, { type: "PaymentSucceeded", paymentId: "pay_1" });
    expect(saga.react(paid.state, { type: "PaymentSucceeded", paymentId: "pay_1" }).commands).toEqual([]);
    const enrolling = run(
      paid.state,
      { type: "LicensesGranted", licenseIds: ["lcn_1"] },
      { type: "EnrollmentCreated", enrollmentId: "enr_1" },
    );
    const again = saga.react(enrolling.state, { type: "EnrollmentCreated", enrollmentId: "enr_1" });
    expect(again.state.status).toBe("enrolling");
    expect(again.commands).toEqual([]);
  });

  it("never leaves a terminal state on a late deadline", () => {
    const done = run(
      initialPurchase("ord_1", 0, false),
      { type: "OrderPlaced" },
      { type: "PaymentSucceeded", paymentId: "p" },
      { type: "LicensesGranted", licenseIds: ["l"] },
    );
    for (const input of [
      { type: "PaymentDeadlinePassed" },
      { type: "EnrollmentDeadlinePassed" },
      { type: "PaymentFailed", paymentId: "p", failureCode: "x" },
    ] as PurchaseInput[]) {
      expect(saga.react(done.state, input).state.status).toBe("fulfilled");
    }
  });
});
