/**
 * @module
 * The outage seam: Chaos Monkey does not run during outages. An SLO burning or an alert firing means the platform
 * is already hurting, and a fault then only adds noise to the incident.
 */

/** What an outage check found: all clear, an outage (and what shows it), or that it cannot tell (and why). */
export type OutageVerdict =
  | { readonly state: 'clear' }
  | { readonly state: 'outage'; readonly detail: string }
  | { readonly state: 'unknown'; readonly detail: string };

/** `true` is an outage and `false` all clear, for checks with nothing more to say. */
export type OutageAnswer = boolean | OutageVerdict;

/**
 * Answers whether an outage is in progress. Answering `unknown`, throwing or rejecting all mean "cannot tell",
 * and the pipeline then skips (`outage-unknown`): when we cannot see, we do not break things.
 */
export interface OutageCheck {
  inOutage(): OutageAnswer | Promise<OutageAnswer>;
}

/** An outage check that never sees one: for configurations without SLOs or alerts. */
export const noOutageCheck: OutageCheck = { inOutage: () => false };

/** The verdict an answer means. */
export function outageVerdict(answer: OutageAnswer): OutageVerdict {
  if (answer === true) return { state: 'outage', detail: 'the outage check reports an outage' };
  if (answer === false) return { state: 'clear' };
  return answer;
}
