/**
 * The game-day console's refresh, measured on a real stack under viewers: one drill tick (a scrape of every
 * instance read twice, for the SLO counters and for the dependencies' resilience families, then the live SLOs)
 * against what an experiment's direct scrapes already cost (the SLI source sampling the same targets for the same
 * SLOs), same targets, same moment (ratio). The tick runs about once a second for as long as a game day lasts.
 *
 * Usage: npm run bench:drill [-- --rounds 30 --topology small --rate 6]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/core/clock.js';
import { DrillMetrics } from '../src/engine/drill/drill-metrics.js';
import { LiveSlos } from '../src/engine/drill/live-slos.js';
import { sloMetricNames } from '../src/engine/stack-sli.js';
import { runLoad } from '../src/reference-stack/load/load-generator.js';
import { ReferenceStack } from '../src/reference-stack/stack/reference-stack.js';
import { STACK_SCRAPE_JOB, stackTargets } from '../src/reference-stack/stack/scrape-targets.js';
import { loadTopology } from '../src/reference-stack/topology/topology.js';
import { loadSloFile } from '../src/slo/load-slo-file.js';
import { ScrapeSliSource } from '../src/slo/scrape-sli-source.js';
import { createToxiproxyServer } from '../src/toxiproxy/server.js';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '30' }, topology: { type: 'string', default: 'small' }, rate: { type: 'string', default: '6' } },
});
const ROUNDS = Number(args.rounds);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dataDir = mkdtempSync(join(tmpdir(), 'simian-bench-drill-'));
const toxiproxy = await createToxiproxyServer({ host: '127.0.0.1', port: 0 });
let stack: ReferenceStack | undefined;
const stopLoad = new AbortController();
try {
  stack = await ReferenceStack.start({ topology: await loadTopology(args.topology), dataDir, toxiproxyUrl: toxiproxy.url });
  const running = stack;
  const load = runLoad({ target: stack.frontDoorUrl!, durationMs: Number.POSITIVE_INFINITY, ratePerSecond: Number(args.rate), signal: stopLoad.signal }).catch(() => undefined);
  const slos = (await loadSloFile('dashboards/slos/reference-stack.yaml')).flatMap((s) => [...s.slos]);
  const targets = async () => stackTargets(running.inventory()).map((t) => ({ url: `${t.address}/metrics`, labels: { job: STACK_SCRAPE_JOB, ...t.labels } }));
  const names = sloMetricNames(slos);
  const plain = new ScrapeSliSource({ targets: await targets(), clock: systemClock, ...(names ? { metricNames: names } : {}) });
  const drill = new DrillMetrics({ targets, slos, clock: systemClock });
  const live = new LiveSlos(slos, drill.sli);
  await plain.sampleNow();
  await drill.sample();
  const since = systemClock.now();
  const plainMs: number[] = [];
  const tickMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternated, so that both see the same stack at the same load.
    let started = performance.now();
    await plain.sampleNow();
    plainMs.push(performance.now() - started);
    started = performance.now();
    await drill.sample();
    await live.update(systemClock.now(), since, since);
    tickMs.push(performance.now() - started);
    await new Promise((ok) => setTimeout(ok, 200));
  }
  const instances = running.inventory().length;
  console.log(`drill tick on the ${args.topology} stack (${instances} instances, ${args.rate} viewers/s), median of ${ROUNDS} rounds`);
  console.log(`  SLI source alone (an experiment's direct scrapes)   ${median(plainMs).toFixed(1)} ms`);
  console.log(`  drill tick (scrape + resilience + live SLOs)        ${median(tickMs).toFixed(1)} ms`);
  console.log(`  ratio tick / SLI source                             ${(median(tickMs) / median(plainMs)).toFixed(2)}x`);
  console.log(`  share of the 1 s refresh interval                   ${((median(tickMs) / 1000) * 100).toFixed(1)}%`);
  await plain.stop();
  await drill.stop();
  stopLoad.abort();
  await load;
} finally {
  stopLoad.abort();
  await stack?.stop();
  await toxiproxy.close();
  rmSync(dataDir, { recursive: true, force: true });
}
