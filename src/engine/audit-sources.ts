/**
 * @module
 * Where each audit monkey's snapshot and rules come from, per provider: the one place that knows which collector
 * reads which platform and which rules judge it. `runAudit` and `runJanitorMonkey` only ask a source for a
 * snapshot, its rules and, for the Janitor, its cleaner.
 */
import type { Clock } from '../core/clock.js';
import { ec2ConformityRules } from '../monkeys/audit/aws/ec2-conformity-rules.js';
import { ec2JanitorRules } from '../monkeys/audit/aws/ec2-janitor-rules.js';
import { ec2SecurityRules } from '../monkeys/audit/aws/ec2-security-rules.js';
import { kubernetesConformityRules } from '../monkeys/audit/kubernetes/kube-conformity-rules.js';
import { kubernetesJanitorRules } from '../monkeys/audit/kubernetes/kube-janitor-rules.js';
import { kubernetesSecurityRules } from '../monkeys/audit/kubernetes/kube-security-rules.js';
import { InvalidInputError, SimianError } from '../core/errors.js';
import type { SimianConfig } from '../config/simian-config.js';
import { collectLocalSnapshot, type StackProcess } from '../monkeys/audit/collect-local-snapshot.js';
import type { AuditMonkey } from '../monkeys/audit/findings.js';
import type { JanitorCleaner } from '../monkeys/audit/janitor-cleaner.js';
import { collectLocalJanitorSnapshot } from '../monkeys/audit/collect-local-janitor-snapshot.js';
import { LocalJanitorCleaner } from '../monkeys/audit/local-janitor-cleaner.js';
import { localJanitorRules } from '../monkeys/audit/local-janitor-rules.js';
import { localConformityRules } from '../monkeys/audit/local-conformity-rules.js';
import { localSecurityRules } from '../monkeys/audit/local-security-rules.js';
import type { Rule } from '../monkeys/audit/rule.js';
import type { AdminInstance } from '../providers/local/local-provider.js';
import { isAlive, readStackState, type StackState } from '../reference-stack/stack/stack-state.js';
import { readStackToken } from '../reference-stack/stack/stack-token.js';
import { providerSettings, type ProviderRegistry } from './provider-registry.js';

/** The providers the audit monkeys have rules for. */
export const AUDIT_PROVIDERS = ['local', 'kubernetes', 'aws'] as const;

/** One provider's audits: a snapshot for a monkey, that monkey's rules over it, and the Janitor's cleaner. */
export interface AuditSource {
  readonly provider: string;
  /** The configured rules of `monkey` (turned-off ones included, marked `enabled: false`). */
  rules(monkey: AuditMonkey): Rule<never>[];
  /** A snapshot of the platform with what `monkey`'s rules read. */
  snapshot(monkey: AuditMonkey): Promise<{ readonly takenAt: number }>;
  /** What deletes the Janitor's resources on this platform. */
  cleaner(): JanitorCleaner;
}

/** What a source may need besides the configuration. */
export interface AuditSourceOptions {
  readonly clock: Clock;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default '/proc' */
  readonly procRoot?: string;
  /** The revert ids of the faults in force (the Janitor leaves their toxics alone). @default none */
  readonly ownedRevertIds?: () => readonly string[];
}

/** The rules of `monkey` on the local provider, configured. */
function localAuditRules(monkey: AuditMonkey, config: SimianConfig): Rule<never>[] {
  switch (monkey) {
    case 'conformity':
      return localConformityRules(config.audit) as Rule<never>[];
    case 'security':
      return localSecurityRules(config.audit) as Rule<never>[];
    case 'janitor':
      return localJanitorRules(config.audit) as Rule<never>[];
  }
}

/** The rules of `monkey` on EC2, configured. */
function ec2AuditRules(monkey: AuditMonkey, config: SimianConfig): Rule<never>[] {
  const rules = monkey === 'conformity' ? ec2ConformityRules(config.audit) : monkey === 'security' ? ec2SecurityRules(config.audit) : ec2JanitorRules(config.audit);
  return rules as Rule<never>[];
}

/** The rules of `monkey` on Kubernetes, configured. */
function kubernetesAuditRules(monkey: AuditMonkey, config: SimianConfig): Rule<never>[] {
  const rules =
    monkey === 'conformity' ? kubernetesConformityRules(config.audit) : monkey === 'security' ? kubernetesSecurityRules(config.audit) : kubernetesJanitorRules(config.audit);
  return rules as Rule<never>[];
}

/** The configured rules of `monkey` on `providerName` (none for a provider without audit rules): no I/O. */
export function auditRules(monkey: AuditMonkey, providerName: string, config: SimianConfig): Rule<never>[] {
  switch (providerName) {
    case 'local':
      return localAuditRules(monkey, config);
    case 'kubernetes':
      return kubernetesAuditRules(monkey, config);
    case 'aws':
      return ec2AuditRules(monkey, config);
    default:
      return [];
  }
}

/**
 * A cleaner whose module (and the platform client it brings) loads on its first delete: the Kubernetes and AWS
 * clients take 0.4 s each to load, which every `simian` command paid when they were imported up front.
 */
function lazyCleaner(provider: string, load: () => Promise<JanitorCleaner>): JanitorCleaner {
  let cleaner: Promise<JanitorCleaner> | undefined;
  return { provider, clean: async (resource) => (await (cleaner ??= load())).clean(resource) };
}

