/**
 * @module
 * `simian daemon`: the long-running front end. Every tick, the leader works through the day's plan (each due
 * entry claimed in the state store, then Chaos Monkey on its group through the engine and its safety pipeline,
 * the outage check first) and starts the experiments whose cron time has come; every daemon serves the API. A
 * daemon that does not lead plans nothing new and acts on nothing: it answers reads and waits for the lease.
 *
 * What it injected is reverted when it stops (experiments are aborted, which reverts their faults and runs their
 * rollbacks); what a killed daemon leaves is reverted by the next start, as for every other front end.
 */
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Random } from '../core/random.js';
import type { SimianConfig } from '../config/simian-config.js';
import { EngineEvents, type EngineEvent } from '../engine/events.js';
import { openFaultRun, type FaultRun } from '../engine/fault-run.js';
import { engageKillSwitchFile, releaseKillSwitchFile } from '../engine/kill-switch-file.js';
import type { AuditRun } from '../engine/audit-run.js';
import { runJanitorMonkey } from '../engine/janitor-run.js';
import type { JanitorNotice } from '../monkeys/janitor/janitor-monkey.js';
import type { ProviderRegistry } from '../engine/provider-registry.js';
import { killSwitchReason } from '../monkeys/safety/kill-switch-watch.js';
import type { SafetyPipeline } from '../monkeys/safety/safety-pipeline.js';
import type { Provider } from '../providers/provider.js';
import type { Fence } from '../state/index.js';
import type { StateStore } from '../state/state-store.js';
import { createDaemonApi } from './api/daemon-api.js';
import type { OnDemandChaosRequest } from './api/on-demand-chaos.js';
import type { ChaosEvent, DaemonControl, KillSwitchState, OnDemandOutcome } from './daemon-control.js';
import { hitGroup, onDemandHit, onDemandOutcome, type FaultSeams } from './daemon-faults.js';
import { DaemonMetrics } from './daemon-metrics.js';
import { EventLog } from './event-log.js';
import { AuditRunner, type RunAudit } from './audit-runner.js';
import type { Leadership } from './leadership.js';
import type { PlanBook, PlannedEntry, PlanView } from './plan-book.js';
import { CronRunner, type CronRunnerSeams } from './cron-runner.js';

/** A planned entry this late is missed, not run: the day it was planned for has moved on without it. */
export const CATCH_UP_MS = 300_000;
/** An entry still `running` this long after its claim belonged to a daemon that died mid-fault: never retried. */
export const ABANDONED_MS = 600_000;

/** What {@link startDaemon} needs. */
export interface DaemonOptions {
  readonly config: SimianConfig;
  readonly providers: ProviderRegistry;
  readonly clock: Clock;
  readonly random: Random;
  /** This process: the owner of the faults it holds. */
  readonly pid: number;
  /** The API's bearer token (already resolved: `api-token.ts`). */
  readonly token: string;
  /** Elects this daemon among those sharing its lease (the elector keeps its own connection to the lease). */
  elect(onChange: (leading: boolean) => void): Promise<Leadership>;
  /** The day's plans over the run's open state store. */
  planBook(store: StateStore, config: SimianConfig): PlanBook;
  /** Every event the daemon sees, for its log and notifications. */
  readonly onEvent?: (event: DaemonEvent) => void;
  /** Runs a scheduled audit (`audit.cron`): the engine's unless a test gives another. */
  readonly runAudit?: RunAudit;
  /** Also told every event (`notify/webhook-notifier.ts`); the daemon registers its metrics and closes it last. */
  readonly notifier?: DaemonNotifier | undefined;
}

/** Who else hears of every event: `notify` must return at once and never throw, so a fault never waits on it. */
export interface DaemonNotifier {
  notify(event: DaemonEvent): void;
  /** Adds its metrics to the daemon's `/metrics`. */
  register?(registry: DaemonMetrics['registry']): void;
  /** Flushes what it holds, within a bound of its own. */
  close(): Promise<void>;
}

