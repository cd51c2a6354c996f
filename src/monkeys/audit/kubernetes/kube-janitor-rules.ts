/**
 * @module
 * The Janitor Monkey's rules on Kubernetes (SimianArmy's unused-resource rules, for a cluster): claims no pod
 * mounts, ConfigMaps and Secrets nothing references, Jobs long finished, ReplicaSets past their Deployment's
 * history. Pure functions of a {@link KubernetesSnapshot}; each violation's `resource` is exactly what
 * `KubernetesJanitorCleaner` deletes, `<kind>/<namespace>/<name>`.
 *
 * An object with an owner reference is left alone by the claim and config rules: the garbage collector deletes it
 * with its owner (an ephemeral volume's claim, a cert-manager Secret), so the owner decides its life.
 */
import { formatDuration } from '../../../core/durations.js';
import { JANITOR_OPT_OUT_KEY, JANITOR_OPT_OUT_VALUE, type AuditConfig } from '../audit-config.js';
import { configureRule, type Rule, type RuleDefinition, type Violation } from '../rule.js';
import type { KUBERNETES_JANITOR_RULE_IDS } from '../rule-ids.js';
import type { KubeObject, KubePodSpec, KubernetesSnapshot, KubeReplicaSet } from './kube-snapshot.js';
import { controllerOf, ownerField, ownerOf, resourceName } from './kube-subjects.js';

type JanitorRuleId = (typeof KUBERNETES_JANITOR_RULE_IDS)[number];

/** A Deployment's `revisionHistoryLimit` when it sets none (the API's default). */
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/** The ConfigMap every namespace gets from the control plane. */
const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';

/**
 * Secret types nothing in a pod spec references but that are in use: service-account tokens (the token
 * controller's), bootstrap tokens (kubeadm's) and Helm's release records (deleting one makes Helm forget the
 * release).
 */
const UNREFERENCED_SECRET_TYPES = new Set(['kubernetes.io/service-account-token', 'bootstrap.kubernetes.io/token', 'helm.sh/release.v1']);

/** Whether the label or annotation `simian/janitor` says `opt-out`. */
export function optedOut(object: Pick<KubeObject, 'labels' | 'annotations'>): boolean {
  return object.annotations[JANITOR_OPT_OUT_KEY] === JANITOR_OPT_OUT_VALUE || object.labels[JANITOR_OPT_OUT_KEY] === JANITOR_OPT_OUT_VALUE;
}

/** The violation of a Janitor rule about `object`, with its owner and its opt-out. */
function janitorViolation(kind: string, object: KubeObject, why: string): Violation {
  return { resource: resourceName(kind, object), ...ownerField(ownerOf(object)), why, ...(optedOut(object) ? { optedOut: true } : {}) };
}

/** Every pod spec that may use a claim, ConfigMap or Secret now or on its next rollout or rollback, per namespace. */
function podSpecsByNamespace(snapshot: KubernetesSnapshot): Map<string, KubePodSpec[]> {
  const specs = new Map<string, KubePodSpec[]>();
  const add = (namespace: string, spec: KubePodSpec) => specs.set(namespace, [...(specs.get(namespace) ?? []), spec]);
  for (const p of snapshot.pods) add(p.namespace, p.spec);
  // A Deployment scaled to 0, an old ReplicaSet kept for rollback, a Job about to run: still users.
  for (const w of snapshot.workloads) add(w.namespace, w.template);
  for (const rs of snapshot.replicaSets) add(rs.namespace, rs.template);
  for (const j of snapshot.jobs) add(j.namespace, j.template);
  return specs;
}

