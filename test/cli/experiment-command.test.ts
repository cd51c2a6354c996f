import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExperimentCommand, experimentCommand, type RunnerDepsFactory } from '../../src/cli/commands/experiment.js';
import { FakeSignals } from '../support/fake-signals.js';
import { createProgram, type CommandFactory } from '../../src/cli/program.js';
import type { Journal } from '../../src/runner/journal.js';
import { writeStackState } from '../../src/reference-stack/stack/stack-state.js';
import { writeStackToken } from '../../src/reference-stack/stack/stack-token.js';
import { loadExperiment } from '../../src/runner/load-experiment.js';
import { STATE_STORE_FILE } from '../../src/config/simian-config.js';
import { runnerHarness } from '../runner/harness.js';

const EXPERIMENTS = join(import.meta.dirname, '..', '..', 'experiments');

/** Runs `simian <args>` with only the experiment command, capturing output and the error it ends with. */
async function simian(args: string[], command: CommandFactory = experimentCommand) {
  let out = '';
  let err = '';
  const program = createProgram({ version: 't', writeOut: (t) => (out += t), writeErr: (t) => (err += t) }, [command]);
  const error = await program.parseAsync(args, { from: 'user' }).then(
    () => undefined,
    (e: unknown) => e as { code?: string; exitCode?: number; message: string },
  );
  return { out, err, error };
}


