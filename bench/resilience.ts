/**
 * Per-call cost of the resilience pipeline against its peers, measured in one process on the same machine.
 *
 * Variants: a bare async call; opossum alone with its defaults; cockatiel 3's wrap(retry, circuitBreaker, timeout);
 * our pipeline(retry, circuitBreaker, timeout) without and with metrics. Each runs sequentially (one call in
 * flight) and 100 at a time. Prints JSON: the median ns per call of several samples, and the ratios the issue sets
 * goals for. Compare ratios, not absolutes: machines differ.
 *
 * Usage: npm run bench:resilience [-- --calls 100000 --samples 5]
 */
import CircuitBreaker from 'opossum';
import {
  ConsecutiveBreaker,
  ExponentialBackoff,
  TimeoutStrategy,
  circuitBreaker as cockatielBreaker,
  handleAll,
  retry as cockatielRetry,
  timeout as cockatielTimeout,
  wrap,
} from 'cockatiel';
import { Registry } from 'prom-client';
import { parseArgs } from 'node:util';
import { circuitBreaker, pipeline, retry, timeout } from '../src/resilience/index.js';

const { values: args } = parseArgs({
  options: { calls: { type: 'string', default: '100000' }, samples: { type: 'string', default: '5' } },
});
const CALLS = Number(args.calls);
const SAMPLES = Number(args.samples);
const CONCURRENCY = 100;

const target = async (x: number): Promise<number> => x + 1;
type Call = (i: number) => Promise<number>;

const opossum = new CircuitBreaker(target);
const cockatiel = wrap(
  cockatielRetry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() }),
  cockatielBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
  cockatielTimeout(10_000, TimeoutStrategy.Cooperative),
);
const ours = pipeline(retry({ maxAttempts: 3 }), circuitBreaker(), timeout({ ms: 10_000 }));
const registry = new Registry();
const oursWithMetrics = pipeline(
  { name: 'bench', metrics: registry },
  retry({ maxAttempts: 3, metrics: registry, name: 'bench' }),
  circuitBreaker({ metrics: registry, name: 'bench' }),
  timeout({ ms: 10_000, metrics: registry, name: 'bench' }),
);

const variants: Record<string, Call> = {
  bare: (i) => target(i),
  opossum: (i) => opossum.fire(i) as Promise<number>,
  cockatiel: (i) => cockatiel.execute(() => target(i)),
  simian: (i) => ours.execute(() => target(i)),
  simianWithMetrics: (i) => oursWithMetrics.execute(() => target(i)),
};

const yieldToTimers = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs `calls` calls one at a time; yields every 1000 so timers (rotation, timeouts) get to run as in real life. */
async function sequential(call: Call, calls: number): Promise<void> {
  for (let i = 0; i < calls; i++) {
    await call(i);
    if (i % 1000 === 0) await yieldToTimers();
  }
}

/** Runs `calls` calls in batches of CONCURRENCY in flight. */
async function concurrent(call: Call, calls: number): Promise<void> {
  const batch: Array<Promise<number>> = new Array(CONCURRENCY);
  for (let i = 0; i < calls; i += CONCURRENCY) {
    for (let j = 0; j < CONCURRENCY; j++) batch[j] = call(i + j);
    await Promise.all(batch);
    if (i % 1000 === 0) await yieldToTimers();
  }
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Wall-clock and CPU-time medians, ns per call, by variant. */
interface Figures {
  wall: Record<string, number>;
  /** CPU time (user + system) of the process: steadier than wall time when other work shares the cores. */
  cpu: Record<string, number>;
}

async function measure(mode: 'sequential' | 'concurrent'): Promise<Figures> {
  const run = mode === 'sequential' ? sequential : concurrent;
  const names = Object.keys(variants);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const cpuSamples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const name of names) await run(variants[name]!, Math.min(CALLS, 20_000));
  for (let s = 0; s < SAMPLES; s++) {
    // Rotate the order each sample so no variant always runs right after a GC-heavy neighbour.
    for (const name of [...names.slice(s % names.length), ...names.slice(0, s % names.length)]) {
      gc();
      const cpuStarted = process.cpuUsage();
      const started = process.hrtime.bigint();
      await run(variants[name]!, CALLS);
      samples[name]!.push(Number(process.hrtime.bigint() - started) / CALLS);
      const cpu = process.cpuUsage(cpuStarted);
      cpuSamples[name]!.push(((cpu.user + cpu.system) * 1000) / CALLS);
    }
  }
  const medians = (xs: Record<string, number[]>) => Object.fromEntries(names.map((n) => [n, Math.round(median(xs[n]!))]));
  return { wall: medians(samples), cpu: medians(cpuSamples) };
}

const round = (x: number): number => Math.round(x * 100) / 100;
const sequential_ = await measure('sequential');
const concurrent_ = await measure('concurrent');
const sequentialNs = sequential_.wall;
const concurrentNs = concurrent_.wall;
const ratios = (r: Record<string, number>) => ({
  simianOverOpossum: round(r['simian']! / r['opossum']!),
  cockatielOverSimian: round(r['cockatiel']! / r['simian']!),
  metricsOverhead: round(r['simianWithMetrics']! / r['simian']! - 1),
});

console.log(
  JSON.stringify(
    {
      node: process.version,
      calls: CALLS,
      samples: SAMPLES,
      nsPerCall: { sequential: sequentialNs, [`concurrent${CONCURRENCY}`]: concurrentNs },
      ratios: { sequential: ratios(sequentialNs), [`concurrent${CONCURRENCY}`]: ratios(concurrentNs) },
      // The same ratios from CPU time, for a machine whose cores are shared with other work.
      cpuNsPerCall: { sequential: sequential_.cpu, [`concurrent${CONCURRENCY}`]: concurrent_.cpu },
      cpuRatios: { sequential: ratios(sequential_.cpu), [`concurrent${CONCURRENCY}`]: ratios(concurrent_.cpu) },
      goals: { simianOverOpossum: '<= 1', cockatielOverSimian: '>= 5', metricsOverhead: '<= 0.5' },
    },
    null,
    2,
  ),
);
ours.dispose();
oursWithMetrics.dispose();
opossum.shutdown();
