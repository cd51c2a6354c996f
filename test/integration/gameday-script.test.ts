/**
 * `simian gameday --script FILE --no-ui`, the built binary on a real `small` stack: the drill without a terminal
 * that CI runs (issue 11). It starts the stack and the viewers itself, runs the experiment as the drill, writes the
 * report, and leaves nothing running. Stopped by SIGTERM mid-fault, it reverts the fault and still leaves nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, processesMentioning, waitUntil } from '../support/processes.js';

const BIN = resolve('bin/simian.js');
const dirs: string[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  // Whatever a failed run left: every process of a stack names its state directory.
  for (const dir of dirs) killAll(processesMentioning(dir));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): { stdout: string; stderr: string };
}

function gameday(args: string[], stateDir: string): Run {
  let stdout = '';
  let stderr = '';
  const child = spawn(process.execPath, [BIN, 'gameday', '--no-ui', '--topology', 'small', '--state-dir', stateDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('simian gameday --script --no-ui (built binary, small stack)', () => {
  it('runs experiments/chaos-monkey.yaml as the drill, passes, writes the report, and leaves no process behind', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'simian-gameday-'));
    dirs.push(stateDir);
    const reportPath = join(stateDir, 'report.json');
    const run = gameday(['--script', 'experiments/chaos-monkey.yaml', '--report', reportPath, '--rate', '6'], stateDir);
    await waitUntil(() => processesMentioning(stateDir).length >= 19, 'the stack is up', { timeoutMs: 120_000 });
    const { code } = await run.exited;
    const { stdout, stderr } = run.output();
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('passed');
    expect(stdout).toContain(reportPath.replace(/\.json$/, '.md'));
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as {
      verdict: string;
      faults: Array<{ description: string; endedBy: string | null; timeToRecoverMs: number | null }>;
      slos: Array<{ name: string; during: { successRatio?: number } }>;
      experiments: Array<{ verdict: string }>;
      stillActive: string[];
      viewers: { sessions: number; billing: { lost: number; duplicated: number } };
    };
    expect(report.verdict).toBe('passed');
    expect(report.experiments.map((e) => e.verdict)).toEqual(['passed']);
    // One kill per service, each replaced by the supervisor.
    expect(report.faults).toHaveLength(9);
    expect(report.faults.every((f) => f.endedBy === 'replaced' && f.timeToRecoverMs !== null)).toBe(true);
    expect(report.slos.find((s) => s.name === 'gateway-availability')?.during.successRatio).toBeGreaterThan(0.99);
    expect(report.stillActive).toEqual([]);
    expect(report.viewers.sessions).toBeGreaterThan(100);
    expect(report.viewers.billing).toMatchObject({ lost: 0, duplicated: 0 });
    expect(readFileSync(reportPath.replace(/\.json$/, '.md'), 'utf8')).toContain('## Action items');
    expect(processesMentioning(stateDir)).toEqual([]);
    expect(existsSync(join(stateDir, 'stack.json'))).toBe(false);
  }, 420_000);

  it('stopped by SIGTERM while the stack is still starting, stops it once it is up and leaves no process behind', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'simian-gameday-early-'));
    dirs.push(stateDir);
    const run = gameday(['--script', 'experiments/chaos-monkey.yaml'], stateDir);
    // Some instances are up, not all: the host is in the middle of its start.
    await waitUntil(() => run.output().stderr.includes('5 of 20 instances up'), 'the stack is starting', { timeoutMs: 120_000 });
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    expect(code, run.output().stderr).toBe(143);
    expect(processesMentioning(stateDir)).toEqual([]);
    expect(existsSync(join(stateDir, 'stack.json'))).toBe(false);
  }, 180_000);

  it('stopped by SIGTERM while a fault is in force, reverts it, stops the stack, writes the report and exits 143', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'simian-gameday-term-'));
    dirs.push(stateDir);
    // A short window, and a latency fault that would last ten minutes: only the signal can end it in time.
    const experiment = join(stateDir, 'slow.yaml');
    writeFileSync(
      experiment,
      [
        'title: slow the catalog for a long time',
        'target: { provider: local }',
        'steady-state:',
        '  slos:',
        `    - { file: ${resolve('dashboards/slos/reference-stack.yaml')}, names: [gateway-availability], window: 5s }`,
        'method:',
        '  - name: slow the catalog',
        '    latency: { group: catalog, toxic: { type: latency, latency: 200ms } }',
        '    duration: 10m',
        '',
      ].join('\n'),
    );
    const reportPath = join(stateDir, 'report.json');
    const run = gameday(['--script', experiment, '--report', reportPath], stateDir);
    await waitUntil(() => run.output().stderr.includes('fault: latency:'), 'the latency fault is in force', { timeoutMs: 120_000 });
    expect(processesMentioning(stateDir).length).toBeGreaterThanOrEqual(19);
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    const { stderr } = run.output();
    expect(code, stderr).toBe(143);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as { faults: Array<{ description: string; endedBy: string | null }>; stillActive: string[] };
    expect(report.faults).toHaveLength(1);
    expect(report.faults[0]!.endedBy).not.toBeNull();
    expect(report.stillActive).toEqual([]);
    expect(processesMentioning(stateDir)).toEqual([]);
  }, 240_000);
});
