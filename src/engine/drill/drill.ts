/**
 * @module
 * A game-day drill: the reference stack (started here, or the one `simian stack up --detach` runs), viewers driving
 * traffic through its front door, one fault run whose safety pipeline every key goes through, and a tick about once
 * a second that reads the stack's instances, its SLOs and its dependencies' resilience for the console. Stopping the
 * drill reverts every fault it injected, stops what it started, and builds the drill report from its record.
 *
 * On the bundled stack the drill acts for real (it is unleashed; the kill switch, the outage check and the blast
 * radius still apply): a throwaway stack on this machine is what a game day is for. On another platform (a
 * Kubernetes cluster, an AWS account, a Toxiproxy) it maps the provider's inventory, reads SLOs from the Prometheus
 * that watches it, drives no viewers, and stays as leashed as the operator's configuration says: every key goes
 * through the pipeline, which answers "leashed" unless the operator unleashed it (`--unleash`).
 */
import { resolve } from 'node:path';
import type { Clock, Timer } from '../../core/clock.js';
import { errorMessage, SimianError } from '../../core/errors.js';
import { EventEmitter, type Disposable } from '../../core/events.js';
import type { Random } from '../../core/random.js';
import type { SimianConfig } from '../../config/simian-config.js';
import { zoneOutageRequest } from '../../monkeys/gorilla/chaos-gorilla.js';
import { regionEvacuationRequest } from '../../monkeys/kong/chaos-kong.js';
import { toxicRequest } from '../../monkeys/latency/latency-monkey.js';
import { isKillSwitchEngaged } from '../../monkeys/safety/kill-switch.js';
import type { SafetyDecision } from '../../monkeys/safety/decision.js';
import type { SafetyPipeline } from '../../monkeys/safety/safety-pipeline.js';
import type { Provider } from '../../providers/provider.js';
import type { LoadReport } from '../../reference-stack/load/load-stats.js';
import { StackAdminClient, type AdminInstance } from '../../reference-stack/stack/stack-admin-client.js';
import { frontDoorUrlsOf, type StackState } from '../../reference-stack/stack/stack-state.js';
import { GLOBAL_LOCATION } from '../../reference-stack/topology/desired-instances.js';
import type { Topology } from '../../reference-stack/topology/topology-schema.js';
import type { RecordedFault } from '../../state/records.js';
import { loadSloFile } from '../../slo/load-slo-file.js';
import type { Slo } from '../../slo/slo-spec.js';
import { runChaos } from '../chaos-run.js';
import { EngineEvents } from '../events.js';
import { defaultJournalPath, runToJournal } from '../experiment-journal.js';
import { experimentRunnerDeps } from '../experiment-run.js';
import { openFaultRun, type FaultRun } from '../fault-run.js';
import { engageKillSwitchFile } from '../kill-switch-file.js';
import type { ProviderRegistry } from '../provider-registry.js';
import { hostStack, type StackHost } from '../stack-host.js';
import { runningStack, scrapeTargetsOf } from '../stack-sli.js';
import { loadExperiment } from '../../runner/load-experiment.js';
import { isFaultAction, methodActions, type Experiment } from '../../runner/experiment.js';
import { formatDuration } from '../../slo/burn-rate.js';
import type { ActionResult, DrillChoices, DrillControls, DrillView, FaultAction, FaultPreview } from './drill-controls.js';
import { DrillMetrics } from './drill-metrics.js';
import { platformSignals, type DrillSignals } from './drill-signals.js';
import { DrillRecord } from './drill-record.js';
import { buildDrillReport, drillId, type DrillReport } from './drill-report.js';
import { startDrillViewers, type DrillViewers } from './drill-viewers.js';
import { describeFault } from './fault-description.js';
import { previewFault } from './fault-previews.js';
import { instanceViews, mapAxes } from './instance-conditions.js';
import { LiveSlos } from './live-slos.js';
import { platformInstances } from './platform-instances.js';

/** The latencies the console offers, ms. */
export const DRILL_LATENCIES_MS = [100, 250, 500, 1000, 2000] as const;

/** Beyond an experiment's SLO window: a few of the stack Prometheus's 1 s scrapes, so the window it scores first is covered. */
const WARM_UP_MARGIN_MS = 5_000;

/** How many timeline lines the view carries (the report keeps them all). */
const VIEW_TIMELINE = 200;

