/**
 * The Kubernetes Security rules on plain snapshots: each finds its seeded violation and passes the conforming
 * namespace.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUDIT_CONFIG } from '../../../../src/monkeys/audit/audit-config.js';
import { kubernetesSecurityRules } from '../../../../src/monkeys/audit/kubernetes/kube-security-rules.js';
import type { KubernetesSnapshot } from '../../../../src/monkeys/audit/kubernetes/kube-snapshot.js';
import { runRules } from '../../../../src/monkeys/audit/rule.js';
import { conformingShop, container, deployment, object, pod, spec } from './kube-snapshot-fixtures.js';

const findingsOf = (s: KubernetesSnapshot) => runRules(kubernetesSecurityRules(DEFAULT_AUDIT_CONFIG), s);
const ruleOf = (s: KubernetesSnapshot, rule: string) => findingsOf(s).filter((f) => f.rule === rule);
const withTemplate = (template: ReturnType<typeof spec>) => conformingShop({ workloads: [deployment('cart', { template })] });

describe('Kubernetes Security rules', () => {
  it('pass a conforming namespace', () => {
    expect(findingsOf(conformingShop())).toEqual([]);
  });

  it('security.privileged: a privileged container, init containers included, high', () => {
    const s = withTemplate(spec({ initContainers: [container({ name: 'setup', privileged: true })] }));
    expect(ruleOf(s, 'security.privileged')).toEqual([
      { monkey: 'security', rule: 'security.privileged', severity: 'high', resource: 'deployment/shop/cart container setup', why: 'container setup runs with securityContext.privileged: true' },
    ]);
  });

  it('security.host-namespaces: hostNetwork or hostPID, high', () => {
    expect(ruleOf(withTemplate(spec({ hostNetwork: true })), 'security.host-namespaces')).toMatchObject([{ severity: 'high', resource: 'deployment/shop/cart', why: 'its pod spec sets hostNetwork: true' }]);
    const bare = conformingShop({ pods: [...conformingShop().pods, pod('debug', { spec: spec({ hostPID: true }), labels: { owner: 'sre' } })] });
    expect(ruleOf(bare, 'security.host-namespaces')).toMatchObject([{ resource: 'pod/shop/debug', owner: 'sre', why: 'its pod spec sets hostPID: true' }]);
  });

  it('security.runs-as-root: neither runAsNonRoot nor a non-zero runAsUser, at container or pod level', () => {
    const { runAsNonRoot: _, ...rootPod } = spec();
    const s = withTemplate({
      ...rootPod,
      containers: [
        container({ name: 'plain' }),
        container({ name: 'uid0', runAsUser: 0 }),
        container({ name: 'uid1000', runAsUser: 1000 }),
        container({ name: 'nonroot', runAsNonRoot: true }),
        container({ name: 'explicit-false', runAsNonRoot: false, runAsUser: 10 }),
      ],
    });
    expect(ruleOf(s, 'security.runs-as-root').map((f) => [f.resource, f.severity, f.why])).toEqual([
      ['deployment/shop/cart container plain', 'medium', 'container plain may run as root: no runAsUser and no runAsNonRoot: true (on the container or the pod)'],
      ['deployment/shop/cart container uid0', 'medium', 'container uid0 may run as root: runAsUser is 0 (on the container or the pod)'],
    ]);
    // The pod's runAsUser covers its containers; a container's runAsUser 0 overrides the pod's.
    const podUser = withTemplate({ ...rootPod, runAsUser: 1000, containers: [container({ name: 'inherits' }), container({ name: 'root', runAsUser: 0 })] });
    expect(ruleOf(podUser, 'security.runs-as-root').map((f) => f.resource)).toEqual(['deployment/shop/cart container root']);
  });

  it('security.exposed-service: LoadBalancer and NodePort Services; ClusterIP passes', () => {
    const s = conformingShop({
      services: [
        { ...object('cart'), type: 'ClusterIP' },
        { ...object('edge', { annotations: { owner: 'team-edge' } }), type: 'LoadBalancer' },
        { ...object('debug'), type: 'NodePort' },
      ],
    });
    expect(ruleOf(s, 'security.exposed-service')).toEqual([
      { monkey: 'security', rule: 'security.exposed-service', severity: 'medium', resource: 'service/shop/debug', why: 'type NodePort opens it outside the cluster' },
      { monkey: 'security', rule: 'security.exposed-service', severity: 'medium', resource: 'service/shop/edge', owner: 'team-edge', why: 'type LoadBalancer opens it outside the cluster' },
    ]);
  });

  it('security.network-policy: a namespace with workloads and no NetworkPolicy; one without workloads passes', () => {
    const s = conformingShop({
      networkPolicies: [],
      namespaces: [
        { name: 'shop', labels: { owner: 'team-shop' }, annotations: {} },
        { name: 'empty', labels: {}, annotations: {} },
      ],
    });
    expect(ruleOf(s, 'security.network-policy')).toEqual([
      { monkey: 'security', rule: 'security.network-policy', severity: 'medium', resource: 'namespace/shop', owner: 'team-shop', why: 'it runs workloads and has no NetworkPolicy' },
    ]);
    // A policy in another namespace does not fence this one.
    expect(ruleOf(conformingShop({ networkPolicies: [object('deny', { namespace: 'other' })] }), 'security.network-policy')).toHaveLength(1);
  });
});
