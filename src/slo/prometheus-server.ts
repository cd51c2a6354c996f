/**
 * @module
 * A real Prometheus server, started from the `prometheus` binary on PATH: on 127.0.0.1 and a free port, with its
 * TSDB and configuration in a temporary folder, scraping targets found through file-based service discovery
 * (a JSON file this module rewrites atomically whenever the targets change, e.g. when the stack replaces an
 * instance at a new address).
 *
 * Every process started is stopped: on a failed start, on `stop()`, and (with SIGKILL) when this Node process
 * exits without calling `stop()`.
 *
 * Timing to expect (Prometheus 2.42): ready in ~0.2 s, but target updates are applied on a 5 s ticker, so the first
 * scrape lands ~5 s after start or after a target change. {@link PrometheusServer.waitForTargets} waits for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import { SimianError } from '../core/errors.js';
import { promDuration } from './prometheus-sli-source.js';

/** A target for Prometheus to scrape. */
export interface PrometheusTarget {
  /** `http://127.0.0.1:41234` or `127.0.0.1:41234`; a path other than `/` becomes the metrics path. */
  readonly address: string;
  /** Target labels (`service`, `region`, `zone`, `instance`); with `honor_labels`, the target's own labels win. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Options of {@link startPrometheusServer}. */
export interface PrometheusServerOptions {
  readonly targets?: readonly PrometheusTarget[];
  /** @default 1_000 */
  readonly scrapeIntervalMs?: number;
  /** @default the scrape interval */
  readonly evaluationIntervalMs?: number;
  /** The `job` label of every target. @default 'simian' */
  readonly jobName?: string;
  /** Rule files to load (absolute paths). */
  readonly ruleFiles?: readonly string[];
  /** The binary's name or path. @default 'prometheus' */
  readonly binary?: string;
  /** @default 30_000 */
  readonly readyTimeoutMs?: number;
  /** How long SIGTERM may take before SIGKILL. @default 5_000 */
  readonly stopTimeoutMs?: number;
  /** Times the waits. @default the system clock */
  readonly clock?: Clock;
}

/** Where `name` is on PATH (or `name` itself when it is an executable path); undefined when it is nowhere. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = isAbsolute(name) || name.includes('/') ? [name] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The `prometheus` binary, or a `prometheus.notInstalled` error saying how to get one. */
export function requirePrometheusBinary(name = 'prometheus'): string {
  const found = findExecutable(name);
  if (!found) {
    throw new SimianError('prometheus.notInstalled', `no "${name}" binary on PATH; install Prometheus (Debian/Ubuntu: apt-get install --no-install-recommends prometheus)`, {
      exitCode: 2,
    });
  }
  return found;
}

/** A running Prometheus. */
export class PrometheusServer {
  private stopping: Promise<void> | undefined;
  private readonly exited: Promise<void>;
  private readonly onProcessExit = (): void => {
    this.child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  };

  /** @internal use {@link startPrometheusServer} */
  constructor(
    private readonly child: ChildProcess,
    /** `http://127.0.0.1:PORT` */
    readonly url: string,
    /** The temporary folder holding the configuration, the targets file and the TSDB; removed on stop. */
    readonly dir: string,
    private readonly targetsPath: string,
    private readonly clock: Clock,
    private readonly stopTimeoutMs: number,
    private readonly stderrTail: () => string,
  ) {
    this.exited = new Promise((resolve) => {
      if (!this.running) resolve();
      child.once('exit', () => resolve());
      // A process that could not be spawned emits 'error' and never 'exit'.
      child.once('error', () => resolve());
    });
    process.once('exit', this.onProcessExit);
  }

  /** The server's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Replaces the scraped targets. The file is swapped atomically, so Prometheus never reads half of it. */
  setTargets(targets: readonly PrometheusTarget[]): void {
    writeTargets(this.targetsPath, targets);
  }

  /**
   * Resolves once Prometheus has scraped every target of `addresses` (default: any target) successfully at least
   * once; rejects after `timeoutMs`. Target changes take up to ~5 s to be applied.
   */
  async waitForTargets(options: { readonly addresses?: readonly string[]; readonly timeoutMs?: number } = {}): Promise<void> {
    const deadline = this.clock.monotonic() + (options.timeoutMs ?? 30_000);
    const wanted = options.addresses?.map(hostPort);
    for (;;) {
      const up = await this.upTargets().catch((): string[] => []);
      if (wanted ? wanted.every((w) => up.includes(w)) : up.length > 0) return;
      if (!this.running) throw new SimianError('prometheus.startFailed', `Prometheus exited: ${this.stderrTail()}`);
      if (this.clock.monotonic() > deadline) throw new SimianError('prometheus.targetsDown', `Prometheus did not scrape its targets within ${options.timeoutMs ?? 30_000} ms (up: ${up.join(', ') || 'none'})`);
      await this.clock.sleep(100);
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL after the bound) and removes its folder. Calling it again is harmless. */
  stop(): Promise<void> {
    this.stopping ??= this.terminate().then(() => rmSync(this.dir, { recursive: true, force: true }));
    return this.stopping;
  }

  /** @internal Ends the process only (SIGTERM, SIGKILL after the bound); the folder stays. */
  async terminate(): Promise<void> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const forced = this.clock.setTimer(() => this.child.kill('SIGKILL'), this.stopTimeoutMs, { keepAlive: false });
      await this.exited;
      forced.cancel();
    }
    await this.exited;
    process.removeListener('exit', this.onProcessExit);
  }

