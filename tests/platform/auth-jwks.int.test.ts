import { createServer, type Server } from "node:http";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Authenticator } from "../../src/platform/http/auth.js";
import { RejectionError } from "../../src/platform/result.js";

/**
 * JWKS mode (#18 item 7): only the configured algorithms verify, even for a key the set publishes, and
 * issuer, audience and exp are required. The key set is served from 127.0.0.1.
 */
let server: Server;
let url: string;
let rsa: CryptoKey;
let ec: CryptoKey;

beforeAll(async () => {
  const rsaPair = await generateKeyPair("RS256");
  const ecPair = await generateKeyPair("ES256");
  rsa = rsaPair.privateKey;
  ec = ecPair.privateKey;
  const keys = [
    { ...(await exportJWK(rsaPair.publicKey)), kid: "rsa", alg: "RS256", use: "sig" },
    { ...(await exportJWK(ecPair.publicKey)), kid: "ec", use: "sig" },
  ];
  server = createServer((_request, response) =>
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys })),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/jwks`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const token = (key: CryptoKey, alg: string, kid: string, claims: { iss?: string; aud?: string; exp?: boolean } = {}) => {
  let jwt = new SignJWT({ tid: "ten_1", roles: ["learner"] }).setProtectedHeader({ alg, kid }).setSubject("usr_1").setIssuedAt();
  if (claims.iss !== undefined) jwt = jwt.setIssuer(claims.iss);
  if (claims.aud !== undefined) jwt = jwt.setAudience(claims.aud);
  if (claims.exp !== false) jwt = jwt.setExpirationTime("1h");
  return jwt.sign(key);
};
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "ok",
    (error: unknown) => (error instanceof RejectionError ? error.rejection.code : String(error)),
  );

describe("JWKS tokens", () => {
  it("verifies only the pinned algorithms, and only with the configured issuer and audience and an expiry", async () => {
    const auth = new Authenticator({ jwksUrl: url, issuer: "https://idp.test", audience: "ghasi", algorithms: ["RS256"] });
    const good = { iss: "https://idp.test", aud: "ghasi" };
    expect(await codeOf(auth.verify(`Bearer ${await token(rsa, "RS256", "rsa", good)}`))).toBe("ok");
    expect(await codeOf(auth.verify(`Bearer ${await token(ec, "ES256", "ec", good)}`))).toBe("AUTH.TOKEN_INVALID");
    expect(await codeOf(auth.verify(`Bearer ${await token(rsa, "RS256", "rsa", { aud: "ghasi" })}`))).toBe("AUTH.TOKEN_INVALID");
    expect(await codeOf(auth.verify(`Bearer ${await token(rsa, "RS256", "rsa", { iss: "https://idp.test", aud: "other-app" })}`))).toBe(
      "AUTH.TOKEN_INVALID",
    );
    expect(await codeOf(auth.verify(`Bearer ${await token(rsa, "RS256", "rsa", { ...good, exp: false })}`))).toBe("AUTH.TOKEN_INVALID");
    const both = new Authenticator({ jwksUrl: url, issuer: "https://idp.test", audience: "ghasi", algorithms: ["RS256", "ES256"] });
    expect(await codeOf(both.verify(`Bearer ${await token(ec, "ES256", "ec", good)}`))).toBe("ok");
  });

  it("will not be built for JWKS without an issuer and an audience", () => {
    expect(() => new Authenticator({ jwksUrl: url, audience: "ghasi" })).toThrow(/AUTH_ISSUER/);
    expect(() => new Authenticator({ jwksUrl: url, issuer: "https://idp.test" })).toThrow(/AUTH_AUDIENCE/);
  });
});
