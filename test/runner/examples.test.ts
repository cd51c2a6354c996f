import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFaultAction, methodActions } from '../../src/runner/experiment.js';
import { loadExperiment } from '../../src/runner/load-experiment.js';
import { resolveSlos } from '../../src/runner/prepare.js';
import { loadSloFile } from '../../src/slo/load-slo-file.js';

const DIR = join(import.meta.dirname, '..', '..', 'experiments');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

describe('the experiments in experiments/', () => {
  it('are the five the reference stack ships with', () => {
    expect(FILES.sort()).toEqual(['billing-durability.yaml', 'chaos-monkey.yaml', 'latency-recommendations.yaml', 'region-evacuation.yaml', 'zone-outage.yaml']);
  });

  it.each(FILES)('%s validates, and every SLO it names is in its SLO file', async (file) => {
    const experiment = await loadExperiment(join(DIR, file));
    const { slos } = await resolveSlos(experiment, (path) => loadSloFile(path));
    expect(slos.length).toBeGreaterThan(0);
    expect(slos.every((s) => s.file.endsWith('dashboards/slos/reference-stack.yaml'))).toBe(true);
    // Each acts on the reference stack through the local provider, and watches it through the front door.
    expect(experiment.target.provider).toBe('local');
    expect(methodActions(experiment).some(({ action }) => isFaultAction(action))).toBe(true);
    expect(JSON.stringify(experiment.steadyState.probes)).toContain('${frontDoor}');
    expect(experiment.stopConditions.conditions.length).toBeGreaterThan(0);
    // Their SLOs count viewers' requests: each plays its own, so a freshly started stack is all it needs.
    expect(experiment.load?.rate).toBeGreaterThan(0);
  });

  it('send the stack token with every call that changes the stack (its admin routes refuse anything else)', async () => {
    const changes: Array<{ file: string; headers: Record<string, string> }> = [];
    const collect = (file: string, value: unknown): void => {
      if (Array.isArray(value)) value.forEach((item) => collect(file, item));
      else if (typeof value === 'object' && value !== null) {
        const http = value as { url?: unknown; method?: unknown; headers?: Record<string, string> };
        if (typeof http.url === 'string' && /\/admin\/|\/instances\b/.test(http.url) && http.method !== 'GET') changes.push({ file, headers: http.headers ?? {} });
        else Object.values(value).forEach((item) => collect(file, item));
      }
    };
    for (const file of FILES) {
      const { source: _source, ...experiment } = await loadExperiment(join(DIR, file));
      collect(file, experiment);
    }
    expect(changes.map((c) => c.file)).toContain('region-evacuation.yaml');
    for (const change of changes) expect(change).toEqual({ file: change.file, headers: expect.objectContaining({ authorization: 'Bearer ${stackToken}' }) });
  });
});
