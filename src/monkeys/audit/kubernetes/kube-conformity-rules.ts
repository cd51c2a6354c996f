/**
 * @module
 * The Conformity Monkey's rules on Kubernetes: what makes a workload fragile (no probes, no limits, one replica,
 * no disruption budget, a moving image tag, one zone), as pure functions of a {@link KubernetesSnapshot}.
 * Container rules judge each pod spec once where it is written (see `kube-subjects.ts`).
 */
import type { AuditConfig } from '../audit-config.js';
import { configureRule, type Rule, type RuleDefinition, type Violation } from '../rule.js';
import type { KUBERNETES_CONFORMITY_RULE_IDS } from '../rule-ids.js';
import type { KubeContainer, KubernetesSnapshot, KubeWorkload } from './kube-snapshot.js';
import { containerResource, ownerField, ownerOf, podsOf, podSpecSubjects, resourceName, type PodSpecSubject } from './kube-subjects.js';
import { selects } from './label-selector.js';

type ConformityRuleId = (typeof KUBERNETES_CONFORMITY_RULE_IDS)[number];

/** The limits every container needs. */
const REQUIRED_LIMITS = ['cpu', 'memory'] as const;

/** One violation per container of each judged pod spec that `problem` finds fault with. */
function perContainer(snapshot: KubernetesSnapshot, problem: (c: KubeContainer, subject: PodSpecSubject) => string | undefined): Violation[] {
  return podSpecSubjects(snapshot).flatMap((subject) =>
    subject.spec.containers.flatMap((c): Violation[] => {
      const why = problem(c, subject);
      return why === undefined ? [] : [{ resource: containerResource(subject, c), ...ownerField(subject.owner), why }];
    }),
  );
}

function workloadViolation(w: KubeWorkload, why: string): Violation {
  return { resource: resourceName(w.kind, w), ...ownerField(ownerOf(w)), why };
}

/** `conformity.probes`: every serving container has a readiness and a liveness probe. */
export const kubeProbesRule: RuleDefinition<KubernetesSnapshot> = {
  id: 'conformity.probes' satisfies ConformityRuleId,
  monkey: 'conformity',
  severity: 'medium',
  description: 'a container (not of a Job) without a readiness or a liveness probe: it takes traffic before it is ready, or hangs unnoticed',
  evaluate: (snapshot) =>
    perContainer(snapshot, (c, subject) => {
      if (subject.batch) return undefined;
      const missing = [c.readinessProbe ? undefined : 'readinessProbe', c.livenessProbe ? undefined : 'livenessProbe'].filter((m) => m !== undefined);
      return missing.length === 0 ? undefined : `container ${c.name} has no ${missing.join(' and no ')}`;
    }),
};

/** `conformity.resource-limits`: every container has cpu and memory limits. */
export const kubeResourceLimitsRule: RuleDefinition<KubernetesSnapshot> = {
  id: 'conformity.resource-limits' satisfies ConformityRuleId,
  monkey: 'conformity',
  severity: 'medium',
  description: 'a container without cpu or memory limits: one runaway pod can starve its node',
  evaluate: (snapshot) =>
    perContainer(snapshot, (c) => {
      const missing = REQUIRED_LIMITS.filter((r) => !c.limits.includes(r));
      return missing.length === 0 ? undefined : `container ${c.name} has no ${missing.join(' or ')} limit (resources.limits)`;
    }),
};

/** `conformity.single-replica`: a Deployment or StatefulSet runs more than one replica. */
export const kubeSingleReplicaRule: RuleDefinition<KubernetesSnapshot> = {
  id: 'conformity.single-replica' satisfies ConformityRuleId,
  monkey: 'conformity',
  severity: 'medium',
  description: 'a Deployment or StatefulSet with one replica: losing one pod or node takes it down',
  // Zero replicas is scaled down on purpose, not fragile.
  evaluate: (snapshot) => snapshot.workloads.filter((w) => w.replicas === 1).map((w) => workloadViolation(w, `spec.replicas is 1; at least 2 wanted`)),
};

