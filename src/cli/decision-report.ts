/**
 * @module
 * How a safety decision reads on a terminal and in `--json`: one shape for every monkey, so scripts parse one
 * thing and people always see why nothing happened.
 */
import { InvalidInputError } from '../core/errors.js';
import type { SafetyDecision } from '../monkeys/safety/decision.js';

/**
 * A target that does not exist is bad input, not a skip: exit 2, with the names there are and a "did you mean".
 *
 * @example
 * if (decision.outcome === 'skipped' && decision.reason === 'unknown-target') throw unknownTarget(decision.detail);
 */
export function unknownTarget(detail: string): InvalidInputError {
  return new InvalidInputError('monkey.unknownTarget', detail);
}

/** What `simian monkey … --json` prints. */
export interface DecisionReport {
  readonly monkey: string;
  readonly provider: string;
  /** The group, zone or region the decision is about. */
  readonly scope: string;
  readonly leashed: boolean;
  readonly decision: SafetyDecision;
  /** The instances hit (or that would be), with what people need to find them (a pid, a zone). */
  readonly victims?: readonly { readonly id: string; readonly pid?: number | undefined }[];
  /** For a reversible fault that ran: when it reverts (epoch ms) and whether this process waits for it. */
  readonly revert?: { readonly expiresAt: number; readonly detached: boolean; readonly outcome?: string; readonly trigger?: string };
  /** Decisions taken as part of this fault, each through the pipeline (Chaos Kong's kills in its region). */
  readonly followUps?: readonly DecisionReport[];
}

/** The error's message: decisions carry raw errors, which JSON would print as `{}`. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function targetsOf(report: DecisionReport): string {
  if (report.victims && report.victims.length > 0) {
    return report.victims.map((v) => (v.pid === undefined ? v.id : `${v.id} (pid ${v.pid})`)).join(', ');
  }
  const { decision } = report;
  const fault = decision.outcome === 'skipped' ? decision.fault : decision.fault;
  return fault?.targets.join(', ') ?? '';
}

/** One or two lines for people, then one per follow-up decision. */
export function formatDecisionReport(report: DecisionReport): string {
  return formatOne(report) + (report.followUps ?? []).map((f) => `  ${formatOne(f)}`).join('');
}

function formatOne(report: DecisionReport): string {
  const { decision } = report;
  switch (decision.outcome) {
    case 'executed': {
      const what = decision.fault.kind === 'terminate' ? `terminated ${targetsOf(report)}` : `${decision.fault.kind} on ${targetsOf(report)}`;
      const until = report.revert
        ? `; reverts in ${Math.round((report.revert.expiresAt - decision.fault.startedAt) / 1000)}s${report.revert.detached ? ' (detached: the TTL is kept by the stack, the next simian start or "simian revert")' : ''}`
        : '';
      return `executed: ${what} [${report.scope}] [${decision.fault.id}]${until}\n`;
    }
    case 'skipped':
      return `skipped (${decision.reason}): ${decision.detail}\n`;
    case 'failed':
      return (
        `failed: ${decision.fault.kind} on ${decision.fault.targets.join(', ')} [${report.scope}]: ${errorText(decision.error)}` +
        ` (already hit: ${decision.affected.join(', ') || 'none'})\n`
      );
  }
}

/** JSON with errors reduced to their name and message. */
export function decisionReportJson(report: DecisionReport): string {
  return `${JSON.stringify(report, (_key, value: unknown) => (value instanceof Error ? { name: value.name, message: value.message } : value), 2)}\n`;
}
