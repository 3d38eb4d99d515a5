import type { Db } from "../../../platform/db/db.js";
import { earliestIn } from "../../../platform/poller.js";

/** The earliest expiry deadline row still waiting (the expiry timer's nextDue, for the test clock). */
export function nextExpiryDue(db: Db): Promise<Date | null> {
  return earliestIn(db, `SELECT min(due_at) AS due FROM enrollment.expiry_due`);
}