/** Whether `claim` is one a StatefulSet of the snapshot made from a claim template (`<template>-<set>-<ordinal>`). */
function isStatefulSetClaim(snapshot: KubernetesSnapshot, claim: KubeObject): boolean {
  return snapshot.workloads.some(
    (w) => w.kind === 'StatefulSet' && w.namespace === claim.namespace && w.volumeClaimTemplates.some((t) => new RegExp(`^${escape(`${t}-${w.name}-`)}\\d+$`).test(claim.name)),
  );
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `janitor.unused-volume-claim`: a PersistentVolumeClaim no pod mounts. A StatefulSet's own claims are kept
 * (scaled down, it mounts them again when it scales up), as are claims with an owner.
 */
export const kubeUnusedVolumeClaimRule: RuleDefinition<KubernetesSnapshot> = {
  id: 'janitor.unused-volume-claim' satisfies JanitorRuleId,
  monkey: 'janitor',
  severity: 'medium',
  description: 'a PersistentVolumeClaim that no pod mounts (its volume is paid for and holds data nobody reads)',
  evaluate: (snapshot) => {
    const mounted = new Set(snapshot.pods.flatMap((p) => p.spec.claims.map((c) => `${p.namespace}/${c}`)));
    return snapshot.volumeClaims
      .filter((c) => c.owners.length === 0 && !mounted.has(`${c.namespace}/${c.name}`) && !isStatefulSetClaim(snapshot, c))
      .map((c) => janitorViolation('persistentvolumeclaim', c, `no pod in namespace ${c.namespace} mounts it`));
  },
};

/**
 * `janitor.unreferenced-config`: a ConfigMap or Secret that no pod, workload template, ReplicaSet or Job
 * references (volumes, projected volumes, `env[].valueFrom`, `envFrom`, `imagePullSecrets`). `kube-root-ca.crt`,
 * service-account tokens, bootstrap tokens, Helm releases and objects with an owner are never findings.
 */
export const kubeUnreferencedConfigRule: RuleDefinition<KubernetesSnapshot> = {
  id: 'janitor.unreferenced-config' satisfies JanitorRuleId,
  monkey: 'janitor',
  severity: 'low',
  description: 'a ConfigMap or Secret that no pod spec (of a pod, workload, ReplicaSet or Job) references',
  evaluate: (snapshot) => {
    const specs = podSpecsByNamespace(snapshot);
    const referenced = (namespace: string, pick: (s: KubePodSpec) => readonly string[], name: string) => (specs.get(namespace) ?? []).some((s) => pick(s).includes(name));
    const why = (c: KubeObject) => `nothing in namespace ${c.namespace} references it (pod volumes, env, envFrom, imagePullSecrets)`;
    const configMaps = snapshot.configMaps
      .filter((c) => c.name !== ROOT_CA_CONFIG_MAP && c.owners.length === 0 && !referenced(c.namespace, (s) => s.configMaps, c.name))
      .map((c) => janitorViolation('configmap', c, why(c)));
    const secrets = snapshot.secrets
      .filter((s) => !UNREFERENCED_SECRET_TYPES.has(s.type) && s.owners.length === 0 && !referenced(s.namespace, (spec) => spec.secrets, s.name))
      .map((s) => janitorViolation('secret', s, why(s)));
    return [...configMaps, ...secrets];
  },
};

/** `janitor.finished-job`: a Job finished (Complete or Failed) longer ago than `finishedJobAgeMs`, not a CronJob's. */
export const kubeFinishedJobRule: RuleDefinition<KubernetesSnapshot> = {
  id: 'janitor.finished-job' satisfies JanitorRuleId,
  monkey: 'janitor',
  severity: 'low',
  description: "a Job that finished longer ago than audit.janitor.finishedJobAge and that no CronJob owns (a CronJob keeps its own history)",
  evaluate: (snapshot, thresholds) => {
    const maxAgeMs = thresholds['finishedJobAgeMs'] ?? Infinity;
    return snapshot.jobs.flatMap((j): Violation[] => {
      if (j.finished === undefined || j.finishedAt === undefined || j.owners.some((o) => o.kind === 'CronJob')) return [];
      const age = snapshot.takenAt - j.finishedAt;
      if (age <= maxAgeMs) return [];
      return [janitorViolation('job', j, `${j.finished === 'Complete' ? 'completed' : 'failed'} ${formatDuration(age)} ago; kept at most ${formatDuration(maxAgeMs)}`)];
    });
  },
};

/**
 * `janitor.stale-replica-set`: a ReplicaSet at 0 replicas of a listed Deployment, older than the newest
 * `revisionHistoryLimit` (default 10) such ReplicaSets by revision. The Deployment's current ReplicaSet (its
 * highest revision) is never one, even scaled to 0.
 */
export const kubeStaleReplicaSetRule: RuleDefinition<KubernetesSnapshot> = {
  id: 'janitor.stale-replica-set' satisfies JanitorRuleId,
  monkey: 'janitor',
  severity: 'low',
  description: "a ReplicaSet at 0 replicas beyond its Deployment's revisionHistoryLimit (the newest that many revisions are kept for rollback)",
  evaluate: (snapshot) =>
    snapshot.workloads
      .filter((w) => w.kind === 'Deployment')
      .flatMap((d) => {
        const owned = snapshot.replicaSets.filter((rs) => rs.namespace === d.namespace && controllerOf(rs)?.kind === 'Deployment' && controllerOf(rs)?.name === d.name);
        const current = Math.max(...owned.map((rs) => rs.revision ?? -Infinity));
        const limit = d.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
        const history = owned
          .filter((rs): rs is KubeReplicaSet & { revision: number } => rs.replicas === 0 && rs.revision !== undefined && rs.revision !== current)
          .sort((a, b) => b.revision - a.revision);
        return history
          .slice(limit)
          .map((rs) =>
            janitorViolation('replicaset', rs, `revision ${rs.revision} of deployment ${d.name}, at 0 replicas, is older than the ${limit} kept (revisionHistoryLimit)`),
          );
      }),
};

/**
 * `definition` with `defaultOwner` for every violation that names no owner of its own: the rules stay about the
 * cluster, the configuration's fallback is added once here.
 */
export function withDefaultOwner<S>(definition: RuleDefinition<S>, defaultOwner: string | undefined): RuleDefinition<S> {
  if (defaultOwner === undefined) return definition;
  return { ...definition, evaluate: (snapshot, thresholds) => definition.evaluate(snapshot, thresholds).map((v) => (v.owner === undefined ? { ...v, owner: defaultOwner } : v)) };
}

/** Every Kubernetes Janitor rule, configured by the `audit:` section (finished-job age, default owner). */
export function kubernetesJanitorRules(config: AuditConfig): Rule<KubernetesSnapshot>[] {
  const owned = (rule: RuleDefinition<KubernetesSnapshot>) => withDefaultOwner(rule, config.janitor.defaultOwner);
  return [
    configureRule(owned(kubeUnusedVolumeClaimRule), config),
    configureRule(owned(kubeUnreferencedConfigRule), config),
    configureRule(owned(kubeFinishedJobRule), config, { finishedJobAgeMs: config.janitor.finishedJobAgeMs }),
    configureRule(owned(kubeStaleReplicaSetRule), config),
  ];
}
