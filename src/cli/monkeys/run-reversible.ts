/**
 * @module
 * The life of a reversible fault on the command line: open a session, ask the pipeline, report, then hold the
 * fault until it reverts (or detach and leave its TTL to others).
 */
import { SimianError } from '../../core/errors.js';
import type { ReversibleFaultRequest } from '../../monkeys/safety/fault-plan.js';
import type { SafetyConfig } from '../../monkeys/safety/safety-config.js';
import type { Fault } from '../../core/model.js';
import { decisionReportJson, errorText, formatDecisionReport, unknownTarget, type DecisionReport } from '../decision-report.js';
import type { CommandDeps } from '../command-deps.js';
import { holdFault } from './hold-fault.js';
import { openMonkeySession, type MonkeySession } from './monkey-session.js';
import type { ReversibleMonkeyFlags } from './common-options.js';

/**
 * Runs one reversible fault. `build` receives the resolved safety config (the planners read its blast radius) and
 * the duration (`--duration`, else the config's `faults.defaultDuration`).
 *
 * @throws {SimianError} `monkey.actionFailed` when the fault failed half-way (it was rolled back), and
 *   `monkey.revertFailed` when the revert failed (the fault stays recorded for `simian revert`).
 */
export async function runReversible(
  deps: CommandDeps,
  flags: ReversibleMonkeyFlags,
  build: (config: SafetyConfig, durationMs: number) => ReversibleFaultRequest,
  /** What follows an executed fault, through the same pipeline (Chaos Kong's kills); its decisions are reported. */
  followUp?: (session: MonkeySession, fault: Fault) => Promise<readonly DecisionReport[]>,
): Promise<void> {
  const session = await openMonkeySession(deps, flags);
  try {
    const request = build(session.config, flags.duration ?? session.simian.faults.defaultDurationMs);
    const decision = await session.pipeline.inject(request);
    const scope = decision.outcome === 'skipped' ? request.monkey : (session.run.store.fault(decision.fault.id)?.group ?? request.monkey);
    const base: DecisionReport = { monkey: request.monkey, provider: session.provider.name, scope, leashed: session.config.leashed, decision };
    if (decision.outcome === 'failed') {
      deps.writeOut(flags.json ? decisionReportJson(base) : formatDecisionReport(base));
      throw new SimianError('monkey.actionFailed', `the fault failed and was rolled back: ${errorText(decision.error)}`, { cause: decision.error });
    }
    if (decision.outcome === 'skipped') {
      if (decision.reason === 'unknown-target') throw unknownTarget(decision.detail);
      deps.writeOut(flags.json ? decisionReportJson(base) : formatDecisionReport(base));
      return;
    }
    const expiresAt = decision.fault.expiresAt!;
    const detached = flags.detach === true;
    const followed = followUp ? await followUp(session, decision.fault) : [];
    const report: DecisionReport = { ...base, revert: { expiresAt, detached }, ...(followed.length > 0 ? { followUps: followed } : {}) };
    if (detached) {
      deps.writeOut(flags.json ? decisionReportJson(report) : formatDecisionReport(report));
      return;
    }
    // Text goes out at once so people see the fault is on; JSON waits for the whole story, revert included.
    if (!flags.json) deps.writeOut(formatDecisionReport(report));
    const held = await holdFault(deps, session, { id: decision.fault.id, expiresAt });
    const outcome = held.outcome.outcome;
    const trigger = held.signal ? 'signal' : held.endedBy;
    if (flags.json) deps.writeOut(decisionReportJson({ ...report, revert: { expiresAt, detached, outcome, trigger } }));
    else deps.writeOut(`reverted: ${decision.fault.id} (${held.signal ? `on ${held.signal}` : held.endedBy === 'kill-switch' ? 'the kill switch was engaged' : 'on time'})\n`);
  } finally {
    await session.close();
  }
}
