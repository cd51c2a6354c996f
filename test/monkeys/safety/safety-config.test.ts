import { describe, expect, it } from 'vitest';
import { isSimianError } from '../../../src/core/errors.js';
import { checkBlastRadius, maxVictims } from '../../../src/monkeys/safety/blast-radius.js';
import { DEFAULT_SAFETY_CONFIG, resolveSafetyConfig } from '../../../src/monkeys/safety/safety-config.js';
import { instance } from './harness.js';

describe('resolveSafetyConfig', () => {
  it('defaults to the safe settings: enabled but leashed, no unleashed runs in test', () => {
    const config = resolveSafetyConfig();
    expect(config.leashed).toBe(true);
    expect(config.allowUnleashedInTest).toBe(false);
    expect(config.killSwitch).toBe(false);
    expect(config).toEqual(DEFAULT_SAFETY_CONFIG);
  });

  it.each([
    ['maxGroupShare', { maxGroupShare: 0 }],
    ['maxGroupShare', { maxGroupShare: 1.5 }],
    ['minHealthyLeft', { minHealthyLeft: -1 }],
    ['minIntervalMs', { minIntervalMs: Number.NaN }],
    ['maxFaultsPerGroupPerDay', { maxFaultsPerGroupPerDay: 0 }],
    ['optInTag', { optInTag: '' }],
    ['maxFaultDurationMs', { maxFaultDurationMs: 0 }],
    ['minHealthyZones', { minHealthyZones: 0.5 }],
    ['minHealthyRegions', { minHealthyRegions: -1 }],
  ])('refuses a bad %s and names it (exit code 2)', (field, partial) => {
    let thrown: unknown;
    try {
      resolveSafetyConfig(partial);
    } catch (error) {
      thrown = error;
    }
    expect(isSimianError(thrown, 'safety.invalidConfig')).toBe(true);
    expect((thrown as Error).message).toContain(field);
    expect((thrown as { exitCode: number }).exitCode).toBe(2);
  });
});

describe('blast radius', () => {
  const group = (running: number, stopped = 0) => ({
    name: 'g',
    region: 'r',
    tags: {},
    instances: [
      ...Array.from({ length: running }, (_, i) => instance(`r${i}`, 'g')),
      ...Array.from({ length: stopped }, (_, i) => instance(`s${i}`, 'g', { state: 'stopped' })),
    ],
  });

  it('is the tighter of the share and the healthy floor, counting only running instances', () => {
    expect(maxVictims(group(10), { maxGroupShare: 0.5, minHealthyLeft: 1 })).toBe(5);
    expect(maxVictims(group(10), { maxGroupShare: 1, minHealthyLeft: 8 })).toBe(2);
    expect(maxVictims(group(2, 8), { maxGroupShare: 0.5, minHealthyLeft: 1 })).toBe(1);
    expect(maxVictims(group(1), { maxGroupShare: 1, minHealthyLeft: 1 })).toBe(0);
    expect(maxVictims(group(1), { maxGroupShare: 1, minHealthyLeft: 5 })).toBe(0);
  });

  it('refuses rather than trims, and says why', () => {
    expect(checkBlastRadius(group(4), 2, { maxGroupShare: 0.5, minHealthyLeft: 1 })).toEqual({ ok: true });
    const verdict = checkBlastRadius(group(4), 3, { maxGroupShare: 0.5, minHealthyLeft: 1 });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.detail).toContain('at most 2');
  });
});
