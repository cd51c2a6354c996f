/**
 * What the daemon's fence costs on the record every fault makes before it is injected: `recordFault` on a fenced
 * connection (the newest token among the faults and the lease's are read in the same transaction) against an
 * unfenced one, on the same file-backed store (WAL, synchronous FULL, as in use), alternated round by round, after
 * `--history` faults already recorded (the check must not grow with the history: it reads an index).
 *
 * Usage: npm run bench:fence [-- --rounds 15 --batch 200 --history 20000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/core/clock.js';
import { StateStore, type FaultToRecord } from '../src/state/index.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, batch: { type: 'string', default: '200' }, history: { type: 'string', default: '20000' } } });
const ROUNDS = Number(args.rounds);
const BATCH = Number(args.batch);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), 'simian-bench-fence-'));
const path = join(dir, 'state.db');
const fenced = StateStore.open(path, { clock: systemClock });
const plain = StateStore.open(path, { clock: systemClock });
let n = 0;
const fault = (): FaultToRecord => ({ id: `f${n++}`, kind: 'latency', targets: ['api-proxy'], startedAt: 0, expiresAt: 1, parameters: {}, group: 'api', monkey: 'latency', provider: 'toxiproxy' });
try {
  fenced.createLease('simian-daemon', { holder: 'bench', durationMs: 15_000, acquiredAt: 0, renewedAt: 0, transitions: 7 });
  fenced.fence({ token: 7, lease: 'simian-daemon' });
  // The history: half of it fenced, so the newest token is there to be found.
  for (let i = 0; i < Number(args.history); i++) (i % 2 === 0 ? fenced : plain).recordFault(fault());
  const time = (store: StateStore): number => {
    const start = performance.now();
    for (let i = 0; i < BATCH; i++) store.recordFault(fault());
    return ((performance.now() - start) * 1000) / BATCH;
  };
  time(fenced);
  time(plain);
  const withFence: number[] = [];
  const without: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    withFence.push(time(fenced));
    without.push(time(plain));
  }
  const round2 = (x: number) => Math.round(x * 100) / 100;
  console.log(
    JSON.stringify(
      { recordFault: { history: Number(args.history), batch: BATCH, rounds: ROUNDS, fencedMicros: round2(median(withFence)), unfencedMicros: round2(median(without)), ratio: round2(median(withFence) / median(without)) } },
      null,
      2,
    ),
  );
} finally {
  fenced.close();
  plain.close();
  rmSync(dir, { recursive: true, force: true });
}
