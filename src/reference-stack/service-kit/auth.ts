/**
 * @module
 * Viewer tokens: the user service signs them at login, the gateway verifies them (JWT, HS256, with jose).
 */
import { webcrypto } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { Clock } from '../../core/clock.js';

/** What a token says about its viewer. */
export interface ViewerClaims {
  readonly userId: string;
  readonly homeRegion: string;
}

const ISSUER = 'simian-reference-stack';

type CryptoKey = webcrypto.CryptoKey;

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Signs a token valid for `ttlSeconds` from the clock's now. */
export async function signViewerToken(claims: ViewerClaims, secret: string, clock: Clock, ttlSeconds = 3600): Promise<string> {
  const now = Math.floor(clock.now() / 1000);
  return new SignJWT({ homeRegion: claims.homeRegion })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(key(secret));
}

/** Verifies a token at the clock's now; rejects an expired, forged or malformed one. */
export async function verifyViewerToken(token: string, secret: string, clock: Clock): Promise<ViewerClaims> {
  return (await verifyWithExpiry(token, key(secret), clock)).claims;
}

async function verifyWithExpiry(token: string, secret: Uint8Array | CryptoKey, clock: Clock): Promise<{ claims: ViewerClaims; expiresAt: number }> {
  const { payload } = await jwtVerify(token, secret, {
    issuer: ISSUER,
    algorithms: ['HS256'],
    currentDate: new Date(clock.now()),
  });
  if (typeof payload.sub !== 'string' || typeof payload['homeRegion'] !== 'string' || typeof payload.exp !== 'number') {
    throw new Error('token lacks its claims');
  }
  return { claims: { userId: payload.sub, homeRegion: payload['homeRegion'] }, expiresAt: payload.exp * 1000 };
}

/**
 * Verifies viewer tokens signed with one secret, for a gateway that sees the same viewers' tokens request after
 * request. The key is imported once (jose imports a raw secret into a WebCrypto key on every call, which was most
 * of a gateway's CPU per request), and a token once verified is taken again without its signature being checked,
 * until it expires: the cache is keyed by the whole token, so only the exact bytes that passed pass again, as an
 * API gateway's JWT cache does (Envoy's `jwt_cache_config`).
 */
export class ViewerTokenVerifier {
  private readonly key: Promise<CryptoKey>;
  private readonly verified = new Map<string, { readonly claims: ViewerClaims; readonly expiresAt: number }>();

  /** `capacity` bounds the tokens remembered; beyond it the oldest is forgotten. */
  constructor(
    secret: string,
    private readonly clock: Clock,
    private readonly capacity = 10_000,
  ) {
    this.key = webcrypto.subtle.importKey('raw', key(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    // A rejection is seen by the first verify(); none is left unhandled meanwhile.
    this.key.catch(() => undefined);
  }

  /** The token's claims; rejects an expired, forged or malformed token, as {@link verifyViewerToken} does. */
  async verify(token: string): Promise<ViewerClaims> {
    const known = this.verified.get(token);
    if (known) {
      if (this.clock.now() < known.expiresAt) return known.claims;
      this.verified.delete(token);
    }
    const result = await verifyWithExpiry(token, await this.key, this.clock);
    if (this.verified.size >= this.capacity) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, result);
    return result.claims;
  }
}
