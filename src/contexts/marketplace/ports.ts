import type { Tx } from "../../platform/db/db.js";
import type { EventContext, EventMetadata } from "../../platform/events/envelope.js";

/**
 * Ports the marketplace owns (DESIGN §1: "a narrow port that the caller owns"). Adapters live in
 * src/wiring.ts; each call takes the saga's transaction so billing's and enrollment's rows and
 * events commit or roll back with the step that asked for them.
 */
export type PaymentMethod = { method: "card"; token: string } | { method: "wallet" };

export interface PaymentsPort {
  /** billing's tax reference (seed 001 §4: tax is billing's). */
  tax(query: { country: string; amount: number; currency: string; inclusive: boolean }): { amount: number; inclusive: boolean };
  /** Idempotent per orderId: a retried step never charges twice. */
  pay(
    tx: Tx,
    request: {
      orderId: string;
      buyerUserId: string;
      tenantId: string;
      amount: number;
      currency: string;
      method: PaymentMethod;
      correlationId: string;
      /** The purchase's request metadata: billing's payment events carry it on. */
      metadata?: EventMetadata;
      /** An order that renews: billing keeps the method on file under this reference (marketplace never holds it). */
      keepOnFile?: string;
    },
  ): Promise<{ paymentId: string; status: string }>;
  /**
   * A renewal: charges the method billing keeps on file under `ownerRef`, off-session. One payment
   * per `chargeRef` however often it is asked; the outcome also leaves as billing.payment.*.
   */
  chargeOnFile(
    tx: Tx,
    request: {
      ownerRef: string;
      chargeRef: string;
      tenantId: string;
      buyerUserId: string;
      amount: number;
      currency: string;
      correlationId: string;
      /** The renewal's trace: the charge's events carry it. */
      metadata?: EventMetadata;
    },
  ): Promise<{ paymentId: string | null; status: "succeeded" | "failed" | "pending"; failureCode: string | null }>;
  /** Whether billing keeps a method under `ownerRef` (an order placed before renewals existed kept none). */
  hasMethodOnFile(tx: Tx, ownerRef: string): Promise<boolean>;
  /** Locks the methods a batch of renewal charges will use, in one statement, before they are charged one by one. */
  prepareCharges(tx: Tx, ownerRefs: readonly string[]): Promise<void>;
  /** A subscriber's new payment method, kept by billing under `ownerRef`. */
  keepOnFile(tx: Tx, request: { ownerRef: string; tenantId: string; buyerUserId: string; method: PaymentMethod }): Promise<void>;
  /** Idempotent per (paymentId, key). */
  refund(
    tx: Tx,
    request: {
      orderId: string;
      paymentId: string;
      amount: number;
      reason: string;
      correlationId: string;
      key: string;
      /** The request (or saga step) asking: billing's refund events carry it on. */
      metadata?: EventMetadata;
    },
  ): Promise<{ refundId: string; status: string }>;
  /** A wallet payment refused for lack of credit: required and available amounts (seed 004 order.failed). */
  shortfall(tx: Tx, paymentId: string): Promise<{ amountRequired: number; amountAvailable: number } | null>;
  /** How much of the payment has gone back to the buyer so far, by any route (billing's books). */
  refundState(tx: Tx, paymentId: string): Promise<{ amount: number; refundedAmount: number } | null>;
  /** What the buyer paid with, per wallet bucket (seed 004 order.paid payment_breakdown). */
  breakdown(tx: Tx, paymentId: string): Promise<Array<{ bucket: string; amount: number; transactionId: string }> | null>;
}

export interface EnrollmentRequest {
  tenantId: string;
  userId: string;
  courseId: string;
  courseVersionId: string;
  licenseId: string;
  orderId: string;
  sourceKind: "license" | "seat" | "site_license";
  sourceRef: string;
  expiresAt?: Date;
  offlineUntil?: Date | "perpetual";
}

export interface EnrollmentsPort {
  /** Idempotent on (tenantId, userId, courseId, source.ref); emits enrollment.created.v1 when created. */
  enroll(tx: Tx, requests: readonly EnrollmentRequest[], context: EventContext): Promise<Array<{ enrollmentId: string; created: boolean }>>;
  /** Refund or failure: revoke (or downgrade to audit) every enrollment of a license. */
  revokeLicense(
    tx: Tx,
    request: { licenseId: string; orderId: string; reason: string; aggregate: boolean },
    context: EventContext,
  ): Promise<{ revokedCount: number }>;
  revokeOne(tx: Tx, enrollmentId: string, context: EventContext): Promise<void>;
  /** A suspended subscription: the licence's enrollments answer not entitled until released (they are kept). */
  holdLicense(tx: Tx, licenseId: string, context: EventContext): Promise<void>;
  releaseLicense(tx: Tx, licenseId: string, context: EventContext): Promise<void>;
  /** A subscription ended: completed enrollments stay, others go to audit where the course offers it, else expire. */
  endLicense(tx: Tx, licenseId: string, at: Date, context: EventContext): Promise<void>;
  /** Refund policy (seed 001 §10.4): a license is consumed once any enrollment it backs is completed. */
  isConsumed(tx: Tx, licenseId: string): Promise<boolean>;
}

export interface CatalogPort {
  /** When the course starts (its advertised run), for the refund deadline. */
  courseStart(tx: Tx, courseId: string): Promise<Date | null>;
  /**
   * Listing creation and re-targeting (seed 001 §5.1): the course's provider and whether the version
   * is one of the course's versions; null when the catalog does not know the course.
   */
  listableCourse(tx: Tx, courseId: string, courseVersionId: string): Promise<{ providerId: string; versionOfCourse: boolean } | null>;
}

/**
 * The provider's KYC status as tenancy holds it now (seed 001 §5.1: tenant-service owns it). Read at
 * approval, not from the event projection, so an approval right after the KYC decision sees it.
 */
export interface ProvidersPort {
  kycOf(tx: Tx, providerId: string): Promise<"verified" | "pending" | "rejected">;
}

export interface BuyerPolicy {
  allowedCurrencies: string[] | null;
  cap: { amount: number; currency: string; windowStart: Date } | null;
}

export interface BuyerPoliciesPort {
  policyOf(tx: Tx, tenantId: string, now: Date): Promise<BuyerPolicy | null>;
}

export interface MarketplacePorts {
  payments: PaymentsPort;
  enrollments: EnrollmentsPort;
  catalog: CatalogPort;
  providers: ProvidersPort;
  buyerPolicies: BuyerPoliciesPort;
}
