import { rejections, type StatusTable } from "../../platform/result.js";

/**
 * Catalog's refusal codes → HTTP status: the one list its code may reject with (reject/refuse below
 * accept no other code), mapped by the app's one error handler. Wire contract: never change a code or status.
 */
export const catalogErrors = {
  "CATALOG.COURSE_NOT_FOUND": 404,
  "CATALOG.COURSE_EXISTS": 409,
  "CATALOG.VERSION_EXISTS": 409,
  "CATALOG.VERSION_UNKNOWN": 422,
  "CATALOG.RUN_NOT_FOUND": 404,
  "CATALOG.RUN_KEY_TAKEN": 409,
  "CATALOG.RUN_ENDS_BEFORE_START": 400,
  "CATALOG.NOT_COURSE_OWNER": 403,
} as const satisfies StatusTable;

export type CatalogCode = keyof typeof catalogErrors;
export const { reject, refuse } = rejections(catalogErrors);
