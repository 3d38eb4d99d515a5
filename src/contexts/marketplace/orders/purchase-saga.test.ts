import { describe, expect, it } from "vitest";
import { givenWhenThen } from "../../../platform/testing/given-when-then.js";
import { initialPurchase, purchaseSaga, type PurchaseCommand, type PurchaseInput } from "./purchase-saga.domain.js";

const given = givenWhenThen(purchaseSaga({ paymentMs: 900_000, enrollmentMs: 300_000 }));
const types = (commands: PurchaseCommand[]) => commands.map((c) => c.type);

const placed: PurchaseInput = { type: "OrderPlaced" };
const paid: PurchaseInput = { type: "PaymentSucceeded", paymentId: "pay_1" };
const licensed: PurchaseInput = { type: "LicensesGranted", licenseIds: ["lcn_1"] };

describe("purchase saga", () => {
  it("takes a one-time purchase from placed to fulfilled once its enrollment exists", () => {
    const awaiting = given(initialPurchase("ord_1", 1, false))
      .when(placed)
      .then(({ state, commands }) => {
        expect(state.status).toBe("awaiting_payment");
        expect(types(commands)).toEqual(["PublishPlaced", "ScheduleDeadline", "RequestPayment"]);
      });
    const licensing = given(awaiting.state)
      .when(paid)
      .then(({ state, commands }) => {
        expect(state.status).toBe("licensing");
        expect(types(commands)).toEqual(["CancelDeadline", "PublishPaid", "GrantLicenses"]);
      });
    const enrolling = given(licensing.state)
      .when(licensed)
      .then(({ state }) => expect(state.status).toBe("enrolling"));
    given(enrolling.state)
      .when({ type: "EnrollmentCreated", enrollmentId: "enr_1" })
      .then(({ state, commands }) => {
        expect(state.status).toBe("fulfilled");
        expect(types(commands)).toEqual(["CancelDeadline", "RecordRevenue", "StartSubscriptions", "PublishFulfilled"]);
      });
  });

  it("fulfils a seat pack as soon as its license exists (seats enroll later)", () => {
    given(initialPurchase("ord_1", 0, false), placed, paid)
      .when(licensed)
      .then(({ state }) => expect(state.status).toBe("fulfilled"));
  });

  it("fails a declined payment and releases the coupon it reserved", () => {
    given(initialPurchase("ord_1", 1, true), placed)
      .when({ type: "PaymentFailed", paymentId: "pay_1", failureCode: "card_declined" })
      .then(({ state, commands }) => {
        expect(state.status).toBe("failed");
        expect(state.failure).toEqual({ reason: "card_declined", stage: "payment", rollbackCompleted: true });
        expect(types(commands)).toEqual(["CancelDeadline", "ReleaseCoupon", "PublishFailed"]);
      });
  });

  it("fails an order whose payment never answers when the payment deadline passes", () => {
    given(initialPurchase("ord_1", 1, false), placed)
      .when({ type: "PaymentDeadlinePassed" })
      .then(({ state, commands }) => {
        expect(state.status).toBe("failed");
        expect(state.failure?.reason).toBe("PAYMENT_TIMEOUT");
        expect(types(commands)).toEqual(["PublishFailed"]);
      });
  });

  it("refunds a payment that arrives after the order failed", () => {
    given(initialPurchase("ord_1", 1, false), placed, { type: "PaymentDeadlinePassed" })
      .when({ type: "PaymentSucceeded", paymentId: "pay_late" })
      .then(({ state, commands }) => {
        expect(state.status).toBe("failed");
        expect(commands).toEqual([{ type: "RefundPayment", paymentId: "pay_late", reason: "payment_after_failure" }]);
      });
  });

  it("revokes the enrollments and license, refunds the payment and releases the coupon when enrollment is refused", () => {
    given(initialPurchase("ord_1", 1, true), placed, paid, licensed)
      .when({ type: "EnrollmentRefused", reason: "ENROLLMENT.COURSE_NOT_ENROLLABLE" })
      .then(({ state, commands }) => {
        expect(state.status).toBe("failed");
        expect(state.failure).toEqual({ reason: "ENROLLMENT.COURSE_NOT_ENROLLABLE", stage: "enrollment", rollbackCompleted: true });
        // Each step undone, latest first.
        expect(types(commands)).toEqual([
          "CancelDeadline",
          "RevokeEnrollments",
          "RevokeLicenses",
          "RefundPayment",
          "ReleaseCoupon",
          "PublishFailed",
        ]);
        expect(commands).toContainEqual({ type: "RevokeEnrollments", licenseIds: ["lcn_1"] });
      });
  });

  it("names a wallet shortfall's stage wallet_debit, with what was required and what was there", () => {
    given(initialPurchase("ord_1", 1, false), placed)
      .when({
        type: "PaymentFailed",
        paymentId: "pay_1",
        failureCode: "WALLET_INSUFFICIENT_BALANCE",
        amountRequired: 3000,
        amountAvailable: 1000,
      })
      .then(({ state, commands }) => {
        expect(state.failure).toEqual({ reason: "WALLET_INSUFFICIENT_BALANCE", stage: "wallet_debit", rollbackCompleted: true });
        expect(commands.at(-1)).toMatchObject({
          type: "PublishFailed",
          failureStage: "wallet_debit",
          amountRequired: 3000,
          amountAvailable: 1000,
        });
      });
  });

  it("compensates when the enrollment deadline passes", () => {
    given(initialPurchase("ord_1", 1, false), placed, paid, licensed)
      .when({ type: "EnrollmentDeadlinePassed" })
      .then(({ state }) => expect(state.failure?.reason).toBe("ENROLLMENT_TIMEOUT"));
  });

  it("ignores duplicates: a second payment success or enrollment changes nothing", () => {
    given(initialPurchase("ord_1", 2, false), placed, paid)
      .when(paid)
      .then(({ commands }) => expect(commands).toEqual([]));
    given(initialPurchase("ord_1", 2, false), placed, paid, licensed, { type: "EnrollmentCreated", enrollmentId: "enr_1" })
      .when({ type: "EnrollmentCreated", enrollmentId: "enr_1" })
      .then(({ state, commands }) => {
        expect(state.status).toBe("enrolling");
        expect(commands).toEqual([]);
      });
  });

  it("never leaves a terminal state on a late deadline", () => {
    for (const input of [
      { type: "PaymentDeadlinePassed" },
      { type: "EnrollmentDeadlinePassed" },
      { type: "PaymentFailed", paymentId: "p", failureCode: "x" },
    ] as PurchaseInput[]) {
      given(
        initialPurchase("ord_1", 0, false),
        placed,
        { type: "PaymentSucceeded", paymentId: "p" },
        { type: "LicensesGranted", licenseIds: ["l"] },
      )
        .when(input)
        .then(({ state }) => expect(state.status).toBe("fulfilled"));
    }
  });
});
