/**
 * @module
 * The experiment runner. In order: check the input → resolve the targets → start the viewers the file's `load`
 * declares (they run until the last check, however the run ends) → the steady state before (not met: the run
 * fails and no fault is injected) → the method, its faults through the safety pipeline, while the stop
 * conditions and the steady state are polled (a hit aborts the method) → the steady state after (not met:
 * deviated) and the control comparison → revert every fault the run injected, then the user's rollbacks (always:
 * on success, failure, abort and interrupt; a failed one fails the run) → recovery (time to detect, time to
 * recover) → the error budget the run consumed → the journal.
 *
 * A run is leashed when the operator's configuration says so (the default) unless `--unleash` is given, and with
 * `--dry-run`: it resolves the targets and asks the pipeline leashed, so each decision says what the real run
 * would meet (every guard is evaluated); it runs no check, no HTTP call, no process, no pause. The file's
 * `blast-radius` may only tighten the operator's limits, field by field. A run in which a fault the method meant
 * to inject was skipped is `not-tested`: the hypothesis was not put to the test. Engaging the kill switch during a
 * run aborts it and reverts its faults within a second.
 */
import type { Fault } from '../core/model.js';
import { killSwitchReason, watchKillSwitch } from '../monkeys/safety/kill-switch-watch.js';
import type { SafetyPipeline } from '../monkeys/safety/safety-pipeline.js';
import { resolveSafetyConfig, tightenSafetyConfig, type SafetyConfig } from '../monkeys/safety/safety-config.js';
import type { Provider } from '../providers/provider.js';
import { errorBudget } from '../slo/slo-spec.js';
import type { SliWindow } from '../slo/sli-source.js';
import type { RevertTrigger } from '../state/records.js';
import { runAction, type ActionContext } from './actions.js';
import { compareGroups } from './control.js';
import { isFaultAction, methodActions, type Experiment, type PlacedAction } from './experiment.js';
import {
  JOURNAL_SCHEMA,
  journalDefinition,
  type ActionRecord,
  type BudgetRecord,
  type ControlRecord,
  type FaultRevertRecord,
  type Journal,
  type LoadRecord,
  type RecoveryRecord,
  type RunStatus,
} from './journal.js';
import { prepareExperiment, resolveTargets } from './prepare.js';
import { execFileProcess, type ActivityContext, type ActivityResult } from './probes.js';
import { redact, redactText } from './redaction.js';
import { measureRecovery } from './recovery.js';
import { revertFaults, runRollbacks, type HeldFault } from './rollbacks.js';
import type { RunnerDeps } from './runner-deps.js';
import {
  evaluateSteadyState,
  formatRatio,
  hasChecks,
  isoTime,
  measure,
  type CheckContext,
  type ResolvedSlo,
  type SteadyStatePhase,
  type SteadyStateResult,
} from './steady-state.js';
import { pollStopConditions, type StopHit } from './stop-conditions.js';
import { describeLoad, startDeclaredViewers, type DeclaredViewers } from './viewers.js';

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The fault actions the method meant to inject and did not (their guard, and how to lift it), for `not-tested`. */
function untested(actions: readonly ActionRecord[], dryRun: boolean): string[] {
  return actions
    .filter((a) => a.decision?.outcome === 'skipped' && !(dryRun && a.decision.reason === 'leashed'))
    .map((a) => `step ${a.step} (${a.name}) ${dryRun ? 'would be' : 'was'} ${a.detail}`);
}

/** The first failing check of a sample, for "detected by". */
function firstFailure(result: SteadyStateResult): string {
  const failed = result.checks.find((c) => !c.met);
  return failed ? `${result.phase}: ${failed.kind} ${failed.name}: ${failed.detail}` : result.phase;
}

/** What the checked part of a run (steady states, method, rollbacks, recovery) leaves for the journal. */
interface CheckedRun {
  readonly methodRan: boolean;
  readonly control: ControlRecord | null;
  readonly deviated: boolean;
  readonly faultReverts: FaultRevertRecord[];
  readonly rollbackResults: ActivityResult[];
  readonly recovery: RecoveryRecord;
}

