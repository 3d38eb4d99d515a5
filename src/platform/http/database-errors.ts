import { problem, type Problem } from "./problem.js";

/**
 * A database refusal that input caused is the caller's error (4xx), not ours (500): a constraint
 * decides last, after every schema and rule (DESIGN.md §2.6), so a value that slipped past them lands
 * here. The body names no table, constraint or column: those are internals.
 */
const BY_SQLSTATE: Readonly<Record<string, { status: number; code: string; detail: string }>> = {
  "23514": {
    status: 422,
    code: "REQUEST.CONSTRAINT_VIOLATED",
    detail: "the request would break a rule the data must keep (a limit or a range)",
  },
  "23505": { status: 409, code: "REQUEST.CONFLICT", detail: "the request conflicts with something that already exists" },
  "23503": { status: 422, code: "REQUEST.REFERENCE_INVALID", detail: "the request refers to something that does not exist" },
  "23502": { status: 400, code: "REQUEST.INVALID", detail: "a required value is missing" },
  "22003": { status: 400, code: "REQUEST.OUT_OF_RANGE", detail: "a number is out of range" },
  "22P02": { status: 400, code: "REQUEST.INVALID", detail: "a value is not valid for its type" },
  "22007": { status: 400, code: "REQUEST.INVALID", detail: "a date or time is not valid" },
  "22008": { status: 400, code: "REQUEST.OUT_OF_RANGE", detail: "a date or time is out of range" },
  "22001": { status: 400, code: "REQUEST.INVALID", detail: "a text is too long" },
  "22021": { status: 400, code: "REQUEST.INVALID_TEXT", detail: "a text holds bytes that are not valid characters" },
  "22P05": { status: 400, code: "REQUEST.INVALID_TEXT", detail: "a text holds a character that cannot be stored" },
  "22025": { status: 400, code: "REQUEST.INVALID_TEXT", detail: "a text holds an invalid escape" },
  "2201B": { status: 400, code: "REQUEST.INVALID", detail: "a pattern is not valid" },
  "54000": { status: 400, code: "REQUEST.TOO_LARGE", detail: "a value is too large to store or index" },
};

/**
 * The database is unreachable or lost the session (class 08; 57P01-57P03: terminated, crashed,
 * starting up): not the caller's fault and not a bug, and a retry may well succeed.
 */
const UNAVAILABLE = {
  status: 503,
  code: "SERVICE.UNAVAILABLE",
  detail: "the database is unavailable; retry the request (with its Idempotency-Key)",
};

/** SQLSTATEs are five characters; node-postgres and PGlite both put them in `code` with a `severity`. */
export function databaseProblem(error: { code?: unknown; severity?: unknown }): Problem | null {
  if (typeof error.code !== "string" || !/^[0-9A-Z]{5}$/.test(error.code) || typeof error.severity !== "string") return null;
  if (error.code.startsWith("08") || /^57P0[123]$/.test(error.code))
    return problem(UNAVAILABLE.status, UNAVAILABLE.code, UNAVAILABLE.detail);
  const mapped =
    BY_SQLSTATE[error.code] ??
    (error.code.startsWith("22") ? { status: 400, code: "REQUEST.INVALID", detail: "a value is not valid" } : null);
  return mapped ? problem(mapped.status, mapped.code, mapped.detail) : null;
}
