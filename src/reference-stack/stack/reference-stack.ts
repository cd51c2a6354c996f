/**
 * @module
 * The whole reference stack in one object: a fault proxy in front of every instance, discovery first, then the
 * services and the front doors, each instance a real process (the bundle of `instance-bundle.ts`) kept alive by the
 * supervisor. The stack holds the evacuated regions for every front door (`region-evacuations.ts`).
 */
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock.js';
import { SimianError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { makePrivateDir } from '../../core/private-files.js';
import { ChildProcessLauncher } from '../supervisor/child-process-launcher.js';
import type { SupervisedInstance } from '../supervisor/supervised-instance.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { desiredInstances, type DesiredInstance } from '../topology/desired-instances.js';
import type { Topology } from '../topology/topology-schema.js';
import { instanceEntry } from './instance-bundle.js';
import { RegionEvacuations, type EvacuationState } from './region-evacuations.js';
import type { StackInstanceConfig } from './stack-config.js';
import { newStackToken } from './stack-token.js';
import { createProxy } from './toxiproxy-admin.js';

/**
 * Node options of every instance process. The young generation is capped: left alone, V8 grows each semi-space to
 * 16 MB under request traffic, and a few dozen instances that each keep up to 48 MB of mostly empty nursery do not
 * fit a laptop. Objects of one request die young and small, so a 1 MB semi-space costs more frequent but short
 * scavenges, not throughput (bench/stack.ts measures both).
 */
export const INSTANCE_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=1'];

/** Options of {@link ReferenceStack.start}. */
export interface ReferenceStackOptions {
  topology: Topology;
  /** Where billing keeps its databases; created owner-only (0700) when missing. */
  dataDir: string;
  /**
   * What the stack's mutating admin routes require as `Authorization: Bearer <token>`; instances get it in their
   * launch environment. @default a new random token ({@link ReferenceStack.stackToken})
   */
  stackToken?: string;
  /** A running Toxiproxy-compatible admin API; every instance is reached through a proxy of its own there. */
  toxiproxyUrl: string;
  clock?: Clock;
  logger?: Logger;
  /** Instance output (stdout/stderr). @default 'ignore' */
  output?: 'inherit' | 'ignore';
  /**
   * How long one instance may take to start. Generous: on a 2-core machine, a score of Node processes loading at
   * once (from TypeScript sources, through tsx) take many seconds each. @default 60_000
   */
  readyTimeoutMs?: number;
  /** Called with the supervisor before the first instance starts: a host follows the start (progress) from here. */
  supervising?: (supervisor: Supervisor) => void;
}

/** An instance with the address the rest of the stack reaches it by. */
export interface StackInstance extends SupervisedInstance {
  /** The proxied address (what discovery holds). */
  readonly publicAddress: string;
}

/** A running reference stack. */
export class ReferenceStack {
  private constructor(
    readonly supervisor: Supervisor,
    private readonly publicAddresses: ReadonlyMap<string, string>,
    /** Every front door, through its proxy, in slot order. */
    readonly frontDoorUrls: readonly string[],
    readonly toxiproxyUrl: string,
    /** The token the front door's and discovery's mutating routes require. */
    readonly stackToken: string,
    /** The evacuated regions, sent to every front door. */
    readonly evacuations: RegionEvacuations,
  ) {}

  /** The first front door, through its proxy. */
  get frontDoorUrl(): string | undefined {
    return this.frontDoorUrls[0];
  }

  /** Starts every instance of `topology`; resolves once all are ready. */
  static async start(options: ReferenceStackOptions): Promise<ReferenceStack> {
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? silentLogger;
    makePrivateDir(options.dataDir);
    const stackToken = options.stackToken ?? newStackToken();
    const slots = desiredInstances(options.topology);
    // Every proxy exists before any instance starts, so every address is known up front: discovery's addresses go
    // into every instance's settings, and a replaced instance keeps its public address.
    // Created together: one after another they cost a round trip each before the first instance could start.
    // Port 9 (discard) refuses connections: until the instance points its proxy at itself, callers see it down.
    // The instance entry is found (or, from the sources, bundled) meanwhile.
    const [entry, proxies] = await Promise.all([
      instanceEntry(import.meta.url),
      Promise.all(slots.map((slot) => createProxy(options.toxiproxyUrl, { name: slot.id, listen: '127.0.0.1:0', upstream: '127.0.0.1:9' }))),
    ]);
    const publicAddresses = new Map<string, string>(slots.map((slot, i) => [slot.id, `http://${proxies[i]!.listen}`]));
    const regions = options.topology.regions.map((r) => r.name);
    const discoveryUrls = Object.fromEntries(
      regions.map((region) => [region, slots.filter((s) => s.service === 'discovery' && s.region === region).map((s) => publicAddresses.get(s.id)!)]),
    );
    const shared: Omit<StackInstanceConfig, 'publicAddress' | 'proxyName'> = {
      tokenSecret: randomBytes(24).toString('hex'),
      stackToken,
      regions,
      discoveryUrls,
      toxiproxyUrl: options.toxiproxyUrl,
      dataDir: options.dataDir,
    };
    const launchedBefore = new Set<string>();
    const launcher = new ChildProcessLauncher({
      entry,
      clock,
      output: options.output ?? 'ignore',
      readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
      execArgv: INSTANCE_EXEC_ARGV,
      config: (slot: DesiredInstance): StackInstanceConfig & Record<string, unknown> => {
        // A slot's first launch is part of the first start, where discovery's peers start empty alongside it; a
        // later one (a replacement) copies what its peers hold before it serves.
        const warmUp = launchedBefore.has(slot.id);
        launchedBefore.add(slot.id);
        const evacuation = slot.service === 'frontdoor' ? { evacuation: evacuations.state } : {};
        return { ...shared, publicAddress: publicAddresses.get(slot.id), proxyName: slot.id, warmUp, ...evacuation };
      },
    });
    const supervisor = new Supervisor({ topology: options.topology, launcher, clock, logger });
    // Made after the launcher, whose settings of a front door read it only when the supervisor starts one.
    const evacuations: RegionEvacuations = new RegionEvacuations(regions, (state): Promise<void> => sendToRunningFrontDoors(supervisor.inventory(), state, stackToken));
    // A front door launched with an older list than the stack now holds (a change while it started) catches up
    // once it is ready: each new front door is sent the list then, unless nothing was ever evacuated; a copy of
    // the list it already has changes nothing (same version).
    supervisor.launched(({ instance }) => {
      const state = evacuations.state;
      if (instance.service !== 'frontdoor' || !instance.address || state.version === 0) return;
      void sendEvacuations(instance.address, state, stackToken).catch((error: unknown) =>
        logger.warn({ err: error, instance: instance.id }, 'a new front door did not take the evacuation list'),
      );
    });
    const frontDoorUrls = slots.filter((s) => s.service === 'frontdoor').map((s) => publicAddresses.get(s.id)!);
    const stack = new ReferenceStack(supervisor, publicAddresses, frontDoorUrls, options.toxiproxyUrl, stackToken, evacuations);
    options.supervising?.(supervisor);
    try {
      await supervisor.start();
    } catch (error) {
      await supervisor.stop();
      throw error;
    }
    return stack;
  }

  /** Every instance, with its pid, direct and public addresses. */
  inventory(): StackInstance[] {
    return this.supervisor.inventory().map((i) => ({ ...i, publicAddress: this.publicAddresses.get(i.id)! }));
  }

  /** Stops every instance; resolves when all have exited. */
  stop(): Promise<void> {
    return this.supervisor.stop();
  }
}

/** How long a front door may take to take an evacuation list. */
const SEND_TIMEOUT_MS = 2_000;

/** Sends the list to one front door, on its direct address: a toxic on its proxy is for viewers, not for the stack. */
async function sendEvacuations(address: string, state: EvacuationState, stackToken: string): Promise<void> {
  const response = await fetch(new URL('/admin/evacuations', address), {
    method: 'PUT',
    headers: { authorization: `Bearer ${stackToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(state),
    signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status} ${text.slice(0, 200)}`.trim());
}

/**
 * Sends the list to every running front door. One that is down is skipped: it is launched again with the list.
 * @throws SimianError `stack.evacuationNotSent` naming each running front door that did not take it
 */
async function sendToRunningFrontDoors(instances: readonly SupervisedInstance[], state: EvacuationState, stackToken: string): Promise<void> {
  const running = instances.filter((i) => i.service === 'frontdoor' && i.state === 'running' && i.address);
  const results = await Promise.allSettled(running.map((i) => sendEvacuations(i.address!, state, stackToken)));
  const failed = results.flatMap((result, n) => (result.status === 'rejected' ? [`${running[n]!.id}: ${messageOf(result.reason)}`] : []));
  if (failed.length > 0) {
    throw new SimianError('stack.evacuationNotSent', `the stack holds the new list, but ${failed.length === 1 ? 'a front door' : 'front doors'} did not take it: ${failed.join('; ')}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
