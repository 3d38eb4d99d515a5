/** The role the application runs as: not a superuser, not the table owner, so RLS policies apply. */
export const APP_ROLE = "ghasi_app";
