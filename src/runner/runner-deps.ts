/**
 * @module
 * What the experiment runner needs from the outside world, every seam injected: time, randomness, providers, the
 * safety pipeline and the reverter, the SLO loader and SLI source, a Prometheus instant query, fetch, processes,
 * the viewers a file's `load` asks for, and the abort signal. Tests pass fakes; the CLI wires the real ones (`defaultRunnerDeps` in
 * `src/cli/commands/experiment.ts`).
 */
import type { Clock } from '../core/clock.js';
import type { Random } from '../core/random.js';
import type { FaultReverter, RevertOutcome } from '../monkeys/revert/fault-reverter.js';
import type { SafetyConfig } from '../monkeys/safety/safety-config.js';
import type { OutageCheck } from '../monkeys/safety/outage-check.js';
import { SafetyPipeline } from '../monkeys/safety/safety-pipeline.js';
import { logDecisions } from '../monkeys/safety/decision-log.js';
import { StateStoreLedger } from '../monkeys/safety/state-store-ledger.js';
import type { Provider } from '../providers/provider.js';
import type { SliSource } from '../slo/sli-source.js';
import type { SloSpec } from '../slo/slo-spec.js';
import type { RevertTrigger } from '../state/records.js';
import type { StateStore } from '../state/state-store.js';
import type { LoadSpec } from './experiment.js';

/** Reads an SLO file (sloth `prometheus/v1`, or whatever the loader accepts) by absolute path. */
export type SloLoader = (path: string) => Promise<readonly SloSpec[]>;

/** One sample of an instant query: its labels and its value (NaN and ±Infinity kept). */
export interface InstantSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * Runs a PromQL instant query at `time` (epoch ms). A scalar comes back as one sample without labels; an empty
 * vector as no samples (which checks treat as inconclusive). Throwing means "cannot tell".
 */
export type PrometheusQuery = (expr: string, options: { readonly time: number; readonly signal?: AbortSignal }) => Promise<readonly InstantSample[]>;

/** Finds a provider by name (`local`, `kubernetes`, …); throwing means it cannot be reached. */
export type ProviderResolver = (name: string) => Provider | Promise<Provider>;

