/**
 * The composition root's adapters: each implements a port one context owns with another context's
 * published application API. Only this file (and src/modules.ts) may know two contexts at once.
 */
import type { Tx } from "./platform/db/db.js";
import type { Kernel } from "./platform/kernel.js";
import type { BillingModule } from "./contexts/billing/module.js";
import { contentOf, courseFactsOf, enrollableVersionOf, listableCourseOf, runFactsOf } from "./contexts/catalog/course-facts.js";
import { learnerCreditOf } from "./contexts/billing/wallet/learner-credit.js";
import type { CatalogContent, CatalogRun, Coverage } from "./contexts/enrollment/ports.js";
import { findTenant, isMember, tenantsOfMember } from "./contexts/tenancy/tenants/tenants.sql.js";
import { findProvider } from "./contexts/tenancy/providers/providers.sql.js";
import { licenseConsumed } from "./contexts/enrollment/enrollment-facts.js";
import type { EnrollmentModule } from "./contexts/enrollment/module.js";
import type { EnrollmentPorts } from "./contexts/enrollment/ports.js";
import type { MarketplacePorts } from "./contexts/marketplace/ports.js";
import { activeSeatsCovering, activeSiteLicense, tenantLicensesCovering } from "./contexts/marketplace/licenses/site-licenses.js";
import { purchasePolicyOf } from "./contexts/tenancy/purchase-policies/purchase-policies.sql.js";
import { capWindow } from "./contexts/tenancy/purchase-policies/purchase-policy.domain.js";

export interface WiringOverrides {
  marketplace?: (ports: MarketplacePorts) => MarketplacePorts;
}

export function marketplacePorts(kernel: Kernel, billingContext: BillingModule, enrollment: EnrollmentModule): MarketplacePorts {
  const billing = billingContext.api(kernel);
  const enrollments = enrollment.api(kernel);
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
      async refund(tx, request) {
        const refund = await billing.refundPaymentIn(tx, {
          orderId: request.orderId,
          paymentId: request.paymentId,
          amount: request.amount,
          reason: request.reason,
          correlationId: request.correlationId,
          idempotencyKey: request.key,
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
        // A refunded or failed purchase takes access away; seed 003's audit downgrade is for subscription revocations.
        const result = await enrollments.revokeByLicense(
          tx,
          {
            licenseId: request.licenseId,
            ...(request.aggregate ? { orderId: request.orderId } : {}),
            reason: "license_revoked",
            auditWhereAvailable: false,
          },
          context,
        );
        return { revokedCount: result.revoked.length };
      },
      async revokeOne(tx, enrollmentId, context) {
        await enrollments.revokeOne(tx, { enrollmentId, reason: "admin" }, context);
      },
      isConsumed: (tx, licenseId) => licenseConsumed(tx, licenseId),
    },
    catalog: {
      courseStart: async (tx, courseId) => (await courseFactsOf(tx, courseId, kernel.clock.now()))?.advertisedRun?.startsAt ?? null,
      listableCourse: (tx, courseId, courseVersionId) => listableCourseOf(tx, courseId, courseVersionId),
    },
    providers: {
      // A provider tenancy has never heard of is not verified.
      kycOf: async (tx, providerId) => (await findProvider(tx, providerId))?.kycStatus ?? "pending",
    },
    buyerPolicies: {
      async policyOf(tx, tenantId, now) {
        const policy = await purchasePolicyOf(tx, tenantId);
        if (!policy.allowedCurrencies && !policy.cap) return null;
        return {
          allowedCurrencies: policy.allowedCurrencies,
          cap: policy.cap
            ? { amount: policy.cap.amount, currency: policy.cap.currency, windowStart: capWindow(policy.cap.period, now).start }
            : null,
        };
      },
    },
  };
}

/** Enrollment's lookups into catalog (audit mode, current version) and marketplace (site licenses). */
export function enrollmentPorts(clock: () => Date): EnrollmentPorts {
  return {
    auditAvailable: async (courseId: string, tx: Tx) => (await courseFactsOf(tx, courseId, clock()))?.auditAvailable ?? false,
    currentCourseVersion: (courseId: string, tx: Tx) => enrollableVersionOf(tx, courseId),
    siteLicenses: {
      async coveringLicense(tx, tenantId, userId, courseId) {
        // Every member of the licensed tenant is entitled (issue 5 §2): membership is tenancy's fact.
        const license = await activeSiteLicense(tx, await tenantsOfMember(tx, userId, tenantId), courseId, clock());
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
    ...defaultEnrollmentPorts(clock),
  };
}

/** Default enterprise enrollments (seed 003): catalog content and runs, subsidies (marketplace licenses, billing credit), tenancy facts. */
function defaultEnrollmentPorts(clock: () => Date): Pick<EnrollmentPorts, "catalog" | "subsidies" | "enterprises"> {
  return {
    catalog: {
      async resolveContent(tx, keys) {
        const found = new Map<string, CatalogContent>();
        for (const c of await contentOf(tx, keys)) {
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
        for (const { courseId, ...run } of await runFactsOf(tx, courseIds, clock())) runs.get(courseId)?.push(run);
        return runs;
      },
    },
    subsidies: {
      async applicableSubsidy(tx, tenantId, userId, courseIds) {
        const licenses = await tenantLicensesCovering(tx, tenantId, courseIds, clock());
        // A seat pack puts the course in the enterprise's catalog; it subsidizes only learners holding an active seat.
        const seats = licenses.some((l) => l.kind === "seat_pack")
          ? await activeSeatsCovering(tx, tenantId, userId, courseIds, clock())
          : [];
        const credit = await learnerCreditOf(tx, tenantId, userId);
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
      kindOf: async (tx, tenantId) => (await findTenant(tx, tenantId))?.kind ?? null,
      isMember: (tx, tenantId, userId) => isMember(tx, tenantId, userId),
    },
  };
}
