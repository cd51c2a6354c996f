/**
 * The game-day console, the built binary in a real terminal: tmux at 80×24 on its own socket. Start on `small`,
 * kill an instance and see it go down and come back, drop a zone, halt, quit; afterwards no process of the stack is
 * left, every fault is reverted, the terminal is back from the alternate screen, and no frame was as tall as the
 * terminal (ink 6.8 clears the whole screen before such a frame: the clear never appears in the output). Then the
 * same console on another platform (a loopback fake kube-apiserver through a kubeconfig): leashed, so a kill is
 * decided by the pipeline and refused as leashed, and the cluster sees no delete. And attached to a stack that
 * `simian stack up --detach` runs: a kill there is seen replaced, and quitting leaves the stack running.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeKubeApiserver, sampleCluster } from '../support/fake-kube-apiserver.js';
import { writeKubeconfig } from '../support/kubeconfig-file.js';
import { killAll, processesMentioning, waitUntil } from '../support/processes.js';

const BIN = resolve('bin/simian.js');
/** ink 6.8's clearTerminal (ansi-escapes, not Windows): written only before a frame at least as tall as the screen. */
const CLEAR_TERMINAL = '\u001b[2J\u001b[3J\u001b[H';

describe('simian gameday in a real terminal (tmux 80×24)', () => {
  // The server's socket lives in the test's own folder: removing the folder leaves no socket file behind.
  const tmux = (...args: string[]) => execFileSync('tmux', ['-S', join(dir, 'tmux.sock'), ...args], { encoding: 'utf8' });
  const screen = () => tmux('capture-pane', '-t', 't', '-p');
  /** Waits until the screen shows `predicate`, or fails with the screen. */
  const until = (what: string, predicate: (s: string) => boolean, timeoutMs = 60_000) =>
    waitUntil(() => predicate(screen()), `${what}; the screen:\n${screen()}`, { timeoutMs, intervalMs: 200 });
  const press = (...keys: string[]) => tmux('send-keys', '-t', 't', ...keys);
  let dir: string;
  let cluster: FakeKubeApiserver | undefined;

  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
    try {
      tmux('kill-server');
    } catch {
      // Already gone.
    }
    killAll(processesMentioning(dir));
    rmSync(dir, { recursive: true, force: true });
  });

  it('kills an instance, drops a zone, halts and quits, leaving nothing behind', async () => {
    dir = mkdtempSync(join(tmpdir(), 'simian-console-'));
    const stateDir = join(dir, 'state');
    const log = join(dir, 'output.log');
    // Several faults on the same groups within seconds: the hour between faults in a group is for production.
    writeFileSync(join(dir, 'simian.yaml'), `stateDir: ${stateDir}\nsafety:\n  minInterval: 0\n  maxFaultsPerGroupPerDay: 100\n`);
    // ink draws only the last frame when CI is set (is-in-ci); a person's terminal has no CI.
    const command = `cd ${dir} && env -u CI ${process.execPath} ${BIN} gameday --topology small --rate 4 --duration 2m; echo "exit status $?"`;
    tmux('new-session', '-d', '-s', 't', '-x', '80', '-y', '24', command);
    tmux('set-option', '-t', 't', 'remain-on-exit', 'on');
    tmux('pipe-pane', '-t', 't', '-o', `cat >> ${log}`);

    await until('the drill runs', (s) => s.includes('t+00:') && s.includes('c kill'), 120_000);
    expect(screen().split('\n')[0]).toContain('UNLEASHED');

    // Chaos Monkey on a named instance: the picker, the confirmation, the kill, the replacement.
    press('c');
    await until('the picker opens', (s) => s.includes('a random instance'));
    press('Down');
    await until('the first instance is selected', (s) => /› gateway-us-east-1a-0/.test(s));
    press('Enter');
    await until('the confirmation names the target and what stays healthy', (s) => s.includes('blast radius') && s.includes('gateway-us-east-1a-0') && s.includes('left serving'));
    press('Enter');
    await until('the instance goes down', (s) => s.includes('killed gateway-us-east-1a-0'));
    await until('the supervisor replaces it', (s) => s.includes('replaced'), 60_000);

    // Chaos Gorilla on a zone, after Esc backs out of a first try.
    press('g');
    await until('the zone picker opens', (s) => s.includes('drop which zone'));
    press('Escape');
    await until('Esc backs out', (s) => !s.includes('drop which zone') && s.includes('c kill'));
    press('g');
    await until('the zone picker opens again', (s) => s.includes('drop which zone'));
    press('Enter');
    await until('the confirmation', (s) => s.includes('take zone us-east/us-east-1a down'));
    press('Enter');
    await until('the zone is down', (s) => s.includes('1 active') && s.includes('⊘'));

    // Halt: every fault reverted, the kill switch engaged.
    press('H');
    await until('the halt confirmation', (s) => s.includes('revert every fault'));
    press('Enter');
    await until('halted', (s) => s.includes('KILL SWITCH') && s.includes('none in force'));

    press('q');
    await until('the console is gone and the report written', (s) => s.includes('exit status') && s.includes('report:'), 120_000);
    const final = screen();
    expect(final).toMatch(/report: .*drills\/drill-.*\.md/);

    expect(processesMentioning(stateDir)).toEqual([]);
    expect(existsSync(join(stateDir, 'kill-switch'))).toBe(true);
    // Every fault the console injected is recorded as reverted: nothing is left in force.
    const history = JSON.parse(execFileSync(process.execPath, [BIN, 'history', '--json', '--state-dir', stateDir], { encoding: 'utf8' })) as Array<{ type: string; kind?: string; revert?: { trigger: string } }>;
    const zone = history.find((e) => e.kind === 'zone-outage');
    expect(zone?.revert?.trigger).toBe('kill-switch');
    const output = readFileSync(log, 'utf8');
    expect(output).toContain('\u001b[?1049h');
    expect(output).toContain('\u001b[?1049l');
    expect(output.includes(CLEAR_TERMINAL)).toBe(false);
  }, 300_000);

  it('on another platform stays leashed: a kill is refused as leashed and the cluster sees no delete', async () => {
    dir = mkdtempSync(join(tmpdir(), 'simian-console-'));
    cluster = await FakeKubeApiserver.start(sampleCluster());
    const kubeconfig = writeKubeconfig(join(dir, 'kubeconfig'), cluster.url);
    const command = `cd ${dir} && env -u CI ${process.execPath} ${BIN} gameday --provider kubernetes --kubeconfig ${kubeconfig} --state-dir ${join(dir, 'state')}; echo "exit status $?"`;
    tmux('new-session', '-d', '-s', 't', '-x', '80', '-y', '24', command);
    tmux('set-option', '-t', 't', 'remain-on-exit', 'on');

    await until('the drill runs on the cluster', (s) => s.includes('t+00:') && s.includes('c kill'));
    const header = screen().split('\n')[0]!;
    expect(header).toContain('kubernetes');
    expect(header).toContain('LEASHED');
    expect(header).not.toContain('UNLEASHED');
    expect(screen()).toContain('web');

    press('c');
    await until('the picker opens', (s) => s.includes('a random instance'));
    press('Enter');
    await until('the confirmation', (s) => s.includes('blast radius'));
    press('Enter');
    await until('the pipeline refuses it as leashed', (s) => s.includes('refused (leashed)'));
    press('q');
    // No Prometheus watches the fake cluster: nothing measured the SLOs, so the drill is inconclusive (3).
    await until('the console is gone and the report written', (s) => s.includes('exit status 3') && s.includes('report:'));
    expect(cluster.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(cluster.requests.some((r) => r.method === 'GET' && r.path.includes('/pods'))).toBe(true);
  }, 120_000);

  it('attached to a detached stack: a kill is seen replaced, and quitting leaves the stack running', async () => {
    dir = mkdtempSync(join(tmpdir(), 'simian-console-'));
    const stateDir = join(dir, 'state');
    const simian = (...args: string[]) => execFileSync(process.execPath, [BIN, ...args, '--state-dir', stateDir], { encoding: 'utf8', cwd: dir });
    simian('stack', 'up', '--detach', '--topology', 'small');
    try {
      const command = `cd ${dir} && env -u CI ${process.execPath} ${BIN} gameday --attach --rate 2 --state-dir ${stateDir}; echo "exit status $?"`;
      tmux('new-session', '-d', '-s', 't', '-x', '80', '-y', '24', command);
      tmux('set-option', '-t', 't', 'remain-on-exit', 'on');

      await until('the drill runs on the attached stack', (s) => s.includes('t+00:') && s.includes('c kill'));
      press('c');
      await until('the picker opens', (s) => s.includes('a random instance'));
      press('Down');
      await until('the first instance is selected', (s) => /› \S+-0/.test(s));
      press('Enter');
      await until('the confirmation', (s) => s.includes('blast radius'));
      press('Enter');
      await until('the instance goes down', (s) => s.includes('killed '));
      // The supervisor runs in the stack's process: the attached console sees the replacement in the inventory.
      await until('the stack replaces it', (s) => s.includes('replaced'));
      press('q');
      await until('the console is gone and the report written', (s) => s.includes('exit status') && s.includes('report:'));

      const status = JSON.parse(simian('stack', 'status', '--json')) as { instances: Array<{ state: string }> };
      expect(status.instances.length).toBeGreaterThan(0);
      expect(status.instances.every((i) => i.state === 'running' || i.state === 'starting')).toBe(true);
    } finally {
      simian('stack', 'down');
    }
    // The tmux server's own command line names the state directory: it goes first.
    tmux('kill-server');
    expect(processesMentioning(stateDir)).toEqual([]);
  }, 180_000);
});
