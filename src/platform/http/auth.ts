import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTVerifyGetKey } from "jose";
import { RejectionError } from "../result.js";

export const ROLES = ["platform_admin", "provider", "org_admin", "learner", "service"] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, from the verified token (API.md "Auth"). */
export interface Principal {
  userId: string;
  tenantId: string;
  roles: Role[];
  providerId?: string;
}

export interface AuthConfig {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

const fail = (code: string, detail: string) => new RejectionError({ code, detail });

/** Verifies bearer tokens: HS256 with a shared secret, or RS/ES keys from a JWKS endpoint. */
const CACHE_SIZE = 10_000;
const CACHE_MS = 60_000;

export class Authenticator {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  /**
   * Verified tokens, by their exact text: a client sends the same token on every call, and the
   * signature check dominates cheap reads (entitlements). An entry never outlives the token's `exp`.
   */
  private readonly verified = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly config: AuthConfig) {
    if (config.secret) this.key = new TextEncoder().encode(config.secret);
    else if (config.jwksUrl) this.key = createRemoteJWKSet(new URL(config.jwksUrl));
    else throw new Error("auth needs AUTH_JWT_SECRET or AUTH_JWKS_URL");
  }

  async verify(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw fail("AUTH.TOKEN_MISSING", "an Authorization: Bearer <JWT> header is required");
    const cached = this.verified.get(authorization);
    if (cached && cached.until > Date.now()) return cached.principal;
    const { principal, exp } = await this.check(authorization);
    if (this.verified.size >= CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(authorization, { principal, until: Math.min(Date.now() + CACHE_MS, exp === undefined ? Infinity : exp * 1000) });
    return principal;
  }

  private async check(authorization: string): Promise<{ principal: Principal; exp: number | undefined }> {
    const [scheme, token] = authorization.split(" ");
    if (scheme?.toLowerCase() !== "bearer" || !token) throw fail("AUTH.TOKEN_INVALID", "the Authorization header must be 'Bearer <JWT>'");
    let claims: Record<string, unknown>;
    try {
      const verified = await jwtVerify(token, this.key as Uint8Array, {
        ...(this.config.secret ? { algorithms: ["HS256"] } : {}),
        ...(this.config.issuer ? { issuer: this.config.issuer } : {}),
        ...(this.config.audience ? { audience: this.config.audience } : {}),
      });
      claims = verified.payload;
    } catch (error) {
      throw fail("AUTH.TOKEN_INVALID", error instanceof Error ? error.message : "the token could not be verified");
    }
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is Role => ROLES.includes(r as Role)) : [];
    if (typeof claims.sub !== "string" || typeof claims.tid !== "string") throw fail("AUTH.TOKEN_INVALID", "the token needs sub and tid claims");
    const principal: Principal = { userId: claims.sub, tenantId: claims.tid, roles, ...(typeof claims.pid === "string" ? { providerId: claims.pid } : {}) };
    return { principal, exp: typeof claims.exp === "number" ? claims.exp : undefined };
  }
}

export function hasRole(principal: Principal, ...roles: Role[]): boolean {
  return roles.some((role) => principal.roles.includes(role));
}

/** Mints an HS256 token (dev tool and tests). */
export async function mintToken(secret: string, claims: { sub: string; tid: string; roles: string[]; pid?: string }, ttl = "12h"): Promise<string> {
  return new SignJWT({ tid: claims.tid, roles: claims.roles, ...(claims.pid ? { pid: claims.pid } : {}) })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(secret));
}