/** What {@link Drill} needs. */
export interface DrillOptions {
  /** The resolved configuration: state directory, safety limits, kill switch. */
  readonly config: SimianConfig;
  readonly providers: ProviderRegistry;
  /**
   * Drill this provider's platform instead of the bundled stack (`host` is then ignored): leashed unless the
   * configuration says otherwise, SLIs from `prometheusUrl` when given, no viewers.
   */
  readonly platform?: { readonly provider: string; readonly prometheusUrl?: string };
  /** Start this stack here; absent: attach to the one running in the state directory, and leave it running. */
  readonly host?: { readonly topology: Topology; readonly topologyName: string; readonly prometheus: boolean; readonly dataDir?: string };
  /** Viewers arriving per second. */
  readonly viewerRate: number;
  /** The fault keys are off. */
  readonly readonly: boolean;
  /** How long a reversible fault lasts before it reverts on its own. */
  readonly faultDurationMs: number;
  /** The SLO file the drill watches. */
  readonly sloFile?: string;
  /** Experiment files the `e` key offers, relative to the working directory. */
  readonly experiments: readonly string[];
  /** Who runs the drill, for the report. */
  readonly facilitator: string;
  /** The seed of `random`, for the report, when one was given. */
  readonly seed?: number;
  /** This process: it owns the drill's faults, and stack.json names it. */
  readonly pid: number;
  readonly clock: Clock;
  readonly random: Random;
  /** The engine's events, for a front end that narrates them too. @default a new stream */
  readonly events?: EngineEvents;
  /** Time between refreshes. @default 1_000 */
  readonly tickMs?: number;
}

/** A running experiment. */
interface RunningExperiment {
  readonly title: string;
  status: string;
  readonly abort: AbortController;
  done: Promise<void>;
}

/** A game-day drill; {@link Drill.start} it, drive it through {@link DrillControls}, {@link Drill.stop} it in a `finally`. */
export class Drill implements DrillControls {
  readonly events: EngineEvents;
  readonly record = new DrillRecord();
  private readonly changed = new EventEmitter<void>();
  private readonly config: SimianConfig;
  private phase: DrillView['phase'] = 'starting';
  private progress: DrillView['progress'] = { message: 'starting' };
  private startedAtMs: number;
  private watchedSince: number;
  private host: StackHost | undefined;
  private stack: StackState | undefined;
  /** The map's instances now: the stack's admin API, or the platform's inventory. */
  private inventory: (() => Promise<AdminInstance[]>) | undefined;
  private run: FaultRun | undefined;
  private provider: Provider | undefined;
  private pipeline: SafetyPipeline | undefined;
  private viewers: DrillViewers | undefined;
  private metrics: DrillSignals | undefined;
  private liveSlos: LiveSlos | undefined;
  private slos: Slo[] = [];
  private instances: AdminInstance[] = [];
  /** The faults in force at the last refresh (the store is closed once the drill stops). */
  private faults: RecordedFault[] = [];
  private killSwitch = false;
  private experiment: RunningExperiment | undefined;
  private timer: Timer | undefined;
  private ticking: Promise<void> | undefined;
  private readonly subscriptions: Disposable[] = [];
  private stopped: Promise<DrillReport> | undefined;
  /** Attached: each instance's restarts when it was last seen running. */
  private readonly restartsSeen = new Map<string, number>();

  constructor(private readonly options: DrillOptions) {
    this.events = options.events ?? new EngineEvents();
    // The bundled stack is a throwaway on this machine: the drill acts on it for real. Every other limit holds.
    // Another platform is someone's: the operator's configuration (and --unleash) decides.
    this.config = options.platform ? options.config : { ...options.config, safety: { ...options.config.safety, leashed: false } };
    this.startedAtMs = options.clock.now();
    this.watchedSince = this.startedAtMs;
    this.subscriptions.push(
      this.events.on((event) => {
        this.record.event(event);
        if (event.kind === 'progress' && this.phase !== 'running') this.progress = { message: event.message, ...(event.fraction !== undefined ? { fraction: event.fraction } : {}) };
        this.changed.emit();
      }),
    );
  }

