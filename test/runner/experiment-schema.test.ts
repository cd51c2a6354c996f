import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { loadExperiment, parseExperiment } from '../../src/runner/load-experiment.js';

const parse = (lines: string[]) => parseExperiment(`${lines.join('\n')}\n`, 'exp.yaml', '/x');

/** The message of the error `lines` are refused with. */
function problems(lines: string[]): string[] {
  try {
    parse(lines);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).code).toBe('experiment.invalid');
    expect((error as InvalidInputError).exitCode).toBe(2);
    return (error as Error).message.split('\n');
  }
  throw new Error('expected the experiment to be refused');
}

describe('experiment files', () => {
  it('parse into the model: defaults filled in, durations in ms, kinds and names set', () => {
    const experiment = parse([
      'title: full',
      'tags: [a]',
      'variables: { base: "http://x", token: { env: TOKEN, default: none } }',
      'steady-state:',
      '  slos: [{ file: slos.yaml, window: 5m }]',
      '  queries: [{ expr: up, comparator: ">=", threshold: 1 }]',
      '  probes:',
      '    - http: { url: "${base}/health", status: [200, "300-304"], body: { a: 1 } }',
      '    - process: { path: ./check.sh, arguments: [--fast, 3], exitCode: "0-1", timeout: 2s }',
      'method:',
      '  - chaos: { group: api, percent: 50 }',
      '    pauses: { before: 1s, after: 500ms }',
      '  - parallel:',
      '      - latency: { zone: z, toxic: { type: bandwidth, rate: 64 } }',
      '        duration: 1m',
      '        provider: kubernetes',
      '      - kong: { region: r }',
      '        duration: 2m',
      'stop-conditions:',
      '  conditions:',
      '    - burnRate: { slo: api, window: 1m, above: 14.4 }',
      'blast-radius: { maxGroupShare: 0.25, minHealthyZones: 2 }',
    ]);
    expect(experiment.target).toEqual({ provider: 'local' });
    expect(experiment.steadyState.slos[0]).toEqual({ file: 'slos.yaml', windowMs: 300_000, periodMs: 30 * 86_400_000 });
    expect(experiment.steadyState.probes[0]).toEqual({
      kind: 'http',
      name: 'POST ${base}/health',
      http: { url: '${base}/health', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}', status: [[200, 200], [300, 304]], timeoutMs: 5000 },
    });
    expect(experiment.steadyState.probes[1]).toMatchObject({ kind: 'process', process: { arguments: ['--fast', '3'], exitCode: [[0, 1]], timeoutMs: 2000 } });
    expect(experiment.method[0]).toMatchObject({ kind: 'chaos', name: 'chaos api', chaos: { group: 'api', percent: 50, signal: 'SIGKILL' }, pauses: { beforeMs: 1000, afterMs: 500 } });
    expect(experiment.method[1]).toMatchObject({
      kind: 'parallel',
      parallel: [
        { kind: 'latency', provider: 'kubernetes', durationMs: 60_000, latency: { zone: 'z', toxic: { type: 'bandwidth', stream: 'downstream', attributes: { rate: 64 } } } },
        { kind: 'kong', kong: { region: 'r', force: false }, durationMs: 120_000 },
      ],
    });
    expect(experiment.stopConditions).toMatchObject({ intervalMs: 5000, onInconclusive: 'stop', conditions: [{ kind: 'burnRate', burnRate: { windowMs: 60_000, minEvents: 0 } }] });
    expect(experiment.blastRadius).toEqual({ maxGroupShare: 0.25, minHealthyZones: 2 });
    expect(experiment.recovery).toEqual({ timeoutMs: 120_000, intervalMs: 5000 });
    expect(experiment.source?.lineOf(['method', 1, 'parallel', 1, 'kong'])).toBe(17);
  });

  it('refuses unknown keys at their own line, naming the dotted field', () => {
    expect(problems(['title: t', 'stop-condition: {}', 'method:', '  - chaos: { group: a, signl: SIGTERM }'])).toEqual([
      'exp.yaml:2: stop-condition: unknown field "stop-condition"',
      'exp.yaml:4: method[0].chaos.signl: unknown field "signl"',
    ]);
  });

  it('names every problem with its line: types, durations, required fields, one kind per step', () => {
    expect(
      problems([
        'title: t',
        'steady-state:',
        '  probes:',
        '    - http: { url: "http://x", status: 700, timeout: soon }',
        'method:',
        '  - gorilla: { zone: z }',
        '  - chaos: { group: a }',
        '    duration: 1m',
        '  - {}',
        '  - chaos: { group: a }',
        '    http: { url: "http://x" }',
        '  - latency: { toxic: { type: latency } }',
        '    duration: 1m',
      ]),
    ).toEqual([
      'exp.yaml:4: steady-state.probes[0].http.status: expected an HTTP status: a code from 100 to 599, a range such as "100-599", or a list of them, got 700',
      'exp.yaml:4: steady-state.probes[0].http.timeout: expected a duration with a unit (ms, s, m, h, d) such as 500ms, 30s or 5m, got "soon"',
      'exp.yaml:6: method[0].gorilla: a gorilla fault reverts itself after its duration: add duration (e.g. duration: 1m)',
      'exp.yaml:8: method[1].duration: a termination cannot be reverted, so it has no duration',
      'exp.yaml:9: method[2]: expected one of chaos, gorilla, kong, latency, http, process, parallel',
      'exp.yaml:11: method[3].http: only one of chaos, gorilla, kong, latency, http, process, parallel may be given, got chaos and http',
      'exp.yaml:12: method[4].latency.toxic.latency: a latency toxic needs latency, e.g. latency: 500ms',
      'exp.yaml:12: method[4].latency: name a target: group, zone, region or instances',
    ]);
  });

  it('refuse a duration without a unit wherever one is written, naming the field and the units', () => {
    expect(
      problems([
        'title: t',
        'steady-state:',
        '  slos: [{ file: slos.yaml, window: 300 }]',
        'method:',
        '  - latency: { group: api, toxic: { type: latency, latency: 300, jitter: "50" } }',
        '    duration: 60',
        '    pauses: { after: 1.5 }',
        'stop-conditions: { interval: 5 }',
        'recovery: { timeout: 120000 }',
      ]),
    ).toEqual([
      'exp.yaml:3: steady-state.slos[0].window: 300 has no unit: write 300ms, 300s or 5m',
      'exp.yaml:5: method[0].latency.toxic.latency: 300 has no unit: write 300ms, 300s or 5m',
      'exp.yaml:5: method[0].latency.toxic.jitter: "50" has no unit: write 50ms or 50s',
      'exp.yaml:6: method[0].duration: 60 has no unit: write 60ms, 60s or 1m',
      'exp.yaml:7: method[0].pauses.after: 1.5 has no unit: write 1.5s',
      'exp.yaml:8: stop-conditions.interval: 5 has no unit: write 5ms or 5s',
      'exp.yaml:9: recovery.timeout: 120000 has no unit: write 120000ms or 2m',
    ]);
  });

  it('take a zero without a unit where zero means something: a jitter, a pause, a timeout toxic that holds forever', () => {
    const experiment = parse([
      'title: t',
      'method:',
      '  - latency: { group: api, toxic: { type: latency, latency: 1s, jitter: 0 } }',
      '    duration: 1m',
      '    pauses: { before: 0 }',
      '  - latency: { group: api, toxic: { type: timeout, timeout: 0 } }',
      '    duration: 1m',
    ]);
    expect(experiment.method[0]).toMatchObject({ pauses: { beforeMs: 0 }, latency: { toxic: { attributes: { latency: 1000, jitter: 0 } } } });
    expect(experiment.method[1]).toMatchObject({ latency: { toxic: { attributes: { timeout: 0 } } } });
    expect(problems(['title: t', 'method:', '  - gorilla: { zone: z }', '    duration: 0'])).toEqual(['exp.yaml:4: method[0].duration: must be longer than 0, got 0']);
  });

  it('take the viewers a run drives (load), with the defaults of simian load filled in', () => {
    expect(parse(['title: t', 'method: [{ chaos: { group: a } }]', 'load: { rate: 6 }']).load).toEqual({ rate: 6, segments: 4, subscribe: 0.2 });
    expect(parse(['title: t', 'method: [{ chaos: { group: a } }]', 'load: { rate: 0.5, segments: 0, subscribe: 1 }']).load).toEqual({ rate: 0.5, segments: 0, subscribe: 1 });
    expect(parse(['title: t', 'method: [{ chaos: { group: a } }]']).load).toBeUndefined();
  });

  it('refuse a load without a positive rate, with a ratio outside 0-1, or with a key it does not know, each at its line', () => {
    expect(problems(['title: t', 'method: [{ chaos: { group: a } }]', 'load:', '  rate: 0', '  segments: 1.5', '  subscribe: 1.2', '  viewers: 3'])).toEqual([
      'exp.yaml:4: load.rate: expected a rate in viewers per second above 0, got 0',
      'exp.yaml:5: load.segments: expected a whole number >= 0, got 1.5',
      'exp.yaml:6: load.subscribe: expected a ratio from 0 to 1, got 1.2',
      'exp.yaml:7: load.viewers: unknown field "viewers"',
    ]);
    expect(problems(['title: t', 'method: [{ chaos: { group: a } }]', 'load: { rate: -2, subscribe: -0.1 }'])).toEqual([
      'exp.yaml:3: load.rate: expected a rate in viewers per second above 0, got -2',
      'exp.yaml:3: load.subscribe: expected a ratio from 0 to 1, got -0.1',
    ]);
    expect(problems(['title: t', 'method: [{ chaos: { group: a } }]', 'load: { subscribe: 0.5 }'])).toEqual(['exp.yaml:3: load.rate: expected a rate in viewers per second, got nothing']);
    expect(problems(['title: t', 'method: [{ chaos: { group: a } }]', 'load: 6'])).toEqual(['exp.yaml:3: load: expected a mapping with rate, segments, subscribe, got 6']);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problems(['title: t', 'method:', '  - chaos: { group: a', '  - x'])[0]).toMatch(/^exp\.yaml:\d+: invalid YAML: /);
  });

  it('checks the control group against the method and the steady state', () => {
    expect(
      problems([
        'title: t',
        'method:',
        '  - gorilla: { zone: b }',
        '    duration: 1m',
        'control: { by: zone, control: [a], experiment: [c, a] }',
      ]),
    ).toEqual([
      'exp.yaml:3: method[0].gorilla.zone: with control, a zone outage must hit a zone of the experiment group (control.by: zone)',
      'exp.yaml:5: control.experiment: a cannot be in both groups',
      'exp.yaml:5: control: control compares SLOs between the groups: add steady-state.slos',
    ]);
  });

  it('refuses a burn-rate stop condition with no SLO file to look in', () => {
    expect(problems(['title: t', 'method: [{ chaos: { group: a } }]', 'stop-conditions:', '  conditions:', '    - burnRate: { slo: x, window: 1m, above: 2 }'])).toEqual([
      'exp.yaml:5: stop-conditions.conditions[0].burnRate.slo: name the SLO file (file:), or check SLOs in steady-state.slos',
    ]);
  });

  it('refuses nested parallel steps and toxic attributes of another type', () => {
    expect(problems(['title: t', 'method:', '  - parallel:', '      - parallel: [{ chaos: { group: a } }]', '      - latency: { group: a, toxic: { type: down, latency: 1s } }', '        duration: 1m'])).toEqual([
      'exp.yaml:4: method[0].parallel[0].parallel: parallel steps do not nest',
      'exp.yaml:4: method[0].parallel[0]: expected one of chaos, gorilla, kong, latency, http, process',
      'exp.yaml:5: method[0].parallel[1].latency.toxic.latency: does not apply to a down toxic',
    ]);
  });

  describe('loadExperiment', () => {
    let dir = '';
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'simian-experiment-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reads a file; relative paths resolve against its folder', async () => {
      const file = join(dir, 'e.yaml');
      await writeFile(file, 'title: t\nmethod: [{ http: { url: "http://x" } }]\n');
      const experiment = await loadExperiment(file);
      expect(experiment.source).toMatchObject({ file, baseDir: dir });
    });

    it('refuses a missing file with experiment.notFound (exit code 2)', async () => {
      await expect(loadExperiment(join(dir, 'nope.yaml'))).rejects.toMatchObject({ code: 'experiment.notFound', exitCode: 2 });
    });
  });
});

describe('limit_data toxics (issue 9: they take an instance out of service)', () => {
  it('take bytes, and refuse other attributes', async () => {
    const { parseExperiment } = await import('../../src/runner/load-experiment.js');
    const experiment = parseExperiment('title: t\ntarget: { provider: memory }\nmethod:\n  - latency: { group: a, toxic: { type: limit_data, bytes: 100 } }\n    duration: 1m\n', 't.yaml', '/');
    const action = experiment.method[0] as { latency: { toxic: unknown } };
    expect(action.latency.toxic).toEqual({ type: 'limit_data', stream: 'downstream', attributes: { bytes: 100 } });
    expect(() => parseExperiment('title: t\nmethod:\n  - latency: { group: a, toxic: { type: limit_data } }\n    duration: 1m\n', 't.yaml', '/')).toThrow(/needs bytes/);
  });
});
