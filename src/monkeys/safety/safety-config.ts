/**
 * @module
 * The safety configuration and its defaults. The defaults are the safe ones: leashed (dry-run), one instance at a
 * time, at most half a group, at least one instance left, an hour between faults in a group.
 */
import { InvalidInputError } from '../../core/errors.js';
import { DEFAULT_OPT_IN_TAG } from '../../core/model.js';
import type { BlastRadiusConfig } from './blast-radius.js';
import type { EligibilityConfig } from './eligibility.js';

/** Every knob of the safety pipeline. */
export interface SafetyConfig extends EligibilityConfig, BlastRadiusConfig {
  /**
   * Whether the monkey runs at all. Defaults to true because the leash already keeps a default run harmless, and a
   * leashed run is how people see what *would* happen. @default true
   */
  readonly enabled: boolean;
  /** Stops every new fault at once. @default false */
  readonly killSwitch: boolean;
  /** A file whose mere existence stops every new fault (`touch` it during an incident). */
  readonly killSwitchFile?: string;
  /** Dry-run: decide everything, touch nothing. Only `leashed: false` lets the actuator be called. @default true */
  readonly leashed: boolean;
  /** Where this runs (`prod`, `staging`, `test`); `test` refuses unleashed runs unless allowed. */
  readonly environment?: string;
  /** Lets an unleashed run proceed where `environment` is `test`. @default false */
  readonly allowUnleashedInTest: boolean;
  /** Minimum time between two faults in the same group, ms. @default 3_600_000 (one hour) */
  readonly minIntervalMs: number;
  /** Most faults in one group over the last 24 hours (a rolling window: no time zone to get wrong). @default 3 */
  readonly maxFaultsPerGroupPerDay: number;
  /** Longest TTL a reversible fault may have, ms: a typo in a duration must not leave a toxic for a week. @default 3_600_000 */
  readonly maxFaultDurationMs: number;
  /** Zones of a region that a zone outage must leave untouched (Chaos Gorilla). @default 1 */
  readonly minHealthyZones: number;
  /** Regions that must keep their traffic after an evacuation (Chaos Kong). @default 1 */
  readonly minHealthyRegions: number;
  /**
   * The callers' timeout, ms: a latency toxic of this much or more makes every call to its instance time out, so
   * it counts against the blast radius like a termination. @default 1_000 (the reference stack's service calls)
   */
  readonly callerTimeoutMs: number;
}

/** The defaults {@link resolveSafetyConfig} fills in. */
export const DEFAULT_SAFETY_CONFIG: SafetyConfig = {
  enabled: true,
  killSwitch: false,
  leashed: true,
  allowUnleashedInTest: false,
  optInTag: DEFAULT_OPT_IN_TAG,
  exceptGroups: [],
  exceptInstances: [],
  maxGroupShare: 0.5,
  minHealthyLeft: 1,
  minIntervalMs: 3_600_000,
  maxFaultsPerGroupPerDay: 3,
  maxFaultDurationMs: 3_600_000,
  minHealthyZones: 1,
  minHealthyRegions: 1,
  callerTimeoutMs: 1_000,
};

function fail(field: string, message: string): never {
  throw new InvalidInputError('safety.invalidConfig', `safety config: ${field} ${message}`);
}

/**
 * Fills the defaults in and checks the ranges; an error names the field. Invalid limits are refused rather than
 * clamped: a typo in a blast radius must not quietly widen it.
 *
 * @example
 * const config = resolveSafetyConfig({ leashed: false, environment: 'prod' });
 */
export function resolveSafetyConfig(partial: Partial<SafetyConfig> = {}): SafetyConfig {
  const config: SafetyConfig = { ...DEFAULT_SAFETY_CONFIG, ...partial };
  if (!(config.maxGroupShare > 0 && config.maxGroupShare <= 1)) fail('maxGroupShare', `must be in (0, 1], got ${config.maxGroupShare}`);
  if (!Number.isInteger(config.minHealthyLeft) || config.minHealthyLeft < 0) {
    fail('minHealthyLeft', `must be a non-negative integer, got ${config.minHealthyLeft}`);
  }
  if (!(config.minIntervalMs >= 0)) fail('minIntervalMs', `must be >= 0, got ${config.minIntervalMs}`);
  if (!Number.isInteger(config.maxFaultsPerGroupPerDay) || config.maxFaultsPerGroupPerDay < 1) {
    fail('maxFaultsPerGroupPerDay', `must be a positive integer, got ${config.maxFaultsPerGroupPerDay}`);
  }
  if (!(config.maxFaultDurationMs > 0)) fail('maxFaultDurationMs', `must be > 0, got ${config.maxFaultDurationMs}`);
  for (const field of ['minHealthyZones', 'minHealthyRegions'] as const) {
    if (!Number.isInteger(config[field]) || config[field] < 0) fail(field, `must be a non-negative integer, got ${config[field]}`);
  }
  if (!(config.callerTimeoutMs > 0)) fail('callerTimeoutMs', `must be > 0, got ${config.callerTimeoutMs}`);
  if (config.optInTag === '') fail('optInTag', 'must not be empty');
  return config;
}

/** The blast-radius settings a file (an experiment, an API request) may ask for. */
export type BlastRadiusOverrides = Partial<Pick<SafetyConfig, 'maxGroupShare' | 'minHealthyLeft' | 'minHealthyZones' | 'minHealthyRegions'>>;

/** What {@link tightenSafetyConfig} made of the overrides. */
export interface TightenedSafetyConfig {
  readonly config: SafetyConfig;
  /** The overrides that asked for looser limits than the operator's, and were not applied: `name: asked → kept`. */
  readonly refused: readonly string[];
}

/**
 * The operator's configuration, tightened by `overrides` field by field: the stricter of the two wins (the
 * smaller share, the larger floors). A file, a flag or an API request may tighten the operator's limits, never
 * loosen them.
 *
 * @example
 * tightenSafetyConfig(resolveSafetyConfig(), { maxGroupShare: 1, minHealthyLeft: 2 }).config;
 * // maxGroupShare 0.5 (the operator's), minHealthyLeft 2 (the file's)
 */
export function tightenSafetyConfig(base: SafetyConfig, overrides: BlastRadiusOverrides): TightenedSafetyConfig {
  const refused: string[] = [];
  const pick = <K extends keyof BlastRadiusOverrides>(key: K, stricter: (a: number, b: number) => number): number => {
    const asked = overrides[key];
    const kept = base[key];
    if (asked === undefined) return kept;
    const chosen = stricter(kept, asked);
    if (chosen !== asked) refused.push(`${key}: ${asked} → ${kept}`);
    return chosen;
  };
  const config = resolveSafetyConfig({
    ...base,
    maxGroupShare: pick('maxGroupShare', Math.min),
    minHealthyLeft: pick('minHealthyLeft', Math.max),
    minHealthyZones: pick('minHealthyZones', Math.max),
    minHealthyRegions: pick('minHealthyRegions', Math.max),
  });
  return { config, refused };
}
