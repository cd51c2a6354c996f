import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../../src/config/load-config.js';
import type { SimianConfig } from '../../src/config/simian-config.js';
import { ManualClock } from '../../src/core/manual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { coordinationApi, kubernetesLeaseLock } from '../../src/daemon/leader/kubernetes-lease-lock.js';
import { auditSource } from '../../src/engine/audit-sources.js';
import { createProvider, loadCloudProviders, type ProviderRegistry } from '../../src/engine/provider-registry.js';
import type { KubernetesProvider } from '../../src/providers/kubernetes/kubernetes-provider.js';
import { FakeKubeApiserver, sampleCluster, type RecordedRequest } from '../support/fake-kube-apiserver.js';
import { writeKubeconfig } from '../support/kubeconfig-file.js';

/** A manifest, loosely: every test below says what it expects of the fields it reads. */
type Manifest = { kind: string; metadata: { name: string; namespace?: string }; [field: string]: unknown };
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

const DEPLOY = join(import.meta.dirname, '../../deploy/kubernetes');

function manifests(file: string): Manifest[] {
  const documents = parseAllDocuments(readFileSync(join(DEPLOY, file), 'utf8'));
  if (!Array.isArray(documents)) throw new Error(`${file}: no YAML documents`);
  for (const document of documents) if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
  return documents.map((document) => document.toJS() as Manifest | null).filter((m): m is Manifest => m !== null);
}

function one(all: readonly Manifest[], kind: string, name?: string): Manifest {
  const found = all.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  expect(found, `${kind} ${name ?? ''}`).toHaveLength(1);
  return found[0] as Manifest;
}

/** `group/resource:verb`, the RBAC tuple of one request, read off its method and path as the authorizer does. */
function rbacTuple(request: Pick<RecordedRequest, 'method' | 'path'>): string {
  const parts = request.path.split('/').filter((p) => p !== '');
  // /api/v1/… is the core group (""); /apis/<group>/<version>/… any other.
  const group = parts[0] === 'api' ? '' : (parts[1] as string);
  let rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  const [resource, name, subresource] = rest;
  const verbs: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch' };
  const verb =
    request.method === 'GET' ? (name === undefined ? 'list' : 'get') : request.method === 'DELETE' ? (name === undefined ? 'deletecollection' : 'delete') : verbs[request.method];
  if (verb === undefined) throw new Error(`no RBAC verb for ${request.method} ${request.path}`);
  return `${group}/${resource}${subresource === undefined ? '' : `/${subresource}`}:${verb}`;
}