  private async upTargets(): Promise<string[]> {
    const response = await fetch(`${this.url}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json()) as { data?: { activeTargets?: { health?: string; labels?: Record<string, string>; scrapeUrl?: string }[] } };
    return (body.data?.activeTargets ?? []).filter((t) => t.health === 'up').map((t) => (t.scrapeUrl ? hostPort(t.scrapeUrl) : ''));
  }
}

/**
 * Starts Prometheus and resolves once it answers `/-/ready`. Throws `prometheus.notInstalled` when there is no
 * binary and `prometheus.startFailed` (with the end of its log) when it does not come up; nothing is left running.
 *
 * @example
 * const prometheus = await startPrometheusServer({ targets: [{ address: 'http://127.0.0.1:41234' }] });
 * try { … new PrometheusClient({ url: prometheus.url }) … } finally { await prometheus.stop(); }
 */
export async function startPrometheusServer(options: PrometheusServerOptions = {}): Promise<PrometheusServer> {
  const binary = requirePrometheusBinary(options.binary);
  const clock = options.clock ?? systemClock;
  const dir = mkdtempSync(join(tmpdir(), 'simian-prometheus-'));
  const targetsPath = join(dir, 'targets.json');
  const configPath = join(dir, 'prometheus.yml');
  try {
    writeTargets(targetsPath, options.targets ?? []);
    writeFileSync(configPath, configText(options, targetsPath));
    // A port found free may be taken before Prometheus binds it: try again with another.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const started = await launch(binary, configPath, join(dir, 'data'), port, dir, targetsPath, clock, options);
      if (started instanceof PrometheusServer) return started;
      if (!/address already in use/i.test(started) || attempt >= 3) {
        throw new SimianError('prometheus.startFailed', `Prometheus did not start: ${started}`);
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Starts one process; returns the server once ready, or its log tail when it exited or never became ready. */
async function launch(
  binary: string,
  configPath: string,
  dataPath: string,
  port: number,
  dir: string,
  targetsPath: string,
  clock: Clock,
  options: PrometheusServerOptions,
): Promise<PrometheusServer | string> {
  const child = spawn(
    binary,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${dataPath}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    log = (log + chunk).slice(-4_000);
  });
  let spawnFailure: string | undefined;
  child.once('error', (error) => {
    spawnFailure = `cannot run ${binary}: ${error.message}`;
  });
  const server = new PrometheusServer(child, `http://127.0.0.1:${port}`, dir, targetsPath, clock, options.stopTimeoutMs ?? 5_000, () => log.trim());
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const deadline = clock.monotonic() + readyTimeoutMs;
  let failure: string;
  for (;;) {
    if (spawnFailure !== undefined) {
      failure = spawnFailure;
      break;
    }
    const ready = await fetch(`${server.url}/-/ready`, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return server;
    if (!server.running && child.pid !== undefined) {
      failure = log.trim() || `exited with code ${child.exitCode}`;
      break;
    }
    if (clock.monotonic() > deadline) {
      failure = `not ready within ${readyTimeoutMs} ms${log ? `: ${log.trim()}` : ''}`;
      break;
    }
    await clock.sleep(50);
  }
  // The folder is shared with the next attempt: only the process goes here.
  await server.terminate();
  return failure;
}

function configText(options: PrometheusServerOptions, targetsPath: string): string {
  const scrape = promDuration(options.scrapeIntervalMs ?? 1_000);
  const config = {
    global: {
      scrape_interval: scrape,
      scrape_timeout: scrape,
      evaluation_interval: promDuration(options.evaluationIntervalMs ?? options.scrapeIntervalMs ?? 1_000),
    },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: [
      {
        job_name: options.jobName ?? 'simian',
        // The instances' own labels (region, zone, instance) are the truth; the same series as a direct scrape sees.
        honor_labels: true,
        file_sd_configs: [{ files: [targetsPath], refresh_interval: '5s' }],
      },
    ],
  };
  // JSON is YAML.
  return `${JSON.stringify(config, null, 2)}\n`;
}

function writeTargets(path: string, targets: readonly PrometheusTarget[]): void {
  const groups = targets.map((target) => {
    const labels: Record<string, string> = { ...target.labels };
    const url = target.address.includes('://') ? new URL(target.address) : undefined;
    if (url && url.pathname !== '/' && url.pathname !== '') labels.__metrics_path__ = url.pathname;
    if (url?.protocol === 'https:') labels.__scheme__ = 'https';
    return { targets: [hostPort(target.address)], labels };
  });
  // Prometheus watches targets.json only, so the temporary file is never read; the rename swaps it whole.
  writeFileSync(`${path}.tmp`, `${JSON.stringify(groups, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** `http://127.0.0.1:41234/metrics` → `127.0.0.1:41234`. */
function hostPort(address: string): string {
  return address.includes('://') ? new URL(address).host : address;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
