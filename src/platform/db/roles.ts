/** The role the application runs as: not a superuser, not the table owner, so RLS policies apply. */
export const APP_ROLE = "ghasi_app";

/**
 * The scope of a statement outside any transaction: the system scope, as for a transaction given
 * no tenant (`Db.tx` without `tenantId`). Such statements are the platform's own: the relay,
 * workers, operators' lists, health. A request that reads tenant rows does so in a transaction
 * scoped to its caller's tenant, which sets both settings locally (`SCOPE_STATEMENT`).
 */
export const SESSION_SCOPE_OPTION = "-c app.system_scope=on";
export const SESSION_SCOPE_STATEMENT = "SET app.system_scope = 'on'";
