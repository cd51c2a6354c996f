/**
 * @module
 * Where SLIs of the reference stack come from, shared by experiments and the outage check: a Prometheus (named, or
 * the one `simian stack up --prometheus` started), or direct scrapes of the running stack's instances, which follow
 * replaced instances and keep no history.
 */
import { StackAdminClient } from '../reference-stack/stack/stack-admin-client.js';
import { isAlive, readStackState, type StackState } from '../reference-stack/stack/stack-state.js';
import { errorMessage, SimianError } from '../core/errors.js';
import type { PrometheusQuery } from '../runner/runner-deps.js';
import type { PrometheusClient } from '../slo/prometheus-client.js';
import { metricNamesOf, parseSubsetQuery } from '../slo/promql-subset.js';
import { ScrapeSliSource, type ScrapeTarget } from '../slo/scrape-sli-source.js';
import type { SliResult, SliSource, SliWindow } from '../slo/sli-source.js';
import type { Slo } from '../slo/slo-spec.js';
import { STACK_SCRAPE_JOB, stackTargets } from '../reference-stack/stack/scrape-targets.js';
import type { Clock } from '../core/clock.js';

/** How often direct scrapes look for replaced instances (a killed instance comes back on a new port). */
const TARGET_REFRESH_MS = 5_000;

/** The running stack of a state directory, or undefined when none runs there. */
export function runningStack(stateDir: string): StackState | undefined {
  try {
    const state = readStackState(stateDir);
    return isAlive(state.pid) ? state : undefined;
  } catch {
    return undefined;
  }
}

/** A PromQL instant query on a Prometheus client: vectors as samples, a scalar as one unlabelled sample. */
export function instantQuery(client: PrometheusClient): PrometheusQuery {
  return async (expr, { time, signal }) => {
    const result = await client.query(expr, { time, ...(signal ? { signal } : {}) });
    if (result.resultType === 'vector') return result.samples.map((s) => ({ labels: s.labels, value: s.value }));
    if (result.resultType === 'scalar') return [{ labels: {}, value: result.sample.value }];
    throw new SimianError('experiment.badQuery', `expected an instant vector or a scalar, got a ${result.resultType}: ${expr}`);
  };
}

/**
 * The metric names the SLOs read, so that direct scrapes keep only those; undefined when that cannot be narrowed.
 * Only event SLIs are read from direct scrapes (a raw ratio needs full PromQL and is inconclusive there), and a
 * query outside the PromQL subset is inconclusive too, so neither needs samples.
 */
export function sloMetricNames(slos: readonly Slo[]): string[] | undefined {
  const names = new Set<string>();
  for (const slo of slos) {
    if (slo.sli.kind !== 'events') continue;
    for (const query of [slo.sli.errorQuery, slo.sli.totalQuery]) {
      try {
        const parsed = parseSubsetQuery(query);
        const found = metricNamesOf(parsed);
        if (found.length < (parsed.kind === 'term' ? 1 : 2)) return undefined;
        for (const name of found) names.add(name);
      } catch {
        // Unsupported: that SLO is inconclusive and needs no samples.
      }
    }
  }
  return [...names];
}

/**
 * Reads the running stack's scrape targets (every running instance's `/metrics`), through its admin API.
 *
 * @throws SimianError `stack.notRunning` when the admin API does not answer
 */
export function stackScrapeTargets(deps: { readonly clock: Clock }, stack: StackState): () => Promise<ScrapeTarget[]> {
  const admin = new StackAdminClient({ adminUrl: stack.adminUrl, clock: deps.clock });
  return async () => {
    const instances = await admin.inventory().catch((error: unknown) => {
      throw new SimianError('stack.notRunning', `the stack (pid ${stack.pid}) does not answer at ${stack.adminUrl}: ${errorMessage(error)}`, { cause: error });
    });
    return scrapeTargetsOf(instances);
  };
}

/** The running instances' `/metrics`, labelled as the stack's Prometheus labels them. */
export function scrapeTargetsOf(instances: Parameters<typeof stackTargets>[0]): ScrapeTarget[] {
  return stackTargets(instances).map((t) => ({ url: `${t.address}/metrics`, labels: { job: STACK_SCRAPE_JOB, ...t.labels } }));
}

/**
 * Direct scrapes answer for a window only once they hold a sample at or after its end: take one first (shared by
 * the checks that ask at the same moment).
 */
class FreshScrapes implements SliSource {
  readonly name: string;
  private fresh: { readonly at: number; readonly done: Promise<void> } | undefined;

  constructor(
    private readonly source: ScrapeSliSource,
    private readonly now: () => number,
  ) {
    this.name = source.name;
  }

  async errorRatio(slo: Slo, window: SliWindow): Promise<SliResult> {
    if (!this.fresh || this.fresh.at < window.end) this.fresh = { at: this.now(), done: this.source.sampleNow() };
    await this.fresh.done;
    return this.source.errorRatio(slo, window);
  }
}

/** Direct scrapes of a running stack: the source, when it started watching, and how to stop it. */
export interface StackScrapes {
  readonly sli: SliSource;
  /** Clock time by which the first sample was in: nothing before it can be scored. */
  readonly startedAt: number;
  close(): Promise<void>;
}

/**
 * Starts scraping every running instance of `stack` for the metrics `slos` read, following replaced instances.
 *
 * @throws SimianError `stack.notRunning` when the stack's admin API does not answer
 */
export async function scrapeStack(deps: { readonly clock: Clock }, stack: StackState, slos: readonly Slo[]): Promise<StackScrapes> {
  const targets = stackScrapeTargets(deps, stack);
  const names = sloMetricNames(slos);
  const source = new ScrapeSliSource({ targets: await targets(), clock: deps.clock, intervalMs: 2_000, ...(names ? { metricNames: names } : {}) });
  await source.start();
  // Once the first sample is in, not when it was sent: a window may start only where a sample was already read,
  // so a window starting at the send time would stay unscorable ("scrapes began after the window start") until a
  // whole outageCheck.window had passed.
  const startedAt = deps.clock.now();
  let refresh = deps.clock.setTimer(function follow() {
    // Replaced instances listen on new ports; keep the old targets if the stack does not answer this time.
    void targets().then((t) => source.setTargets(t), () => undefined);
    refresh = deps.clock.setTimer(follow, TARGET_REFRESH_MS, { keepAlive: false });
  }, TARGET_REFRESH_MS, { keepAlive: false });
  return {
    sli: new FreshScrapes(source, () => deps.clock.now()),
    startedAt,
    close: async () => {
      refresh.cancel();
      await source.stop();
    },
  };
}
