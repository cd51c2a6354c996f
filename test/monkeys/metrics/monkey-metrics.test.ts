import { spawnSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import { MonkeyMetrics } from '../../../src/monkeys/metrics/monkey-metrics.js';
import { StateStore } from '../../../src/state/state-store.js';
import { harness } from '../safety/harness.js';

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('MonkeyMetrics', () => {
  it('counts decisions by outcome and skips by reason, from zero, and reads the active faults on scrape', async () => {
    const registry = new Registry();
    let active = 0;
    const metrics = new MonkeyMetrics({ registry, activeFaults: () => active });
    const before = await registry.metrics();
    expect(sample(before, 'simian_faults_total{monkey="chaos",provider="memory",outcome="executed"}')).toBe(0);
    expect(sample(before, 'simian_skipped_total{reason="leashed"}')).toBe(0);

    const { pipeline } = harness({ config: { leashed: false, minIntervalMs: 0 } });
    const subscription = metrics.watch(pipeline.decisions);
    await pipeline.terminate({ monkey: 'chaos', group: 'api' });
    await pipeline.terminate({ monkey: 'chaos', group: 'nope' });
    subscription.dispose();
    await pipeline.terminate({ monkey: 'chaos', group: 'api' });
    active = 2;

    const after = await registry.metrics();
    expect(sample(after, 'simian_faults_total{monkey="chaos",provider="memory",outcome="executed"}')).toBe(1);
    expect(sample(after, 'simian_faults_total{monkey="chaos",provider="memory",outcome="skipped"}')).toBe(1);
    expect(sample(after, 'simian_skipped_total{reason="unknown-target"}')).toBe(1);
    expect(sample(after, 'simian_active_faults')).toBe(2);

    const lint = spawnSync('promtool', ['check', 'metrics'], { input: after, encoding: 'utf8' });
    if (lint.error) throw new Error(`promtool is not installed (apt-get install prometheus): ${lint.error.message}`);
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  });

  it('exports the decision log of a state store: what other processes decided, counted on every scrape', async () => {
    const store = StateStore.open(':memory:', { clock: new ManualClock() });
    try {
      const registry = new Registry();
      new MonkeyMetrics({ registry, activeFaults: () => store.activeFaults().length, decisionCounts: () => store.decisionCounts() });
      expect(sample(await registry.metrics(), 'simian_faults_total{monkey="kong",provider="local",outcome="skipped"}')).toBe(0);
      store.recordDecision({ at: 1, monkey: 'kong', provider: 'local', outcome: 'skipped', reason: 'blast-radius' });
      store.recordDecision({ at: 2, monkey: 'kong', provider: 'local', outcome: 'skipped', reason: 'blast-radius' });
      store.recordDecision({ at: 3, monkey: 'chaos', provider: 'aws', outcome: 'executed' });
      const text = await registry.metrics();
      expect(sample(text, 'simian_faults_total{monkey="kong",provider="local",outcome="skipped"}')).toBe(2);
      expect(sample(text, 'simian_faults_total{monkey="chaos",provider="aws",outcome="executed"}')).toBe(1);
      expect(sample(text, 'simian_skipped_total{reason="blast-radius"}')).toBe(2);
      expect(sample(text, 'simian_skipped_total{reason="leashed"}')).toBe(0);
      // A second scrape does not count twice.
      expect(sample(await registry.metrics(), 'simian_skipped_total{reason="blast-radius"}')).toBe(2);
    } finally {
      store.close();
    }
  });
});
