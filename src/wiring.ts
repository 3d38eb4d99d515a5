/**
 * The composition root's adapters: each implements a port one context owns with another context's
 * public face (its api.ts, and the port types its module.ts re-exports). Only this file (and
 * src/modules.ts) may know two contexts at once, and only through those two files
 * (.dependency-cruiser.cjs, "composition-root-uses-public-faces").
 */
import type { Tx } from "./platform/db/db.js";
import type { BillingApi } from "./contexts/billing/api.js";
import type { CatalogApi } from "./contexts/catalog/api.js";
import type { EnrollmentApi } from "./contexts/enrollment/api.js";
import type { CatalogContent, CatalogRun, Coverage, EnrollmentPorts } from "./contexts/enrollment/module.js";
import type { MarketplaceApi } from "./contexts/marketplace/api.js";
import type { MarketplacePorts } from "./contexts/marketplace/module.js";
import type { TenancyApi } from "./contexts/tenancy/api.js";

export interface WiringOverrides {
  marketplace?: (ports: MarketplacePorts) => MarketplacePorts;
  enrollment?: (ports: EnrollmentPorts) => EnrollmentPorts;
}

export function marketplacePorts(apis: {
  billing: BillingApi;
  enrollment: EnrollmentApi;
  catalog: CatalogApi;
  tenancy: TenancyApi;
}): MarketplacePorts {
  const { billing, enrollment: enrollments, catalog, tenancy } = apis;
  return {
    payments: {
      tax: (query) => {
        const quote = billing.computeTax(query);
        return { amount: quote.taxAmount, inclusive: quote.inclusive };
      },
      async pay(tx, request) {
        const { payment } = await billing.processPaymentIn(tx, { ...request, idempotencyKey: `order:${request.orderId}` });
        return { paymentId: payment.paymentId, status: payment.status };
      },
      async chargeOnFile(tx, request) {
        const payment = await billing.chargeMethodOnFileIn(tx, request);
        const status =
          payment.status === "failed"
            ? "failed"
            : payment.status === "requires_payment" || payment.status === "processing"
              ? "pending"
              : "succeeded";
        return { paymentId: payment.paymentId, status, failureCode: payment.failureCode };
      },
      prepareCharges: (tx, ownerRefs) => billing.lockMethodsOnFileIn(tx, ownerRefs),
      hasMethodOnFile: async (tx, ownerRef) => (await billing.methodOnFileIn(tx, ownerRef)) !== null,
      async keepOnFile(tx, request) {
        await billing.keepMethodOnFileIn(tx, request);
      },
      async refund(tx, request) {
        const refund = await billing.refundPaymentIn(tx, {
          orderId: request.orderId,
          paymentId: request.paymentId,
          amount: request.amount,
          reason: request.reason,
          correlationId: request.correlationId,
          idempotencyKey: request.key,
          ...(request.metadata ? { metadata: request.metadata } : {}),
        });
        return { refundId: refund.refundId, status: refund.status };
      },
      async shortfall(tx, paymentId) {
        return (await billing.paymentIn(tx, paymentId))?.walletShortfall ?? null;
      },
      async refundState(tx, paymentId) {
        const payment = await billing.paymentIn(tx, paymentId);
        return payment ? { amount: payment.amount, refundedAmount: payment.refundedAmount } : null;
      },
      async breakdown(tx, paymentId) {
        return (await billing.paymentIn(tx, paymentId))?.walletBreakdown ?? null;
      },
    },
    enrollments: {
      async enroll(tx, requests, context) {
        return enrollments.enrollMany(
          tx,
          requests.map((r) => ({
            tenantId: r.tenantId,
            userId: r.userId,
            courseId: r.courseId,
            courseVersionId: r.courseVersionId,
            licenseId: r.licenseId,
            orderId: r.orderId,
            source: { kind: r.sourceKind, ref: r.sourceRef },
            ...(r.expiresAt ? { expiresAt: r.expiresAt } : {}),
            ...(r.offlineUntil ? { offlineUntil: r.offlineUntil } : {}),
          })),
          context,
        );
      },
      async revokeLicense(tx, request, context) {
        // seed 003: a revoked or refunded license leaves audit access where the course offers it. A failed
        // purchase (the saga's compensation) gave nothing, so it takes everything back.
        const result = await enrollments.revokeByLicense(
          tx,
          {
            licenseId: request.licenseId,
            ...(request.aggregate ? { orderId: request.orderId } : {}),
            reason: "license_revoked",
            auditWhereAvailable: request.reason !== "order_failed",
          },
          context,
        );
        return { revokedCount: result.revoked.length };
      },
      async revokeOne(tx, enrollmentId, context) {
        await enrollments.revokeOne(tx, { enrollmentId, reason: "admin" }, context);
      },
      async holdLicense(tx, licenseId, context) {
        await enrollments.holdByLicense(tx, { licenseId, reason: "subscription_suspended" }, context);
      },
      async releaseLicense(tx, licenseId, context) {
        await enrollments.releaseHoldByLicense(tx, { licenseId }, context);
      },
      async endLicense(tx, licenseId, at, context) {
        await enrollments.endByLicense(tx, { licenseId, at }, context);
      },
      isConsumed: (tx, licenseId) => enrollments.licenseConsumed(tx, licenseId),
    },
    catalog: {
      courseStart: async (tx, courseId) => (await catalog.courseFacts(tx, courseId))?.advertisedRun?.startsAt ?? null,
      listableCourse: (tx, courseId, courseVersionId) => catalog.listableCourse(tx, courseId, courseVersionId),
    },
    providers: {
      // A provider tenancy has never heard of is not verified.
      kycOf: async (tx, providerId) => (await tenancy.providerKyc(tx, providerId)) ?? "pending",
    },
    buyerPolicies: {
      async policyOf(tx, tenantId, now) {
        const policy = await tenancy.buyerPolicy(tx, tenantId, now);
        if (!policy) return null;
        return {
          allowedCurrencies: policy.allowedCurrencies,
          cap: policy.cap ? { amount: policy.cap.amount, currency: policy.cap.currency, windowStart: policy.cap.windowStart } : null,
        };
      },
    },
  };
}

