/**
 * @module
 * What the audit monkeys (Conformity, Security, and later Janitor) report: findings, one per rule and resource.
 * They only report; nothing here acts on a platform.
 */

/** The monkeys that audit rather than break. */
export const AUDIT_MONKEYS = ['conformity', 'security', 'janitor'] as const;

/** One of {@link AUDIT_MONKEYS}. */
export type AuditMonkey = (typeof AUDIT_MONKEYS)[number];

/** How bad a finding is, lowest first. */
export const SEVERITIES = ['low', 'medium', 'high'] as const;

/** One of {@link SEVERITIES}. */
export type Severity = (typeof SEVERITIES)[number];

/** One thing a rule found wrong with one resource. */
export interface Finding {
  readonly monkey: AuditMonkey;
  /** The rule's stable id, `<monkey>.<name>` (`conformity.single-zone`): what config and metrics name it by. */
  readonly rule: string;
  readonly severity: Severity;
  /** What is wrong: an instance id, a service (`catalog@us-east`), a process (`stack (pid 4242)`). */
  readonly resource: string;
  /** Who to tell, from the resource's `owner` tag, when it has one. */
  readonly owner?: string;
  /** Why it is a finding, for people: what was seen and what was expected. */
  readonly why: string;
  /** Janitor only: the resource opted out (`simian/janitor: opt-out`), so it is never marked nor cleaned. */
  readonly optedOut?: boolean;
}

/**
 * The order findings are listed in: the most severe first, then by monkey, rule and resource, so that two runs
 * over the same platform list the same findings in the same order.
 */
export function compareFindings(a: Finding, b: Finding): number {
  const bySeverity = SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity);
  if (bySeverity !== 0) return bySeverity;
  return a.monkey.localeCompare(b.monkey) || a.rule.localeCompare(b.rule) || a.resource.localeCompare(b.resource) || a.why.localeCompare(b.why);
}

/** Whether any finding is of high severity: what makes `simian conformity` and `simian security` exit 1. */
export function hasHighSeverity(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'high');
}
