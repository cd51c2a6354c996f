/**
 * `--provider kubernetes` and `--provider aws` through the whole CLI: the config (a kubeconfig file, a simian.yaml
 * with an EC2 endpoint) builds the real clients, which talk to loopback fakes of the real wire protocols.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/core/random.js';
import { createProgram } from '../../src/cli/program.js';
import { FakeKubeApiserver, sampleCluster } from '../support/fake-kube-apiserver.js';
import { FakeEc2Endpoint, fakeInstanceId } from '../support/fake-ec2-endpoint.js';
import { writeKubeconfig } from '../support/kubeconfig-file.js';

async function run(args: string[]) {
  let out = '';
  let err = '';
  const program = createProgram({ version: 't', writeOut: (t) => (out += t), writeErr: (t) => (err += t), random: new SeededRandom(7) });
  let error: unknown;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    error = e;
  }
  return { out, err, error };
}

let dir: string;
const closers: Array<() => Promise<void>> = [];
const savedEnv = { ...process.env };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'simian-cloud-cli-'));
});

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  process.env = { ...savedEnv };
  rmSync(dir, { recursive: true, force: true });
});

describe('--provider kubernetes', () => {
  async function cluster() {
    const fake = await FakeKubeApiserver.start(sampleCluster());
    closers.push(() => fake.close());
    const kubeconfig = writeKubeconfig(join(dir, 'kubeconfig'), fake.url);
    return { fake, common: ['--kubeconfig', kubeconfig, '--state-dir', dir] };
  }

  it('lists pods grouped by their owner, from a kubeconfig file', async () => {
    const { common } = await cluster();
    const { out, error } = await run(['inventory', '--provider', 'kubernetes', '--json', ...common]);
    expect(error).toBeUndefined();
    const listed = JSON.parse(out) as { groups: Array<{ name: string; instances: Array<{ id: string; zone: string }> }> };
    const web = listed.groups.find((g) => g.name === 'default/web');
    expect(web?.instances.map((i) => i.id)).toEqual(expect.arrayContaining(['default/web-7d9f8c6b5-aaaaa', 'default/web-7d9f8c6b5-ccccc']));
  });

  it('chaos --unleash deletes exactly one opted-in pod; leashed deletes none', async () => {
    const { fake, common } = await cluster();
    const deletes = () => fake.requests.filter((r) => r.method === 'DELETE');
    const leashed = await run(['monkey', 'chaos', '--provider', 'kubernetes', '--group', 'default/web', '--json', ...common]);
    expect(leashed.error).toBeUndefined();
    expect(JSON.parse(leashed.out)).toMatchObject({ decision: { outcome: 'skipped', reason: 'leashed' } });
    expect(deletes()).toEqual([]);

    const unleashed = await run(['monkey', 'chaos', '--provider', 'kubernetes', '--group', 'default/web', '--unleash', '--json', ...common]);
    expect(unleashed.error).toBeUndefined();
    const report = JSON.parse(unleashed.out) as { decision: { outcome: string; fault: { targets: string[] } } };
    expect(report.decision.outcome).toBe('executed');
    expect(deletes()).toHaveLength(1);
    expect(deletes()[0]!.path).toBe(`/api/v1/namespaces/default/pods/${report.decision.fault.targets[0]!.split('/')[1]}`);
  });

  it('a monkey run creates the state directory owner-only, and its state store in it', async () => {
    const { common } = await cluster();
    const stateDir = join(dir, 'fresh', 'state');
    const leashed = await run(['monkey', 'chaos', '--provider', 'kubernetes', '--group', 'default/web', ...common, '--state-dir', stateDir]);
    expect(leashed.error).toBeUndefined();
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect([mode(join(dir, 'fresh')), mode(stateDir), mode(join(stateDir, 'simian.db'))]).toEqual([0o700, 0o700, 0o600]);
  });

  it('a kubeconfig that does not exist is bad input (exit code 2), and nothing is contacted', async () => {
    const { fake } = await cluster();
    const { error } = await run(['inventory', '--provider', 'kubernetes', '--kubeconfig', join(dir, 'missing'), '--state-dir', dir]);
    expect(error).toMatchObject({ code: 'provider.badKubeconfig', exitCode: 2 });
    expect(fake.requests).toEqual([]);
  });
});

describe('--provider aws', () => {
  it('terminates one instance of an Auto Scaling group through the endpoint named in simian.yaml', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
    process.env.AWS_SECRET_ACCESS_KEY = 'x';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    const asg = { 'aws:autoscaling:groupName': 'web', 'simian/opt-in': 'true' };
    const fake = await FakeEc2Endpoint.start({
      accessKeyId: 'AKIDTEST',
      instances: [
        { id: fakeInstanceId(1), zone: 'us-east-1a', tags: asg },
        { id: fakeInstanceId(2), zone: 'us-east-1b', tags: asg },
        { id: fakeInstanceId(3), zone: 'us-east-1b', tags: { 'aws:autoscaling:groupName': 'db' } },
        { id: fakeInstanceId(4), zone: 'us-east-1c', tags: asg },
      ],
    });
    closers.push(() => fake.close());
    const config = join(dir, 'simian.yaml');
    writeFileSync(config, `stateDir: ${dir}\nproviders:\n  aws:\n    region: us-east-1\n    endpoint: ${fake.url}\n`);

    const inventory = await run(['inventory', '--provider', 'aws', '--config', config]);
    expect(inventory.error).toBeUndefined();
    expect(inventory.out).toMatch(/^web\s+i-\S+\s+us-east-1\s+us-east-1a\s+running\s+yes/m);
    expect(inventory.out).toMatch(/^db\s+i-\S+.*\s+no/m);

    const chaos = await run(['monkey', 'chaos', '--provider', 'aws', '--group', 'web', '--unleash', '--json', '--config', config]);
    expect(chaos.error).toBeUndefined();
    const report = JSON.parse(chaos.out) as { decision: { outcome: string; fault: { targets: string[] } } };
    expect(report.decision.outcome).toBe('executed');
    const terminations = fake.calls('TerminateInstances');
    expect(terminations).toHaveLength(1);
    expect(JSON.stringify(terminations[0])).toContain(report.decision.fault.targets[0]!);

    // The kill switch: once the file named in the config exists, every new fault stops, unleashed or not.
    const killSwitch = join(dir, 'STOP');
    writeFileSync(config, `stateDir: ${dir}\nkillSwitchFile: ${killSwitch}\nsafety:\n  minInterval: 0\nproviders:\n  aws:\n    region: us-east-1\n    endpoint: ${fake.url}\n`);
    writeFileSync(killSwitch, '');
    const stopped = await run(['monkey', 'chaos', '--provider', 'aws', '--group', 'web', '--unleash', '--json', '--config', config]);
    expect(stopped.error).toBeUndefined();
    expect(JSON.parse(stopped.out)).toMatchObject({ decision: { outcome: 'skipped', reason: 'kill-switch' } });
    expect(fake.calls('TerminateInstances')).toHaveLength(1);
    rmSync(killSwitch);
    const again = await run(['monkey', 'chaos', '--provider', 'aws', '--group', 'web', '--unleash', '--json', '--config', config]);
    expect(JSON.parse(again.out)).toMatchObject({ decision: { outcome: 'executed' } });
    expect(fake.calls('TerminateInstances')).toHaveLength(2);
  });
});
