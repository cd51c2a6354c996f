import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { importChaosToolkit, importChaosToolkitFile } from '../../src/runner/chaos-toolkit-import.js';
import { runExperiment } from '../../src/runner/experiment-runner.js';
import { parseExperiment } from '../../src/runner/load-experiment.js';

/** A Chaos Toolkit experiment with an HTTP probe, a process action and an HTTP rollback, as `chaos run` takes it. */
function sampleExperiment(): Record<string, unknown> {
  return {
    version: '1.0.0',
    title: 'The service keeps answering while it is poked',
    description: 'An HTTP probe around a process action',
    tags: ['ctk', 'sample'],
    configuration: { base_url: 'http://127.0.0.1:1', token: { type: 'env', key: 'SAMPLE_TOKEN', default: 'none' } },
    'steady-state-hypothesis': {
      title: 'The service is healthy',
      probes: [
        { type: 'probe', name: 'service-is-healthy', tolerance: 200, provider: { type: 'http', url: '${base_url}/health', timeout: 3 } },
        { type: 'probe', name: 'health-says-ok', tolerance: { type: 'regex', target: 'body', pattern: '"status":\\s*"ok"' }, provider: { type: 'http', url: '${base_url}/health' } },
      ],
    },
    method: [
      {
        type: 'action',
        name: 'poke-the-service',
        provider: {
          type: 'process',
          path: process.execPath,
          arguments: ['-e', "fetch(process.argv[1] + '/poke', { method: 'POST' }).then((r) => process.exit(r.ok ? 0 : 1))", '${base_url}'],
          timeout: 10,
        },
        pauses: { after: 0.2 },
      },
      { type: 'probe', name: 'look-again', provider: { type: 'http', url: '${base_url}/health', method: 'GET', arguments: { verbose: 'yes' } } },
    ],
    rollbacks: [{ type: 'action', name: 'reset-the-service', provider: { type: 'http', url: '${base_url}/reset', method: 'POST', arguments: { why: 'rollback' } } }],
  };
}

describe('Chaos Toolkit import', () => {
  let server: Server | undefined;
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'simian-ctk-'));
  });
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('converts http and process activities, tolerances, pauses and configuration', () => {
    const { document, yaml, notes } = importChaosToolkit(JSON.stringify(sampleExperiment(), null, 2), 'sample.json');
    expect(document).toEqual({
      title: 'The service keeps answering while it is poked',
      description: 'An HTTP probe around a process action',
      tags: ['ctk', 'sample'],
      variables: { base_url: 'http://127.0.0.1:1', token: { env: 'SAMPLE_TOKEN', default: 'none' } },
      'steady-state': {
        probes: [
          { name: 'service-is-healthy', http: { url: '${base_url}/health', method: 'GET', timeout: '3s', status: 200 } },
          { name: 'health-says-ok', http: { url: '${base_url}/health', method: 'GET', bodyMatches: '"status":\\s*"ok"' } },
        ],
      },
      method: [
        { name: 'poke-the-service', process: { path: process.execPath, arguments: expect.any(Array), timeout: '10s' }, pauses: { after: '200ms' } },
        { name: 'look-again', http: { url: '${base_url}/health?verbose=yes', method: 'GET' } },
      ],
      rollbacks: [{ name: 'reset-the-service', http: { url: '${base_url}/reset', method: 'POST', body: 'why=rollback', headers: { 'content-type': 'application/x-www-form-urlencoded' } } }],
    });
    expect(parse(yaml)).toEqual(document);
    expect(yaml.startsWith('# Imported from sample.json (Chaos Toolkit)')).toBe(true);
    expect(notes.some((n) => n.includes('fail the run'))).toBe(true);
  });

  it('reports every unsupported activity by name and line, and converts nothing', () => {
    const text = [
      'title: mixed',
      'method:',
      '  - type: action',
      '    name: terminate-pods',
      '    provider:',
      '      type: python',
      '      module: chaosk8s.pod.actions',
      '      func: terminate_pods',
      '  - type: action',
      '    name: shell-it',
      '    provider: { type: process, path: sh, arguments: "-c \'kill 1 | true\'" }',
      'steady-state-hypothesis:',
      '  title: t',
      '  probes:',
      '    - type: probe',
      '      name: json-check',
      '      tolerance: { type: jsonpath, path: "$.status" }',
      '      provider: { type: http, url: "http://x" }',
    ].join('\n');
    let message = '';
    try {
      importChaosToolkit(text, 'ctk.yaml');
    } catch (error) {
      expect((error as { code?: string }).code).toBe('experiment.importUnsupported');
      expect((error as { exitCode?: number }).exitCode).toBe(2);
      message = (error as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'ctk.yaml:6: method[0].provider.type: "terminate-pods": python provider chaosk8s.pod.actions.terminate_pods is not supported (only http and process); use a Simian method step (chaos, gorilla, kong, latency) instead',
      'ctk.yaml:11: method[1].provider.arguments: "shell-it": the arguments use shell syntax (-c \'kill 1 | true\'); Simian runs programs without a shell: put the command line in a script',
      'ctk.yaml:17: steady-state-hypothesis.probes[0].tolerance: "json-check": a "jsonpath" tolerance is not supported (a status, a list of them, a range on status, a regex on body)',
    ]);
  });

  it('resolves refs and refuses what is not an experiment', () => {
    const { document } = importChaosToolkit(
      JSON.stringify({
        title: 'refs',
        'steady-state-hypothesis': { title: 'h', probes: [{ type: 'probe', name: 'up', tolerance: [200, 204], provider: { type: 'http', url: 'http://x/up' } }] },
        method: [{ ref: 'up' }],
      }),
      'refs.json',
    );
    expect(document.method).toEqual([{ name: 'up', http: { url: 'http://x/up', method: 'GET' } }]);
    expect(() => importChaosToolkit('[1, 2]', 'list.json')).toThrow(/not a Chaos Toolkit experiment/);
  });

  it('the converted experiment runs against a loopback server: probe, process action, rollback', async () => {
    const seen: string[] = [];
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url?.startsWith('/health')) res.writeHead(200, { 'content-type': 'application/json' }).end('{"status": "ok"}');
      else if (req.url === '/poke' || req.url === '/reset') res.writeHead(204).end();
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const file = join(dir, 'ctk.json');
    await writeFile(file, JSON.stringify(sampleExperiment()));

    const imported = await importChaosToolkitFile(file);
    const experiment = parseExperiment(imported.yaml, join(dir, 'ctk.yaml'), imported.baseDir);
    // The real clock, processes and sockets: nothing here waits longer than the 200 ms pause.
    const journal = await runExperiment(experiment, { clock: systemClock, random: new SeededRandom(1), variables: { base_url: base }, env: {}, safety: { leashed: false } });

    expect(journal.status).toBe('completed');
    expect(journal.deviated).toBe(false);
    expect(journal.steadyStates.before?.checks.map((c) => c.met)).toEqual([true, true]);
    expect(journal.method.actions.map((a) => [a.name, a.outcome])).toEqual([
      ['poke-the-service', 'executed'],
      ['look-again', 'executed'],
    ]);
    expect(journal.rollbacks.activities).toEqual([expect.objectContaining({ name: 'reset-the-service', ok: true, status: 204 })]);
    expect(seen).toContain('POST /poke');
    expect(seen).toContain('GET /health?verbose=yes');
    expect(seen.at(-1)).toBe('POST /reset');
    // token came from its default (SAMPLE_TOKEN is not set): the file's own value, not a secret.
    expect(journal.variables).toEqual({ base_url: base, token: 'none' });
  });
});