function ruleTuples(rules: readonly Rule[]): string[] {
  return rules.flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${group}/${resource}:${verb}`))));
}

const daemon = manifests('daemon.yaml');
const configMap = one(daemon, 'ConfigMap', 'simian-config') as Manifest & { data: Record<string, string> };
const deployment = one(daemon, 'Deployment', 'simian-daemon') as Manifest & { spec: { replicas: number; template: { spec: PodSpec } } };
type Container = {
  name: string;
  image: string;
  args?: string[];
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  ports?: Array<{ name: string; containerPort: number }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
};
type PodSpec = {
  serviceAccountName: string;
  securityContext: { runAsNonRoot?: boolean };
  containers: Container[];
  initContainers?: Container[];
  volumes: Array<{ name: string; secret?: { secretName: string; defaultMode?: number }; configMap?: { name: string } }>;
};

function fileConfig(): SimianConfig {
  return parseConfig(configMap.data['simian.yaml'] as string, { fileName: 'deploy/kubernetes/daemon.yaml#simian.yaml', baseDir: '/etc/simian', home: '/nonexistent' });
}

const fakes: FakeKubeApiserver[] = [];
/** The Kubernetes audit source reads through its own client: it asks the registry for no provider. */
const noProviders: ProviderRegistry = {
  create: () => {
    throw new Error('no provider expected');
  },
  forRevert: () => {
    throw new Error('no provider expected');
  },
};
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Everything the daemon asks of the API server: an election round on the configured Lease, and the Kubernetes
 * provider built as the daemon builds it (the registry, the ConfigMap's settings) doing all it can: inventory,
 * termination, zone isolation and its revert.
 */
async function daemonCalls(): Promise<RecordedRequest[]> {
  const fake = await FakeKubeApiserver.start(sampleCluster());
  fakes.push(fake);
  const config = fileConfig();
  if (config.daemon.leader.kind !== 'kubernetes') throw new Error('the ConfigMap does not elect through a Lease');
  const { namespace, name } = config.daemon.leader;

  const lock = kubernetesLeaseLock({ api: coordinationApi(fake.kubeConfig()), namespace, name });
  expect(await lock.get()).toBeUndefined();
  expect(await lock.create({ holder: 'pod-a', durationMs: 15_000, acquiredAt: 0, renewedAt: 0, transitions: 0 })).toBeTruthy();
  const read = await lock.get();
  expect(await lock.update({ holder: 'pod-a', durationMs: 15_000, acquiredAt: 0, renewedAt: 2000, transitions: 0 }, read!.version)).toBeTruthy();

  const dir = mkdtempSync(join(tmpdir(), 'simian-rbac-'));
  dirs.push(dir);
  const kubeconfig = writeKubeconfig(join(dir, 'kubeconfig'), fake.url);
  await loadCloudProviders(['kubernetes']);
  const provider = createProvider(
    config.daemon.provider,
    { stateDir: dir, kubernetes: { ...config.providers.kubernetes, kubeconfig } },
    { clock: new ManualClock(0), random: new SeededRandom(1) },
  ) as KubernetesProvider;
  const instances = await provider.inventory.instances();
  await provider.inventory.groups();
  const victim = instances.find((i) => i.id === 'default/solo');
  await provider.actuator.terminate(victim!);
  const isolation = await provider.actuator.isolateZone({ name: 'eu-1b', region: 'eu-1' });
  await isolation.revert();
  // The audit monkeys (audit.cron): one snapshot serves all three; the Janitor deletes one of each kind it cleans.
  const audit = auditSource('kubernetes', { ...config, providers: { ...config.providers, kubernetes: { ...config.providers.kubernetes!, kubeconfig } } }, noProviders, { clock: new ManualClock(0) });
  await audit.snapshot('janitor');
  const cleaner = audit.cleaner();
  for (const kind of ['persistentvolumeclaim', 'configmap', 'secret', 'job', 'replicaset']) await cleaner.clean(`${kind}/default/left-behind`);
  return fake.requests;
}

describe('deploy/kubernetes/daemon.yaml RBAC', () => {
  it('grants exactly the (group, resource, verb) the daemon calls: nothing missing, nothing extra', async () => {
    const used = [...new Set((await daemonCalls()).map(rbacTuple))].sort();
    // The drive above must reach every call the provider and the lock make, or this test proves little.
    expect(used).toEqual([
      '/configmaps:delete',
      '/configmaps:list',
      '/namespaces:list',
      '/nodes:list',
      '/nodes:patch',
      '/persistentvolumeclaims:delete',
      '/persistentvolumeclaims:list',
      '/pods/eviction:create',
      '/pods:delete',
      '/pods:list',
      '/secrets:delete',
      '/secrets:list',
      '/services:list',
      'apps/deployments:list',
      'apps/replicasets:delete',
      'apps/replicasets:list',
      'apps/statefulsets:list',
      'batch/jobs:delete',
      'batch/jobs:list',
      'coordination.k8s.io/leases:create',
      'coordination.k8s.io/leases:get',
      'coordination.k8s.io/leases:update',
      'networking.k8s.io/networkpolicies:list',
      'policy/poddisruptionbudgets:list',
    ]);
    const role = one(daemon, 'Role') as Manifest & { rules: Rule[] };
    const clusterRole = one(daemon, 'ClusterRole') as Manifest & { rules: Rule[] };
    const granted = ruleTuples([...role.rules, ...clusterRole.rules]);
    expect(new Set(granted).size, 'a verb granted twice').toBe(granted.length);
    expect([...granted].sort()).toEqual(used);
  });

  it('puts the lease rules in a Role of the lease namespace, narrowed to the lease where RBAC can, and the rest in the ClusterRole', () => {
    const { leader } = fileConfig().daemon;
    expect(leader).toEqual({ kind: 'kubernetes', namespace: 'simian', name: 'simian-daemon' });
    const role = one(daemon, 'Role') as Manifest & { rules: Rule[] };
    expect(role.metadata.namespace).toBe(leader.kind === 'kubernetes' ? leader.namespace : undefined);
    expect(ruleTuples(role.rules).every((t) => t.startsWith('coordination.k8s.io/leases:'))).toBe(true);
    for (const rule of role.rules) {
      // create is a POST on the collection: RBAC has no name to match it against.
      if (rule.verbs.includes('create')) expect(rule.resourceNames).toBeUndefined();
      else expect(rule.resourceNames).toEqual(['simian-daemon']);
    }
    const clusterRole = one(daemon, 'ClusterRole') as Manifest & { rules: Rule[] };
    expect(ruleTuples(clusterRole.rules).some((t) => t.includes('leases'))).toBe(false);
  });

  it('binds both roles to the service account the Deployment runs as', () => {
    const account = one(daemon, 'ServiceAccount');
    expect(deployment.spec.template.spec.serviceAccountName).toBe(account.metadata.name);
    const bindings = [one(daemon, 'RoleBinding'), one(daemon, 'ClusterRoleBinding')] as Array<
      Manifest & { roleRef: { kind: string; name: string }; subjects: Array<{ kind: string; name: string; namespace: string }> }
    >;
    expect(bindings.map((b) => `${b.roleRef.kind}/${b.roleRef.name}`).sort()).toEqual([`ClusterRole/${one(daemon, 'ClusterRole').metadata.name}`, `Role/${one(daemon, 'Role').metadata.name}`]);
    for (const binding of bindings) {
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace }]);
    }
    expect(one(daemon, 'RoleBinding').metadata.namespace).toBe(one(daemon, 'Role').metadata.namespace);
  });
});

describe('deploy/kubernetes/daemon.yaml', () => {
  it("holds a simian.yaml the config loader accepts, for the kubernetes provider and leader, listening where probes reach", () => {
    const config = fileConfig();
    expect(config.daemon).toMatchObject({ provider: 'kubernetes', host: '0.0.0.0', port: 7070, tokenFile: '/run/simian/token/token' });
    expect(config.safety.leashed).toBe(true);
    // The daemon's own namespace is no chaos target.
    expect(config.providers.kubernetes.excludeNamespaces).toContain(deployment.metadata.namespace);
  });

  it('runs two hardened replicas of a pinned image with the config, probes on the daemon port and bounded resources', () => {
    const pod = deployment.spec.template.spec;
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const daemonContainer = pod.containers.find((c) => c.name === 'daemon')!;
    expect(daemonContainer.args).toEqual(['daemon', '--config', '/etc/simian/simian.yaml']);
    const configVolume = pod.volumes.find((v) => v.configMap?.name === configMap.metadata.name)!;
    expect(daemonContainer.volumeMounts).toContainEqual({ name: configVolume.name, mountPath: '/etc/simian', readOnly: true });
    const port = daemonContainer.ports?.find((p) => p.containerPort === fileConfig().daemon.port);
    expect(daemonContainer.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: port?.name });
    expect(daemonContainer.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: port?.name });
    for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
      expect(container.image).toMatch(/^ghcr\.io\/simian-army\/simian:\d+\.\d+\.\d+$/);
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
      expect(Object.keys(container.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
    }
  });

  it('hands the daemon its token as an owner-only file at daemon.tokenFile, from the Secret mounted 0400', () => {
    const pod = deployment.spec.template.spec;
    const secret = one(daemon, 'Secret');
    const secretVolume = pod.volumes.find((v) => v.secret?.secretName === secret.metadata.name)!;
    expect(secretVolume.secret?.defaultMode).toBe(0o400);
    const tokenFile = fileConfig().daemon.tokenFile!;
    const tokenDir = tokenFile.slice(0, tokenFile.lastIndexOf('/'));
    const daemonContainer = pod.containers.find((c) => c.name === 'daemon')!;
    const tokenMount = daemonContainer.volumeMounts.find((m) => m.mountPath === tokenDir);
    expect(tokenMount).toBeDefined();
    // The init container writes that volume from the Secret (see the manifest for why it cannot be mounted as is).
    const init = pod.initContainers?.find((c) => c.volumeMounts.some((m) => m.name === tokenMount?.name && !m.readOnly));
    expect(init?.volumeMounts.some((m) => m.name === secretVolume.name)).toBe(true);
  });

  it('ships a placeholder token the daemon refuses, never a usable one', () => {
    const secret = one(daemon, 'Secret') as Manifest & { stringData: { token: string } };
    expect(secret.stringData.token.length).toBeLessThan(16);
  });
});

describe('deploy/kubernetes/reference-stack.yaml', () => {
  it('runs one pod of `simian stack up --topology small` from a pinned image, hardened', () => {
    const stack = one(manifests('reference-stack.yaml'), 'Deployment') as Manifest & { spec: { replicas: number; template: { spec: PodSpec } } };
    expect(stack.spec.replicas).toBe(1);
    const pod = stack.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const [container] = pod.containers;
    expect(container?.image).toMatch(/^ghcr\.io\/simian-army\/simian:\d+\.\d+\.\d+$/);
    expect(container?.args?.slice(0, 4)).toEqual(['stack', 'up', '--topology', 'small']);
    expect(container?.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
  });
});
