/**
 * @module
 * Time to detect and time to recover, measured against the steady state rather than guessed: detection is the
 * first check that failed after the first fault, recovery the first poll after the faults ended at which the whole
 * steady state held again (SLOs scored only over the time since the faults ended, so the outage itself does not
 * hold the SLI down, and over at least one poll interval, so a window too short to hold events cannot pass
 * trivially), polled up to a bound.
 */
import type { Clock } from '../core/clock.js';
import type { SliWindow } from '../slo/sli-source.js';
import type { RecoverySpec } from './experiment.js';
import type { RecoveryRecord } from './journal.js';
import { isoTime, type ResolvedSlo, type SteadyStateResult } from './steady-state.js';

/** What the runner knows when the rollbacks are done. */
export interface RecoveryInput {
  readonly firstFaultAt: number | undefined;
  readonly faultsEndedAt: number | undefined;
  readonly detectedAt: number | undefined;
  readonly detectedBy: string | undefined;
  /** Whether any check exists to poll. */
  readonly hasChecks: boolean;
  /**
   * The shortest window an SLO is scored over: a window of a few milliseconds holds almost no events and would
   * pass trivially. The runner gives one poll interval when the steady state has SLOs, 0 otherwise.
   */
  readonly minWindowMs: number;
  readonly spec: RecoverySpec;
  readonly clock: Clock;
  /** Interrupts the polling. */
  readonly signal?: AbortSignal;
  /** Checks the steady state with each SLO scored over the window given. */
  evaluate(windowOf: (slo: ResolvedSlo) => SliWindow): Promise<SteadyStateResult & { readonly aborted: boolean }>;
}

/** Polls the steady state until it holds again, and fills in the recovery record. */
export async function measureRecovery(input: RecoveryInput): Promise<RecoveryRecord> {
  const { clock, spec } = input;
  const detection = {
    firstFaultAt: input.firstFaultAt === undefined ? null : isoTime(input.firstFaultAt),
    faultsEndedAt: input.faultsEndedAt === undefined ? null : isoTime(input.faultsEndedAt),
    detectedAt: input.detectedAt === undefined ? null : isoTime(input.detectedAt),
    detectedBy: input.detectedBy ?? null,
    timeToDetectMs: input.detectedAt !== undefined && input.firstFaultAt !== undefined ? input.detectedAt - input.firstFaultAt : null,
  };
  const unmeasured = (recovered: boolean | null, detail: string): RecoveryRecord => ({ ...detection, recoveredAt: null, timeToRecoverMs: null, recovered, detail, checks: [] });
  if (input.firstFaultAt === undefined || input.faultsEndedAt === undefined) return unmeasured(null, 'no fault was injected');
  if (!input.hasChecks) return unmeasured(null, 'the experiment has no steady-state checks to watch');
  if (input.detectedAt === undefined) return unmeasured(true, 'no check failed after the first fault: nothing to recover from');

  const endedAt = input.faultsEndedAt;
  const deadline = clock.now() + spec.timeoutMs;
  const checks: SteadyStateResult[] = [];
  for (;;) {
    const short = endedAt + input.minWindowMs - clock.now();
    if (short > 0) {
      try {
        await clock.sleep(short, input.signal);
      } catch {
        return { ...detection, recoveredAt: null, timeToRecoverMs: null, recovered: null, detail: 'interrupted while waiting for recovery', checks };
      }
    }
    const now = clock.now();
    const sample = await input.evaluate((slo) => ({ start: Math.max(endedAt, now - slo.check.windowMs), end: now }));
    if (sample.aborted) return { ...detection, recoveredAt: null, timeToRecoverMs: null, recovered: null, detail: 'interrupted while waiting for recovery', checks };
    const { aborted: _aborted, ...result } = sample;
    checks.push(result);
    if (result.met) {
      return { ...detection, recoveredAt: isoTime(now), timeToRecoverMs: Math.max(0, now - endedAt), recovered: true, detail: `the steady state held again ${Math.max(0, now - endedAt)} ms after the faults ended`, checks };
    }
    const left = deadline - clock.now();
    if (left <= 0) break;
    try {
      await clock.sleep(Math.min(spec.intervalMs, left), input.signal);
    } catch {
      return { ...detection, recoveredAt: null, timeToRecoverMs: null, recovered: null, detail: 'interrupted while waiting for recovery', checks };
    }
  }
  return { ...detection, recoveredAt: null, timeToRecoverMs: null, recovered: false, detail: `the steady state did not hold again within ${spec.timeoutMs} ms of the rollbacks`, checks };
}
