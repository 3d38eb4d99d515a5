/**
 * A session lost under a transaction: terminated by an operator or a failover, the server
 * restarting, the network. `pg` reports it as a plain "Connection terminated unexpectedly" with no
 * code, or as the server's FATAL 57P01; either way it becomes SQLSTATE 08006 (connection_failure),
 * so whatever maps errors sees one code. The transaction's outcome is unknown only if COMMIT had
 * been sent; callers retry as they retry any failure (workers poll, consumers nak, HTTP clients
 * resend with their Idempotency-Key).
 */
export class ConnectionLostError extends Error {
  readonly code: string = "08006";
  readonly severity = "FATAL";
  constructor(cause: unknown, what = "the database session was lost") {
    super(`${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "ConnectionLostError";
  }
}

/** No session could be opened (the server is down, restarting, or refusing connections): SQLSTATE 08001. */
export class ConnectionRefusedError extends ConnectionLostError {
  override readonly code = "08001";
  constructor(cause: unknown) {
    super(cause, "no database session could be opened");
    this.name = "ConnectionRefusedError";
  }
}
