/**
 * The Kubernetes Janitor rules on plain snapshots: each finds its seeded violation and passes what is in use; the
 * opt-out and the owner (own or default) ride along.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUDIT_CONFIG, type AuditConfig } from '../../../../src/monkeys/audit/audit-config.js';
import { kubernetesJanitorRules } from '../../../../src/monkeys/audit/kubernetes/kube-janitor-rules.js';
import type { KubernetesSnapshot } from '../../../../src/monkeys/audit/kubernetes/kube-snapshot.js';
import { runRules } from '../../../../src/monkeys/audit/rule.js';
import { conformingShop, deployment, job, object, pod, replicaSet, spec } from './kube-snapshot-fixtures.js';

const DAY = 86_400_000;
const findingsOf = (s: KubernetesSnapshot, config: AuditConfig = DEFAULT_AUDIT_CONFIG) => runRules(kubernetesJanitorRules(config), s);
const ruleOf = (s: KubernetesSnapshot, rule: string) => findingsOf(s).filter((f) => f.rule === rule);

describe('Kubernetes Janitor rules', () => {
  it('pass a namespace whose every object is in use', () => {
    const s = conformingShop({
      volumeClaims: [object('data')],
      configMaps: [object('cart-config'), object('kube-root-ca.crt')],
      secrets: [{ ...object('cart-db'), type: 'Opaque' }],
      pods: conformingShop().pods.map((p) => ({ ...p, spec: spec({ claims: ['data'], configMaps: ['cart-config'], secrets: ['cart-db'] }) })),
      jobs: [job('migrate', DAY)],
    });
    expect(findingsOf(s)).toEqual([]);
  });

  it('janitor.unused-volume-claim: a claim no pod mounts; not a StatefulSet claim nor an owned one', () => {
    const s = conformingShop({
      workloads: [deployment('cart'), deployment('db', { kind: 'StatefulSet', volumeClaimTemplates: ['data'] })],
      volumeClaims: [object('old-export'), object('data-db-0'), object('data-db-x'), object('scratch', { owners: [{ kind: 'Pod', name: 'p', controller: true }] })],
    });
    expect(ruleOf(s, 'janitor.unused-volume-claim').map((f) => [f.resource, f.severity])).toEqual([
      ['persistentvolumeclaim/shop/data-db-x', 'medium'],
      ['persistentvolumeclaim/shop/old-export', 'medium'],
    ]);
    // Mounted by a pod of the same namespace only.
    const mountedElsewhere = conformingShop({ volumeClaims: [object('old-export')], pods: [pod('p', { namespace: 'other', spec: spec({ claims: ['old-export'] }) })] });
    expect(ruleOf(mountedElsewhere, 'janitor.unused-volume-claim')).toHaveLength(1);
  });

  it('janitor.unreferenced-config: ConfigMaps and Secrets nothing references; templates, ReplicaSets and Jobs count; tokens and kube-root-ca.crt never', () => {
    const s = conformingShop({
      configMaps: [object('orphan'), object('kube-root-ca.crt'), object('in-template'), object('in-old-rs'), object('owned', { owners: [{ kind: 'Foo', name: 'f', controller: true }] })],
      secrets: [
        { ...object('orphan-secret'), type: 'Opaque' },
        { ...object('default-token-abcde'), type: 'kubernetes.io/service-account-token' },
        { ...object('sh.helm.release.v1.cart.v1'), type: 'helm.sh/release.v1' },
        { ...object('pull'), type: 'kubernetes.io/dockerconfigjson' },
        { ...object('in-job'), type: 'Opaque' },
      ],
      workloads: [deployment('cart', { template: spec({ configMaps: ['in-template'], secrets: ['pull'] }) })],
      replicaSets: [...conformingShop().replicaSets, replicaSet('cart-old', 'cart', 1, { template: spec({ configMaps: ['in-old-rs'] }) })],
      jobs: [job('migrate', DAY, { template: spec({ secrets: ['in-job'] }) })],
    });
    expect(ruleOf(s, 'janitor.unreferenced-config').map((f) => [f.resource, f.severity])).toEqual([
      ['configmap/shop/orphan', 'low'],
      ['secret/shop/orphan-secret', 'low'],
    ]);
  });

  it('janitor.finished-job: finished longer ago than finishedJobAge, Complete or Failed; not a CronJob’s nor a running one', () => {
    const s = conformingShop({
      jobs: [
        job('old', 8 * DAY),
        job('failed', 9 * DAY, { finished: 'Failed' }),
        job('recent', 6 * DAY),
        job('cron-1', 30 * DAY, { owners: [{ kind: 'CronJob', name: 'cron', controller: true }] }),
        (({ finished: _f, finishedAt: _a, ...running }) => running)(job('running', 30 * DAY)),
      ],
    });
    expect(ruleOf(s, 'janitor.finished-job').map((f) => [f.resource, f.why])).toEqual([
      ['job/shop/failed', 'failed 9d ago; kept at most 7d'],
      ['job/shop/old', 'completed 8d ago; kept at most 7d'],
    ]);
    const longer = findingsOf(s, { ...DEFAULT_AUDIT_CONFIG, janitor: { ...DEFAULT_AUDIT_CONFIG.janitor, finishedJobAgeMs: 10 * DAY } });
    expect(longer.filter((f) => f.rule === 'janitor.finished-job')).toEqual([]);
  });

  it("janitor.stale-replica-set: 0-replica ReplicaSets beyond the Deployment's revisionHistoryLimit, oldest first out; the current one never", () => {
    const history = [1, 2, 3, 4].map((r) => replicaSet(`cart-r${r}`, 'cart', r));
    const s = conformingShop({
      workloads: [deployment('cart', { revisionHistoryLimit: 2 })],
      // cart-5d8f is revision 3 at 2 replicas; r5 is current, scaled to 0 with the Deployment.
      replicaSets: [...history, replicaSet('cart-r5', 'cart', 5), replicaSet('cart-busy', 'cart', 0, { replicas: 1 }), replicaSet('other-r1', 'other', 1)],
    });
    expect(ruleOf(s, 'janitor.stale-replica-set').map((f) => f.resource)).toEqual(['replicaset/shop/cart-r1', 'replicaset/shop/cart-r2']);
    // revisionHistoryLimit 0 keeps only the current one; unset keeps 10.
    expect(ruleOf(conformingShop({ workloads: [deployment('cart', { revisionHistoryLimit: 0 })], replicaSets: [...history, replicaSet('cart-r5', 'cart', 5)] }), 'janitor.stale-replica-set')).toHaveLength(4);
    expect(ruleOf(conformingShop({ replicaSets: [...history, replicaSet('cart-r5', 'cart', 5)] }), 'janitor.stale-replica-set')).toEqual([]);
  });

  it('marks the opt-out (label or annotation simian/janitor: opt-out) and names the owner, else the default owner', () => {
    const s = conformingShop({
      configMaps: [
        object('by-label', { labels: { 'simian/janitor': 'opt-out' } }),
        object('by-annotation', { annotations: { 'simian/janitor': 'opt-out', owner: 'team-cart' } }),
        object('other-value', { labels: { 'simian/janitor': 'maybe' } }),
      ],
    });
    expect(ruleOf(s, 'janitor.unreferenced-config').map((f) => [f.resource, f.owner, f.optedOut])).toEqual([
      ['configmap/shop/by-annotation', 'team-cart', true],
      ['configmap/shop/by-label', undefined, true],
      ['configmap/shop/other-value', undefined, undefined],
    ]);
    const withDefault = findingsOf(s, { ...DEFAULT_AUDIT_CONFIG, janitor: { ...DEFAULT_AUDIT_CONFIG.janitor, defaultOwner: 'sre@example.com' } });
    expect(withDefault.map((f) => f.owner)).toEqual(['team-cart', 'sre@example.com', 'sre@example.com']);
  });
});
