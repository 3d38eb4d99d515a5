import type { Sql } from "../../../platform/db/db.js";
import type { SeatResult } from "./seat.domain.js";

export interface SeatJobRow {
  jobId: string;
  licenseId: string;
  tenantId: string;
  requestedBy: string;
  total: number;
  done: number;
  failed: number;
  status: "queued" | "running" | "completed";
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `job_id AS "jobId", license_id AS "licenseId", tenant_id AS "tenantId", requested_by AS "requestedBy", total, done, failed, status,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

export async function insertSeatJob(
  sql: Sql,
  job: { jobId: string; licenseId: string; tenantId: string; requestedBy: string; userIds: readonly string[] },
  at: Date,
): Promise<void> {
  await sql.query(
    `INSERT INTO marketplace.seat_jobs (job_id, license_id, tenant_id, requested_by, user_ids, total, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, 'queued', $7, $7)`,
    [job.jobId, job.licenseId, job.tenantId, job.requestedBy, JSON.stringify(job.userIds), job.userIds.length, at],
  );
}

/**
 * The oldest unfinished job nobody else is working on, locked for this transaction, with its next
 * chunk of learners (sliced in SQL, so the whole list never travels per chunk).
 */
export async function claimSeatJob(sql: Sql, chunkSize: number): Promise<(SeatJobRow & { chunk: string[] }) | null> {
  const claimed = await sql.query<SeatJobRow>(
    `SELECT ${COLUMNS} FROM marketplace.seat_jobs WHERE status <> 'completed' ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
  );
  const job = claimed.rows[0];
  if (!job) return null;
  const chunk = await sql.query<{ userId: string }>(
    `SELECT e.user_id AS "userId" FROM marketplace.seat_jobs j, jsonb_array_elements_text(j.user_ids) WITH ORDINALITY AS e (user_id, n)
      WHERE j.job_id = $1 AND e.n > $2 AND e.n <= $2 + $3 ORDER BY e.n`,
    [job.jobId, job.done + job.failed, chunkSize],
  );
  return { ...job, chunk: chunk.rows.map((r) => r.userId) };
}

export async function recordChunk(
  sql: Sql,
  jobId: string,
  progress: { done: number; failed: number; status: "running" | "completed" },
  results: readonly SeatResult[],
  at: Date,
): Promise<void> {
  await sql.query(
    `UPDATE marketplace.seat_jobs SET done = $2, failed = $3, status = $4, results = results || $5::jsonb, updated_at = $6 WHERE job_id = $1`,
    [jobId, progress.done, progress.failed, progress.status, JSON.stringify(results), at],
  );
}

export async function findSeatJob(
  sql: Sql,
  licenseId: string,
  jobId: string,
  withResults: boolean,
): Promise<(SeatJobRow & { results?: SeatResult[] }) | null> {
  const result = await sql.query<SeatJobRow & { results?: SeatResult[] }>(
    `SELECT ${COLUMNS}${withResults ? ", results" : ""} FROM marketplace.seat_jobs WHERE license_id = $1 AND job_id = $2`,
    [licenseId, jobId],
  );
  return result.rows[0] ?? null;
}
