/**
 * @module
 * The shape of an audit rule and the runner that evaluates rules over a snapshot. A rule is a pure function of a
 * snapshot (gathered beforehand by whatever does the I/O), so it is tested with a seeded snapshot and the same
 * snapshot always gives the same findings.
 */
import type { AuditConfig } from './audit-config.js';
import { compareFindings, type AuditMonkey, type Finding, type Severity } from './findings.js';

/** What a rule reports about one resource; the runner adds the rule's id, monkey and severity. */
export interface Violation {
  /**
   * What is wrong. For the Janitor's rules this is also what its provider's {@link JanitorCleaner} deletes, so it
   * must name one resource exactly (see `janitor-cleaner.ts` for each provider's form).
   */
  readonly resource: string;
  readonly owner?: string;
  readonly why: string;
  /**
   * The resource carries the Janitor's opt-out (`simian/janitor: opt-out` as a tag, label or annotation): it is
   * listed, never marked nor cleaned. Only Janitor rules set it.
   */
  readonly optedOut?: boolean;
}

/** The thresholds rules read, by name (`maxInstanceAgeMs`); each rule documents the ones it reads. */
export type Thresholds = Readonly<Record<string, number>>;

/** One audit rule over snapshots of type `S`. */
export interface Rule<S> {
  /** Stable id, `<monkey>.<name>`. */
  readonly id: string;
  readonly monkey: AuditMonkey;
  readonly severity: Severity;
  /** What it checks, one sentence (`simian conformity --help`, docs/audit.md). */
  readonly description: string;
  /** A turned-off rule is not evaluated. */
  readonly enabled: boolean;
  /** The thresholds this rule reads, resolved from the configuration. */
  readonly thresholds: Thresholds;
  /** The violations in `snapshot`; pure: no I/O, no clock (the snapshot says when it was taken). */
  evaluate(snapshot: S, thresholds: Thresholds): readonly Violation[];
}

/**
 * Evaluates the enabled rules over `snapshot` and returns their findings, most severe first (see
 * {@link compareFindings}). A rule that throws is a bug in the rule, not a finding: it propagates.
 *
 * @example
 * const findings = runRules(localConformityRules(config.audit), snapshot);
 */
export function runRules<S>(rules: readonly Rule<S>[], snapshot: S): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    for (const violation of rule.evaluate(snapshot, rule.thresholds)) {
      findings.push({
        monkey: rule.monkey,
        rule: rule.id,
        severity: rule.severity,
        resource: violation.resource,
        ...(violation.owner === undefined ? {} : { owner: violation.owner }),
        why: violation.why,
        ...(violation.optedOut ? { optedOut: true } : {}),
      });
    }
  }
  return findings.sort(compareFindings);
}

/** A rule before the configuration says whether it is on and what its thresholds are. */
export type RuleDefinition<S> = Omit<Rule<S>, 'enabled' | 'thresholds'>;

/** The definition as configured: off when `audit.disabledRules` names it. */
export function configureRule<S>(definition: RuleDefinition<S>, config: AuditConfig, thresholds: Thresholds = {}): Rule<S> {
  return { ...definition, enabled: !config.disabledRules.includes(definition.id), thresholds };
}

