/**
 * @module
 * The engine's one typed event stream. Every front end subscribes to it: the CLI renders each event as the line it
 * prints, the game-day console draws them, the daemon turns them into notifications and metrics. Nothing in the
 * engine writes to a terminal; it says what happened here.
 */
import { EventEmitter, type Disposable } from '../core/events.js';
import type { Fault } from '../core/model.js';
import type { SafetyDecision } from '../monkeys/safety/decision.js';
import type { RevertTrigger } from '../state/records.js';

/** A safety decision, executed, skipped (with its reason) or failed. */
export interface DecisionEvent {
  readonly kind: 'decision';
  readonly at: number;
  readonly monkey: string;
  readonly provider: string;
  /** The group, or the zone or region scope. */
  readonly scope: string;
  readonly decision: SafetyDecision;
}

/** A reversible fault is in force (after an executed decision), with when it reverts. */
export interface FaultInjectedEvent {
  readonly kind: 'fault-injected';
  readonly at: number;
  readonly fault: Fault;
  readonly provider: string;
}

/** A fault stopped being in force, or could not be reverted. */
export interface FaultRevertedEvent {
  readonly kind: 'fault-reverted';
  readonly at: number;
  readonly faultId: string;
  readonly outcome: 'reverted' | 'gone' | 'already-reverted' | 'failed';
  /** What ended it: its TTL, an abort, a signal, the kill switch, the next start, a person. */
  readonly trigger: RevertTrigger;
  /** Why the revert failed, or what it found. */
  readonly detail?: string;
}

/** A held fault is still in force: how long it has left. */
export interface FaultHeldEvent {
  readonly kind: 'fault-held';
  readonly at: number;
  readonly faultId: string;
  readonly expiresAt: number;
}

/** An instance of the reference stack changed state. */
export interface InstanceEvent {
  readonly kind: 'instance';
  readonly at: number;
  readonly id: string;
  readonly service: string;
  readonly state: 'up' | 'down' | 'replacing' | 'replaced';
  readonly pid?: number;
}

/** A step of an experiment run: targets, steady state, method steps, reverts, rollbacks, recovery, the verdict. */
export interface ExperimentEvent {
  readonly kind: 'experiment';
  readonly at: number;
  readonly title: string;
  readonly message: string;
}

/** How an experiment run ended, once its journal is written. */
export interface ExperimentVerdictEvent {
  readonly kind: 'experiment-verdict';
  readonly at: number;
  readonly title: string;
  /** The journal's status: completed, aborted, failed, interrupted, not-tested. */
  readonly status: string;
  /** For people: passed, deviated, not tested, would test… */
  readonly verdict: string;
  readonly reason?: string;
  /** Where the journal was written. */
  readonly journal: string;
}

/** One SLI measured for an SLO over a window (a steady-state check, the outage check): the console plots these. */
export interface SloSampleEvent {
  readonly kind: 'slo-sample';
  readonly at: number;
  readonly slo: string;
  /** Where it was read: `prometheus http://…`, `direct scrapes`. */
  readonly source: string;
  readonly window: { readonly start: number; readonly end: number };
  /** Bad events over all events, 0–1; absent when the source could not tell (then `reason` says why). */
  readonly errorRatio?: number;
  readonly reason?: string;
}

/** Progress of long work (a stack coming up, a watch before a fault is judged). */
export interface ProgressEvent {
  readonly kind: 'progress';
  readonly at: number;
  readonly task: string;
  readonly message: string;
  /** 0–1 when it is known. */
  readonly fraction?: number;
}

/** Something people should know that changed nothing (what the outage check reads, a decision not logged). */
export interface NoticeEvent {
  readonly kind: 'notice' | 'warning';
  readonly at: number;
  readonly message: string;
}

/** Every event the engine emits. */
export type EngineEvent =
  | DecisionEvent
  | FaultInjectedEvent
  | FaultRevertedEvent
  | FaultHeldEvent
  | InstanceEvent
  | SloSampleEvent
  | ExperimentEvent
  | ExperimentVerdictEvent
  | ProgressEvent
  | NoticeEvent;

/** The stream: emit from the engine, subscribe from a front end. */
export class EngineEvents {
  private readonly emitter = new EventEmitter<EngineEvent>();

  /** Subscribes to every event; dispose the result to stop. */
  on(listener: (event: EngineEvent) => void): Disposable {
    return this.emitter.event(listener);
  }

  emit(event: EngineEvent): void {
    this.emitter.emit(event);
  }
}
