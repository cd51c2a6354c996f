/**
 * The Kubernetes Conformity rules on plain snapshots: each finds its seeded violation and passes the conforming
 * namespace.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUDIT_CONFIG } from '../../../../src/monkeys/audit/audit-config.js';
import { imageTag, kubernetesConformityRules } from '../../../../src/monkeys/audit/kubernetes/kube-conformity-rules.js';
import type { KubernetesSnapshot } from '../../../../src/monkeys/audit/kubernetes/kube-snapshot.js';
import { runRules } from '../../../../src/monkeys/audit/rule.js';
import { conformingShop, container, deployment, object, pod, spec } from './kube-snapshot-fixtures.js';

const findingsOf = (s: KubernetesSnapshot, config = DEFAULT_AUDIT_CONFIG) => runRules(kubernetesConformityRules(config), s);
const ruleOf = (s: KubernetesSnapshot, rule: string) => findingsOf(s).filter((f) => f.rule === rule);

describe('Kubernetes Conformity rules', () => {
  it('pass a conforming namespace', () => {
    expect(findingsOf(conformingShop())).toEqual([]);
  });

  it('conformity.probes: a container without a readiness or liveness probe, named by its workload; not a Job pod', () => {
    const s = conformingShop({
      workloads: [deployment('cart', { labels: { owner: 'team-cart' }, template: spec({ containers: [container({ readinessProbe: false }), container({ name: 'side', livenessProbe: false, readinessProbe: false })] }) })],
    });
    expect(ruleOf(s, 'conformity.probes')).toEqual([
      { monkey: 'conformity', rule: 'conformity.probes', severity: 'medium', resource: 'deployment/shop/cart container app', owner: 'team-cart', why: 'container app has no readinessProbe' },
      { monkey: 'conformity', rule: 'conformity.probes', severity: 'medium', resource: 'deployment/shop/cart container side', owner: 'team-cart', why: 'container side has no readinessProbe and no livenessProbe' },
    ]);
    const bare = spec({ containers: [container({ livenessProbe: false })] });
    const withPods = conformingShop({ pods: [pod('solo', { spec: bare, annotations: { owner: 'ann' }, labels: { owner: 'lab' } }), pod('nightly-x', { spec: bare, owner: { kind: 'Job', name: 'nightly' } })] });
    // A bare pod is named itself, its annotation owner wins; the Job's pod is exempt.
    expect(ruleOf(withPods, 'conformity.probes')).toMatchObject([{ resource: 'pod/shop/solo container app', owner: 'ann' }]);
  });

  it('conformity.resource-limits: a container without a cpu or memory limit', () => {
    const s = conformingShop({ workloads: [deployment('cart', { template: spec({ containers: [container({ limits: ['memory'] })] }) })] });
    expect(ruleOf(s, 'conformity.resource-limits')).toMatchObject([{ resource: 'deployment/shop/cart container app', why: 'container app has no cpu limit (resources.limits)' }]);
  });

  it('conformity.single-replica: a Deployment or StatefulSet of one replica, not one scaled to 0', () => {
    const s = conformingShop({ workloads: [deployment('cart'), deployment('db', { kind: 'StatefulSet', replicas: 1 }), deployment('idle', { replicas: 0 })] });
    expect(ruleOf(s, 'conformity.single-replica')).toMatchObject([{ resource: 'statefulset/shop/db', why: 'spec.replicas is 1; at least 2 wanted' }]);
  });

  it('conformity.disruption-budget: several replicas and no budget selecting their pods (other labels, other namespace, no selector)', () => {
    const budgets = [
      { ...object('other'), selector: { matchLabels: { app: 'other' }, matchExpressions: [] } },
      { ...object('cart', { namespace: 'elsewhere' }), selector: { matchLabels: { app: 'cart' }, matchExpressions: [] } },
      { ...object('none') },
    ];
    expect(ruleOf(conformingShop({ disruptionBudgets: budgets }), 'conformity.disruption-budget')).toMatchObject([{ severity: 'low', resource: 'deployment/shop/cart' }]);
    const byExpression = [{ ...object('cart'), selector: { matchLabels: {}, matchExpressions: [{ key: 'app', operator: 'In', values: ['cart', 'web'] }] } }];
    expect(ruleOf(conformingShop({ disruptionBudgets: byExpression }), 'conformity.disruption-budget')).toEqual([]);
  });

  it('conformity.latest-image: :latest or no tag; a version, a digest or a registry port pass', () => {
    expect([imageTag('nginx'), imageTag('nginx:latest'), imageTag('registry:5000/nginx'), imageTag('registry:5000/nginx:1.2'), imageTag('nginx@sha256:abc')]).toEqual(['', 'latest', '', '1.2', undefined]);
    const images = ['nginx', 'ghcr.io/acme/cart:latest', 'registry:5000/acme/cart:2.0', 'acme/cart@sha256:0123'];
    const s = conformingShop({ workloads: [deployment('cart', { template: spec({ containers: images.map((image, i) => container({ name: `c${i}`, image })) }) })] });
    expect(ruleOf(s, 'conformity.latest-image').map((f) => f.resource)).toEqual(['deployment/shop/cart container c0', 'deployment/shop/cart container c1']);
  });

  it('conformity.single-zone: running pods on nodes of fewer than minZones zones', () => {
    const rs = { kind: 'ReplicaSet', name: 'cart-5d8f' };
    const oneZone = conformingShop({ pods: [pod('cart-5d8f-aaaaa', { owner: rs }), pod('cart-5d8f-bbbbb', { owner: rs }), pod('cart-5d8f-ccccc', { owner: rs, nodeName: 'node-b', phase: 'Pending' })] });
    expect(ruleOf(oneZone, 'conformity.single-zone')).toEqual([
      { monkey: 'conformity', rule: 'conformity.single-zone', severity: 'medium', resource: 'deployment/shop/cart', why: 'its 2 running pod(s) are on nodes in 1 zone (eu-1a); at least 2 wanted' },
    ]);
    // minZones 1 is satisfied by one zone.
    expect(findingsOf(oneZone, { ...DEFAULT_AUDIT_CONFIG, minZones: 1 }).filter((f) => f.rule === 'conformity.single-zone')).toEqual([]);
    // A StatefulSet's pods are its own.
    const sts = conformingShop({
      workloads: [deployment('cart'), deployment('db', { kind: 'StatefulSet', podLabels: { app: 'cart' } })],
      pods: [...conformingShop().pods, pod('db-0', { owner: { kind: 'StatefulSet', name: 'db' } }), pod('db-1', { owner: { kind: 'StatefulSet', name: 'db' } })],
    });
    expect(ruleOf(sts, 'conformity.single-zone').map((f) => f.resource)).toEqual(['statefulset/shop/db']);
  });

  it('turns a rule off through audit.disabledRules', () => {
    const s = conformingShop({ workloads: [deployment('cart', { replicas: 1 })] });
    expect(findingsOf(s, { ...DEFAULT_AUDIT_CONFIG, disabledRules: ['conformity.single-replica'] })).toEqual([]);
  });
});
