/**
 * @module
 * One run of an audit monkey against a provider: take a snapshot, evaluate the monkey's enabled rules, return the
 * findings. Report-only: nothing is acted on (the Janitor's lifecycle, which does act, is `janitor-run.ts`).
 */
import type { Clock } from '../core/clock.js';
import type { SimianConfig } from '../config/simian-config.js';
import { AUDIT_MONKEYS, type AuditMonkey, type Finding } from '../monkeys/audit/findings.js';
import { runRules, type Rule } from '../monkeys/audit/rule.js';
import { auditSource, type AuditSource, type AuditSourceOptions } from './audit-sources.js';
import type { ProviderRegistry } from './provider-registry.js';


/** The audit monkeys that run. */
export const AUDIT_RUN_MONKEYS = AUDIT_MONKEYS;

/** One of {@link AUDIT_RUN_MONKEYS}. */
export type AuditRunMonkey = AuditMonkey;

/** What one audit run found. */
export interface AuditRun {
  readonly monkey: AuditRunMonkey;
  readonly provider: string;
  /** When the snapshot was taken, epoch ms. */
  readonly takenAt: number;
  /** The rules evaluated (enabled) and those turned off by `audit.disabledRules`. */
  readonly rules: { readonly evaluated: readonly string[]; readonly disabled: readonly string[] };
  /** Most severe first. */
  readonly findings: readonly Finding[];
}

/** Options of {@link runAudit}. */
export interface AuditRunOptions extends AuditSourceOptions {
  readonly clock: Clock;
}

/** Evaluates `monkey`'s rules of `source` over a fresh snapshot. */
export async function auditWith(source: AuditSource, monkey: AuditRunMonkey): Promise<AuditRun> {
  const rules: Rule<never>[] = source.rules(monkey);
  const snapshot = await source.snapshot(monkey);
  return {
    monkey,
    provider: source.provider,
    takenAt: snapshot.takenAt,
    rules: { evaluated: rules.filter((r) => r.enabled).map((r) => r.id), disabled: rules.filter((r) => !r.enabled).map((r) => r.id) },
    findings: runRules(rules as Rule<unknown>[], snapshot),
  };
}

/**
 * Runs `monkey` once against `providerName` and reports what its rules find (for the Janitor: what it would
 * mark, without touching its marks).
 *
 * @throws InvalidInputError `audit.unsupportedProvider` (exit 2) for a provider without rules;
 *   SimianError `stack.notRunning` or `provider.unreachable` when the platform cannot be read
 */
export async function runAudit(monkey: AuditRunMonkey, providerName: string, config: SimianConfig, providers: ProviderRegistry, options: AuditRunOptions): Promise<AuditRun> {
  return auditWith(auditSource(providerName, config, providers, options), monkey);
}
