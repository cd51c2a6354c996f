/**
 * @module
 * The daemon's one way to hit a group: Chaos Monkey through the engine ({@link runChaos}) and so through the
 * run's safety pipeline, whether the day's plan or a request to the API asked for it. What the pipeline decided
 * becomes SimianArmy's answer for the API, and a status and reason for the plan.
 */
import { errorMessage, SimianError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { Random } from '../core/random.js';
import { runChaos, type ChaosOutcome } from '../engine/chaos-run.js';
import type { EngineEvents } from '../engine/events.js';
import type { FaultRun } from '../engine/fault-run.js';
import type { SafetyPipeline } from '../monkeys/safety/safety-pipeline.js';
import type { Provider } from '../providers/provider.js';
import { CHAOS_TYPES, type OnDemandChaosRequest } from './api/on-demand-chaos.js';
import type { ChaosEvent, OnDemandOutcome } from './daemon-control.js';

/** What a daemon fault needs from the running daemon. */
export interface FaultSeams {
  readonly run: FaultRun;
  readonly provider: Provider;
  readonly pipeline: SafetyPipeline;
  readonly clock: Clock;
  readonly random: Random;
  readonly events: EngineEvents;
}

/** The result of one hit, with the termination event it makes when it happened. */
export interface DaemonHit {
  readonly outcome: ChaosOutcome | { readonly error: unknown };
  readonly event?: ChaosEvent;
}

/** Hits `group` once (one instance, `signal`), never throwing: an error is part of the answer. */
export async function hitGroup(
  seams: FaultSeams,
  request: { readonly group: string; readonly groupType: string; readonly chaosType: keyof typeof CHAOS_TYPES; readonly source: ChaosEvent['source']; readonly fencingToken?: number },
): Promise<DaemonHit> {
  try {
    const outcome = await runChaos(seams.run, seams.provider, seams.pipeline, {
      clock: seams.clock,
      random: seams.random,
      events: seams.events,
      group: request.group,
      selection: { mode: 'one' },
      signal: CHAOS_TYPES[request.chaosType],
    });
    if (outcome.decision.outcome !== 'executed') return { outcome };
    const fault = outcome.decision.fault;
    const event: ChaosEvent = {
      monkeyType: 'CHAOS',
      eventId: fault.id,
      eventType: 'CHAOS_TERMINATION',
      eventTime: fault.startedAt,
      groupType: request.groupType,
      groupName: request.group,
      chaosType: request.chaosType,
      source: request.source,
      ...(request.fencingToken === undefined ? {} : { fencingToken: request.fencingToken }),
    };
    return { outcome, event };
  } catch (error) {
    return { outcome: { error } };
  }
}

/** SimianArmy's answer to an on-demand request, from what the pipeline decided. */
export function onDemandOutcome(hit: DaemonHit): OnDemandOutcome {
  if ('error' in hit.outcome) {
    const error = hit.outcome.error;
    return { outcome: 'failed', detail: error instanceof SimianError || error instanceof Error ? errorMessage(error) : String(error) };
  }
  const { decision } = hit.outcome;
  switch (decision.outcome) {
    case 'executed':
      return { outcome: 'executed', event: hit.event! };
    case 'failed':
      return { outcome: 'failed', detail: errorMessage(decision.error) };
    case 'skipped':
      if (decision.reason === 'unknown-target') return { outcome: 'notFound', detail: decision.detail };
      // SimianArmy's 410: the group is there, but nothing in it may be hit.
      if (decision.reason === 'not-eligible' || decision.reason === 'no-victims') return { outcome: 'gone', detail: decision.detail };
      return { outcome: 'refused', reason: decision.reason, detail: decision.detail };
  }
}

/** The request of the API as a hit of the daemon. */
export function onDemandHit(request: OnDemandChaosRequest, fencingToken?: number) {
  return {
    group: request.groupName,
    groupType: request.groupType,
    chaosType: request.chaosType,
    source: 'on-demand' as const,
    ...(fencingToken === undefined ? {} : { fencingToken }),
  };
}