  /**
   * Starts (or attaches to) the stack, opens the fault run, starts the viewers and the scrapes; resolves once the
   * drill is running.
   *
   * @throws InvalidInputError for a bad SLO file; SimianError `stack.alreadyRunning` (use attach), `stack.notRunning`
   *   (attach without a stack), `stack.startFailed`
   */
  async start(): Promise<void> {
    const { clock, random } = this.options;
    // Another platform may come without an SLO file: the console then shows its map and faults only.
    this.slos = this.options.sloFile ? (await loadSloFile(this.options.sloFile)).flatMap((spec) => [...spec.slos]) : [];
    const frontDoorUrls = this.options.platform ? await this.startOnPlatform(this.options.platform) : await this.startOnStack();
    const metrics = this.metrics!;
    this.liveSlos = new LiveSlos(this.slos, metrics.sli);
    this.progress = { message: this.options.platform ? 'first look at the SLOs' : 'first scrape of every instance' };
    this.changed.emit();
    await metrics.sample();
    this.watchedSince = clock.now();
    if (frontDoorUrls) this.viewers = startDrillViewers({ frontDoorUrls, rate: this.options.viewerRate, clock, random });
    this.startedAtMs = clock.now();
    this.phase = 'running';
    delete this.progress;
    const viewers = this.viewers ? `${this.viewers.rate} viewers/s` : 'no viewers';
    this.record.line(this.startedAtMs, 'info', `drill started on ${this.stackName()}: ${viewers}, SLIs from ${metrics.sli.name}`);
    if (this.config.safety.leashed) this.record.line(this.startedAtMs, 'info', 'leashed: the safety pipeline decides every fault but none is injected (--unleash acts for real)');
    await this.tick();
    this.schedule();
  }

  /** Starts or attaches to the bundled stack; resolves with its front doors, for the viewers to fail over between. */
  private async startOnStack(): Promise<readonly string[]> {
    const { clock, random } = this.options;
    const events = this.events;
    if (this.options.host) {
      const { topology, topologyName, prometheus, dataDir } = this.options.host;
      this.host = await hostStack({
        topology,
        topologyName,
        stateDir: this.config.stateDir,
        ...(dataDir ? { dataDir } : {}),
        prometheus,
        killSwitch: this.config.safety,
        pid: this.options.pid,
        clock,
        random,
        events,
      });
      this.stack = this.host.state;
    } else {
      this.stack = runningStack(this.config.stateDir);
      if (!this.stack) throw new SimianError('stack.notRunning', `no stack runs in ${this.config.stateDir}: start one with "simian stack up --detach", or drop --attach`, { exitCode: 2 });
    }
    const stack = this.stack;
    const frontDoorUrls = frontDoorUrlsOf(stack);
    if (frontDoorUrls.length === 0) throw new SimianError('stack.noFrontDoor', 'the stack has no front door for the viewers');
    await this.openRun('local');
    const admin = new StackAdminClient({ adminUrl: stack.adminUrl, clock, timeoutMs: 2_000 });
    this.inventory = () => admin.inventory();
    // The tick reads the inventory once, for the map and for the scrape targets alike.
    this.instances = await admin.inventory();
    this.metrics = new DrillMetrics({ targets: async () => scrapeTargetsOf(this.instances), slos: this.slos, clock });
    return frontDoorUrls;
  }

  /** Opens the fault run on another platform and reads its inventory; it has no front door of ours. */
  private async startOnPlatform(platform: NonNullable<DrillOptions['platform']>): Promise<undefined> {
    const provider = await this.openRun(platform.provider);
    this.inventory = () => platformInstances(provider);
    this.progress = { message: `reading the ${platform.provider} inventory` };
    this.changed.emit();
    this.instances = await this.inventory();
    this.metrics = platformSignals({ ...(platform.prometheusUrl ? { prometheusUrl: platform.prometheusUrl } : {}), clock: this.options.clock });
    return undefined;
  }

  /** The one fault run of the drill, its provider and pipeline. */
  private async openRun(providerName: string): Promise<Provider> {
    const { clock, random } = this.options;
    this.progress = { message: 'opening the safety pipeline' };
    this.changed.emit();
    this.run = await openFaultRun({ config: this.config, providers: this.options.providers, clock, random, events: this.events, ownerPid: this.options.pid, providersFirst: [providerName] });
    this.provider = this.run.provider(providerName);
    this.pipeline = this.run.pipeline(this.provider);
    return this.provider;
  }

  /** When the drill started (the stack up, the viewers on), epoch ms: what its `t+mm:ss` times count from. */
  get startedAt(): number {
    return this.startedAtMs;
  }

