/**
 * @module
 * The stack's instances as metrics targets, one definition for Prometheus's file-SD targets and for direct scrapes.
 */
import type { AdminInstance } from './stack-admin-client.js';

/** The `job` label of the stack's targets, as in dashboards/prometheus/prometheus.yml (the dashboards select on it). */
export const STACK_SCRAPE_JOB = 'reference-stack';

/** A place to scrape and the labels its series get. */
export interface StackScrapeTarget {
  /** `http://127.0.0.1:PORT`: the instance's own address. */
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The running instances as scrape targets: their direct addresses (not through the fault proxy, so that a latency
 * fault does not slow the scrape) with `service`, `region`, `zone` and `instance` labels.
 */
export function stackTargets(instances: readonly Pick<AdminInstance, 'id' | 'service' | 'region' | 'zone' | 'address' | 'state'>[]): StackScrapeTarget[] {
  return instances
    .filter((i) => typeof i.address === 'string' && i.state === 'running')
    .map((i) => ({ address: i.address!, labels: { service: i.service, region: i.region, zone: i.zone, instance: i.id } }));
}