/** What the daemon tells: the engine's events, and its own. */
export type DaemonEvent =
  | EngineEvent
  | { readonly kind: 'leader'; readonly at: number; readonly leading: boolean; readonly holder?: string }
  | { readonly kind: 'plan'; readonly at: number; readonly entry: PlannedEntry; readonly status: 'done' | 'skipped' | 'missed'; readonly reason?: string }
  | { readonly kind: 'config'; readonly at: number; readonly message: string }
  | { readonly kind: 'findings'; readonly at: number; readonly run: AuditRun }
  | { readonly kind: 'janitor'; readonly at: number; readonly provider: string; readonly notice: JanitorNotice };

/** A running daemon. */
export interface RunningDaemon {
  /** The API's base URL. */
  readonly url: string;
  readonly control: DaemonControl;
  /** Runs one tick now (the loop runs them every `daemon.tick`). */
  tick(): Promise<void>;
  /** Applies a re-read configuration: the schedule, safety and outage check; the API and lease need a restart. */
  reload(config: SimianConfig): Promise<void>;
  /** Stops ticking, aborts experiments (reverting their faults), gives up the lease, closes the API and store. */
  stop(): Promise<void>;
}

/** The parts of a daemon that a reload replaces. */
interface Wiring {
  readonly config: SimianConfig;
  readonly run: FaultRun;
  readonly provider: Provider;
  readonly pipeline: SafetyPipeline;
  readonly book: PlanBook;
}