  view(): DrillView {
    const faults = this.faults;
    const instances = instanceViews(this.instances, faults, this.metrics?.unreachable() ?? new Set());
    const axes = mapAxes(this.instances);
    const latest = this.viewers?.latest();
    return {
      phase: this.phase,
      ...(this.progress ? { progress: this.progress } : {}),
      stack: this.stackName(),
      leashed: this.config.safety.leashed,
      readonly: this.options.readonly,
      killSwitch: this.killSwitch,
      startedAt: this.startedAtMs,
      now: this.options.clock.now(),
      ...(!this.options.platform
        ? { viewers: { rate: this.viewers?.rate ?? this.options.viewerRate, sessions: latest?.sessions ?? 0, ...(latest && latest.requests > 0 ? { successRatio: latest.successRatio } : {}) } }
        : {}),
      sloSource: this.metrics?.sli.name ?? 'not yet',
      regions: axes.regions,
      services: axes.services,
      instances,
      slos: this.liveSlos?.views() ?? [],
      dependencies: this.metrics?.dependencies() ?? [],
      faults: faults.map((f) => ({ id: f.id, monkey: f.monkey, description: describeFault(f, f.group), expiresAt: f.expiresAt })),
      timeline: this.record.timeline.slice(-VIEW_TIMELINE),
      ...(this.experiment ? { experiment: { title: this.experiment.title, status: this.experiment.status } } : {}),
    };
  }

  subscribe(listener: () => void): Disposable {
    return this.changed.event(listener);
  }

  choices(): DrillChoices {
    const views = instanceViews(this.instances, this.faults, new Set());
    // The front doors' `global` is no zone Chaos Gorilla can drop and no region Chaos Kong can evacuate (the local
    // provider refuses both: it is where traffic is steered from), and Latency Monkey offers the regions' services.
    const { regions, services } = mapAxes(this.instances.filter((i) => i.region !== GLOBAL_LOCATION));
    return {
      // Every instance that is up, the front doors too: the viewers fail over between them, and whether one may go
      // is the safety pipeline's call (blast radius, minimum healthy), as for any other group.
      instances: views.filter((i) => i.condition === 'up').map((i) => i.id),
      zones: regions.flatMap((r) => r.zones.map((zone) => ({ region: r.name, zone }))),
      regions: regions.map((r) => r.name),
      services,
      latenciesMs: DRILL_LATENCIES_MS,
      experiments: this.options.experiments,
    };
  }

  async preview(action: FaultAction): Promise<FaultPreview> {
    const refusal = this.refusal(action);
    if (action.kind === 'experiment') {
      const experiment = await loadExperiment(action.file).catch((error: unknown) => error as Error);
      if (experiment instanceof Error) {
        return { action, title: `Run ${action.file}`, target: action.file, blastRadius: 'unknown', healthyLeft: 'unknown', refusal: errorMessage(experiment) };
      }
      const steps = methodActions(experiment);
      const faults = steps.filter(({ action: step }) => isFaultAction(step)).length;
      return {
        action,
        title: `Experiment: ${experiment.title}`,
        target: action.file,
        blastRadius: `${steps.length} method step${steps.length === 1 ? '' : 's'}, ${faults} of them fault${faults === 1 ? '' : 's'}, each through the safety pipeline`,
        healthyLeft: 'what its steady state checks; its stop conditions abort it',
        ...(refusal ? { refusal } : {}),
      };
    }
    const instances = instanceViews(this.instances, this.faults, this.metrics?.unreachable() ?? new Set());
    const preview = previewFault(action, instances, this.options.faultDurationMs);
    return refusal ? { ...preview, refusal } : preview;
  }

  async execute(action: FaultAction): Promise<ActionResult> {
    const refusal = this.refusal(action);
    if (refusal) return { outcome: 'skipped', message: refusal };
    const { run, provider, pipeline } = this;
    if (!run || !provider || !pipeline) return { outcome: 'skipped', message: 'the drill is not running' };
    try {
      const result = await this.act(action, run, provider, pipeline);
      await this.tick();
      return result;
    } catch (error) {
      const message = errorMessage(error);
      this.record.line(this.options.clock.now(), 'warning', `${action.kind}: ${message}`);
      this.changed.emit();
      return { outcome: 'failed', message };
    }
  }

