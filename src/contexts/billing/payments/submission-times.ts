/**
 * The payment worker's timings for what it sends to an external provider (payments and refunds
 * alike), and for the checks it makes on them.
 */

/** How long to wait before asking a provider again after it could not be reached or answered unrecorded. */
export const RETRY_AFTER_MS = 30_000;

/**
 * How long a leased submission is left to the pass that took it before another may: well beyond a
 * call with the Stripe client's own retries (20 s a try, three tries each). A second caller would
 * only get Stripe's first answer again (same idempotency keys).
 */
export const LEASE_MS = 5 * 60_000;

/**
 * How long after its first request a payment or refund may still be sent again. Stripe keeps an
 * idempotency key for 24 hours: asked again after that, it would charge or refund a second time. A
 * submission still unanswered by then is no longer sent; it is logged for an operator. (A refund
 * counts from when it was first sent; a payment, which is sent as soon as its order commits, from
 * when it was made.)
 */
export const RESUBMIT_WINDOW_MS = 23 * 3_600_000;
