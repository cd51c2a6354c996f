/**
 * @module
 * What the stack tells every instance beyond its identity: where discovery is, the token secret, the stack token,
 * the regions, where its network proxy is, and where billing keeps its ledger. It travels in the instance's launch
 * environment, never through a file.
 *
 * Checked by hand rather than with a schema library: every instance process reads it, and most services need no
 * schema library of their own; loading zod only for this cost each of them about 6 MB and 40 ms of start-up.
 */

import type { EvacuationState } from '../frontdoor/frontdoor-service.js';

/** Settings every instance of one stack shares, plus its own proxy. */
export interface StackInstanceConfig {
  /** Signs and verifies viewer tokens (user service, gateways); 16 characters or more. */
  readonly tokenSecret: string;
  /** What the stack's mutating admin routes require (discovery's register and heartbeat, the front door's evacuate); 32 characters or more. */
  readonly stackToken: string;
  /** Every region of the stack, in failover order (at least one). */
  readonly regions: readonly string[];
  /** Discovery addresses of each region (through the proxy), at least one per region listed. */
  readonly discoveryUrls: Readonly<Record<string, readonly string[]>>;
  /** Where this instance is reached: its proxy's address; absent when the stack runs without a proxy. */
  readonly publicAddress?: string;
  /** The Toxiproxy-compatible API to point this instance's proxy at its port once it listens. */
  readonly toxiproxyUrl?: string;
  /** The name of this instance's proxy. */
  readonly proxyName?: string;
  /** Where billing keeps the stack's ledger, one SQLite file every region's billing shares. */
  readonly dataDir: string;
  /**
   * Whether a discovery instance copies its peers' registries before it serves. False on a slot's first launch:
   * its peers start in the same wave and hold nothing yet, and asking them only races their proxies being pointed
   * (a connection caught mid-restart waits out the warm-up's whole timeout). @default true
   */
  readonly warmUp?: boolean;
  /** A front door's evacuated regions at launch, as the stack holds them (`region-evacuations.ts`). */
  readonly evacuation?: EvacuationState;
}

function isEvacuationState(value: unknown): value is EvacuationState {
  const v = value as Partial<Record<keyof EvacuationState, unknown>> | null;
  return typeof v === 'object' && v !== null && Number.isSafeInteger(v.version) && Array.isArray(v.evacuated) && v.evacuated.every((r) => typeof r === 'string');
}

class ConfigError extends Error {
  constructor(path: string, message: string) {
    super(`stack config: ${path || '(root)'}: ${message}`);
  }
}

function isUrl(value: unknown): value is string {
  return typeof value === 'string' && URL.canParse(value);
}

function stringAt(input: Record<string, unknown>, key: string, minLength = 0): string {
  const value = input[key];
  if (typeof value !== 'string') throw new ConfigError(key, 'expected a string');
  if (value.length < minLength) throw new ConfigError(key, `expected at least ${minLength} characters`);
  return value;
}

function optionalAt<T>(input: Record<string, unknown>, key: string, check: (value: unknown) => value is T, expected: string): T | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (!check(value)) throw new ConfigError(key, `expected ${expected}`);
  return value;
}

/** Reads an instance's stack settings; the error names the bad field. */
export function parseStackInstanceConfig(config: Readonly<Record<string, unknown>>): StackInstanceConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new ConfigError('', 'expected an object');
  const input = config as Record<string, unknown>;
  const regions = input.regions;
  if (!Array.isArray(regions) || regions.length === 0) throw new ConfigError('regions', 'expected a non-empty array');
  regions.forEach((region, i) => {
    if (typeof region !== 'string') throw new ConfigError(`regions.${i}`, 'expected a string');
  });
  const urls = input.discoveryUrls;
  if (typeof urls !== 'object' || urls === null || Array.isArray(urls)) throw new ConfigError('discoveryUrls', 'expected an object');
  const discoveryUrls: Record<string, string[]> = {};
  for (const [region, list] of Object.entries(urls)) {
    if (!Array.isArray(list) || list.length === 0) throw new ConfigError(`discoveryUrls.${region}`, 'expected a non-empty array');
    list.forEach((url, i) => {
      if (!isUrl(url)) throw new ConfigError(`discoveryUrls.${region}.${i}`, 'expected a URL');
    });
    discoveryUrls[region] = list as string[];
  }
  const publicAddress = optionalAt(input, 'publicAddress', isUrl, 'a URL');
  const toxiproxyUrl = optionalAt(input, 'toxiproxyUrl', isUrl, 'a URL');
  const proxyName = optionalAt(input, 'proxyName', (v): v is string => typeof v === 'string', 'a string');
  const warmUp = optionalAt(input, 'warmUp', (v): v is boolean => typeof v === 'boolean', 'a boolean');
  const evacuation = optionalAt(input, 'evacuation', isEvacuationState, '{version, evacuated: [region…]}');
  return {
    tokenSecret: stringAt(input, 'tokenSecret', 16),
    stackToken: stringAt(input, 'stackToken', 32),
    regions: regions as string[],
    discoveryUrls,
    ...(publicAddress !== undefined ? { publicAddress } : {}),
    ...(toxiproxyUrl !== undefined ? { toxiproxyUrl } : {}),
    ...(proxyName !== undefined ? { proxyName } : {}),
    dataDir: stringAt(input, 'dataDir'),
    ...(warmUp !== undefined ? { warmUp } : {}),
    ...(evacuation !== undefined ? { evacuation } : {}),
  };
}