  note(text: string): void {
    const trimmed = text.trim();
    if (trimmed === '') return;
    this.record.note(this.options.clock.now(), trimmed);
    this.changed.emit();
  }

  setRate(viewersPerSecond: number): void {
    if (!this.viewers) return;
    const before = this.viewers.rate;
    this.viewers.setRate(viewersPerSecond);
    if (this.viewers.rate !== before) this.record.line(this.options.clock.now(), 'info', `viewers: ${this.viewers.rate}/s (was ${before}/s)`);
    this.changed.emit();
  }

  async halt(): Promise<ActionResult> {
    const { clock } = this.options;
    const file = await engageKillSwitchFile(this.config.safety, { clock, by: `simian gameday (pid ${this.options.pid})` }).catch((error: unknown) => error as Error);
    this.experiment?.abort.abort(new Error('halted'));
    // Like `simian kill-switch engage`: every recorded fault, whoever holds it.
    const outcomes = (await this.run?.reverter.revertAll('kill-switch')) ?? [];
    this.killSwitch = true;
    const failed = outcomes.filter((o) => o.outcome === 'failed');
    const reverted = outcomes.length - failed.length;
    const engaged = file instanceof Error ? `the kill switch could not be engaged: ${file.message}` : `kill switch engaged (${file})`;
    this.record.halt(clock.now(), `HALT: ${reverted} fault${reverted === 1 ? '' : 's'} reverted${failed.length > 0 ? `, ${failed.length} could not be` : ''}; ${engaged}`);
    await this.tick();
    const ok = failed.length === 0 && !(file instanceof Error);
    return { outcome: ok ? 'executed' : 'failed', message: `${reverted} reverted; ${engaged}${failed.length > 0 ? `; ${failed.length} still in force: run "simian revert --all"` : ''}` };
  }

  /**
   * Runs an experiment file as (part of) the drill and resolves with its verdict event's status once it ends.
   * The drill's viewers drive its traffic.
   */
  async runExperiment(file: string): Promise<{ readonly status: string; readonly verdict: string; readonly journal: string } | undefined> {
    const started = await this.execute({ kind: 'experiment', file });
    if (started.outcome !== 'executed') throw new SimianError('gameday.experimentRefused', started.message);
    await this.experiment?.done;
    const last = this.record.experiments[this.record.experiments.length - 1];
    return last ? { status: last.status, verdict: last.verdict, journal: last.journal } : undefined;
  }

  /**
   * Stops the drill: the experiment (its faults reverted, its rollbacks run), every fault the drill holds, the
   * viewers, the scrapes, and the stack if the drill started it; then builds the report. Safe to call twice and
   * after a failed start.
   */
  stop(): Promise<DrillReport> {
    this.stopped ??= this.stopOnce();
    return this.stopped;
  }

  private async stopOnce(): Promise<DrillReport> {
    const { clock } = this.options;
    this.phase = 'stopping';
    this.progress = { message: 'reverting faults and stopping the viewers' };
    this.changed.emit();
    this.timer?.cancel();
    await this.ticking;
    const problems: string[] = [];
    const attempt = async (what: string, step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (error) {
        problems.push(`${what}: ${errorMessage(error)}`);
        this.record.line(clock.now(), 'warning', `${what}: ${errorMessage(error)}`);
      }
    };
    if (this.experiment) {
      this.experiment.abort.abort(new Error('the drill stopped'));
      await this.experiment.done;
    }
    await attempt('reverting the drill\'s faults', async () => {
      const outcomes = (await this.run?.reverter.revertOwned('abort')) ?? [];
      const failed = outcomes.filter((o) => o.outcome === 'failed');
      if (failed.length > 0) throw new Error(`${failed.length} could not be reverted: ${failed.map((o) => o.faultId).join(', ')}; run "simian revert --all"`);
    });
    let viewers: LoadReport | undefined;
    await attempt('stopping the viewers', async () => {
      viewers = await this.viewers?.stop();
    });
    const endedAt = clock.now();
    // One last scrape, so the report's last window is covered.
    await attempt('the last scrape', async () => this.metrics?.sample());
    this.faults = this.run?.store.activeFaults() ?? [];
    const stillActive = this.faults.filter((f) => f.ownerPid === this.options.pid).map((f) => f.id);
    const report = await buildDrillReport({
      id: drillId(this.startedAtMs),
      facilitator: this.options.facilitator,
      stack: this.stackName(),
      leashed: this.config.safety.leashed,
      ...(this.options.seed !== undefined ? { seed: this.options.seed } : {}),
      startedAt: this.startedAtMs,
      endedAt,
      watchedSince: this.watchedSince,
      record: this.record,
      slos: this.slos,
      sli: this.metrics?.sli ?? { name: 'none', errorRatio: async () => ({ outcome: 'inconclusive', reason: 'the drill never scraped the stack' }) },
      ...(viewers ? { viewers } : {}),
      stillActive,
    });
    await attempt('stopping the scrapes', async () => this.metrics?.stop());
    await attempt('closing the state store', async () => this.run?.close());
    if (this.host) {
      this.progress = { message: 'stopping the stack' };
      this.changed.emit();
      await attempt('stopping the stack', async () => this.host?.stop());
    }
    for (const subscription of this.subscriptions) subscription.dispose();
    this.phase = 'stopped';
    this.changed.emit();
    return report;
  }

