/**
 * @module
 * Start-up and memory of the reference stack, for bench/stack.ts: how long until the first instance and every
 * instance is ready, and how much each instance process keeps resident once the stack has served a little traffic.
 * Measured three ways, since each start path costs differently:
 * - `cli`: the built CLI as a user runs it, `node bin/simian.js stack up --detach` (its exit is "all ready"; the CLI
 *   does not say when the first instance was, so that figure is absent), pids from `stack status --json`;
 * - `dist`: `ReferenceStack.start` from dist/ in this process (instances run the built JavaScript);
 * - `sources`: `ReferenceStack.start` from src/ (instances run through tsx, as in the tests).
 * Figures are printed, never asserted.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type * as ReferenceStackModule from '../src/reference-stack/stack/reference-stack.js';
import type * as TopologyModule from '../src/reference-stack/topology/topology.js';
import type * as ToxiproxyModule from '../src/toxiproxy/server.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin/simian.js');

/** Where a stack was started from. */
export type StartPath = 'cli' | 'dist' | 'sources';

/** One measured start. */
export interface Footprint {
  readonly path: StartPath;
  readonly topology: string;
  readonly instances: number;
  /** From the call to the first instance ready; absent for the CLI, which does not tell it. */
  readonly firstReadyMs: number | undefined;
  readonly allReadyMs: number;
  /** Resident set of the instance processes after the traffic, in MB. */
  readonly rssMb: { readonly median: number; readonly max: number; readonly largest: string };
  /**
   * Their proportional set (PSS): private pages plus a share of the pages they share, in MB. Most of an instance's
   * resident set is the Node binary's code, mapped once for every process; PSS is what each one adds to the machine.
   */
  readonly pssMb: { readonly median: number; readonly max: number };
  /** Resident set of the process that runs the stack (the supervisor, the proxy), in MB. */
  readonly stackProcessRssMb: number;
  /** Answers to the traffic: 2xx and others (429s from the gateways' per-client limits are expected). */
  readonly traffic: { readonly ok: number; readonly other: number };
}

