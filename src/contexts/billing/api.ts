/**
 * Billing's public face: what other contexts (through ports they own) and the composition root may
 * call. Nothing else under src/contexts/billing is theirs to import (.dependency-cruiser.cjs).
 */
export { BillingApi } from "./billing-api.js";
export type {
  ChargeMethodOnFileInput,
  KeepMethodOnFileInput,
  MethodOnFileView,
  PaymentMethodInput,
  PaymentResult,
  ProcessPaymentInput,
  RefundPaymentInput,
  RefundResult,
  TaxQuery,
  TaxQuote,
} from "./billing-api.js";
