/**
 * @module
 * One run of an audit monkey (Conformity or Security) against a provider: take a snapshot, evaluate the monkey's
 * enabled rules, return the findings. Report-only: nothing is acted on. Only the local provider has rules so far.
 */
import type { Clock } from '../core/clock.js';
import { InvalidInputError, SimianError } from '../core/errors.js';
import type { SimianConfig } from '../config/simian-config.js';
import { collectLocalSnapshot, type StackProcess } from '../monkeys/audit/collect-local-snapshot.js';
import type { Finding } from '../monkeys/audit/findings.js';
import { localConformityRules } from '../monkeys/audit/local-conformity-rules.js';
import { localSecurityRules } from '../monkeys/audit/local-security-rules.js';
import type { LocalSnapshot } from '../monkeys/audit/local-snapshot.js';
import { runRules, type Rule } from '../monkeys/audit/rule.js';
import type { AdminInstance } from '../providers/local/local-provider.js';
import { isAlive, readStackState } from '../reference-stack/stack/stack-state.js';
import { providerSettings, type ProviderRegistry } from './provider-registry.js';

/** The audit monkeys that run now (Janitor is to come). */
export const AUDIT_RUN_MONKEYS = ['conformity', 'security'] as const;

/** One of {@link AUDIT_RUN_MONKEYS}. */
export type AuditRunMonkey = (typeof AUDIT_RUN_MONKEYS)[number];

/** The providers the audit monkeys have rules for. */
export const AUDIT_PROVIDERS = ['local'] as const;

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
export interface AuditRunOptions {
  readonly clock: Clock;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default '/proc' */
  readonly procRoot?: string;
}

/** The rules of `monkey` on the local provider, configured. */
export function localAuditRules(monkey: AuditRunMonkey, config: SimianConfig): Rule<LocalSnapshot>[] {
  return monkey === 'conformity' ? localConformityRules(config.audit) : localSecurityRules(config.audit);
}

/** The stack's own process from `<stateDir>/stack.json`, when it is there and alive. */
function stackProcess(stateDir: string): StackProcess | undefined {
  try {
    const state = readStackState(stateDir);
    return isAlive(state.pid) ? { pid: state.pid, adminUrl: state.adminUrl, toxiproxyUrl: state.toxiproxyUrl } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `monkey` once against `providerName`.
 *
 * @throws InvalidInputError `audit.unsupportedProvider` (exit 2) for a provider other than local;
 *   SimianError `stack.notRunning` or `provider.unreachable` when the local stack cannot be read
 */
export async function runAudit(monkey: AuditRunMonkey, providerName: string, config: SimianConfig, providers: ProviderRegistry, options: AuditRunOptions): Promise<AuditRun> {
  if (!(AUDIT_PROVIDERS as readonly string[]).includes(providerName)) {
    throw new InvalidInputError(
      'audit.unsupportedProvider',
      `${monkey} has rules for the local provider only so far, not "${providerName}" (Kubernetes and EC2 rules are to come): use --provider local`,
    );
  }
  const provider = providers.create(providerName, providerSettings(config));
  const admin = provider as unknown as { adminInventory?: () => Promise<AdminInstance[]> };
  if (typeof admin.adminInventory !== 'function') {
    throw new SimianError('audit.unsupportedProvider', `the ${provider.name} provider does not expose the reference stack's inventory`, { exitCode: 2 });
  }
  const stack = stackProcess(config.stateDir);
  const snapshot = await collectLocalSnapshot({
    inventory: () => admin.adminInventory!(),
    ...(stack === undefined ? {} : { stack }),
    clock: options.clock,
    timeoutMs: config.audit.timeoutMs,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.procRoot === undefined ? {} : { procRoot: options.procRoot }),
  });
  const rules = localAuditRules(monkey, config);
  return {
    monkey,
    provider: provider.name,
    takenAt: snapshot.takenAt,
    rules: { evaluated: rules.filter((r) => r.enabled).map((r) => r.id), disabled: rules.filter((r) => !r.enabled).map((r) => r.id) },
    findings: runRules(rules, snapshot),
  };
}
