/**
 * `simian janitor`, `simian conformity` and `simian security` on EC2 through the whole CLI: the config names a
 * loopback fake EC2 endpoint, the real SDK talks to it, the marks live in a real state store, and time is a
 * manual clock so that the retention (business days) passes without waiting.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProgram } from '../../src/cli/program.js';
import { ManualClock } from '../../src/core/manual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { FakeEc2Endpoint, fakeInstanceId } from '../support/fake-ec2-endpoint.js';
import { FakeKubeApiserver } from '../support/fake-kube-apiserver.js';
import { AUDIT_CLUSTER_NOW, auditCluster } from '../support/fake-kube-audit-cluster.js';
import { writeKubeconfig } from '../support/kubeconfig-file.js';

const DAY = 86_400_000;
// Tuesday 2026-12-01, 09:00 in Los Angeles (the schedule's default zone): business hours.
const T0 = Date.parse('2026-12-01T17:00:00Z');
const ago = (days: number) => new Date(T0 - days * DAY).toISOString();
const web = { 'aws:autoscaling:groupName': 'web', owner: 'web-team' };
const orphan = fakeInstanceId(9);

let dir: string;
let config: string;
let clock: ManualClock;
let fake: FakeEc2Endpoint;
const savedEnv = { ...process.env };

async function run(...args: string[]) {
  let out = '';
  let err = '';
  const program = createProgram({ version: 't', writeOut: (t) => (out += t), writeErr: (t) => (err += t), random: new SeededRandom(7), clock });
  let error: (Error & { code?: string; exitCode?: number }) | undefined;
  try {
    await program.parseAsync([...args, '--config', config], { from: 'user' });
  } catch (e) {
    error = e as Error;
  }
  return { out, err, error };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'simian-janitor-cli-'));
  process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'x';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  clock = new ManualClock(T0);
  fake = await FakeEc2Endpoint.start({
    accessKeyId: 'AKIDTEST',
    instances: [
      { id: fakeInstanceId(1), zone: 'us-east-1a', tags: web, launchTime: ago(3) },
      { id: fakeInstanceId(2), zone: 'us-east-1b', tags: web, launchTime: ago(3) },
      { id: orphan, zone: 'us-east-1a', tags: { owner: 'carol' }, launchTime: ago(10) },
    ],
    volumes: [
      { id: 'vol-00000001', attachedTo: fakeInstanceId(1), createTime: ago(3) },
      { id: 'vol-00000002', createTime: ago(90), tags: { owner: 'video' } },
      { id: 'vol-00000003', createTime: ago(90), tags: { 'simian/janitor': 'opt-out' } },
    ],
    securityGroups: [{ id: 'sg-00000001', name: 'ssh-everywhere', ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: ['0.0.0.0/0'] }] }],
    networkInterfaces: [{ id: 'eni-00000001', groupIds: ['sg-00000001'], instanceId: fakeInstanceId(1) }],
  });
  config = join(dir, 'simian.yaml');
  writeFileSync(config, `stateDir: ${dir}\nproviders:\n  aws:\n    region: us-east-1\n    endpoint: ${fake.url}\n`);
});

afterEach(async () => {
  await fake.close();
  process.env = { ...savedEnv };
  rmSync(dir, { recursive: true, force: true });
});

describe('the audit monkeys on EC2', () => {
  it('security finds the group open to the internet on port 22 and exits 1', async () => {
    const { out, error } = await run('security', '--provider', 'aws', '--json');
    expect(error).toMatchObject({ code: 'audit.highSeverity', exitCode: 1 });
    const findings = (JSON.parse(out) as { findings: Array<{ rule: string; resource: string }> }).findings;
    expect(findings.map((f) => [f.rule, f.resource])).toEqual([['security.open-security-group', 'sg-00000001']]);
  });

  it('conformity finds the instance outside any Auto Scaling group, and names its owner', async () => {
    const { out, error } = await run('conformity', '--provider', 'aws', '--json');
    expect(error).toBeUndefined();
    const findings = (JSON.parse(out) as { findings: Array<{ rule: string; resource: string; owner?: string }> }).findings;
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'conformity.auto-scaling-group', resource: orphan, owner: 'carol' }));
    expect(findings.filter((f) => f.resource.startsWith('i-') && f.resource !== orphan && f.rule === 'conformity.auto-scaling-group')).toEqual([]);
  });
});

describe('simian janitor on EC2', () => {
  interface Run {
    findings: Array<{ resource: string; optedOut?: boolean }>;
    janitor: { marked: Array<{ resource: string; cleanAfter: number }>; cleaned: Array<{ resource: string }>; held: Array<{ mark: { resource: string }; reason: string }>; unmarked: Array<{ mark: { resource: string }; why: string }>; open: Array<{ resource: string }> };
  }
  const janitor = async (...extra: string[]) => {
    const result = await run('janitor', '--provider', 'aws', '--json', ...extra);
    expect(result.error, result.err).toBeUndefined();
    return JSON.parse(result.out) as Run;
  };
  const deletes = () => [...fake.calls('DeleteVolume'), ...fake.calls('DeleteSnapshot'), ...fake.calls('DeleteSecurityGroup'), ...fake.calls('TerminateInstances')];

  it('marks and notifies only, leashed; cleans after the retention when unleashed; never what is opted out', async () => {
    const first = await janitor();
    expect(first.janitor.marked.map((m) => m.resource).sort()).toEqual(['vol-00000002', orphan].sort());
    // Three business days after Tuesday: Friday at 09:00 in Los Angeles.
    expect(new Date(first.janitor.marked[0]!.cleanAfter).toISOString()).toBe('2026-12-04T17:00:00.000Z');
    expect(first.findings.find((f) => f.resource === 'vol-00000003')?.optedOut).toBe(true);
    expect(deletes()).toEqual([]);

    const early = await janitor('--unleash');
    expect(early.janitor.cleaned).toEqual([]);
    expect(deletes()).toEqual([]);

    const optOut = await run('janitor', 'opt-out', orphan, '--provider', 'aws', '--reason', 'a build box carol still uses');
    expect(optOut.error).toBeUndefined();
    await clock.advance(7 * DAY);

    const leashed = await janitor();
    expect(leashed.janitor.held.map((h) => [h.mark.resource, h.reason])).toEqual([['vol-00000002', 'leashed']]);
    expect(leashed.janitor.unmarked.map((u) => [u.mark.resource, u.why])).toEqual([[orphan, 'opted out']]);
    expect(deletes()).toEqual([]);

    const unleashed = await janitor('--unleash');
    expect(unleashed.janitor.cleaned.map((m) => m.resource)).toEqual(['vol-00000002']);
    expect(fake.calls('DeleteVolume').map((c) => c.params.VolumeId)).toEqual(['vol-00000002']);
    expect(fake.calls('TerminateInstances')).toEqual([]);
    expect(fake.hasResource('vol-00000003')).toBe(true);

    const marks = await run('janitor', 'marks', '--provider', 'aws');
    expect(marks.out).toContain('no resource is marked');
    expect(marks.out).toMatch(/Opted out by hand:[\s\S]*i-\S+ +cli:/);
  });

  it('reports a deletion that fails, exits 1, and retries it on the next run', async () => {
    await janitor();
    await clock.advance(7 * DAY);
    fake.failNext('DeleteVolume', 1, { code: 'VolumeInUse', message: 'vol-00000002 is currently attached to i-x' });
    const failed = await run('janitor', '--provider', 'aws', '--unleash');
    expect(failed.error).toMatchObject({ code: 'janitor.cleanupFailed', exitCode: 1 });
    expect(failed.out).toMatch(/vol-00000002 .*failed: .*VolumeInUse|failed: .*currently attached/);
    const retried = await janitor('--unleash');
    expect(retried.janitor.cleaned.map((m) => m.resource)).toEqual(['vol-00000002']);
    expect(fake.hasResource('vol-00000002')).toBe(false);
  });

  it('a resource no rule finds any more (used again, or gone) is unmarked and never deleted', async () => {
    await janitor();
    // Its owner puts the instance into service elsewhere (here: it leaves the account) before the retention ends.
    fake.remove(orphan);
    await clock.advance(7 * DAY);
    const report = await janitor('--unleash');
    expect(report.janitor.unmarked.map((u) => u.mark.resource)).toEqual([orphan]);
    expect(fake.calls('TerminateInstances')).toEqual([]);
  });

  it('refuses a provider without rules (exit 2) and an empty resource to opt out', async () => {
    const bad = await run('janitor', '--provider', 'toxiproxy');
    expect(bad.error).toMatchObject({ code: 'commander.invalidArgument' });
    expect(bad.error!.message).toContain('local, kubernetes, aws');
    const empty = await run('janitor', 'opt-out', ' ', '--provider', 'aws');
    expect(empty.error).toMatchObject({ code: 'janitor.invalidResource', exitCode: 2 });
  });
});

describe('the audit monkeys and the Janitor on Kubernetes', () => {
  it('report the cluster, mark what is unused, and delete it through the API only unleashed and after the retention', async () => {
    const kube = await FakeKubeApiserver.start(auditCluster());
    try {
      clock = new ManualClock(AUDIT_CLUSTER_NOW);
      const kubeconfig = writeKubeconfig(join(dir, 'kubeconfig'), kube.url);
      writeFileSync(config, `stateDir: ${dir}\nproviders:\n  kubernetes:\n    kubeconfig: ${kubeconfig}\n`);
      const security = await run('security', '--provider', 'kubernetes', '--json');
      expect(security.error).toMatchObject({ code: 'audit.highSeverity', exitCode: 1 });
      expect((JSON.parse(security.out) as { findings: Array<{ rule: string }> }).findings.map((f) => f.rule)).toContain('security.privileged');
      const conformity = await run('conformity', '--provider', 'kubernetes', '--json');
      expect((JSON.parse(conformity.out) as { findings: Array<{ resource: string }> }).findings.map((f) => f.resource)).toContain('deployment/default/web');

      const first = await run('janitor', '--provider', 'kubernetes', '--json');
      expect(first.error, first.err).toBeUndefined();
      const marked = (JSON.parse(first.out) as { janitor: { marked: Array<{ resource: string }> } }).janitor.marked.map((m) => m.resource).sort();
      expect(marked).toEqual(['configmap/shop/old-cart-config', 'job/batch/nightly-old', 'replicaset/shop/cart-1']);
      const deletes = () => kube.requests.filter((r) => r.method === 'DELETE').map((r) => r.path).sort();
      expect(deletes()).toEqual([]);

      await clock.advance(7 * DAY);
      const leashed = await run('janitor', '--provider', 'kubernetes', '--json');
      expect(leashed.error).toBeUndefined();
      expect(deletes()).toEqual([]);
      const unleashed = await run('janitor', '--provider', 'kubernetes', '--unleash', '--json');
      expect(unleashed.error, unleashed.err).toBeUndefined();
      expect(deletes()).toEqual([
        '/api/v1/namespaces/shop/configmaps/old-cart-config',
        '/apis/apps/v1/namespaces/shop/replicasets/cart-1',
        '/apis/batch/v1/namespaces/batch/jobs/nightly-old',
      ]);
      // The opted-out claim is still there.
      expect(kube.requests.some((r) => r.path.includes('persistentvolumeclaims/cart-export') && r.method === 'DELETE')).toBe(false);
    } finally {
      await kube.close();
    }
  });
});
