/**
 * @module
 * What a game-day front end sees of a drill and what it may ask of it: a snapshot of everything on screen
 * ({@link DrillView}), refreshed about once a second and on every event, and the actions behind the keys. The
 * console draws the view and calls the actions; it decides nothing itself: every fault goes through the drill's
 * safety pipeline, and a refused one comes back with the pipeline's reason.
 */
import type { Disposable } from '../../core/events.js';

/** What an instance looks like on the map. */
export type InstanceCondition = 'up' | 'down' | 'replacing' | 'isolated' | 'slowed' | 'sick';

/** One instance of the stack. */
export interface InstanceView {
  readonly id: string;
  readonly service: string;
  readonly region: string;
  readonly zone: string;
  readonly condition: InstanceCondition;
  /** Times the supervisor replaced it. */
  readonly restarts: number;
}

/** One SLO, live. Ratios are 0–1. */
export interface SloView {
  readonly name: string;
  /** The objective as a ratio: 0.999. */
  readonly objective: number;
  /** Good events over all events in the last minute; absent while there is no data. */
  readonly current?: number;
  /** The share of the drill's error budget not spent yet (the budget of the time since the drill started): 1 is untouched, 0 or less is spent. */
  readonly budgetLeft?: number;
  /** How fast the last minute spends the budget: 1 spends exactly the objective's allowance. */
  readonly burnRate?: number;
  /** `current` at each sample of the last minutes, oldest first; undefined where there was no data. */
  readonly history: readonly (number | undefined)[];
  /** Under its objective now. */
  readonly breached: boolean;
}

/** The resilience of one dependency (a circuit breaker, retry or fallback name), across every instance that calls it. */
export interface DependencyView {
  readonly name: string;
  /** Its circuit breakers: how many are open, half open, and how many there are. Absent: no breaker of this name. */
  readonly circuits?: { readonly open: number; readonly halfOpen: number; readonly total: number };
  /** Retries per second, over the last few seconds. */
  readonly retriesPerSecond: number;
  /** Fallbacks served per second, over the last few seconds. */
  readonly fallbacksPerSecond: number;
}

/** A fault in force. */
export interface ActiveFaultView {
  readonly id: string;
  readonly monkey: string;
  /** For people: `zone us-east/us-east-1a isolated`, `+500ms on playback`. */
  readonly description: string;
  /** When it reverts on its own, epoch ms. */
  readonly expiresAt: number;
}

/** Kinds of timeline entries: the console colours them. */
export type TimelineKind = 'fault' | 'revert' | 'refused' | 'instance' | 'slo' | 'note' | 'experiment' | 'halt' | 'info' | 'warning';

/** One line of the drill's timeline. */
export interface TimelineEntry {
  readonly at: number;
  readonly kind: TimelineKind;
  readonly text: string;
}

/** A region and its zones, in the topology's order. */
export interface RegionView {
  readonly name: string;
  readonly zones: readonly string[];
  /**
   * The front doors' placement (`global`): it serves every region and has no zones of its own, so the map draws its
   * instances as a row of their own under its name, not as a column beside the regions' zones. Absent otherwise.
   */
  readonly global?: true;
}

/** Everything the console shows, at one moment. */
export interface DrillView {
  readonly phase: 'starting' | 'running' | 'stopping' | 'stopped';
  /** While starting or stopping: what is happening, and how far along (0–1) when known. */
  readonly progress?: { readonly message: string; readonly fraction?: number };
  /** What the drill runs against: `reference stack (small)`. */
  readonly stack: string;
  /** Faults are dry runs: decided and logged, never acted on. */
  readonly leashed: boolean;
  /** The fault keys are off (`--readonly`). */
  readonly readonly: boolean;
  /** The kill switch is engaged: every new fault is refused. */
  readonly killSwitch: boolean;
  /** When the drill started (the stack was up), epoch ms; `now` minus it is the elapsed drill time. */
  readonly startedAt: number;
  readonly now: number;
  /** The built-in viewers: arrivals per second, sessions so far, and their success ratio. Absent on another platform, which has none. */
  readonly viewers?: { readonly rate: number; readonly sessions: number; readonly successRatio?: number };
  /** Where SLIs come from: `prometheus http://…`, `direct scrapes`. */
  readonly sloSource: string;
  readonly regions: readonly RegionView[];
  /** The services in the order the map lists them. */
  readonly services: readonly string[];
  readonly instances: readonly InstanceView[];
  readonly slos: readonly SloView[];
  readonly dependencies: readonly DependencyView[];
  readonly faults: readonly ActiveFaultView[];
  /** Newest last, bounded (the report keeps all of it). */
  readonly timeline: readonly TimelineEntry[];
  /** The experiment running as part of the drill, if any. */
  readonly experiment?: { readonly title: string; readonly status: string };
}

/** What a fault key asks for. */
export type FaultAction =
  /** Chaos Monkey: kill `instance`, or a random instance the blast radius allows. */
  | { readonly kind: 'chaos'; readonly instance?: string }
  /** Chaos Gorilla: take a zone down. */
  | { readonly kind: 'zone'; readonly region: string; readonly zone: string }
  /** Chaos Kong: evacuate a region. */
  | { readonly kind: 'region'; readonly region: string }
  /** Latency Monkey: slow every instance of a service. */
  | { readonly kind: 'latency'; readonly service: string; readonly latencyMs: number }
  /** Run an experiment file as part of the drill. */
  | { readonly kind: 'experiment'; readonly file: string };

/** What the confirmation dialog says before a fault: what it hits, how much, what stays healthy. */
export interface FaultPreview {
  readonly action: FaultAction;
  /** `Chaos Monkey: kill playback-us-east-1a-0`. */
  readonly title: string;
  readonly target: string;
  /** `1 of 2 playback instances`. */
  readonly blastRadius: string;
  /** `1 playback instance left healthy in us-east`. */
  readonly healthyLeft: string;
  /** How long it lasts before it reverts: `5m`. */
  readonly duration?: string;
  /** Why it cannot be asked for at all (read-only, kill switch engaged): the dialog says so instead of confirming. */
  readonly refusal?: string;
}

/** How an action ended: the safety pipeline's word when it was refused. */
export interface ActionResult {
  readonly outcome: 'executed' | 'skipped' | 'failed';
  readonly message: string;
}

/** What the pickers offer. */
export interface DrillChoices {
  /** Instances that are up, for Chaos Monkey: the front doors too. */
  readonly instances: readonly string[];
  readonly zones: readonly { readonly region: string; readonly zone: string }[];
  readonly regions: readonly string[];
  readonly services: readonly string[];
  /** Latencies to offer, ms. */
  readonly latenciesMs: readonly number[];
  /** Experiment files, relative to the working directory. */
  readonly experiments: readonly string[];
}

/** A drill, as a front end drives it. */
export interface DrillControls {
  view(): DrillView;
  /** Called whenever the view changes: about once a second, and on every event. */
  subscribe(listener: () => void): Disposable;
  choices(): DrillChoices;
  preview(action: FaultAction): Promise<FaultPreview>;
  /** Asks the safety pipeline; resolves once the fault is in force (or refused), not when it reverts. */
  execute(action: FaultAction): Promise<ActionResult>;
  /** Adds a note to the timeline (and the report). */
  note(text: string): void;
  /** Changes the viewers' arrival rate (at least 1 per second). */
  setRate(viewersPerSecond: number): void;
  /** Reverts every fault in force and engages the kill switch. */
  halt(): Promise<ActionResult>;
}
