import path from "node:path";

/** Every setting, from the environment (README "Configuration" lists them with their defaults). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  databasePoolSize: number;
  natsUrl?: string;
  /** One NATS subject token ("" for none): subjects `<prefix>.<wire type>`, streams `<PREFIX>_GHASI_<CLASS>`. */
  natsPrefix: string;
  auth: { secret?: string; jwksUrl?: string; issuer?: string; audience?: string; algorithms: string[] };
  http: HttpConfig;
  logLevel: string;
  relay: { batchSize: number; concurrency: number; pollMs: number; coalesceMs: number };
  retryPollMs: number;
  consumerLanes: number;
  sagaPollMs: number;
  /** Embedded only: how often tables are checked for a vacuum or an analysis (0 turns it off). */
  autovacuumPollMs: number;
  /**
   * The largest envelope (UTF-8 bytes of its JSON) that ingest accepts and the relay publishes. On
   * NATS the server's max_payload, less room for headers, lowers it further.
   */
  eventMaxBytes: number;
  /** TEST_CLOCK=on: the clock can be moved over HTTP (/api/v1/test-clock); refused when NODE_ENV=production. */
  testClock: boolean;
}

/** The HTTP edge's protections (README "Configuration"). */
export interface HttpConfig {
  /** Requests per window per caller (per token, else per IP); 0 turns rate limiting off. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Browser origins allowed to call the API (CORS); empty: no CORS headers at all. */
  corsOrigins: string[];
  /** When set, /metrics needs `Authorization: Bearer <it>`; unset, /metrics answers loopback callers only. */
  metricsToken?: string;
  /**
   * HTTP_VALIDATE_RESPONSES=on: every response is checked against the OpenAPI document and a mismatch
   * becomes a 500 (the test suite turns it on; it costs a parse per response, so it is off by default).
   */
  validateResponses: boolean;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

const text = (env: NodeJS.ProcessEnv, name: string): string | undefined => (env[name] && env[name] !== "" ? env[name] : undefined);
const list = (env: NodeJS.ProcessEnv, name: string): string[] | undefined =>
  text(env, name)
    ?.split(",")
    .map((item) => item.trim())
    .filter(Boolean);

/** Asymmetric algorithms only: a JWKS key must never be usable as an HMAC secret (algorithm confusion). */
const JWKS_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

function authConfig(env: NodeJS.ProcessEnv): Config["auth"] {
  const auth = {
    secret: text(env, "AUTH_JWT_SECRET"),
    jwksUrl: text(env, "AUTH_JWKS_URL"),
    issuer: text(env, "AUTH_ISSUER"),
    audience: text(env, "AUTH_AUDIENCE"),
  };
  const algorithms = list(env, "AUTH_ALGORITHMS") ?? ["RS256", "ES256", "EdDSA"];
  const unknown = algorithms.filter((alg) => !JWKS_ALGORITHMS.includes(alg));
  if (unknown.length > 0) throw new Error(`AUTH_ALGORITHMS may hold ${JWKS_ALGORITHMS.join(", ")}; got ${unknown.join(", ")}`);
  // A token from the identity provider for another application (another audience) or from another
  // issuer sharing the key set must not be accepted here: JWKS mode verifies both, always.
  if (auth.jwksUrl && !auth.secret && (!auth.issuer || !auth.audience))
    throw new Error("AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE");
  return { ...auth, algorithms };
}

/**
 * NATS_PREFIX namespaces subjects and streams so several deployments (or test runs) share one NATS.
 * It is one subject token, joined to the wire type by a dot: a dot, wildcard or space inside it would
 * make subjects that other deployments' filters match. A trailing dot (the form used when the prefix
 * was glued to the subject) is accepted and dropped, so `acme.` still gives `acme.billing.…`.
 */
export function natsPrefix(raw: string | undefined): string {
  if (raw === undefined || raw === "") return "";
  const token = raw.endsWith(".") ? raw.slice(0, -1) : raw;
  if (!/^[A-Za-z0-9_-]+$/.test(token))
    throw new Error(`NATS_PREFIX must be one subject token (letters, digits, "_" and "-", at most one trailing "."), got "${raw}"`);
  return token;
}

/** A clock anyone with an admin token can move would let them expire licences and fail orders at will. */
function testClock(env: NodeJS.ProcessEnv): boolean {
  const raw = text(env, "TEST_CLOCK");
  if (raw === undefined || raw === "off") return false;
  if (raw !== "on") throw new Error(`TEST_CLOCK must be "on" or "off", got "${raw}"`);
  if (env.NODE_ENV === "production") throw new Error("TEST_CLOCK=on is refused when NODE_ENV=production");
  return true;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = text(env, "DATABASE_URL");
  return {
    port: int(env, "PORT", 3000),
    host: text(env, "HOST") ?? "0.0.0.0",
    dataDir: path.resolve(text(env, "DATA_DIR") ?? "./data"),
    databaseUrl,
    databasePoolSize: int(env, "DATABASE_POOL_SIZE", 10),
    natsUrl: text(env, "NATS_URL"),
    natsPrefix: natsPrefix(text(env, "NATS_PREFIX")),
    auth: authConfig(env),
    http: {
      rateLimitMax: int(env, "RATE_LIMIT_MAX", 600),
      rateLimitWindowMs: Math.max(1, int(env, "RATE_LIMIT_WINDOW_MS", 60_000)),
      corsOrigins: list(env, "CORS_ORIGINS") ?? [],
      metricsToken: text(env, "METRICS_TOKEN"),
      validateResponses: text(env, "HTTP_VALIDATE_RESPONSES") === "on",
    },
    logLevel: text(env, "LOG_LEVEL") ?? "info",
    relay: {
      batchSize: int(env, "RELAY_BATCH_SIZE", 500),
      // PGlite is one connection: extra loops would only queue behind each other.
      concurrency: int(env, "RELAY_CONCURRENCY", databaseUrl ? 4 : 1),
      pollMs: int(env, "RELAY_POLL_MS", 250),
      coalesceMs: int(env, "RELAY_COALESCE_MS", 2),
    },
    retryPollMs: int(env, "RETRY_POLL_MS", 500),
    consumerLanes: Math.max(1, int(env, "CONSUMER_LANES", 2)),
    sagaPollMs: int(env, "SAGA_POLL_MS", 250),
    autovacuumPollMs: int(env, "EMBEDDED_AUTOVACUUM_MS", 30_000),
    // NATS's default max_payload (1 MiB) less 1 KiB for the headers: an event fits both modes alike.
    eventMaxBytes: Math.max(1024, int(env, "EVENT_MAX_BYTES", 1_047_552)),
    testClock: testClock(env),
  };
}
