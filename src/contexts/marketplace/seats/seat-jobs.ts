import type { Tx } from "../../../platform/db/db.js";
import { SYSTEM_SCOPE } from "../../../platform/db/db.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";
import { findLicense } from "../licenses/licenses.sql.js";
import type { EnrollmentsPort } from "../ports.js";
import { assignSeats, seatLicense, type SeatRules } from "./assign-seats.js";
import { acceptsSeats, CHUNK_SIZE, progressAfter, type SeatResult } from "./seat.domain.js";
import { claimSeatJob, insertSeatJob, recordChunk } from "./seat-jobs.sql.js";

/** A bulk request becomes a queued job once the license could take seats at all. */
export async function enqueueSeatJob(
  kernel: Kernel,
  tx: Tx,
  input: { licenseId: string; tenantId: string; userIds: readonly string[]; actorUserId: string },
): Promise<Result<{ jobId: string; status: "queued"; total: number }>> {
  const license = await findLicense(tx, input.licenseId);
  if (!license || license.tenantId !== input.tenantId) return reject("LICENSE.NOT_FOUND", `no license ${input.licenseId}`);
  const accepts = acceptsSeats(seatLicense(license), kernel.clock.now());
  if (!accepts.ok) return accepts;
  const jobId = newId("sjb");
  await insertSeatJob(
    tx,
    { jobId, licenseId: license.licenseId, tenantId: license.tenantId, requestedBy: input.actorUserId, userIds: input.userIds },
    kernel.clock.now(),
  );
  return ok({ jobId, status: "queued", total: input.userIds.length });
}

/**
 * One poller pass: claims the oldest unfinished job (FOR UPDATE SKIP LOCKED, so several processes
 * share the work) and assigns its next chunk in the same transaction with the same set-based code
 * as a direct request. A chunk the license refuses (exhausted, expired meanwhile) counts as failed;
 * so does a chunk that hits a fault, after a log line: every job terminates.
 */
export async function runSeatJobs(kernel: Kernel, enrollments: EnrollmentsPort, rules: SeatRules): Promise<number> {
  return kernel.db.tx(
    async (tx) => {
      const job = await claimSeatJob(tx, CHUNK_SIZE);
      if (!job) return 0;
      let results: SeatResult[];
      try {
        const outcome = await tx.savepoint(() =>
          assignSeats(
            kernel,
            enrollments,
            tx,
            {
              licenseId: job.licenseId,
              tenantId: job.tenantId,
              userIds: job.chunk,
              actorUserId: job.requestedBy,
            },
            rules,
          ),
        );
        results = outcome.ok ? outcome.value.results : job.chunk.map((userId) => ({ userId, status: "no_seat" as const }));
      } catch (error) {
        kernel.logger.error({ err: error, jobId: job.jobId }, "seat job chunk failed; counted as failed");
        results = job.chunk.map((userId) => ({ userId, status: "no_seat" as const }));
      }
      // A job whose list is shorter than its total (never, by construction) still ends.
      const progress =
        job.chunk.length === 0 ? { ...job, failed: job.total - job.done, status: "completed" as const } : progressAfter(job, results);
      await recordChunk(tx, job.jobId, progress, results, kernel.clock.now());
      return 1;
    },
    { tenantId: SYSTEM_SCOPE },
  );
}
