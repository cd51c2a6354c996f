/**
 * @module
 * client-node objects to the plain {@link KubernetesSnapshot} parts the rules read. Pure; the API's defaults are
 * applied here (`replicas` 1, Service type `ClusterIP`, Secret type `Opaque`) so that rules need not know them.
 */
import type {
  V1Container,
  V1Job,
  V1LabelSelector,
  V1ObjectMeta,
  V1PodSpec,
  V1Secret,
  V1Volume,
} from '@kubernetes/client-node';
import type { KubeContainer, KubeJob, KubeLabelSelector, KubeObject, KubePodSpec, KubeSecret } from './kube-snapshot.js';

/** The identity and metadata of a namespaced object (`default` when the namespace is missing). */
export function toKubeObject(metadata: V1ObjectMeta | undefined): KubeObject {
  return {
    namespace: metadata?.namespace ?? 'default',
    name: metadata?.name ?? '',
    labels: { ...(metadata?.labels ?? {}) },
    annotations: { ...(metadata?.annotations ?? {}) },
    owners: (metadata?.ownerReferences ?? []).map((o) => ({ kind: o.kind, name: o.name, controller: o.controller === true })),
  };
}

function toContainer(c: V1Container): KubeContainer {
  const security = c.securityContext;
  return {
    name: c.name,
    image: c.image ?? '',
    readinessProbe: c.readinessProbe !== undefined,
    livenessProbe: c.livenessProbe !== undefined,
    limits: Object.keys(c.resources?.limits ?? {}).sort(),
    privileged: security?.privileged === true,
    ...(security?.runAsNonRoot === undefined ? {} : { runAsNonRoot: security.runAsNonRoot }),
    ...(security?.runAsUser === undefined ? {} : { runAsUser: security.runAsUser }),
  };
}

/** The ConfigMaps and Secrets one container references through `env[].valueFrom` and `envFrom`. */
function envReferences(c: V1Container, configMaps: Set<string>, secrets: Set<string>): void {
  for (const env of c.env ?? []) {
    const cm = env.valueFrom?.configMapKeyRef?.name;
    const secret = env.valueFrom?.secretKeyRef?.name;
    if (cm) configMaps.add(cm);
    if (secret) secrets.add(secret);
  }
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef?.name) configMaps.add(from.configMapRef.name);
    if (from.secretRef?.name) secrets.add(from.secretRef.name);
  }
}

function volumeReferences(v: V1Volume, configMaps: Set<string>, secrets: Set<string>): void {
  if (v.configMap?.name) configMaps.add(v.configMap.name);
  if (v.secret?.secretName) secrets.add(v.secret.secretName);
  for (const source of v.projected?.sources ?? []) {
    if (source.configMap?.name) configMaps.add(source.configMap.name);
    if (source.secret?.name) secrets.add(source.secret.name);
  }
}

/**
 * A pod spec, reduced. `podName` is the pod's own name, which names the claim of an ephemeral volume
 * (`<pod>-<volume>`); a template has none, so its ephemeral volumes name no claim.
 */
export function toPodSpec(spec: V1PodSpec | undefined, podName?: string): KubePodSpec {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const claims = new Set<string>();
  const containers = spec?.containers ?? [];
  const initContainers = spec?.initContainers ?? [];
  for (const c of [...containers, ...initContainers, ...(spec?.ephemeralContainers ?? [])]) envReferences(c as V1Container, configMaps, secrets);
  for (const v of spec?.volumes ?? []) {
    volumeReferences(v, configMaps, secrets);
    if (v.persistentVolumeClaim?.claimName) claims.add(v.persistentVolumeClaim.claimName);
    if (v.ephemeral !== undefined && podName !== undefined) claims.add(`${podName}-${v.name}`);
  }
  for (const ref of spec?.imagePullSecrets ?? []) if (ref.name) secrets.add(ref.name);
  const pod = spec?.securityContext;
  return {
    containers: containers.map(toContainer),
    initContainers: initContainers.map(toContainer),
    hostNetwork: spec?.hostNetwork === true,
    hostPID: spec?.hostPID === true,
    ...(pod?.runAsNonRoot === undefined ? {} : { runAsNonRoot: pod.runAsNonRoot }),
    ...(pod?.runAsUser === undefined ? {} : { runAsUser: pod.runAsUser }),
    claims: [...claims].sort(),
    configMaps: [...configMaps].sort(),
    secrets: [...secrets].sort(),
  };
}

/** A label selector; undefined stays undefined (selects nothing), `{}` selects everything. */
export function toSelector(selector: V1LabelSelector | undefined): KubeLabelSelector | undefined {
  if (selector === undefined) return undefined;
  return {
    matchLabels: { ...(selector.matchLabels ?? {}) },
    matchExpressions: (selector.matchExpressions ?? []).map((e) => ({ key: e.key, operator: e.operator, values: [...(e.values ?? [])] })),
  };
}

/** A Job: its finishing condition and when it finished. */
export function toJob(job: V1Job): KubeJob {
  const condition = (job.status?.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  const finished = condition?.type as 'Complete' | 'Failed' | undefined;
  const at = (finished === 'Complete' ? job.status?.completionTime : undefined) ?? condition?.lastTransitionTime;
  return {
    ...toKubeObject(job.metadata),
    ...(finished === undefined ? {} : { finished }),
    ...(finished !== undefined && at !== undefined ? { finishedAt: new Date(at).getTime() } : {}),
    template: toPodSpec(job.spec?.template.spec),
  };
}

/** A Secret's identity and type; nothing of its value. */
export function toSecret(secret: V1Secret): KubeSecret {
  return { ...toKubeObject(secret.metadata), type: secret.type ?? 'Opaque' };
}

/** A `deployment.kubernetes.io/revision` annotation as a number, if it is one. */
export function revisionOf(annotations: Readonly<Record<string, string>>): number | undefined {
  const raw = annotations['deployment.kubernetes.io/revision'];
  const revision = raw === undefined ? NaN : Number(raw);
  return Number.isSafeInteger(revision) ? revision : undefined;
}