describe('simian experiment', () => {
  let dir = '';
  let server: Server | undefined;
  let base = '';
  let healthy = true;
  let onPoke: () => void = () => undefined;
  const seen: string[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'simian-experiment-cli-'));
    healthy = true;
    onPoke = () => undefined;
    seen.length = 0;
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === '/health') res.writeHead(healthy ? 200 : 500).end(healthy ? 'ok' : 'broken');
      else if (req.url === '/poke') {
        onPoke();
        res.writeHead(204).end();
      } else if (req.url === '/reset') res.writeHead(204).end();
      else if (req.url?.startsWith('/secure?')) res.writeHead(req.headers.authorization === `Bearer ${new URL(req.url, base).searchParams.get('key')}` ? 200 : 401).end();
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  /** An experiment with an HTTP probe, an HTTP action and an HTTP rollback against the loopback server. */
  const writeExperiment = async (name = 'poke.yaml', extra: string[] = []) => {
    const file = join(dir, name);
    await writeFile(
      file,
      [
        'title: poke the service',
        'steady-state:',
        '  probes:',
        '    - name: healthy',
        '      http: { url: "${base}/health", status: 200, timeout: 2s }',
        'method:',
        '  - name: poke',
        '    http: { url: "${base}/poke", method: POST, status: 204 }',
        ...extra,
        'rollbacks:',
        '  - name: reset',
        '    http: { url: "${base}/reset", method: POST, status: 204 }',
        '',
      ].join('\n'),
    );
    return file;
  };

  /** The command with its configuration read from `dir` only (no simian.yaml, no SIMIAN_* variables). */
  const isolated = (options: Parameters<typeof createExperimentCommand>[0] = {}) => createExperimentCommand({ context: () => ({ cwd: dir, env: {} }), ...options });

  describe('validate', () => {
    it('accepts every experiment in experiments/', async () => {
      const files = readdirSync(EXPERIMENTS).filter((f) => f.endsWith('.yaml')).map((f) => join(EXPERIMENTS, f));
      const { out, error } = await simian(['experiment', 'validate', ...files]);
      expect(error).toBeUndefined();
      expect(out.trim().split('\n').filter((line) => line.includes(': ok ('))).toHaveLength(files.length);
      for (const file of files) expect(out).toContain(`${file}: ok (`);
      // Every HTTP call a file makes is listed under it: region-evacuation's rollback, for one.
      expect(out).toContain('  calls POST ${stackAdmin}/admin/regions/us-west/restore  (rollback 1 "traffic back into us-west")');
      // And the viewers each plays through the front door while it runs.
      expect(out).toContain(`${join(EXPERIMENTS, 'chaos-monkey.yaml')}: ok (`);
      expect(out.split('\n').filter((line) => line === '  plays 6 viewers per second (4 segments each, 20% subscribe) through ${frontDoor}  (load)')).toHaveLength(files.length);
    });

    it('--json gives the load a file declares, and none for a file without', async () => {
      const plain = await writeExperiment();
      const { out, error } = await simian(['experiment', 'validate', '--json', join(EXPERIMENTS, 'zone-outage.yaml'), plain]);
      expect(error).toBeUndefined();
      const results = JSON.parse(out) as Array<{ file: string; load?: unknown }>;
      expect(results[0]).toMatchObject({ load: { rate: 6, segments: 4, subscribe: 0.2 } });
      expect(results[1]).not.toHaveProperty('load');
    });

    it('refuses a bad file with exit code 2, naming file, line and field', async () => {
      const file = join(dir, 'bad.yaml');
      await writeFile(file, 'title: t\nmethod:\n  - chaos: { group: a, count: 0 }\n');
      const { error } = await simian(['experiment', 'validate', file]);
      expect(error).toMatchObject({ code: 'experiment.invalid', exitCode: 2 });
      expect(error?.message).toBe(`${file}:3: method[0].chaos.count: expected a whole number >= 1, got 0`);
    });
  });

  describe('import', () => {
    const ctk = () =>
      JSON.stringify({
        title: 'ctk',
        'steady-state-hypothesis': { title: 'up', probes: [{ type: 'probe', name: 'up', tolerance: 200, provider: { type: 'http', url: '${base}/health' } }] },
        method: [{ type: 'action', name: 'poke', provider: { type: 'http', url: '${base}/poke', method: 'POST' } }],
      });

    it('prints the converted experiment', async () => {
      const file = join(dir, 'ctk.json');
      await writeFile(file, ctk());
      const { out, error } = await simian(['experiment', 'import', file]);
      expect(error).toBeUndefined();
      expect(out).toContain('title: ctk');
      expect(out).toContain('url: ${base}/poke');
    });

    it('--out writes a file that validates and runs', async () => {
      const file = join(dir, 'ctk.json');
      await writeFile(file, ctk());
      const out = join(dir, 'converted', 'ctk.yaml');
      const imported = await simian(['experiment', 'import', file, '--out', out]);
      expect(imported.error).toBeUndefined();
      expect(imported.err).toContain(`wrote ${out}`);
      expect((await simian(['experiment', 'validate', out])).error).toBeUndefined();
      const ran = await simian(['experiment', 'run', out, '--unleash', '--state-dir', dir, '--var', `base=${base}`, '--journal', join(dir, 'ctk-journal.json')], isolated());
      expect(ran.error).toBeUndefined();
      expect(seen).toContain('POST /poke');
    });

    it('refuses a python provider with exit code 2', async () => {
      const file = join(dir, 'py.json');
      await writeFile(file, JSON.stringify({ title: 'py', method: [{ type: 'action', name: 'kill', provider: { type: 'python', module: 'chaosaws.ec2.actions', func: 'stop_instances' } }] }));
      const { error } = await simian(['experiment', 'import', file]);
      expect(error).toMatchObject({ code: 'experiment.importUnsupported', exitCode: 2 });
      expect(error?.message).toContain('"kill": python provider chaosaws.ec2.actions.stop_instances is not supported');
    });
  });

  describe('run', () => {
    it('runs the experiment, writes the journal and the report, and exits 0', async () => {
      const file = await writeExperiment();
      const journalPath = join(dir, 'out', 'journal.json');
      const { out, err, error } = await simian(['experiment', 'run', file, '--unleash', '--state-dir', dir, '--var', `base=${base}`, '--journal', journalPath], isolated());
      expect(error, err).toBeUndefined();
      expect(out).toContain('poke the service: passed');
      expect(out).toContain(`journal: ${journalPath}`);
      const journal = JSON.parse(await readFile(journalPath, 'utf8')) as Journal;
      expect(journal).toMatchObject({ status: 'completed', deviated: false, dryRun: false });
      expect(await readFile(join(dir, 'out', 'journal.md'), 'utf8')).toContain('# poke the service');
      expect(seen).toEqual(['GET /health', 'POST /poke', 'GET /health', 'POST /reset']);
      // No fault in the method: no state store was opened.
      expect(existsSync(join(dir, 'simian.db'))).toBe(false);
    });

    it('--json prints the journal; without --journal it goes to <state dir>/journals/', async () => {
      const file = await writeExperiment();
      const { out, err, error } = await simian(['experiment', 'run', file, '--unleash', '--json', '--state-dir', dir, '--var', `base=${base}`], isolated());
      expect(error, err).toBeUndefined();
      expect((JSON.parse(out) as Journal).status).toBe('completed');
      const journals = readdirSync(join(dir, 'journals'));
      expect(journals.filter((f) => /^poke-\d{8}T\d{6}\d{3}Z\.json$/.test(f))).toHaveLength(1);
      expect(journals.filter((f) => f.endsWith('.md'))).toHaveLength(1);
    });

    it('creates the state directory, the journal and the report owner-only, and never writes a value read from the environment', async () => {
      const secret = 'probe-secret-7d3e1f';
      const file = join(dir, 'secure.yaml');
      await writeFile(
        file,
        [
          'title: a probe with a secret',
          'variables:',
          '  key: { env: SIMIAN_TEST_PROBE_KEY }',
          'steady-state:',
          '  probes:',
          '    - name: secure',
          '      http: { url: "${base}/secure?key=${key}", headers: { authorization: "Bearer ${key}" }, status: 200, timeout: 2s }',
          'method:',
          '  - name: poke',
          '    http: { url: "${base}/poke", method: POST, status: 204 }',
          '',
        ].join('\n'),
      );
      const stateDir = join(dir, 'state');
      process.env['SIMIAN_TEST_PROBE_KEY'] = secret;
      let ran: Awaited<ReturnType<typeof simian>>;
      try {
        ran = await simian(['experiment', 'run', file, '--unleash', '--state-dir', stateDir, '--var', `base=${base}`], isolated());
      } finally {
        delete process.env['SIMIAN_TEST_PROBE_KEY'];
      }
      expect(ran.error, ran.err).toBeUndefined();
      // The probe was sent the real value (the server answers 200 only to it).
      expect(seen.filter((r) => r === `GET /secure?key=${secret}`)).toHaveLength(2);
      const journals = join(stateDir, 'journals');
      const [journalFile, reportFile] = ['.json', '.md'].map((ext) => join(journals, readdirSync(journals).find((f) => f.endsWith(ext))!));
      const mode = (path: string) => statSync(path).mode & 0o777;
      expect([mode(stateDir), mode(journals), mode(journalFile!), mode(reportFile!)]).toEqual([0o700, 0o700, 0o600, 0o600]);
      const [journalText, reportText] = await Promise.all([readFile(journalFile!, 'utf8'), readFile(reportFile!, 'utf8')]);
      for (const text of [journalText, reportText, ran.out, ran.err]) expect(text).not.toContain(secret);
      expect((JSON.parse(journalText) as Journal).variables).toEqual({ base, key: '[redacted]' });
      expect(journalText).toContain('/secure?key=[redacted]');
    });

    it('a running stack gives ${stackToken}, which the run sends and the journal shows as [redacted]', async () => {
      const token = 'stack-token-for-the-cli-test-0123456789';
      const stateDir = join(dir, 'state');
      // The stack process is this one: alive for as long as the test runs.
      writeStackState(stateDir, { pid: process.pid, topology: 'test', frontDoorUrl: base, toxiproxyUrl: 'http://127.0.0.1:9', adminUrl: 'http://127.0.0.1:9', startedAt: 0 });
      writeStackToken(stateDir, token);
      const file = join(dir, 'switch.yaml');
      await writeFile(
        file,
        [
          'title: flip the front door',
          'method:',
          '  - name: switch',
          '    http: { url: "${frontDoor}/secure?key=${stackToken}", headers: { authorization: "Bearer ${stackToken}" }, status: 200 }',
          '',
        ].join('\n'),
      );
      const ran = await simian(['experiment', 'run', file, '--unleash', '--state-dir', stateDir, '--json'], isolated());
      expect(ran.error, ran.err).toBeUndefined();
      expect(seen).toEqual([`GET /secure?key=${token}`]);
      const journal = JSON.parse(ran.out) as Journal;
      expect(journal.method.actions.map((a) => a.outcome)).toEqual(['executed']);
      expect(journal.variables).toMatchObject({ frontDoor: base, stackToken: '[redacted]' });
      const journals = join(stateDir, 'journals');
      for (const name of readdirSync(journals)) expect(await readFile(join(journals, name), 'utf8')).not.toContain(token);
      expect(ran.out + ran.err).not.toContain(token);
    });

    it('exits 1 when the steady state deviates, and still rolls back', async () => {
      onPoke = () => (healthy = false);
      const file = await writeExperiment();
      const { error } = await simian(['experiment', 'run', file, '--unleash', '--state-dir', dir, '--var', `base=${base}`, '--journal', join(dir, 'j.json')], isolated());
      expect(error).toMatchObject({ code: 'experiment.deviated', exitCode: 1 });
      expect(seen.at(-1)).toBe('POST /reset');
    });

    it('exits 130 on SIGINT: the method stops, the rollbacks run, the journal says interrupted', async () => {
      const signals = new FakeSignals();
      onPoke = () => signals.emit('SIGINT');
      const file = await writeExperiment('long.yaml', ['    pauses: { after: 1h }']);
      const journalPath = join(dir, 'j.json');
      const { err, error } = await simian(['experiment', 'run', file, '--unleash', '--state-dir', dir, '--var', `base=${base}`, '--journal', journalPath], isolated({ signals }));
      expect(error).toMatchObject({ code: 'experiment.interrupted', exitCode: 130 });
      expect(err).toContain('SIGINT: stopping the experiment');
      expect(seen.at(-1)).toBe('POST /reset');
      expect((JSON.parse(await readFile(journalPath, 'utf8')) as Journal).status).toBe('interrupted');
      expect(signals.count).toBe(0);
    });

    it('exits 143 on SIGTERM', async () => {
      const signals = new FakeSignals();
      onPoke = () => signals.emit('SIGTERM');
      const file = await writeExperiment('long.yaml', ['    pauses: { after: 1h }']);
      const { error } = await simian(['experiment', 'run', file, '--unleash', '--state-dir', dir, '--var', `base=${base}`, '--journal', join(dir, 'j.json')], isolated({ signals }));
      expect(error).toMatchObject({ code: 'experiment.interrupted', exitCode: 143 });
    });

    it('--dry-run resolves faults through the leashed pipeline and acts on nothing', async () => {
      const h = runnerHarness();
      const seenOptions: string[] = [];
      const factory: RunnerDepsFactory = async (_deps, options) => {
        seenOptions.push(options.experiment.title);
        return { deps: h.deps, close: async () => h.close() };
      };
      const file = join(dir, 'faults.yaml');
      await writeFile(file, ['title: faults', 'target: { provider: memory }', 'method:', '  - chaos: { group: api }', '  - gorilla: { zone: zone-a }', '    duration: 1m', ''].join('\n'));
      const { out, error } = await simian(['experiment', 'run', file, '--dry-run', '--json', '--state-dir', dir, '--journal', join(dir, 'j.json')], isolated({ runnerDeps: factory }));
      expect(error).toBeUndefined();
      const journal = JSON.parse(out) as Journal;
      expect(journal.dryRun).toBe(true);
      expect(journal.method.actions.map((a) => a.decision?.reason)).toEqual(['leashed', 'leashed']);
      expect(h.memory.calls).toEqual([]);
      expect(seenOptions).toEqual(['faults']);
    });

    it('--no-viewers leaves the traffic to the caller: the wiring is told not to play the declared viewers', async () => {
      const h = runnerHarness();
      const seen: Array<string | undefined> = [];
      const factory: RunnerDepsFactory = async (_deps, options) => {
        seen.push(options.viewers);
        return { deps: h.deps, close: async () => h.close() };
      };
      const file = join(dir, 'loaded.yaml');
      await writeFile(file, ['title: loaded', 'target: { provider: memory }', 'load: { rate: 2 }', 'method:', '  - chaos: { group: api }', ''].join('\n'));
      await simian(['experiment', 'run', file, '--dry-run', '--json', '--state-dir', dir, '--journal', join(dir, 'j1.json')], isolated({ runnerDeps: factory }));
      await simian(['experiment', 'run', file, '--dry-run', '--json', '--no-viewers', '--state-dir', dir, '--journal', join(dir, 'j2.json')], isolated({ runnerDeps: factory }));
      expect(seen).toEqual([undefined, 'none']);
    });

    it('simian.yaml\'s leash and limits hold the run: a file cannot loosen them, and only --unleash lifts the leash', async () => {
      const h = runnerHarness();
      // The real wiring: the runner gets the resolved configuration's safety settings, not the harness's.
      const factory: RunnerDepsFactory = async (_deps, options) => ({ deps: { ...h.deps, safety: options.config.safety }, close: async () => undefined });
      try {
      await writeFile(join(dir, 'simian.yaml'), 'leashed: true\nsafety:\n  minInterval: 0\n');
      const file = join(dir, 'loose.yaml');
      await writeFile(file, ['title: loose', 'target: { provider: memory }', 'method:', '  - chaos: { group: db, count: 2 }', 'blast-radius: { maxGroupShare: 1, minHealthyLeft: 0 }', ''].join('\n'));
      const leashed = await simian(['experiment', 'run', file, '--json', '--journal', join(dir, 'j1.json')], isolated({ runnerDeps: factory }));
      expect(leashed.error).toMatchObject({ code: 'experiment.notTested', exitCode: 3 });
      expect((JSON.parse(leashed.out) as Journal).method.actions[0]?.decision?.reason).toBe('blast-radius');
      const unleashed = await simian(['experiment', 'run', file, '--unleash', '--json', '--journal', join(dir, 'j2.json')], isolated({ runnerDeps: factory }));
      expect(unleashed.error).toMatchObject({ code: 'experiment.notTested', exitCode: 3 });
      expect((JSON.parse(unleashed.out) as Journal).reason).toContain('safety.maxGroupShare 0.5');
      expect(h.memory.calls.filter((c) => c.method === 'terminate')).toEqual([]);
      } finally {
        h.close();
      }
    });

    it('validate lists every command an imported Chaos Toolkit file will run', async () => {
      const file = join(dir, 'ctk-shell.json');
      await writeFile(file, JSON.stringify({ title: 'shell', method: [{ type: 'action', name: 'wipe', provider: { type: 'process', path: 'sh', arguments: ['-c', 'rm -rf /tmp/x'] } }] }));
      const out = join(dir, 'shell.yaml');
      const imported = await simian(['experiment', 'import', file, '--out', out]);
      expect(imported.err).toContain("the converted experiment runs sh -c 'rm -rf /tmp/x' (method step 1 \"wipe\")");
      const validated = await simian(['experiment', 'validate', out]);
      expect(validated.out).toContain("  runs  sh -c 'rm -rf /tmp/x'  (method step 1 \"wipe\")");
    });

    it('refuses bad input with exit code 2 before doing anything', async () => {
      expect((await simian(['experiment', 'run', join(dir, 'missing.yaml'), '--state-dir', dir], isolated())).error).toMatchObject({ code: 'experiment.notFound', exitCode: 2 });
      const file = await writeExperiment();
      const noVariable = await simian(['experiment', 'run', file, '--state-dir', dir, '--journal', join(dir, 'j.json')], isolated());
      expect(noVariable.error).toMatchObject({ code: 'experiment.invalid', exitCode: 2 });
      expect(noVariable.error?.message).toContain(`${file}:5: steady-state.probes[0].http.url: unknown variable \${base}`);
      expect(seen).toEqual([]);
    });

    it('an SLO experiment without a Prometheus or a running stack is refused with experiment.sloUnavailable', async () => {
      const file = join(dir, 'slos.yaml');
      await writeFile(file, `title: SLOs and nothing to score them with\nsteady-state:\n  slos: [{ file: ${join(EXPERIMENTS, '..', 'dashboards', 'slos', 'reference-stack.yaml')}, window: 1m }]\nmethod:\n  - chaos: { group: catalog }\n`);
      const { error } = await simian(['experiment', 'run', file, '--state-dir', dir, '--journal', join(dir, 'j.json')], isolated());
      expect(error).toMatchObject({ code: 'experiment.sloUnavailable', exitCode: 2 });
      expect(existsSync(join(dir, 'j.json'))).toBe(false);
    });

    it('an experiment that plays viewers, without a running stack to play them through, is refused with experiment.noFrontDoor', async () => {
      const file = join(EXPERIMENTS, 'zone-outage.yaml');
      expect((await loadExperiment(file)).load).toBeDefined();
      const { error } = await simian(['experiment', 'run', file, '--unleash', '--state-dir', dir, '--journal', join(dir, 'j.json')], isolated());
      expect(error).toMatchObject({ code: 'experiment.noFrontDoor', exitCode: 2 });
      expect(error?.message).toMatch(/zone-outage\.yaml:\d+: load: .*start it \("simian stack up --detach"\)/);
      expect(existsSync(join(dir, 'j.json'))).toBe(false);
      expect(existsSync(join(dir, STATE_STORE_FILE))).toBe(false);
    });
  });
});
