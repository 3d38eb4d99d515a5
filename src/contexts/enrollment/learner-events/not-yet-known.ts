/**
 * Thrown by a consumer when an event refers to an enrollment that does not exist (yet): events from
 * other services may overtake the one that creates it. The kernel retries (1 s, 5 s, 30 s, …) and
 * dead-letters under enrollment.dlq if it never shows up — the event is never dropped.
 */
export class EnrollmentNotYetKnown extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = "EnrollmentNotYetKnown";
  }
}