/** Mutable bookkeeping of one run. */
class RunLog {
  readonly failures: string[] = [];
  abortReason: string | undefined;
  before: SteadyStateResult | null = null;
  readonly during: SteadyStateResult[] = [];
  after: SteadyStateResult | null = null;
  readonly actions: ActionRecord[] = [];
  readonly faults: HeldFault[] = [];
  methodStartedAt: number | undefined;
  methodEndedAt: number | undefined;
  firstFaultAt: number | undefined;
  detectedAt: number | undefined;
  detectedBy: string | undefined;
  polls = 0;
  hit: StopHit | null = null;

  noteDetection(at: number, by: string): void {
    if (this.firstFaultAt !== undefined && this.detectedAt === undefined && at >= this.firstFaultAt) {
      this.detectedAt = at;
      this.detectedBy = by;
    }
  }
}

/**
 * Runs an experiment and returns its journal. Bad input throws before anything is touched; everything after that
 * ends in the journal, never in a throw.
 *
 * @throws InvalidInputError `experiment.invalid`, `experiment.sloUnavailable`, `experiment.prometheusUnavailable`
 * @example
 * const journal = await runExperiment(await loadExperiment('experiments/zone-outage.yaml'), deps);
 * if (journal.status !== 'completed' || journal.deviated) process.exitCode = 1;
 */
