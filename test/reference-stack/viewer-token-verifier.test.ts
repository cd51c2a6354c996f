import { webcrypto } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { signViewerToken, ViewerTokenVerifier } from '../../src/reference-stack/service-kit/auth.js';

const SECRET = 'test-secret-of-32-characters-long';

describe('viewer token verifier (the gateway\'s)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('checks a token\'s signature once, takes it again until it expires, then refuses it', async () => {
    const clock = new ManualClock();
    const verifier = new ViewerTokenVerifier(SECRET, clock);
    const token = await signViewerToken({ userId: 'viewer-1', homeRegion: 'us-east' }, SECRET, clock, 60);
    const signatureChecks = vi.spyOn(webcrypto.subtle, 'verify');
    expect(await verifier.verify(token)).toEqual({ userId: 'viewer-1', homeRegion: 'us-east' });
    await clock.advance(59_000);
    expect(await verifier.verify(token)).toEqual({ userId: 'viewer-1', homeRegion: 'us-east' });
    expect(signatureChecks).toHaveBeenCalledTimes(1);
    await clock.advance(1_000);
    await expect(verifier.verify(token)).rejects.toThrow(/exp/);
  });

  it('refuses a forged token, even one that differs from a verified token by its signature alone', async () => {
    const clock = new ManualClock();
    const verifier = new ViewerTokenVerifier(SECRET, clock);
    const token = await signViewerToken({ userId: 'viewer-1', homeRegion: 'us-east' }, SECRET, clock);
    await verifier.verify(token);
    const forged = await signViewerToken({ userId: 'viewer-1', homeRegion: 'us-east' }, 'another-secret-of-32-characters!!', clock);
    expect(forged.split('.').slice(0, 2)).toEqual(token.split('.').slice(0, 2));
    await expect(verifier.verify(forged)).rejects.toThrow();
    await expect(verifier.verify(`${token.slice(0, -2)}xx`)).rejects.toThrow();
  });

  it('remembers at most its capacity, forgetting the oldest, whose signature is then checked again', async () => {
    const clock = new ManualClock();
    const verifier = new ViewerTokenVerifier(SECRET, clock, 2);
    const tokens = await Promise.all(['a', 'b', 'c'].map((userId) => signViewerToken({ userId, homeRegion: 'us-east' }, SECRET, clock, 60)));
    for (const token of tokens) await verifier.verify(token);
    const signatureChecks = vi.spyOn(webcrypto.subtle, 'verify');
    await verifier.verify(tokens[2]!);
    await verifier.verify(tokens[1]!);
    expect(signatureChecks).toHaveBeenCalledTimes(0);
    await verifier.verify(tokens[0]!);
    expect(signatureChecks).toHaveBeenCalledTimes(1);
  });
});