  private stackName(): string {
    if (this.options.platform) return `${this.options.platform.provider} (not the bundled stack)`;
    const topology = this.options.host?.topologyName ?? this.stack?.topology;
    return `reference stack${topology ? ` (${topology})` : ''}${this.options.host ? '' : ', attached'}`;
  }

  /** Why an action cannot even be asked for. */
  private refusal(action: FaultAction): string | undefined {
    if (this.options.readonly) return 'read-only console (--readonly): fault keys are off';
    if (this.phase !== 'running') return `the drill is ${this.phase}`;
    if (this.killSwitch) return 'the kill switch is engaged: every new fault is refused ("simian kill-switch release" lifts it)';
    if (action.kind === 'experiment' && this.experiment) return `experiment "${this.experiment.title}" is still running: one at a time`;
    return undefined;
  }

  private async act(action: FaultAction, run: FaultRun, provider: Provider, pipeline: SafetyPipeline): Promise<ActionResult> {
    const { clock, random } = this.options;
    const safety = this.config.safety;
    const duration = this.options.faultDurationMs;
    switch (action.kind) {
      case 'chaos': {
        const group = action.instance ? this.instances.find((i) => i.id === action.instance)?.service : undefined;
        if (action.instance && !group) return { outcome: 'skipped', message: `${action.instance} is not on the map any more` };
        const outcome = await runChaos(run, provider, pipeline, {
          clock,
          random,
          events: this.events,
          ...(group ? { group } : {}),
          selection: action.instance ? { mode: 'instances', ids: [action.instance] } : { mode: 'one' },
          signal: 'SIGKILL',
        });
        return resultOf(outcome.decision, `killed ${outcome.victims.map((v) => v.id).join(', ')}`);
      }
      case 'zone':
        return resultOf(await pipeline.inject(zoneOutageRequest(safety, { zone: action.zone, region: action.region }, duration)), `zone ${action.region}/${action.zone} down for ${formatDuration(duration)}`);
      case 'region':
        return resultOf(await pipeline.inject(regionEvacuationRequest(safety, action.region, duration)), `region ${action.region} evacuated for ${formatDuration(duration)}`);
      case 'latency': {
        const toxic = { type: 'latency' as const, stream: 'downstream' as const, attributes: { latency: action.latencyMs, jitter: 0 } };
        return resultOf(await pipeline.inject(toxicRequest(safety, random, { group: action.service }, toxic, duration)), `+${action.latencyMs}ms on ${action.service} for ${formatDuration(duration)}`);
      }
      case 'experiment':
        return this.startExperiment(action.file);
    }
  }

  private async startExperiment(file: string): Promise<ActionResult> {
    const { clock } = this.options;
    const experiment = await loadExperiment(file);
    const abort = new AbortController();
    const running: RunningExperiment = { title: experiment.title, status: 'starting', abort, done: Promise.resolve() };
    this.record.line(clock.now(), 'experiment', `experiment "${experiment.title}" started (${file})`);
    running.done = this.runExperimentFile(experiment, file, running)
      .catch((error: unknown) => {
        running.status = 'failed';
        if (!abort.signal.aborted) this.record.line(clock.now(), 'warning', `experiment "${experiment.title}" failed: ${errorMessage(error)}`);
      })
      .finally(() => {
        if (this.experiment === running) this.experiment = undefined;
        this.changed.emit();
      });
    this.experiment = running;
    return { outcome: 'executed', message: `experiment "${experiment.title}" started` };
  }

