import path from "node:path";

/** Every setting, from the environment (README "Configuration" lists them with their defaults). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  databasePoolSize: number;
  natsUrl?: string;
  natsPrefix: string;
  auth: { secret?: string; jwksUrl?: string; issuer?: string; audience?: string };
  logLevel: string;
  relay: { batchSize: number; concurrency: number; pollMs: number; coalesceMs: number };
  retryPollMs: number;
  consumerLanes: number;
  sagaPollMs: number;
  /** Embedded only: how often tables are checked for a vacuum or an analysis (0 turns it off). */
  autovacuumPollMs: number;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

const text = (env: NodeJS.ProcessEnv, name: string): string | undefined => (env[name] && env[name] !== "" ? env[name] : undefined);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = text(env, "DATABASE_URL");
  return {
    port: int(env, "PORT", 3000),
    host: text(env, "HOST") ?? "0.0.0.0",
    dataDir: path.resolve(text(env, "DATA_DIR") ?? "./data"),
    databaseUrl,
    databasePoolSize: int(env, "DATABASE_POOL_SIZE", 10),
    natsUrl: text(env, "NATS_URL"),
    natsPrefix: text(env, "NATS_PREFIX") ?? "",
    auth: { secret: text(env, "AUTH_JWT_SECRET"), jwksUrl: text(env, "AUTH_JWKS_URL"), issuer: text(env, "AUTH_ISSUER"), audience: text(env, "AUTH_AUDIENCE") },
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
  };
}
