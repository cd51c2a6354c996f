import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { EngineEvents, type EngineEvent } from '../../src/engine/events.js';
import { sampledSli } from '../../src/engine/experiment-run.js';
import type { SliSource } from '../../src/slo/sli-source.js';
import type { Slo } from '../../src/slo/slo-spec.js';

describe('sampledSli', () => {
  it('tells every answer of the source as an slo-sample event, measured or not, and passes it on unchanged', async () => {
    const clock = new ManualClock();
    const events = new EngineEvents();
    const seen: EngineEvent[] = [];
    events.on((e) => seen.push(e));
    let calls = 0;
    const source: SliSource = {
      name: 'direct scrapes',
      errorRatio: async () => (++calls === 1 ? { outcome: 'measured', errorRatio: 0.01 } : { outcome: 'inconclusive', reason: 'no data' }),
    };
    const sli = sampledSli(source, { clock, events });
    const slo = { name: 'home-availability' } as Slo;
    const window = { start: clock.now() - 60_000, end: clock.now() };
    expect(await sli.errorRatio(slo, window)).toEqual({ outcome: 'measured', errorRatio: 0.01 });
    expect(await sli.errorRatio(slo, window)).toEqual({ outcome: 'inconclusive', reason: 'no data' });
    expect(sli.name).toBe('direct scrapes');
    expect(seen).toEqual([
      { kind: 'slo-sample', at: clock.now(), slo: 'home-availability', source: 'direct scrapes', window, errorRatio: 0.01 },
      { kind: 'slo-sample', at: clock.now(), slo: 'home-availability', source: 'direct scrapes', window, reason: 'no data' },
    ]);
  });
});
