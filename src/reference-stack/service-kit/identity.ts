/**
 * @module
 * Who an instance of the reference stack is: every log line, metric and registration carries it.
 */

/** The services of the reference stack. */
export const SERVICE_NAMES = [
  'frontdoor',
  'gateway',
  'discovery',
  'user',
  'catalog',
  'recommendation',
  'playback',
  'billing',
  'edge',
  'origin',
] as const;

/** A service of the reference stack. */
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The identity of one instance. */
export interface ServiceIdentity {
  readonly service: ServiceName;
  readonly region: string;
  readonly zone: string;
  /** Unique in the stack, e.g. `catalog-us-east-1a-0`. */
  readonly instanceId: string;
}
