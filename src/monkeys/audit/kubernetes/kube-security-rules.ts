/**
 * @module
 * The Security Monkey's rules on Kubernetes: pods that can reach past their container (privileged, the host's
 * network or process namespace, root), Services open outside the cluster, and namespaces no NetworkPolicy
 * fences, as pure functions of a {@link KubernetesSnapshot}. Pod specs are judged once where they are written
 * (see `kube-subjects.ts`); init containers count, since they run with the same powers.
 */
import type { AuditConfig } from '../audit-config.js';
import { configureRule, type Rule, type RuleDefinition, type Violation } from '../rule.js';
import type { KUBERNETES_SECURITY_RULE_IDS } from '../rule-ids.js';
import type { KubeContainer, KubePodSpec, KubernetesSnapshot } from './kube-snapshot.js';
import { containerResource, ownerField, ownerOf, podSpecSubjects, resourceName, type PodSpecSubject } from './kube-subjects.js';

type SecurityRuleId = (typeof KUBERNETES_SECURITY_RULE_IDS)[number];

/** Service types reachable from outside the cluster. */
const EXPOSED_SERVICE_TYPES = new Set(['LoadBalancer', 'NodePort']);

function perContainer(snapshot: KubernetesSnapshot, problem: (c: KubeContainer, spec: KubePodSpec) => string | undefined): Violation[] {
  return podSpecSubjects(snapshot).flatMap((subject: PodSpecSubject) =>
    [...subject.spec.initContainers, ...subject.spec.containers].flatMap((c): Violation[] => {
      const why = problem(c, subject.spec);
      return why === undefined ? [] : [{ resource: containerResource(subject, c), ...ownerField(subject.owner), why }];
    }),
  );
}

/** `security.privileged`: no container runs privileged. */
export const kubePrivilegedRule: RuleDefinition<KubernetesSnapshot> = {
  id: 'security.privileged' satisfies SecurityRuleId,
  monkey: 'security',
  severity: 'high',
  description: 'a privileged container: it has every capability and the host devices, so it owns the node',
  evaluate: (snapshot) => perContainer(snapshot, (c) => (c.privileged ? `container ${c.name} runs with securityContext.privileged: true` : undefined)),
};

/** `security.host-namespaces`: no pod shares the node's network or process namespace. */
export const kubeHostNamespacesRule: RuleDefinition<KubernetesSnapshot> = {
  id: 'security.host-namespaces' satisfies SecurityRuleId,
  monkey: 'security',
  severity: 'high',
  description: "a pod with hostNetwork or hostPID: it sees the node's interfaces or processes, past every NetworkPolicy",
  evaluate: (snapshot) =>
    podSpecSubjects(snapshot).flatMap((subject): Violation[] => {
      const shared = [subject.spec.hostNetwork ? 'hostNetwork' : undefined, subject.spec.hostPID ? 'hostPID' : undefined].filter((s) => s !== undefined);
      return shared.length === 0 ? [] : [{ resource: subject.resource, ...ownerField(subject.owner), why: `its pod spec sets ${shared.join(' and ')}: true` }];
    }),
};

/**
 * `security.runs-as-root`: a container may run as root unless `runAsNonRoot: true` (the kubelet then refuses uid
 * 0) or a non-zero `runAsUser` is set, on the container or else on the pod.
 */
export const kubeRunsAsRootRule: RuleDefinition<KubernetesSnapshot> = {
  id: 'security.runs-as-root' satisfies SecurityRuleId,
  monkey: 'security',
  severity: 'medium',
  description: 'a container that may run as root: neither runAsNonRoot: true nor a non-zero runAsUser, on the container or the pod',
  evaluate: (snapshot) =>
    perContainer(snapshot, (c, spec) => {
      const nonRoot = c.runAsNonRoot ?? spec.runAsNonRoot;
      const user = c.runAsUser ?? spec.runAsUser;
      if (nonRoot === true || (user !== undefined && user !== 0)) return undefined;
      const seen = user === 0 ? 'runAsUser is 0' : 'no runAsUser and no runAsNonRoot: true';
      return `container ${c.name} may run as root: ${seen} (on the container or the pod)`;
    }),
};

/** `security.exposed-service`: no Service is of type LoadBalancer or NodePort. */
export const kubeExposedServiceRule: RuleDefinition<KubernetesSnapshot> = {
  id: 'security.exposed-service' satisfies SecurityRuleId,
  monkey: 'security',
  severity: 'medium',
  description: 'a Service of type LoadBalancer or NodePort: reachable from outside the cluster, past any Ingress and its auth',
  evaluate: (snapshot) =>
    snapshot.services
      .filter((s) => EXPOSED_SERVICE_TYPES.has(s.type))
      .map((s) => ({ resource: resourceName('service', s), ...ownerField(ownerOf(s)), why: `type ${s.type} opens it outside the cluster` })),
};

/** `security.network-policy`: every namespace with workloads has at least one NetworkPolicy. */
export const kubeNetworkPolicyRule: RuleDefinition<KubernetesSnapshot> = {
  id: 'security.network-policy' satisfies SecurityRuleId,
  monkey: 'security',
  severity: 'medium',
  description: 'a namespace with workloads and no NetworkPolicy: every pod in the cluster can reach its pods',
  evaluate: (snapshot) => {
    const fenced = new Set(snapshot.networkPolicies.map((p) => p.namespace));
    const withWorkloads = new Set([
      ...snapshot.workloads.map((w) => w.namespace),
      ...snapshot.pods.filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed').map((p) => p.namespace),
    ]);
    const meta = new Map(snapshot.namespaces.map((n) => [n.name, n]));
    return [...withWorkloads]
      .filter((ns) => !fenced.has(ns))
      .sort()
      .map((ns) => {
        const namespace = meta.get(ns);
        return { resource: `namespace/${ns}`, ...ownerField(namespace === undefined ? undefined : ownerOf(namespace)), why: `it runs workloads and has no NetworkPolicy` };
      });
  },
};

/** Every Kubernetes Security rule, configured by the `audit:` section. */
export function kubernetesSecurityRules(config: AuditConfig): Rule<KubernetesSnapshot>[] {
  return [
    configureRule(kubePrivilegedRule, config),
    configureRule(kubeHostNamespacesRule, config),
    configureRule(kubeRunsAsRootRule, config),
    configureRule(kubeExposedServiceRule, config),
    configureRule(kubeNetworkPolicyRule, config),
  ];
}