/** Starts a daemon: the store, the lease, the API, the tick loop. */
export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const { clock, random } = options;
  const events = new EngineEvents();
  const log = new EventLog();
  const tell = (event: DaemonEvent): void => {
    log.add(event as unknown as Parameters<EventLog['add']>[0]);
    options.onEvent?.(event);
    options.notifier?.notify(event);
  };
  events.on(tell);

  const wire = async (config: SimianConfig): Promise<Wiring> => {
    const run = await openFaultRun({ config, providers: options.providers, clock, random, events, ownerPid: options.pid, providersFirst: [config.daemon.provider] });
    const provider = run.provider(config.daemon.provider);
    return { config, run, provider, pipeline: run.pipeline(provider), book: options.planBook(run.store, config) };
  };
  let wiring = await wire(options.config);
  const stopping = new AbortController();
  let leadership: Leadership | undefined;
  let lastTickAt: number | undefined;
  let ticking: Promise<void> = Promise.resolve();
  try {
    leadership = await options.elect((leading) => tell({ kind: 'leader', at: clock.now(), leading, ...(leadership?.holder() ? { holder: leadership.holder()! } : {}) }));
  } catch (error) {
    await wiring.run.close();
    await options.notifier?.close();
    throw error;
  }
  const leads = (): boolean => leadership?.isLeader() === true;
  // The fence of the last lease this daemon held: one that lost the lease between its check and the record still
  // records with the token it had, which the store refuses once another holds the lease.
  let lastFence: Fence = { token: -1 };
  const seams = (): FaultSeams => {
    lastFence = leadership?.fence() ?? lastFence;
    wiring.run.store.fence(lastFence);
    return { run: wiring.run, provider: wiring.provider, pipeline: wiring.pipeline, clock, random, events };
  };
  const cron = new CronRunner({
    clock,
    events,
    startedAt: clock.now(),
    seams: (): CronRunnerSeams => ({ config: wiring.config, providers: options.providers, random, ownerPid: options.pid }),
    signal: stopping.signal,
  });

  const nextFaultAt = (): number | undefined => {
    const now = clock.now();
    return safePlan(now)?.entries.find((e) => e.status === 'planned' && e.at >= now)?.at;
  };
  const safePlan = (now: number): PlanView | undefined => {
    try {
      return wiring.book.today(now);
    } catch {
      return undefined;
    }
  };
  const metrics = new DaemonMetrics(wiring.run.store, {
    isLeader: leads,
    nextFaultAt,
    entryCounts: () => {
      const counts: Partial<Record<PlannedEntry['status'], number>> = {};
      for (const entry of safePlan(clock.now())?.entries ?? []) counts[entry.status] = (counts[entry.status] ?? 0) + 1;
      return counts;
    },
  });
  options.notifier?.register?.(metrics.registry);
  const audits = new AuditRunner({
    clock,
    events,
    startedAt: clock.now(),
    registry: metrics.registry,
    seams: () => ({ config: wiring.config, providers: options.providers }),
    onRun: (run) => tell({ kind: 'findings', at: clock.now(), run }),
    ...(options.runAudit ? { runAudit: options.runAudit } : {}),
    runJanitor: (config, providers) => {
      // seams() fences the store with this leader's token: a deposed leader's cleanup is refused its record.
      const { run } = seams();
      const provider = config.daemon.provider;
      return runJanitorMonkey(run, provider, config, providers, { clock, notify: (notice) => tell({ kind: 'janitor', at: clock.now(), provider, notice }) });
    },
  });

  const finish = (entry: PlannedEntry, status: 'done' | 'skipped' | 'missed', reason?: string): void => {
    wiring.book.finish(entry.id, status, reason);
    if (status !== 'done') metrics.skipped(status === 'missed' ? 'missed' : (reason?.split(':')[0] ?? 'skipped'));
    tell({ kind: 'plan', at: clock.now(), entry, status, ...(reason ? { reason } : {}) });
  };

  /** One entry that is due: claimed, then hit through the pipeline, then finished. */
  const runEntry = async (entry: PlannedEntry, now: number): Promise<void> => {
    if (now - entry.at > CATCH_UP_MS) return finish(entry, 'missed', `due at ${new Date(entry.at).toISOString()}; no daemon led then`);
    const claim = wiring.book.claim(entry, now);
    if (!claim.claimed) {
      // Another daemon has it (or it is gone from the plan): theirs to finish. A refusal of ours is the outcome.
      if (claim.reason === 'already-claimed' || claim.reason === 'unknown-entry') return;
      return finish(entry, 'skipped', `${claim.reason}: ${claim.detail}`);
    }
    const active = wiring.run.store.activeFaults().length;
    if (active >= wiring.config.schedule.maxActive) return finish(entry, 'skipped', `max-active: ${active} fault(s) in force (schedule.maxActive is ${wiring.config.schedule.maxActive})`);
    const token = leadership?.fence()?.token;
    const hit = await hitGroup(seams(), { group: entry.group, groupType: 'group', chaosType: 'ShutdownInstance', source: 'schedule', ...(token === undefined ? {} : { fencingToken: token }) });
    if ('error' in hit.outcome) return finish(entry, 'skipped', `failed: ${errorMessage(hit.outcome.error)}`);
    const { decision } = hit.outcome;
    if (decision.outcome === 'executed') return finish(entry, 'done');
    if (decision.outcome === 'failed') return finish(entry, 'skipped', `failed: ${errorMessage(decision.error)}`);
    return finish(entry, 'skipped', `${decision.reason}: ${decision.detail}`);
  };

  const tickOnce = async (): Promise<void> => {
    const role = leads() ? 'leader' : 'standby';
    await work();
    metrics.ticked(role);
  };
  const work = async (): Promise<void> => {
    lastTickAt = clock.now();
    if (!leads()) return;
    const now = clock.now();
    for (const entry of wiring.book.due(now)) {
      if (!leads() || stopping.signal.aborted) return;
      if (entry.status === 'running') {
        if (now - (entry.updatedAt ?? entry.at) > ABANDONED_MS) finish(entry, 'skipped', 'interrupted: the daemon that ran it stopped before it finished; not retried, so nothing is faulted twice');
      } else {
        await runEntry(entry, now);
      }
    }
    if (leads()) {
      cron.tick(now);
      audits.tick(now);
    }
  };
  const tick = (): Promise<void> => {
    // One tick at a time: the loop, the API and a reload never run two over each other.
    ticking = ticking.then(tickOnce).catch((error: unknown) => events.emit({ kind: 'warning', at: clock.now(), message: `tick failed: ${errorMessage(error)}` }));
    return ticking;
  };

  const control: DaemonControl = {
    isLeader: leads,
    health: () => {
      const late = lastTickAt === undefined ? 0 : clock.now() - lastTickAt;
      const ok = late <= wiring.config.daemon.tickMs * 3 + 60_000;
      return { ok, detail: ok ? 'ticking' : `no tick for ${Math.round(late / 1000)}s` };
    },
    plan: () => wiring.book.today(clock.now()),
    events: (since) => log.since(since),
    history: (limit) => wiring.run.store.history({ limit }),
    chaosEvents: (since) => chaosEventsOf(wiring.run.store, since),
    chaos: async (request: OnDemandChaosRequest): Promise<OnDemandOutcome> => {
      if (!leads()) return { outcome: 'notLeader', detail: `this daemon stands by; ${leadership?.holder() ?? 'another daemon'} leads: send it there` };
      if (!wiring.config.daemon.onDemand) return { outcome: 'refused', reason: 'on-demand-off', detail: 'on-demand faults are off (daemon.onDemand: false in simian.yaml)' };
      return onDemandOutcome(await hitGroup(seams(), onDemandHit(request, leadership?.fence()?.token)));
    },
    killSwitch: async () => killSwitchState(wiring.config),
    engageKillSwitch: async (by) => {
      const file = await engageKillSwitchFile(wiring.config.safety, { clock, by: `${by} (simian daemon, pid ${options.pid})` });
      const reverted = await wiring.run.reverter.revertAll('kill-switch');
      return { engaged: true, file, reverted: reverted.map((r) => ({ faultId: r.faultId, outcome: r.outcome })) };
    },
    releaseKillSwitch: async () => {
      const released = await releaseKillSwitchFile(wiring.config.safety);
      return { engaged: released.stillEngaged !== undefined, file: released.file, ...(released.stillEngaged ? { reason: released.stillEngaged } : {}) };
    },
    janitor: () => {
      const provider = wiring.config.daemon.provider;
      return { marks: wiring.run.store.janitorMarks(provider), optOuts: wiring.run.store.janitorOptOuts(provider) };
    },
    optOutOfJanitor: (resource, reason) =>
      wiring.run.store.optOutOfJanitor({ provider: wiring.config.daemon.provider, resource, by: 'api', ...(reason === undefined ? {} : { reason }) }),
    optInToJanitor: (resource) => wiring.run.store.optInToJanitor(wiring.config.daemon.provider, resource),
    metrics: () => metrics.text(),
  };

  const api = createDaemonApi({ token: options.token, control, now: () => clock.now() });
  let server: ServerType;
  try {
    server = await listen(api, wiring.config.daemon.host, wiring.config.daemon.port);
  } catch (error) {
    await leadership.stop();
    await wiring.run.close();
    await options.notifier?.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await tick();
      await clock.sleep(wiring.config.daemon.tickMs, stopping.signal).catch(() => undefined);
    }
  })();

  return {
    url: `http://${host}:${address.port}`,
    control,
    tick,
    reload: async (config) => {
      const next = await wire(config);
      const previous = wiring;
      await ticking;
      wiring = next;
      await previous.run.close();
      tell({ kind: 'config', at: clock.now(), message: 'configuration reloaded: the schedule, safety settings and outage check apply from the next tick' });
    },
    stop: async () => {
      stopping.abort(new Error('the daemon is stopping'));
      await loop;
      await cron.settle();
      await audits.settle();
      await leadership?.stop();
      await new Promise<void>((done) => server.close(() => done()));
      await wiring.run.close();
      await options.notifier?.close();
    },
  };
}

async function listen(app: { fetch: (request: Request) => Response | Promise<Response> }, host: string, port: number): Promise<ServerType> {
  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function killSwitchState(config: SimianConfig): Promise<KillSwitchState> {
  const reason = await killSwitchReason(config.safety);
  return { engaged: reason !== undefined, file: config.safety.killSwitchFile!, ...(reason ? { reason } : {}) };
}

/** The executed Chaos Monkey terminations since `since`, as SimianArmy's `GET /v1/chaos` lists them. */
function chaosEventsOf(store: StateStore, since: number): ChaosEvent[] {
  return store
    .history({ since })
    .filter((entry) => entry.type === 'termination' && entry.decision === 'executed' && entry.monkey === 'chaos')
    .map((entry) => {
      const termination = entry as Extract<typeof entry, { type: 'termination' }>;
      return {
        monkeyType: 'CHAOS',
        eventId: `${termination.instanceId}@${termination.at}`,
        eventType: 'CHAOS_TERMINATION',
        eventTime: termination.at,
        groupType: 'group',
        groupName: termination.group,
        chaosType: 'ShutdownInstance',
        instanceId: termination.instanceId,
      };
    });
}
