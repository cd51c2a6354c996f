import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { loadSloFile, parseSloFile } from '../../src/slo/load-slo-file.js';

const SLOTH = [
  'version: prometheus/v1',
  'service: checkout',
  'slos:',
  '  - name: availability',
  '    objective: 99.9',
  '    sli: { events: { error_query: "sum(rate(e_total[{{.window}}]))", total_query: "sum(rate(t_total[{{.window}}]))" } }',
  '    alerting: { name: CheckoutAvailability }',
].join('\n');

const OPENSLO = [
  'apiVersion: openslo/v1',
  'kind: SLO',
  'metadata: { name: search-availability }',
  'spec:',
  '  service: search',
  '  objectives: [{ target: 0.99 }]',
  '  indicator:',
  '    metadata: { name: s }',
  '    spec: { ratioMetric: { bad: { metricSource: { spec: { query: e_total } } }, total: { metricSource: { spec: { query: t_total } } } } }',
].join('\n');

function refusal(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an error');
}

describe('parseSloFile', () => {
  it('reads a sloth file', () => {
    expect(parseSloFile(SLOTH, 'slos.yaml').map((s) => s.service)).toEqual(['checkout']);
  });

  it('reads an OpenSLO file', () => {
    expect(parseSloFile(OPENSLO, 'slos.yaml').map((s) => [s.service, s.slos[0]?.objective])).toEqual([['search', 99]]);
  });

  it('reads a file of both, sloth documents first, then OpenSLO grouped by service', () => {
    const specs = parseSloFile(`${OPENSLO}\n---\n${SLOTH}\n`, 'slos.yaml');
    expect(specs.map((s) => s.service)).toEqual(['checkout', 'search']);
  });

  it('reports problems of every document with the lines of the whole file', () => {
    const broken = `${SLOTH.replace('objective: 99.9', 'objective: 120')}\n---\n${OPENSLO.replace('target: 0.99', 'target: 2')}`;
    expect(refusal(() => parseSloFile(broken, 'slos.yaml')).message.split('\n')).toEqual([
      'slos.yaml:5: slos[0].objective: expected a percentage in (0, 100) such as 99.9, got 120',
      'slos.yaml:14: spec.objectives[0].target: expected a ratio in (0, 1) such as 0.999',
    ]);
  });

  it('refuses an empty file, a document of neither format, and one service described twice', () => {
    expect(refusal(() => parseSloFile('# only a comment\n', 'slos.yaml')).message).toBe(
      'slos.yaml:1: empty file: expected a sloth spec (version: prometheus/v1) or OpenSLO documents',
    );
    expect(refusal(() => parseSloFile('service: x\nslos: []\n', 'slos.yaml')).message).toBe(
      'slos.yaml:1: expected a sloth spec (version: prometheus/v1, service, slos) or an OpenSLO document (apiVersion: openslo/v1, kind, metadata, spec)',
    );
    expect(refusal(() => parseSloFile(`${SLOTH}\n---\n${SLOTH}`, 'slos.yaml')).message).toBe(
      'slos.yaml: service "checkout" is described twice; put its SLOs in one spec',
    );
  });
});

describe('loadSloFile', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'simian-slo-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file, naming it in messages as the caller labels it', async () => {
    const file = join(dir, 'slos.yaml');
    await writeFile(file, SLOTH.replace('objective: 99.9', 'objective: 0'));
    await expect(loadSloFile(file, 'slos.yaml')).rejects.toMatchObject({
      code: 'slo.invalid',
      exitCode: 2,
      message: 'slos.yaml:5: slos[0].objective: expected a percentage in (0, 100) such as 99.9, got 0',
    });
    await writeFile(file, SLOTH);
    expect((await loadSloFile(file))[0]?.slos[0]?.name).toBe('availability');
  });

  it('says when the file is missing', async () => {
    await expect(loadSloFile(join(dir, 'nope.yaml'), 'nope.yaml')).rejects.toMatchObject({
      code: 'slo.notFound',
      exitCode: 2,
      message: 'SLO file nope.yaml: no such file',
    });
  });
});