export async function runExperiment(experiment: Experiment, deps: RunnerDeps): Promise<Journal> {
  const prepared = await prepareExperiment(experiment, deps);
  const { clock } = deps;
  const log = (line: string): void => deps.log?.(redactText(line, prepared.secrets));
  const interrupt = deps.signal;
  const startedAt = clock.now();
  const run = new RunLog();
  const steadyState = prepared.steadyState;
  const checksExist = hasChecks(steadyState);
  // The operator's limits, tightened by the file's blast radius and never loosened; leashed unless unleashed.
  const operator = resolveSafetyConfig(deps.safety);
  const tightened = tightenSafetyConfig(operator, experiment.blastRadius);
  const explicitDryRun = deps.dryRun ?? false;
  const dryRun = explicitDryRun || operator.leashed;
  const safety: SafetyConfig = { ...tightened.config, leashed: dryRun };
  if (tightened.refused.length > 0) log(`blast-radius: looser than the operator's limits, so not applied: ${tightened.refused.join(', ')}`);
  if (dryRun && !explicitDryRun) log('leashed: nothing will be injected (leashed: true is the default; --unleash runs the experiment for real)');
  let killSwitchEngaged = false;

  const activityBase: ActivityContext = {
    clock,
    variables: prepared.variables,
    fetch: deps.fetch ?? globalThis.fetch,
    runProcess: deps.runProcess ?? execFileProcess,
    baseDir: experiment.source?.baseDir ?? process.cwd(),
  };
  const checkContext = (signal: AbortSignal | undefined): CheckContext => ({
    ...activityBase,
    ...(signal ? { signal } : {}),
    ...(deps.sli ? { sli: deps.sli } : {}),
    ...(deps.prometheus ? { prometheus: deps.prometheus } : {}),
  });
  const evaluate = async (phase: SteadyStatePhase, windowOf: (slo: ResolvedSlo) => SliWindow, signal: AbortSignal | undefined) =>
    evaluateSteadyState(phase, steadyState, windowOf, checkContext(signal));
  const interrupted = () => interrupt?.aborted === true;

  // Targets: every provider reachable, everything the faults name present.
  let providers = new Map<string, Provider>();
  if (methodActions(experiment).some(({ action }) => isFaultAction(action))) {
    const targets = await resolveTargets(experiment, deps);
    providers = targets.providers;
    if (targets.problems.length > 0) run.failures.push(`targets: ${targets.problems.join('; ')}`);
    log(targets.problems.length > 0 ? `targets: ${targets.problems.join('; ')}` : `targets resolved on ${[...providers.keys()].join(', ')}`);
  }

  // The file's viewers, from before the steady state before to after the last check, however the run ends.
  const viewers = declaredViewers();
  let checked: CheckedRun;
  let load: LoadRecord | null = null;
  try {
    checked = await checkedRun();
  } finally {
    if (viewers) load = await viewers.stop();
  }
  const { methodRan, control, deviated, faultReverts, rollbackResults, recovery } = checked;

  const errorBudgetRecords = methodRan && !interrupted() ? await budgets(run.methodStartedAt!, clock.now()) : [];

  const endedAt = clock.now();
  const notTested = untested(run.actions, dryRun);
  // Leashed by the configuration rather than asked for a dry run: nothing the method meant to do was done.
  const leashedOnly = dryRun && !explicitDryRun && run.actions.length > 0;
  const status: RunStatus = interrupted()
    ? 'interrupted'
    : run.failures.length > 0
      ? 'failed'
      : run.abortReason
        ? 'aborted'
        : notTested.length > 0 || leashedOnly
          ? 'not-tested'
          : 'completed';
  const reasons = [
    ...(interrupted() ? [`interrupted${interrupt?.reason !== undefined ? ` (${errorText(interrupt.reason)})` : ''}`] : []),
    ...run.failures,
    ...(run.abortReason ? [run.abortReason] : []),
    ...(status === 'not-tested' && notTested.length > 0 ? [`not tested: ${notTested.join('; ')}`] : []),
    ...(status === 'not-tested' && leashedOnly ? ['leashed: nothing was injected (leashed: true is the default; --unleash runs the experiment for real)'] : []),
    ...(deviated ? [run.after && !run.after.met ? `the steady state did not hold after the method (${firstFailure(run.after)})` : 'the experiment group did worse than the control group'] : []),
  ];
  log(`${status}${deviated ? ', deviated' : ''}${status === 'not-tested' ? `: ${reasons.filter((r) => r.startsWith('not tested') || r.startsWith('leashed')).join('; ')}` : ''}`);
  // The run used the secrets; what is written down does not show them.
  return redact<Journal>({
    schema: JOURNAL_SCHEMA,
    experiment: {
      title: experiment.title,
      ...(experiment.description !== undefined ? { description: experiment.description } : {}),
      tags: experiment.tags,
      ...(experiment.source ? { file: experiment.source.file } : {}),
      target: experiment.target,
    },
    definition: journalDefinition(experiment),
    status,
    deviated,
    dryRun,
    ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
    startedAt: isoTime(startedAt),
    endedAt: isoTime(endedAt),
    durationMs: endedAt - startedAt,
    variables: prepared.journalVariables,
    steadyStates: { before: run.before, during: run.during, after: run.after },
    method: {
      startedAt: run.methodStartedAt === undefined ? null : isoTime(run.methodStartedAt),
      endedAt: run.methodEndedAt === undefined ? null : isoTime(run.methodEndedAt),
      actions: run.actions,
    },
    stopConditions: { intervalMs: experiment.stopConditions.intervalMs, polls: run.polls, hit: run.hit },
    rollbacks: { faults: faultReverts, activities: rollbackResults, skipped: dryRun },
    control,
    recovery,
    errorBudget: errorBudgetRecords,
    load,
  }, prepared.secrets);

  /** The checks (before, during, after), the method, the rollbacks and recovery: everything the viewers run for. */
  async function checkedRun(): Promise<CheckedRun> {
    // The steady state before: not met, nothing is injected.
    if (run.failures.length === 0 && !dryRun && !interrupted() && checksExist) {
      let baselineEnd = startedAt;
      let baselineStart = Number.NEGATIVE_INFINITY;
      const longest = Math.max(0, ...steadyState.slos.map((s) => s.check.windowMs));
      // The run's own viewers have no history either: what came before them is not their traffic.
      if ((deps.baseline === 'observe' || viewers !== undefined) && longest > 0) {
        // No history to read: watch the window now, then score what was watched.
        log(`watching the steady state for ${longest} ms before the method (${viewers ? "the run's viewers have only just started" : 'the SLI source keeps no history'})`);
        await clock.sleep(longest, interrupt).catch(() => undefined);
        baselineStart = startedAt;
        baselineEnd = clock.now();
      }
      const before = await evaluate('before', (slo) => ({ start: Math.max(baselineStart, baselineEnd - slo.check.windowMs), end: baselineEnd }), interrupt);
      const { aborted: _aborted, ...result } = before;
      run.before = result;
      log(`steady state before: ${result.met ? 'met' : `not met (${firstFailure(result)})`}`);
      if (!result.met && !interrupted()) run.failures.push(`the steady state did not hold before the method (${firstFailure(result)})`);
    }

    if (run.failures.length === 0 && !interrupted()) {
      await runMethod();
    }

    // After: deviated is the hypothesis not holding once the method ran (aborted runs included: that is the news).
    let control: ControlRecord | null = null;
    const methodRan = run.methodStartedAt !== undefined && !dryRun;
    let scoredUntil = run.methodEndedAt ?? clock.now();
    if (methodRan && !interrupted() && steadyState.slos.length > 0 && run.failures.length === 0 && run.abortReason === undefined) {
      // A method of a few milliseconds (every fault skipped, say) leaves a window too short to hold events, which
      // would pass trivially: SLOs are scored over at least one polling interval. Not when the run failed or was
      // aborted: its faults are still in place, and rolling them back comes first.
      const short = run.methodStartedAt! + experiment.stopConditions.intervalMs - clock.now();
      if (short > 0) await clock.sleep(short, interrupt).catch(() => undefined);
      scoredUntil = Math.max(scoredUntil, Math.min(clock.now(), run.methodStartedAt! + experiment.stopConditions.intervalMs));
    }
    const methodWindow = (): SliWindow => ({ start: run.methodStartedAt!, end: scoredUntil });
    if (methodRan && !interrupted() && checksExist) {
      const after = await evaluate('after', () => methodWindow(), interrupt);
      const { aborted: _aborted, ...result } = after;
      run.after = result;
      if (!result.met) run.noteDetection(clock.now(), firstFailure(result));
      log(`steady state after: ${result.met ? 'met' : `not met (${firstFailure(result)})`}`);
    }
    if (methodRan && !interrupted() && experiment.control) {
      control = await compareGroups(experiment.control, steadyState.slos, methodWindow(), checkContext(interrupt));
      log(`control vs experiment: ${control.met ? 'no worse than the control' : 'worse than the control'}`);
    }
    const deviated = (run.after !== null && !run.after.met) || (control !== null && !control.met);

    // Rollbacks, always: the run's faults first, then the user's. Neither is cut short by an interrupt.
    const trigger: RevertTrigger = interrupted() ? 'signal' : killSwitchEngaged ? 'kill-switch' : run.failures.length > 0 || run.abortReason ? 'abort' : 'ttl';
    const faultReverts = await revertFaults(run.faults, trigger, deps.faults, clock);
    for (const revert of faultReverts) {
      log(`revert ${revert.faultId}: ${revert.outcome}${revert.error ? ` (${revert.error})` : ''}`);
      if (revert.outcome === 'failed') run.failures.push(`fault ${revert.faultId} could not be reverted: ${revert.error ?? 'unknown error'}; run "simian revert ${revert.faultId}"`);
    }
    let rollbackResults: ActivityResult[] = [];
    if (!dryRun) {
      rollbackResults = await runRollbacks(experiment.rollbacks, activityBase);
      for (const result of rollbackResults) {
        log(`rollback ${result.name}: ${result.ok ? 'ok' : `failed (${result.detail})`}`);
        if (!result.ok) run.failures.push(`rollback "${result.name}" failed: ${result.detail}`);
      }
    }
    const faultsEndedAt = endOfFaults(run.faults, faultReverts, clock.now());

    // Recovery, unless interrupted (people who press Ctrl-C want their terminal back).
    let recovery: RecoveryRecord;
    if (dryRun || interrupted()) {
      recovery = emptyRecovery(run, faultsEndedAt, dryRun ? 'dry run' : 'interrupted');
    } else {
      recovery = await measureRecovery({
        firstFaultAt: run.firstFaultAt,
        faultsEndedAt,
        detectedAt: run.detectedAt,
        detectedBy: run.detectedBy,
        hasChecks: checksExist,
        minWindowMs: steadyState.slos.length > 0 ? experiment.recovery.intervalMs : 0,
        spec: experiment.recovery,
        clock,
        ...(interrupt ? { signal: interrupt } : {}),
        evaluate: (windowOf) => evaluate('recovery', windowOf, interrupt),
      });
      if (recovery.checks.length > 0) log(`recovery: ${recovery.detail}`);
    }
    return { methodRan, control, deviated, faultReverts, rollbackResults, recovery };
  }

  /** The viewers the file's `load` declares, started through the seam; none in a dry run or once the run is over. */
  function declaredViewers(): DeclaredViewers | undefined {
    if (!experiment.load || dryRun || interrupted() || run.failures.length > 0) return undefined;
    if (!deps.viewers) {
      log(`viewers: the file asks for ${describeLoad(experiment.load)}; this run starts none (its caller drives the traffic)`);
      return undefined;
    }
    return startDeclaredViewers(experiment.load, { clock, viewers: deps.viewers, log, ...(interrupt ? { signal: interrupt } : {}) });
  }

  /** The steps in order, with the monitor polling beside them, then the hold until every fault's TTL is up. */
  async function runMethod(): Promise<void> {
    const stop = new AbortController();
    const signal = interrupt ? AbortSignal.any([interrupt, stop.signal]) : stop.signal;
    const abort = (reason: string) => {
      run.abortReason ??= reason;
      stop.abort(new Error(reason));
    };
    const fail = (reason: string) => {
      run.failures.push(reason);
      stop.abort(new Error(reason));
    };
    const pipelines = new Map<string, SafetyPipeline>();
    const evacuated: string[] = [];
    const context: ActionContext = {
      clock,
      random: deps.random,
      dryRun,
      defaultProvider: experiment.target.provider,
      ...(experiment.control ? { control: experiment.control } : {}),
      safety,
      provider: (name) => {
        const provider = providers.get(name);
        if (!provider) throw new Error(`provider ${name} was not resolved`);
        return provider;
      },
      pipeline: (provider) => {
        let pipeline = pipelines.get(provider.name);
        if (!pipeline) pipelines.set(provider.name, (pipeline = deps.faults!.pipeline(provider, safety)));
        return pipeline;
      },
      evacuatedRegions: () => evacuated,
      killSwitchEngaged: async () => (await killSwitchReason(safety, deps.fileExists)) !== undefined,
      onFault: (fault: Fault, provider: string) => {
        run.faults.push({ fault, provider });
        run.firstFaultAt ??= fault.startedAt;
        if (fault.kind === 'region-evacuation') evacuated.push(...fault.targets);
      },
      activity: { ...activityBase, signal },
    };
    const pause = async (ms: number) => {
      if (dryRun || ms <= 0 || signal.aborted) return;
      await clock.sleep(ms, signal).catch(() => undefined);
    };
    const runOne = async (placed: PlacedAction): Promise<ActionRecord | undefined> => {
      await pause(placed.action.pauses.beforeMs);
      if (signal.aborted) return undefined;
      const { record, decision, killSwitch } = await runAction(placed, context);
      log(`step ${placed.step} ${placed.action.name}: ${record.detail}`);
      if ((decision?.outcome === 'skipped' && decision.reason === 'kill-switch') || killSwitch === true) {
        killSwitchEngaged = true;
        abort(`the kill switch is engaged (step ${placed.step}: ${decision?.outcome === 'skipped' ? decision.detail : record.detail})`);
      } else if (record.outcome === 'failed') fail(`step ${placed.step} (${placed.action.name}) failed: ${record.detail}`);
      await pause(placed.action.pauses.afterMs);
      return record;
    };

    run.methodStartedAt = clock.now();
    const monitor = dryRun ? undefined : startMonitor(signal, abort);
    // A safety lever ends what is in force, not only what comes next: engaged, the run aborts and reverts.
    const lever = dryRun
      ? undefined
      : watchKillSwitch({
          clock,
          config: safety,
          ...(deps.fileExists ? { fileExists: deps.fileExists } : {}),
          onEngaged: (why) => {
            log(`${why}: stopping the method and reverting its faults`);
            killSwitchEngaged = true;
            abort(`the kill switch was engaged during the run (${why})`);
          },
        });
    try {
      const placed = methodActions(experiment);
      for (const [i, step] of experiment.method.entries()) {
        if (signal.aborted) break;
        const mine = placed.filter((p) => p.path[1] === i);
        const records = step.kind === 'parallel' ? await Promise.all(mine.map(runOne)) : [await runOne(mine[0]!)];
        for (const record of records) if (record) run.actions.push(record);
      }
      // Hold: each reversible fault gets its whole duration before the after check.
      const until = Math.max(...run.faults.map(({ fault }) => fault.expiresAt ?? 0), 0);
      if (!signal.aborted && !dryRun && until > clock.now()) {
        log(`holding until the faults end (${until - clock.now()} ms)`);
        await clock.sleep(until - clock.now(), signal).catch(() => undefined);
      }
    } finally {
      run.methodEndedAt = clock.now();
      await monitor?.stop();
      lever?.stop();
    }
  }

  /** Polls the steady state (the "during" samples) and the stop conditions every interval while the method runs. */
  function startMonitor(methodSignal: AbortSignal, abort: (reason: string) => void): { stop(): Promise<void> } {
    const done = new AbortController();
    const signal = AbortSignal.any([methodSignal, done.signal]);
    const { intervalMs, conditions } = experiment.stopConditions;
    if (!checksExist && conditions.length === 0) return { stop: async () => undefined };
    const loop = (async () => {
      for (;;) {
        try {
          await clock.sleep(intervalMs, signal);
        } catch {
          return;
        }
        const now = clock.now();
        if (checksExist) {
          const start = run.methodStartedAt!;
          const sample = await evaluate('during', (slo) => ({ start: Math.max(start, now - slo.check.windowMs), end: now }), signal);
          // A sample cut short by the end of the method says nothing.
          if (sample.aborted || signal.aborted) return;
          const { aborted: _aborted, ...result } = sample;
          run.during.push(result);
          if (!result.met) run.noteDetection(now, firstFailure(result));
        }
        if (conditions.length > 0) {
          const poll = await pollStopConditions(experiment.stopConditions, prepared.sloLookup, checkContext(signal));
          if (signal.aborted) return;
          run.polls++;
          if (poll.hit) {
            run.hit = poll.hit;
            run.noteDetection(now, `stop condition ${poll.hit.name}: ${poll.hit.detail}`);
            log(`stop condition hit: ${poll.hit.name}: ${poll.hit.detail}`);
            abort(`stop condition "${poll.hit.name}" hit: ${poll.hit.detail}`);
            return;
          }
        }
      }
    })();
    return {
      stop: async () => {
        done.abort();
        await loop;
      },
    };
  }

  /** The error budget each steady-state SLO spent over the run window. */
  async function budgets(start: number, end: number): Promise<BudgetRecord[]> {
    const window = { start, end };
    return Promise.all(
      steadyState.slos.map(async ({ slo, service, check }): Promise<BudgetRecord> => {
        const base = { slo: slo.name, service, objective: slo.objective, window: { start: isoTime(start), end: isoTime(end) }, periodMs: check.periodMs };
        if (!deps.sli) return { ...base, errorRatio: null, burnRate: null, budgetConsumed: null, detail: 'no SLI source' };
        const result = await measure(deps.sli, slo, window);
        if (result.outcome === 'inconclusive') return { ...base, errorRatio: null, burnRate: null, budgetConsumed: null, detail: `inconclusive: ${result.reason}` };
        const burnRate = result.errorRatio / errorBudget(slo);
        const budgetConsumed = (burnRate * (end - start)) / check.periodMs;
        return { ...base, errorRatio: result.errorRatio, burnRate, budgetConsumed, detail: `burn rate ${formatRatio(burnRate)}: ${formatRatio(budgetConsumed * 100)}% of the ${Math.round(check.periodMs / 86_400_000)}-day budget` };
      }),
    );
  }
}