/** What a process run returned. */
export interface ProcessOutcome {
  /** The exit code; null when a signal ended the process. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program without a shell; rejects only when it could not be started (or on abort). */
export type RunProcess = (path: string, args: readonly string[], options: { readonly cwd: string; readonly signal: AbortSignal }) => Promise<ProcessOutcome>;

/** What the viewers of a run saw, as the load generator counts it (client side). */
export interface LoadSummary {
  readonly sessions: number;
  readonly requests: number;
  readonly failures: number;
  /** Successful requests over all requests; 1 when none were made. */
  readonly successRatio: number;
}

/** Viewers running until they are stopped. */
export interface RunningViewers {
  /** Ends them and resolves with what they saw (undefined when that cannot be told). Called once. */
  stop(): Promise<LoadSummary | undefined>;
}

/**
 * Starts the viewers an experiment's `load` declares. They run until `signal` is aborted (the run interrupted, or
 * done with its last check: the runner aborts it just before it calls `stop()`).
 */
export type StartViewers = (spec: LoadSpec, signal: AbortSignal) => RunningViewers;

/** The fault seams: the safety pipeline of a provider, and the reverter that undoes faults by id. */
export interface FaultSeams {
  /** A pipeline for `provider` with `config` (leash and blast radius already set by the runner). */
  pipeline(provider: Provider, config: SafetyConfig): SafetyPipeline;
  /** Reverts one recorded fault (idempotent: an already reverted fault is reported as such). */
  revert(faultId: string, trigger: RevertTrigger): Promise<RevertOutcome>;
}

/** Everything {@link runExperiment} uses; only `clock` and `random` are always needed. */
export interface RunnerDeps {
  readonly clock: Clock;
  readonly random: Random;
  /** Needed by experiments whose method injects faults. */
  readonly providers?: ProviderResolver;
  /** Needed by experiments whose method injects faults. */
  readonly faults?: FaultSeams;
  /**
   * The operator's safety configuration (`simian.yaml`, environment, flags): its leash holds the run, and the
   * experiment's blast radius may only tighten it. @default the defaults (leashed)
   */
  readonly safety?: Partial<SafetyConfig>;
  /** Needed by SLO checks, burn-rate stop conditions and control groups. */
  readonly sli?: SliSource;
  /** Needed by SLO checks, burn-rate stop conditions and control groups. */
  readonly loadSlos?: SloLoader;
  /** Needed by PromQL checks and stop conditions. */
  readonly prometheus?: PrometheusQuery;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default node's execFile */
  readonly runProcess?: RunProcess;
  /**
   * Starts the viewers of an experiment that declares `load`, from before the steady state before to after the
   * last check. Absent: the run drives no viewers and says so (a front end that runs its own, such as the game-day
   * console, leaves it out).
   */
  readonly viewers?: StartViewers;
  /** Aborting it interrupts the run (SIGINT/SIGTERM): the method stops, faults are reverted, rollbacks run. */
  readonly signal?: AbortSignal;
  /** Values of `${name}` references; they override the file's `variables`. */
  readonly variables?: Readonly<Record<string, string>>;
  /**
   * Where `variables: { x: { env: NAME } }` reads from. @default process.env
   * The values read from there are secrets: the journal, the report and the log lines show `[redacted]` instead.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** More values the journal, the report and the log lines never show (the stack token of `${stackToken}`). */
  readonly secrets?: readonly string[];
  /**
   * How the steady state before the method scores SLOs: `history` scores the window that ends when the run
   * starts (Prometheus keeps history); `observe` first watches the longest SLO window, then scores what it
   * watched (direct scrapes start with the run and have no history). @default 'history'
   */
  readonly baseline?: 'history' | 'observe';
  /**
   * Resolve targets through the pipeline leashed and act on nothing, whatever the configuration says (a run is
   * also leashed when `safety.leashed` is). @default false
   */
  readonly dryRun?: boolean;
  /** How the kill-switch file is looked for. @default the real filesystem */
  readonly fileExists?: (path: string) => Promise<boolean>;
  /** Progress lines for people (stderr in the CLI). */
  readonly log?: (line: string) => void;
}

/** What {@link stateStoreFaults} needs. */
export interface StateStoreFaultsOptions {
  readonly store: StateStore;
  readonly reverter: FaultReverter;
  readonly clock: Clock;
  readonly random: Random;
  /** Recorded as the owner of reversible faults, so that the next start reverts them if this process dies. */
  readonly ownerPid?: number;
  /** Told when a decision could not be written to the decision log. @default nothing is said */
  readonly warn?: (message: string) => void;
  /** Asked before every fault (`outageCheck` of simian.yaml). @default none */
  readonly outageCheck?: OutageCheck;
}

/**
 * The usual {@link FaultSeams}: pipelines that record in the state store, log every decision there (so the running
 * stack's `/metrics` counts an experiment's faults like a monkey command's) and arm the reverter's TTLs, and the
 * reverter itself.
 *
 * @example
 * const faults = stateStoreFaults({ store, reverter, clock, random, ownerPid: process.pid });
 */
export function stateStoreFaults(options: StateStoreFaultsOptions): FaultSeams {
  return {
    pipeline: (provider, config) => {
      const pipeline = new SafetyPipeline({
        provider,
        ledger: new StateStoreLedger(options.store, provider.name),
        clock: options.clock,
        random: options.random,
        config,
        reverter: options.reverter,
        ...(options.outageCheck ? { outageCheck: options.outageCheck } : {}),
        ...(options.ownerPid !== undefined ? { ownerPid: options.ownerPid } : {}),
      });
      logDecisions(pipeline, options.store, options.warn ?? (() => undefined));
      return pipeline;
    },
    revert: (faultId, trigger) => options.reverter.revert(faultId, trigger),
  };
}