/** `conformity.disruption-budget`: a workload of several replicas has a PodDisruptionBudget selecting its pods. */
export const kubeDisruptionBudgetRule: RuleDefinition<KubernetesSnapshot> = {
  id: 'conformity.disruption-budget' satisfies ConformityRuleId,
  monkey: 'conformity',
  severity: 'low',
  description: 'a Deployment or StatefulSet of more than one replica that no PodDisruptionBudget selects: a node drain may take all its pods at once',
  evaluate: (snapshot) =>
    snapshot.workloads
      .filter((w) => w.replicas > 1)
      .filter((w) => !snapshot.disruptionBudgets.some((b) => b.namespace === w.namespace && b.selector !== undefined && selects(b.selector, w.podLabels)))
      .map((w) => workloadViolation(w, `${w.replicas} replicas and no PodDisruptionBudget in namespace ${w.namespace} selects its pod labels`)),
};

/** The tag of an image reference, `''` when it has none; undefined when it is pinned by digest. */
export function imageTag(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  return colon === -1 ? '' : lastPart.slice(colon + 1);
}

/** `conformity.latest-image`: no container runs `:latest` or an untagged image (which is `:latest`). */
export const kubeLatestImageRule: RuleDefinition<KubernetesSnapshot> = {
  id: 'conformity.latest-image' satisfies ConformityRuleId,
  monkey: 'conformity',
  severity: 'medium',
  description: 'a container whose image is :latest or untagged: what runs changes with every pull, and a rollback cannot go back',
  evaluate: (snapshot) =>
    perContainer(snapshot, (c) => {
      const tag = imageTag(c.image);
      if (tag === '') return `container ${c.name} runs ${c.image}, which has no tag (so :latest); pin a version or a digest`;
      return tag === 'latest' ? `container ${c.name} runs ${c.image}; pin a version or a digest` : undefined;
    }),
};

/**
 * `conformity.single-zone`: a workload's running pods are on nodes in at least `minZones` zones. A workload of
 * fewer replicas than `minZones` cannot spread (`conformity.single-replica` speaks for it), and pods on nodes
 * without a zone label are left out: the rule cannot tell where they are.
 */
export const kubeSingleZoneRule: RuleDefinition<KubernetesSnapshot> = {
  id: 'conformity.single-zone' satisfies ConformityRuleId,
  monkey: 'conformity',
  severity: 'medium',
  description: 'a Deployment or StatefulSet whose running pods are on nodes in fewer than audit.minZones zones (one zone outage takes it down)',
  evaluate: (snapshot, thresholds) => {
    const minZones = thresholds['minZones'] ?? 2;
    const zoneOf = new Map(snapshot.nodes.map((n) => [n.name, n.zone]));
    return snapshot.workloads.flatMap((w): Violation[] => {
      if (w.replicas < minZones) return [];
      const running = podsOf(snapshot, w).filter((p) => p.phase === 'Running' && p.nodeName !== undefined);
      const zones = [...new Set(running.map((p) => zoneOf.get(p.nodeName!)).filter((z) => z !== undefined))].sort();
      if (zones.length === 0 || zones.length >= minZones) return [];
      const where = `${zones.length} zone${zones.length === 1 ? '' : 's'} (${zones.join(', ')})`;
      return [workloadViolation(w, `its ${running.length} running pod(s) are on nodes in ${where}; at least ${minZones} wanted`)];
    });
  },
};

/** Every Kubernetes Conformity rule, configured by the `audit:` section. */
export function kubernetesConformityRules(config: AuditConfig): Rule<KubernetesSnapshot>[] {
  return [
    configureRule(kubeProbesRule, config),
    configureRule(kubeResourceLimitsRule, config),
    configureRule(kubeSingleReplicaRule, config),
    configureRule(kubeDisruptionBudgetRule, config),
    configureRule(kubeLatestImageRule, config),
    configureRule(kubeSingleZoneRule, config, { minZones: config.minZones }),
  ];
}
