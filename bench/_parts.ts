import CircuitBreaker from 'opossum';
import { EventEmitter } from 'node:events';
import { circuitBreaker, pipeline, retry, timeout } from '../src/resilience/index.js';
const target = async (x: number) => x + 1;
const N = 100000;
const mode = process.argv[2] ?? 'conc';
async function run(name: string, f: (i: number) => Promise<unknown>) {
  const once = async () => {
    if (mode === 'seq') { for (let i = 0; i < N; i++) { await f(i); if (i % 1000 === 0) await new Promise(setImmediate); } }
    else { const b = new Array(100); for (let i = 0; i < N; i += 100) { for (let j = 0; j < 100; j++) b[j] = f(i + j); await Promise.all(b); if (i % 1000 === 0) await new Promise(setImmediate); } }
  };
  await once();
  const res: number[] = [];
  for (let s = 0; s < 5; s++) { const t0 = process.hrtime.bigint(); await once(); res.push(Number(process.hrtime.bigint() - t0) / N); }
  res.sort((a, b) => a - b);
  console.log(name.padEnd(22), res[2]!.toFixed(0));
}
const op = new CircuitBreaker(target);
const rot = new EventEmitter();
const opTuned = new CircuitBreaker((fn: any, c: any) => fn(c), { timeout: false, rollingPercentilesEnabled: false, enableSnapshots: false, rotateBucketController: rot } as any);
const r = retry(); const b = circuitBreaker(); const t = timeout({ ms: 10000 });
const p0 = pipeline();
const full = pipeline(retry(), circuitBreaker(), timeout({ ms: 10000 }));
await run('bare', (i) => target(i));
await run('opossum', (i) => op.fire(i));
await run('opossum tuned tramp', (i) => opTuned.fire(() => target(i), undefined));
await run('empty pipeline', (i) => p0.execute(() => target(i)));
await run('retry', (i) => r.execute(() => target(i)));
await run('breaker', (i) => b.execute(() => target(i)));
await run('timeout', (i) => t.execute(() => target(i)));
await run('full', (i) => full.execute(() => target(i)));
process.exit(0);