/** When the last fault ended: a revert's moment (its TTL when the TTL got there first), or a termination's. */
function endOfFaults(faults: readonly HeldFault[], reverts: readonly FaultRevertRecord[], now: number): number | undefined {
  if (faults.length === 0) return undefined;
  const revertedAt = new Map(reverts.map((r) => [r.faultId, r]));
  return Math.max(
    ...faults.map(({ fault }) => {
      if (fault.expiresAt === undefined) return fault.startedAt;
      const revert = revertedAt.get(fault.id);
      if (revert?.outcome === 'already-reverted') return Math.min(fault.expiresAt, now);
      return revert ? Math.min(Date.parse(revert.at), now) : now;
    }),
  );
}

function emptyRecovery(run: RunLog, faultsEndedAt: number | undefined, why: string): RecoveryRecord {
  return {
    firstFaultAt: run.firstFaultAt === undefined ? null : isoTime(run.firstFaultAt),
    faultsEndedAt: faultsEndedAt === undefined ? null : isoTime(faultsEndedAt),
    detectedAt: run.detectedAt === undefined ? null : isoTime(run.detectedAt),
    detectedBy: run.detectedBy ?? null,
    timeToDetectMs: run.detectedAt !== undefined && run.firstFaultAt !== undefined ? run.detectedAt - run.firstFaultAt : null,
    recoveredAt: null,
    timeToRecoverMs: null,
    recovered: null,
    detail: `not measured: ${why}`,
    checks: [],
  };
}
