import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTVerifyGetKey } from "jose";
import { RejectionError } from "../result.js";
import { isTenantId } from "../tenant-id.js";
import { isStorableText } from "./hostile-text.js";

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
  /** JWKS mode: the asymmetric algorithms accepted (the token's `alg` header never chooses alone). */
  algorithms?: string[];
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
    else if (config.jwksUrl) {
      if (!config.issuer || !config.audience) throw new Error("AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE");
      this.key = createRemoteJWKSet(new URL(config.jwksUrl));
    } else throw new Error("auth needs AUTH_JWT_SECRET or AUTH_JWKS_URL");
  }

  async verify(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw fail("AUTH.TOKEN_MISSING", "an Authorization: Bearer <JWT> header is required");
    const cached = this.verified.get(authorization);
    if (cached && cached.until > Date.now()) return cached.principal;
    const { principal, exp } = await this.check(authorization);
    if (this.verified.size >= CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(authorization, { principal, until: Math.min(Date.now() + CACHE_MS, exp * 1000) });
    return principal;
  }

  private async check(authorization: string): Promise<{ principal: Principal; exp: number }> {
    const [scheme, token] = authorization.split(" ");
    if (scheme?.toLowerCase() !== "bearer" || !token) throw fail("AUTH.TOKEN_INVALID", "the Authorization header must be 'Bearer <JWT>'");
    let claims: Record<string, unknown>;
    try {
      const verified = await jwtVerify(token, this.key as Uint8Array, {
        algorithms: this.config.secret ? ["HS256"] : (this.config.algorithms ?? ["RS256", "ES256", "EdDSA"]),
        // A token without `exp` would be valid forever once leaked: refused, not capped.
        requiredClaims: ["exp"],
        ...(this.config.issuer ? { issuer: this.config.issuer } : {}),
        ...(this.config.audience ? { audience: this.config.audience } : {}),
      });
      claims = verified.payload;
    } catch (error) {
      throw fail("AUTH.TOKEN_INVALID", error instanceof Error ? error.message : "the token could not be verified");
    }
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is Role => ROLES.includes(r as Role)) : [];
    if (!isIdClaim(claims.sub) || typeof claims.tid !== "string") throw fail("AUTH.TOKEN_INVALID", "the token needs sub and tid claims");
    // `*` and the like are not tenant ids: no token can carry the system scope.
    if (!isTenantId(claims.tid)) throw fail("AUTH.TOKEN_INVALID", "the token's tid is not a tenant id");
    if (claims.pid !== undefined && !isIdClaim(claims.pid)) throw fail("AUTH.TOKEN_INVALID", "the token's pid is not an id");
    const principal: Principal = {
      userId: claims.sub,
      tenantId: claims.tid,
      roles,
      ...(typeof claims.pid === "string" ? { providerId: claims.pid } : {}),
    };
    return { principal, exp: claims.exp as number };
  }
}

/** Ids from a token end up in rows: they are text the database can store, of a sane length. */
const isIdClaim = (value: unknown): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= 200 && isStorableText(value);

export function hasRole(principal: Principal, ...roles: Role[]): boolean {
  return roles.some((role) => principal.roles.includes(role));
}

/** Mints an HS256 token (dev tool and tests). */
export async function mintToken(
  secret: string,
  claims: { sub: string; tid: string; roles: string[]; pid?: string },
  ttl = "12h",
): Promise<string> {
  return new SignJWT({ tid: claims.tid, roles: claims.roles, ...(claims.pid ? { pid: claims.pid } : {}) })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(secret));
}