function kubernetesSource(config: SimianConfig, options: AuditSourceOptions): AuditSource {
  const settings = config.providers.kubernetes;
  const kubeConfig = import('../providers/kubernetes/load-kube-config.js').then(({ loadKubeConfig }) => loadKubeConfig(settings));
  // A bad kubeconfig is reported by the call that needs it; until then the promise must not count as unhandled.
  kubeConfig.catch(() => undefined);
  return {
    provider: 'kubernetes',
    rules: (monkey) => kubernetesAuditRules(monkey, config),
    snapshot: async () => {
      const { collectKubernetesSnapshot } = await import('../monkeys/audit/kubernetes/collect-kube-snapshot.js');
      return collectKubernetesSnapshot({
        kubeConfig: await kubeConfig,
        clock: options.clock,
        // The provider's own namespace settings: the audit sees what the monkeys may touch.
        ...(settings && settings.namespaces.length > 0 ? { namespaces: settings.namespaces } : {}),
        ...(settings ? { excludeNamespaces: settings.excludeNamespaces } : {}),
      });
    },
    cleaner: () =>
      lazyCleaner('kubernetes', async () => {
        const { KubernetesJanitorCleaner } = await import('../monkeys/audit/kubernetes/kube-janitor-cleaner.js');
        return new KubernetesJanitorCleaner({ kubeConfig: await kubeConfig, clock: options.clock });
      }),
  };
}

function ec2Source(config: SimianConfig, options: AuditSourceOptions): AuditSource {
  const client = import('./ec2-client.js').then(({ ec2ClientOf }) => ec2ClientOf(config.providers.aws));
  client.catch(() => undefined);
  return {
    provider: 'aws',
    rules: (monkey) => ec2AuditRules(monkey, config),
    // One snapshot serves every EC2 rule: six listings, read-only.
    snapshot: async () => {
      const [{ collectEc2Snapshot }, ec2] = await Promise.all([import('../monkeys/audit/aws/collect-ec2-snapshot.js'), client]);
      return collectEc2Snapshot({ client: ec2.client, clock: options.clock, region: ec2.region });
    },
    cleaner: () =>
      lazyCleaner('aws', async () => {
        const [{ Ec2JanitorCleaner }, ec2] = await Promise.all([import('../monkeys/audit/aws/ec2-janitor-cleaner.js'), client]);
        return new Ec2JanitorCleaner({ client: ec2.client, clock: options.clock });
      }),
  };
}

/** The stack's own process from its `stack.json`, when it is there and alive. */
function stackProcess(state: () => StackState): StackProcess | undefined {
  try {
    const { pid, adminUrl, toxiproxyUrl } = state();
    return isAlive(pid) ? { pid, adminUrl, toxiproxyUrl } : undefined;
  } catch {
    return undefined;
  }
}

function localSource(config: SimianConfig, providers: ProviderRegistry, options: AuditSourceOptions): AuditSource {
  const provider = providers.create('local', providerSettings(config));
  const admin = provider as unknown as { adminInventory?: () => Promise<AdminInstance[]> };
  if (typeof admin.adminInventory !== 'function') {
    throw new SimianError('audit.unsupportedProvider', `the ${provider.name} provider does not expose the reference stack's inventory`, { exitCode: 2 });
  }
  const inventory = () => admin.adminInventory!();
  // stack.json, read once per source: the snapshot and the cleaner of one run both need it.
  let read: StackState | undefined;
  const stackState = (): StackState => (read ??= readStackState(config.stateDir));
  return {
    provider: provider.name,
    rules: (monkey) => auditRules(monkey, 'local', config),
    snapshot: async (monkey) => {
      if (monkey === 'janitor') {
        const state = stackState();
        return collectLocalJanitorSnapshot({
          inventory,
          toxiproxyUrl: state.toxiproxyUrl,
          stateDir: config.stateDir,
          ...(state.dataDir === undefined ? {} : { dataDir: state.dataDir }),
          ownedRevertIds: options.ownedRevertIds ?? (() => []),
          clock: options.clock,
          timeoutMs: config.audit.timeoutMs,
          ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        });
      }
      const stack = stackProcess(stackState);
      return collectLocalSnapshot({
        inventory,
        ...(stack === undefined ? {} : { stack }),
        clock: options.clock,
        timeoutMs: config.audit.timeoutMs,
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        ...(options.procRoot === undefined ? {} : { procRoot: options.procRoot }),
        // Conformity reads neither sockets nor the write probes: it sends nothing that could change state.
        security: monkey === 'security',
      });
    },
    cleaner: () => {
      const state = stackState();
      const stackToken = readStackToken(config.stateDir);
      return new LocalJanitorCleaner({
        adminUrl: state.adminUrl,
        ...(stackToken === undefined ? {} : { stackToken }),
        toxiproxyUrl: state.toxiproxyUrl,
        stateDir: config.stateDir,
        ...(state.dataDir === undefined ? {} : { dataDir: state.dataDir }),
        clock: options.clock,
        timeoutMs: config.audit.timeoutMs,
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      });
    },
  };
}

/**
 * The audit source of `providerName`.
 *
 * @throws InvalidInputError `audit.unsupportedProvider` (exit 2) for a provider without audit rules;
 *   SimianError `stack.notRunning`, `provider.badKubeconfig`… when the platform cannot be reached
 */
export function auditSource(providerName: string, config: SimianConfig, providers: ProviderRegistry, options: AuditSourceOptions): AuditSource {
  switch (providerName) {
    case 'local':
      return localSource(config, providers, options);
    case 'kubernetes':
      return kubernetesSource(config, options);
    case 'aws':
      return ec2Source(config, options);
    default:
      throw new InvalidInputError('audit.unsupportedProvider', `the audit monkeys have rules for ${AUDIT_PROVIDERS.join(', ')}, not "${providerName}"`);
  }
}
