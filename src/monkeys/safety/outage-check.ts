/**
 * @module
 * The outage seam: Chaos Monkey does not run during outages. An SLO burning or an alert firing means the platform
 * is already hurting, and a fault then only adds noise to the incident.
 */

/**
 * Answers whether an outage is in progress. Throwing (or rejecting) means "cannot tell", and the pipeline then
 * skips: when we cannot see, we do not break things.
 */
export interface OutageCheck {
  inOutage(): boolean | Promise<boolean>;
}

/** An outage check that never sees one: for configurations without SLOs or alerts. */
export const noOutageCheck: OutageCheck = { inOutage: () => false };