interface EnrollmentNeighbours {
  billing: BillingApi;
  catalog: CatalogApi;
  marketplace: MarketplaceApi;
  tenancy: TenancyApi;
}

/** Enrollment's lookups into catalog (audit mode, current version) and marketplace (site licenses). */
export function enrollmentPorts(apis: EnrollmentNeighbours): EnrollmentPorts {
  const { catalog, marketplace, tenancy } = apis;
  return {
    auditAvailable: async (courseId: string, tx: Tx) => (await catalog.courseFacts(tx, courseId))?.auditAvailable ?? false,
    currentCourseVersion: (courseId: string, tx: Tx) => catalog.enrollableVersion(tx, courseId),
    siteLicenses: {
      async coveringLicense(tx, tenantId, userId, courseId) {
        // Every member of the licensed tenant is entitled (issue 5 §2): membership is tenancy's fact.
        const license = await marketplace.activeSiteLicense(tx, await tenancy.tenantsOfMember(tx, userId, tenantId), courseId);
        if (!license) return null;
        return {
          licenseId: license.licenseId,
          tenantId: license.tenantId,
          orderId: license.orderId,
          courseVersionId: license.courseVersionId,
          ...(license.validUntil ? { expiresAt: new Date(license.validUntil) } : {}),
          ...(license.perpetualOffline ? { offlineUntil: "perpetual" as const } : {}),
        };
      },
    },
    ...defaultEnrollmentPorts(apis),
  };
}

/** Default enterprise enrollments (seed 003): catalog content and runs, subsidies (marketplace licenses, billing credit), tenancy facts. */
function defaultEnrollmentPorts(apis: EnrollmentNeighbours): Pick<EnrollmentPorts, "catalog" | "subsidies" | "enterprises"> {
  const { billing, catalog, marketplace, tenancy } = apis;
  return {
    catalog: {
      async resolveContent(tx, keys) {
        const found = new Map<string, CatalogContent>();
        for (const c of await catalog.content(tx, keys)) {
          if (found.has(c.contentKey)) continue; // a course id wins over a run key spelled the same
          found.set(
            c.contentKey,
            c.contentType === "course"
              ? { contentType: "course", courseId: c.courseId }
              : { contentType: "course_run", courseId: c.courseId, runKey: c.contentKey },
          );
        }
        return found;
      },
      async runsOf(tx, courseIds) {
        const runs = new Map<string, CatalogRun[]>(courseIds.map((id) => [id, []]));
        for (const { courseId, ...run } of await catalog.runFacts(tx, courseIds)) runs.get(courseId)?.push(run);
        return runs;
      },
    },
    subsidies: {
      async applicableSubsidy(tx, tenantId, userId, courseIds) {
        const licenses = await marketplace.tenantLicensesCovering(tx, tenantId, courseIds);
        // A seat pack puts the course in the enterprise's catalog; it subsidizes only learners holding an active seat.
        const seats = licenses.some((l) => l.kind === "seat_pack")
          ? await marketplace.activeSeatsCovering(tx, tenantId, userId, courseIds)
          : [];
        const credit = await billing.learnerCreditIn(tx, tenantId, userId);
        return new Map<string, Coverage>(
          courseIds.map((courseId) => {
            const covering = licenses.filter((l) => l.courseId === courseId);
            const site = covering.find((l) => l.kind === "site_license");
            const seat = seats.find((s) => s.courseId === courseId);
            const subsidy = site
              ? { kind: "site_license" as const, ref: site.licenseId, licenseId: site.licenseId }
              : seat
                ? { kind: "seat" as const, ref: seat.seatAssignmentId, licenseId: seat.licenseId }
                : credit
                  ? { kind: "learner_credit" as const, ref: `wallet:${tenantId}:${userId}:${credit.currency}` }
                  : null;
            return [courseId, { inCatalog: covering.length > 0, subsidy }];
          }),
        );
      },
    },
    enterprises: {
      kindOf: (tx, tenantId) => tenancy.tenantKind(tx, tenantId),
      isMember: (tx, tenantId, userId) => tenancy.isMember(tx, tenantId, userId),
    },
  };
}