  /**
   * Waits until the viewers have run for the experiment's longest SLO window (its steady state before scores the
   * window that ends at its start), then runs it to its journal.
   */
  private async runExperimentFile(experiment: Experiment, file: string, running: RunningExperiment): Promise<void> {
    const { clock, random } = this.options;
    const windows = [...experiment.steadyState.slos.map((s) => s.windowMs), ...experiment.stopConditions.conditions.map((c) => (c.kind === 'burnRate' ? c.burnRate.windowMs : 0))];
    const ready = this.startedAtMs + Math.max(0, ...windows) + WARM_UP_MARGIN_MS;
    if (clock.now() < ready) {
      running.status = 'warming up';
      this.record.line(clock.now(), 'experiment', `waiting ${formatDuration(ready - clock.now())} for the viewers to fill the experiment's SLO window`);
      this.changed.emit();
      await clock.sleep(ready - clock.now(), running.abort.signal);
    }
    running.status = 'running';
    this.changed.emit();
    const session = await experimentRunnerDeps({
      config: this.config,
      experiment,
      variables: {},
      providers: this.options.providers,
      clock,
      random,
      events: this.events,
      ownerPid: this.options.pid,
      // The drill's own viewers drive the traffic, at the rate people set; the baseline reads their history.
      viewers: 'none',
    });
    try {
      const { journal } = await runToJournal(experiment, session, {
        clock,
        events: this.events,
        signal: running.abort.signal,
        journalPath: (j) => resolve(defaultJournalPath(this.config.stateDir, file, Date.parse(j.startedAt))),
      });
      running.status = journal.status;
    } finally {
      await session.close();
    }
  }

  private schedule(): void {
    const tickMs = this.options.tickMs ?? 1_000;
    this.timer = this.options.clock.setTimer(
      () => {
        void this.tick().finally(() => {
          if (this.phase === 'running') this.schedule();
        });
      },
      tickMs,
      { keepAlive: false },
    );
  }

  /** One refresh: instances, kill switch, a scrape, the SLOs. Never two at once; a failure is a timeline warning. */
  private tick(): Promise<void> {
    this.ticking ??= this.refresh().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  /**
   * An attached drill hears nothing from the supervisor (it runs in the stack's process): an instance running again
   * with more restarts than when last seen running was replaced, which is what ends the kill that took it.
   */
  private noticeReplacements(instances: readonly AdminInstance[]): void {
    for (const i of instances) {
      if (i.state !== 'running') continue;
      const restarts = i.restarts ?? 0;
      const before = this.restartsSeen.get(i.id);
      this.restartsSeen.set(i.id, restarts);
      if (before !== undefined && restarts > before) {
        this.events.emit({ kind: 'instance', at: this.options.clock.now(), id: i.id, service: i.service, state: 'replaced', ...(i.pid ? { pid: i.pid } : {}) });
      }
    }
  }

  private async refresh(): Promise<void> {
    const { clock } = this.options;
    try {
      const instances = await this.inventory?.().catch(() => undefined);
      if (instances) {
        if (!this.host) this.noticeReplacements(instances);
        this.instances = instances;
      }
      this.killSwitch = await isKillSwitchEngaged(this.config.safety).catch(() => true);
      if (this.run && this.phase === 'running') this.faults = this.run.store.activeFaults();
      const now = clock.now();
      await this.metrics?.sample();
      const crossings = (await this.liveSlos?.update(now, this.watchedSince, this.startedAtMs)) ?? [];
      for (const crossing of crossings) this.record.crossing({ at: now, ...crossing });
    } catch (error) {
      this.record.line(clock.now(), 'warning', `refresh failed: ${errorMessage(error)}`);
    }
    this.changed.emit();
  }
}

/** A decision as the console's status line says it: done, or the pipeline's reason. */
function resultOf(decision: SafetyDecision, done: string): ActionResult {
  if (decision.outcome === 'executed') return { outcome: 'executed', message: done };
  if (decision.outcome === 'skipped') return { outcome: 'skipped', message: `refused (${decision.reason}): ${decision.detail}` };
  return { outcome: 'failed', message: `failed and rolled back: ${errorMessage(decision.error)}` };
}
