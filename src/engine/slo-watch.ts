/**
 * @module
 * An SLO check of the running stack without a Prometheus: sample every instance now, watch the whole window
 * (following replaced instances), sample again, so the window watched can be judged. Progress is told as events.
 */
import type { Clock } from '../core/clock.js';
import { readStackState } from '../reference-stack/stack/stack-state.js';
import { formatDuration } from '../slo/burn-rate.js';
import { ScrapeSliSource } from '../slo/scrape-sli-source.js';
import type { SliWindow } from '../slo/sli-source.js';
import type { Slo } from '../slo/slo-spec.js';
import type { EngineEvents } from './events.js';
import { sloMetricNames, stackScrapeTargets } from './stack-sli.js';

/** Samples the running stack over a window starting now; resolves with the source once it has a sample after the end. */
export async function watchStackSlis(
  deps: { readonly clock: Clock; readonly events: EngineEvents },
  stateDir: string,
  windowMs: number,
  slos: readonly Slo[],
): Promise<{ source: ScrapeSliSource; window: SliWindow }> {
  const state = readStackState(stateDir);
  const targets = stackScrapeTargets(deps, state);
  // Sampling along the way lets the 5m burn rate of a 10m window start near its own start, not at the window's.
  const intervalMs = Math.min(15_000, Math.max(1_000, windowMs / 40));
  const metricNames = sloMetricNames(slos);
  const source = new ScrapeSliSource({ targets: await targets(), clock: deps.clock, intervalMs, ...(metricNames ? { metricNames } : {}) });
  try {
    await source.start();
    const start = deps.clock.now();
    const end = start + windowMs;
    const progressEveryMs = Math.max(5_000, Math.min(60_000, windowMs / 10));
    const progress = (message: string, fraction: number) => deps.events.emit({ kind: 'progress', at: deps.clock.now(), task: 'slo check', message, fraction });
    progress(`watching the stack for ${formatDuration(windowMs)} (direct scrapes every ${formatDuration(intervalMs)})…`, 0);
    for (let now = deps.clock.now(); now < end; now = deps.clock.now()) {
      await deps.clock.sleep(Math.min(progressEveryMs, end - now));
      // Replaced instances listen on new ports: follow them, and keep the old targets if the stack does not answer.
      source.setTargets(await targets().catch(() => source.targets));
      const watched = Math.min(windowMs, deps.clock.now() - start);
      progress(`${formatDuration(watched)} of ${formatDuration(windowMs)}`, watched / windowMs);
    }
    await source.sampleNow();
    return { source, window: { start, end } };
  } catch (error) {
    await source.stop();
    throw error;
  }
}
