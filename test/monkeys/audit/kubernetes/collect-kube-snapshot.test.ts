/**
 * The Kubernetes audit end to end on the wire: the real client-node against the fake kube-apiserver, a realistic
 * cluster gathered into a snapshot, all three rule sets run over it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/manual-clock.js';
import { DEFAULT_AUDIT_CONFIG } from '../../../../src/monkeys/audit/audit-config.js';
import { collectKubernetesSnapshot } from '../../../../src/monkeys/audit/kubernetes/collect-kube-snapshot.js';
import { kubernetesConformityRules } from '../../../../src/monkeys/audit/kubernetes/kube-conformity-rules.js';
import { kubernetesJanitorRules } from '../../../../src/monkeys/audit/kubernetes/kube-janitor-rules.js';
import { kubernetesSecurityRules } from '../../../../src/monkeys/audit/kubernetes/kube-security-rules.js';
import { runRules } from '../../../../src/monkeys/audit/rule.js';
import { FakeKubeApiserver } from '../../../support/fake-kube-apiserver.js';
import { AUDIT_CLUSTER_NOW, auditCluster } from '../../../support/fake-kube-audit-cluster.js';

const fakes: FakeKubeApiserver[] = [];

async function start(): Promise<FakeKubeApiserver> {
  const fake = await FakeKubeApiserver.start({ ...auditCluster(), nowMs: AUDIT_CLUSTER_NOW });
  fakes.push(fake);
  return fake;
}

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

describe('collectKubernetesSnapshot', () => {
  it('gathers a realistic cluster, and the three rule sets find what is wrong with it and nothing else', async () => {
    const fake = await start();
    const snapshot = await collectKubernetesSnapshot({ kubeConfig: fake.kubeConfig(), clock: new ManualClock(AUDIT_CLUSTER_NOW) });
    expect(snapshot.takenAt).toBe(AUDIT_CLUSTER_NOW);
    // kube-system is excluded by default, from every list.
    expect(JSON.stringify(snapshot)).not.toContain('kube-system');
    expect(JSON.stringify(snapshot)).not.toContain('coredns');
    // A Secret's value never reaches the snapshot.
    expect(JSON.stringify(snapshot)).not.toContain('aHVudGVyMg==');
    expect(snapshot.secrets.map((s) => [s.name, s.type])).toEqual([
      ['cart-db', 'Opaque'],
      ['default-token-x1y2z', 'kubernetes.io/service-account-token'],
    ]);

    const config = { ...DEFAULT_AUDIT_CONFIG, janitor: { ...DEFAULT_AUDIT_CONFIG.janitor, defaultOwner: 'sre@example.com' } };
    const found = [kubernetesConformityRules, kubernetesSecurityRules, kubernetesJanitorRules].flatMap((rules) =>
      runRules(rules(config), snapshot).map((f) => `${f.rule} ${f.resource}${f.owner ? ` @${f.owner}` : ''}${f.optedOut ? ' (opted out)' : ''}`),
    );
    expect(found.sort()).toEqual([
      'conformity.latest-image deployment/default/web container nginx @team-web',
      'conformity.probes deployment/default/web container nginx @team-web',
      'conformity.resource-limits deployment/default/web container nginx @team-web',
      'conformity.single-replica deployment/default/web @team-web',
      'janitor.finished-job job/batch/nightly-old @sre@example.com',
      'janitor.stale-replica-set replicaset/shop/cart-1 @sre@example.com',
      'janitor.unreferenced-config configmap/shop/old-cart-config @team-cart',
      'janitor.unused-volume-claim persistentvolumeclaim/shop/cart-export @sre@example.com (opted out)',
      'security.exposed-service service/shop/cart-public @team-cart',
      'security.host-namespaces pod/batch/debug @sre',
      'security.network-policy namespace/batch @ns-batch',
      'security.network-policy namespace/default @ns-default',
      'security.privileged pod/batch/debug container shell @sre',
      'security.runs-as-root deployment/default/web container nginx @team-web',
    ]);
  });

  it('with namespaces, lists only those (never the cluster-wide lists nor the namespaces), less the excluded ones', async () => {
    const fake = await start();
    const snapshot = await collectKubernetesSnapshot({ kubeConfig: fake.kubeConfig(), clock: new ManualClock(AUDIT_CLUSTER_NOW), namespaces: ['shop', 'batch'], excludeNamespaces: ['batch'] });
    expect([...new Set(snapshot.pods.map((p) => p.namespace))]).toEqual(['shop']);
    expect(snapshot.namespaces.map((n) => n.name)).toEqual(['shop']);
    const paths = fake.requests.map((r) => r.path).filter((p) => p !== '/api/v1/nodes');
    // One per namespaced resource: pods, deployments, statefulsets, replicasets, jobs, services, budgets, policies, claims, configmaps, secrets.
    expect(paths.length).toBe(11);
    expect(paths.every((p) => p.includes('/namespaces/shop/'))).toBe(true);
  });

  it('follows continue tokens page after page', async () => {
    const fake = await start();
    const snapshot = await collectKubernetesSnapshot({ kubeConfig: fake.kubeConfig(), clock: new ManualClock(AUDIT_CLUSTER_NOW), pageSize: 1, excludeNamespaces: [] });
    expect(snapshot.jobs.map((j) => j.name).sort()).toEqual(['nightly-new', 'nightly-old', 'report-1', 'running']);
    expect(fake.count({ path: '/apis/batch/v1/jobs' })).toBe(4);
    expect(fake.requestsTo({ path: '/apis/batch/v1/jobs' })[1]?.query['continue']).toBeTruthy();
    // Nothing excluded: kube-system is audited too.
    expect(snapshot.workloads.map((w) => w.name)).toContain('coredns');
  });

  it('rejects when a list keeps failing: a partial snapshot would make the Janitor see unused what it did not see', async () => {
    const fake = await start();
    fake.failNext({ path: '/api/v1/configmaps' }, { status: 403, message: 'configmaps is forbidden' });
    await expect(collectKubernetesSnapshot({ kubeConfig: fake.kubeConfig(), clock: new ManualClock(AUDIT_CLUSTER_NOW) })).rejects.toMatchObject({
      code: 'provider.forbidden',
      message: expect.stringContaining('grant the verb "list" on "configmaps"'),
    });
  });
});
