/**
 * @module
 * Viewer tokens: the user service signs them at login, the gateway verifies them (JWT, HS256, with jose).
 */
import { SignJWT, jwtVerify } from 'jose';
import type { Clock } from '../../core/clock.js';

/** What a token says about its viewer. */
export interface ViewerClaims {
  readonly userId: string;
  readonly homeRegion: string;
}

const ISSUER = 'simian-reference-stack';

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
  const { payload } = await jwtVerify(token, key(secret), {
    issuer: ISSUER,
    algorithms: ['HS256'],
    currentDate: new Date(clock.now()),
  });
  if (typeof payload.sub !== 'string' || typeof payload['homeRegion'] !== 'string') throw new Error('token lacks its claims');
  return { userId: payload.sub, homeRegion: payload['homeRegion'] };
}