/** The `field:` line (in kB) of `/proc/<pid>/<file>` in MB (Linux); NaN when it cannot be read. */
function procMb(pid: number, file: string, field: string): number {
  try {
    const kb = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/${file}`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 102.4) / 10 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Resident set of `pid` in MB; NaN when it cannot be read. */
export function residentMb(pid: number): number {
  return procMb(pid, 'status', 'VmRSS');
}

/** Proportional set of `pid` in MB (private pages, plus a share of those it shares); NaN when it cannot be read. */
export function proportionalMb(pid: number): number {
  return procMb(pid, 'smaps_rollup', 'Pss');
}

/** The median of ascending `sizes`, to a tenth. */
function medianOf(sizes: readonly number[]): number {
  const middle = sizes.length / 2;
  const median = sizes.length % 2 ? sizes[Math.floor(middle)]! : (sizes[middle - 1]! + sizes[middle]!) / 2;
  return Math.round(median * 10) / 10;
}

/** A few seconds of logged-in viewers browsing the catalog through the front door: "a little traffic". */
async function browse(frontDoorUrl: string, seconds = 3, concurrency = 4): Promise<{ ok: number; other: number }> {
  const login = await fetch(`${frontDoorUrl}/api/login`, { method: 'POST', body: JSON.stringify({ username: 'bench-viewer', password: 'simian' }) });
  const { token } = (await login.json()) as { token: string };
  const until = performance.now() + seconds * 1000;
  let ok = 0;
  let other = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const response = await fetch(`${frontDoorUrl}/api/titles?limit=1`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
        await response?.arrayBuffer();
        if (response?.ok) ok++;
        else other++;
      }
    }),
  );
  return { ok, other };
}

function proportional(entries: readonly { pid?: number | undefined }[]): Footprint['pssMb'] {
  const sizes = entries.flatMap((e) => (e.pid === undefined ? [] : [proportionalMb(e.pid)])).sort((a, b) => a - b);
  if (sizes.length === 0) return { median: Number.NaN, max: Number.NaN };
  return { median: medianOf(sizes), max: sizes.at(-1)! };
}

function summarise(entries: readonly { id: string; pid: number | undefined }[]): Footprint['rssMb'] {
  const sized = entries.flatMap((e) => (e.pid === undefined ? [] : [{ id: e.id, mb: residentMb(e.pid) }])).sort((a, b) => a.mb - b.mb);
  if (sized.length === 0) return { median: Number.NaN, max: Number.NaN, largest: '' };
  const largest = sized.at(-1)!;
  return { median: medianOf(sized.map((s) => s.mb)), max: largest.mb, largest: largest.id };
}

/** Starts `topology` with the built CLI, detached, and stops it again. */
export async function cliFootprint(topology: string): Promise<Footprint> {
  const stateDir = mkdtempSync(join(tmpdir(), 'simian-bench-cli-'));
  const cli = (...args: string[]) => run(process.execPath, [CLI, ...args, '--state-dir', stateDir], { cwd: ROOT, maxBuffer: 16 * 2 ** 20 });
  try {
    const started = performance.now();
    await cli('stack', 'up', '--topology', topology, '--detach');
    const allReadyMs = Math.round(performance.now() - started);
    const { stdout } = await cli('stack', 'status', '--json');
    const status = JSON.parse(stdout) as { pid: number; frontDoorUrl: string; instances: { id: string; pid?: number }[] };
    const traffic = await browse(status.frontDoorUrl);
    return {
      path: 'cli',
      topology,
      instances: status.instances.length,
      firstReadyMs: undefined,
      allReadyMs,
      rssMb: summarise(status.instances.map((i) => ({ id: i.id, pid: i.pid }))),
      pssMb: proportional(status.instances),
      stackProcessRssMb: residentMb(status.pid),
      traffic,
    };
  } finally {
    await cli('stack', 'down').catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * Starts `topology` with `ReferenceStack.start` in a child process of its own (so that one run's memory does not
 * count in the next), from dist/ or from src/ (through tsx), and stops it again.
 */
export function inProcessFootprint(topology: string, path: 'dist' | 'sources'): Promise<Footprint> {
  // This file needs tsx either way; instances of a stack loaded from dist/ run the built JavaScript without it.
  const args = ['--import', 'tsx', import.meta.filename, 'child', path, topology];
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.once('error', fail);
    child.once('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) ok(JSON.parse(line) as Footprint);
      else fail(new Error(`footprint child (${path}, ${topology}) exited with ${code}: ${out.slice(-2000)}`));
    });
  });
}

/** The child side of {@link inProcessFootprint}: one start, its figures as the last line of standard output. */
async function child(path: 'dist' | 'sources', topology: string): Promise<void> {
  const base = path === 'dist' ? join(ROOT, 'dist') : join(ROOT, 'src');
  const ext = path === 'dist' ? '.js' : '.ts';
  const load = (module: string) => import(pathToFileURL(join(base, `${module}${ext}`)).href);
  const { ReferenceStack } = (await load('reference-stack/stack/reference-stack')) as typeof ReferenceStackModule;
  const { loadTopology } = (await load('reference-stack/topology/topology')) as typeof TopologyModule;
  const { createToxiproxyServer } = (await load('toxiproxy/server')) as typeof ToxiproxyModule;
  const dataDir = mkdtempSync(join(tmpdir(), 'simian-bench-data-'));
  const toxiproxy = await createToxiproxyServer({ host: '127.0.0.1', port: 0 });
  const resolved = await loadTopology(topology);
  let firstReadyMs: number | undefined;
  const started = performance.now();
  const stack = await ReferenceStack.start({
    topology: resolved,
    dataDir,
    toxiproxyUrl: toxiproxy.url,
    supervising: (supervisor) => {
      supervisor.launched(() => (firstReadyMs ??= Math.round(performance.now() - started)));
    },
  });
  const allReadyMs = Math.round(performance.now() - started);
  try {
    const traffic = await browse(stack.frontDoorUrl!);
    const footprint: Footprint = {
      path,
      topology,
      instances: stack.inventory().length,
      firstReadyMs,
      allReadyMs,
      rssMb: summarise(stack.inventory()),
      pssMb: proportional(stack.inventory()),
      stackProcessRssMb: residentMb(process.pid),
      traffic,
    };
    process.stdout.write(`${JSON.stringify(footprint)}\n`);
  } finally {
    await stack.stop();
    await toxiproxy.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') await child(process.argv[3] as 'dist' | 'sources', process.argv[4]!);
