/**
 * What a tenant id may be. Ids of upstream tenants are kept as given, so the shape is generous, but
 * it starts with a letter or digit and holds no spaces, wildcards or control characters: the
 * system scope (workers, platform admins) is not a tenant id at all, so no id a request carries
 * can be mistaken for it, and `*`, `%` and the like are refused as tenant ids and as a token's `tid`.
 */
export const TENANT_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$";
const tenantId = new RegExp(TENANT_ID_PATTERN);

export function isTenantId(value: unknown): value is string {
  return typeof value === "string" && tenantId.test(value);
}
