/**
 * @module
 * What happened during a drill, kept whole for the report: the engine's events (decisions, faults injected and
 * reverted, instances going down and coming back, experiment verdicts) and the drill's own (notes, SLO breaches and
 * recoveries, the halt), each also as a line of the timeline the console shows.
 */
import type { EngineEvent, ExperimentVerdictEvent } from '../events.js';
import type { TimelineEntry, TimelineKind } from './drill-controls.js';
import { describeFault } from './fault-description.js';

/** A fault the drill injected (or a termination it made), and how it ended. */
export interface DrillFaultRecord {
  readonly id: string;
  readonly monkey: string;
  readonly kind: string;
  readonly description: string;
  readonly targets: readonly string[];
  readonly injectedAt: number;
  /** When it reverts on its own; absent for a termination. */
  readonly expiresAt?: number;
  /** When it stopped being in force (reverted, or the killed instances were all replaced). */
  endedAt?: number;
  /** What ended it: `ttl`, `kill-switch`, `abort`, `replaced`, … */
  endedBy?: string;
}

/** A fault the safety pipeline refused. */
export interface RefusedFault {
  readonly at: number;
  readonly monkey: string;
  readonly scope: string;
  readonly reason: string;
  readonly detail: string;
}

/** An SLO crossing its objective, either way. */
export interface SloCrossing {
  readonly at: number;
  readonly slo: string;
  readonly breached: boolean;
  readonly current: number;
}

/** An experiment run as part of the drill: its verdict, as the engine told it. */
export type DrillExperimentRecord = Omit<ExperimentVerdictEvent, 'kind'>;

/** The record of one drill. */
export class DrillRecord {
  readonly timeline: TimelineEntry[] = [];
  readonly faults: DrillFaultRecord[] = [];
  readonly refused: RefusedFault[] = [];
  readonly notes: { readonly at: number; readonly text: string }[] = [];
  readonly crossings: SloCrossing[] = [];
  readonly experiments: DrillExperimentRecord[] = [];
  readonly halts: number[] = [];
  /** Killed instances not replaced yet: instance id → the termination's fault id. */
  private readonly awaitingReplacement = new Map<string, string>();

  /** Adds a line to the timeline. */
  line(at: number, kind: TimelineKind, text: string): void {
    this.timeline.push({ at, kind, text });
  }

  note(at: number, text: string): void {
    this.notes.push({ at, text });
    this.line(at, 'note', text);
  }

  crossing(crossing: SloCrossing): void {
    this.crossings.push(crossing);
    const percent = `${(crossing.current * 100).toFixed(2)}%`;
    this.line(crossing.at, 'slo', crossing.breached ? `SLO ${crossing.slo} breached: ${percent} over the last minute` : `SLO ${crossing.slo} recovered: ${percent}`);
  }

  halt(at: number, text: string): void {
    this.halts.push(at);
    this.line(at, 'halt', text);
  }

  /** The faults still in force by the record (not reverted, not replaced). */
  open(): DrillFaultRecord[] {
    return this.faults.filter((f) => f.endedAt === undefined);
  }

  /** Takes in one engine event. */
  event(event: EngineEvent): void {
    switch (event.kind) {
      case 'decision': {
        const { decision } = event;
        if (decision.outcome === 'executed') {
          const { fault } = decision;
          const description = describeFault(fault, event.scope);
          this.faults.push({
            id: fault.id,
            monkey: event.monkey,
            kind: fault.kind,
            description,
            targets: fault.targets,
            injectedAt: event.at,
            ...(fault.expiresAt !== undefined ? { expiresAt: fault.expiresAt } : {}),
          });
          if (fault.kind === 'terminate') for (const target of fault.targets) this.awaitingReplacement.set(target, fault.id);
          this.line(event.at, 'fault', `${event.monkey}: ${description}`);
        } else if (decision.outcome === 'skipped') {
          this.refused.push({ at: event.at, monkey: event.monkey, scope: event.scope, reason: decision.reason, detail: decision.detail });
          this.line(event.at, 'refused', `${event.monkey} on ${event.scope} refused (${decision.reason}): ${decision.detail}`);
        } else {
          this.line(event.at, 'warning', `${event.monkey} on ${event.scope} failed and was rolled back`);
        }
        return;
      }
      case 'fault-reverted': {
        const fault = this.faults.find((f) => f.id === event.faultId);
        if (event.outcome === 'failed') {
          this.line(event.at, 'warning', `fault ${fault?.description ?? event.faultId} could not be reverted: ${event.detail ?? 'unknown error'}`);
          return;
        }
        if (fault && fault.endedAt === undefined) {
          fault.endedAt = event.at;
          fault.endedBy = event.trigger;
        }
        this.line(event.at, 'revert', `reverted: ${fault?.description ?? event.faultId} (${event.trigger === 'ttl' ? 'on time' : event.trigger})`);
        return;
      }
      case 'instance': {
        if (event.state === 'down') this.line(event.at, 'instance', `${event.id} down`);
        if (event.state === 'replaced') {
          this.line(event.at, 'instance', `${event.id} replaced${event.pid !== undefined ? ` (pid ${event.pid})` : ''}`);
          const faultId = this.awaitingReplacement.get(event.id);
          if (faultId !== undefined) {
            this.awaitingReplacement.delete(event.id);
            const fault = this.faults.find((f) => f.id === faultId);
            if (fault && fault.endedAt === undefined && !fault.targets.some((t) => this.awaitingReplacement.get(t) === faultId)) {
              fault.endedAt = event.at;
              fault.endedBy = 'replaced';
            }
          }
        }
        return;
      }
      case 'experiment':
        this.line(event.at, 'experiment', event.message);
        return;
      case 'experiment-verdict':
        this.experiments.push({
          at: event.at,
          title: event.title,
          status: event.status,
          verdict: event.verdict,
          ...(event.reason ? { reason: event.reason } : {}),
          journal: event.journal,
        });
        this.line(event.at, 'experiment', `experiment "${event.title}": ${event.verdict}${event.reason ? ` (${event.reason})` : ''}`);
        return;
      case 'warning':
        this.line(event.at, 'warning', event.message);
        return;
      case 'notice':
        this.line(event.at, 'info', event.message);
        return;
      case 'fault-injected':
      case 'fault-held':
      case 'slo-sample':
      case 'progress':
        return;
    }
  }
}
