/**
 * @module
 * What the Kubernetes Conformity, Security and Janitor rules read: a plain snapshot of a cluster (no client-node
 * types), gathered once by `collectKubernetesSnapshot` and then judged by pure rules. It holds only the fields the
 * rules read; a Secret's value never gets here.
 */

/** An owner reference, reduced to what rules read. */
export interface KubeOwner {
  readonly kind: string;
  readonly name: string;
  /** `controller: true`: the owner that manages it. */
  readonly controller: boolean;
}

/** A namespaced object's identity and the metadata rules read (owner, opt-out, owner references). */
export interface KubeObject {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly owners: readonly KubeOwner[];
}

/** One container of a pod spec (init containers too). */
export interface KubeContainer {
  readonly name: string;
  readonly image: string;
  readonly readinessProbe: boolean;
  readonly livenessProbe: boolean;
  /** The resources it has a limit for (`cpu`, `memory`). */
  readonly limits: readonly string[];
  readonly privileged: boolean;
  /** Its own `securityContext.runAsNonRoot`, if set. */
  readonly runAsNonRoot?: boolean;
  /** Its own `securityContext.runAsUser`, if set. */
  readonly runAsUser?: number;
}

/** What a pod spec (a pod's, or a workload's template) says that the rules read. */
export interface KubePodSpec {
  readonly containers: readonly KubeContainer[];
  readonly initContainers: readonly KubeContainer[];
  readonly hostNetwork: boolean;
  readonly hostPID: boolean;
  /** The pod-level `securityContext.runAsNonRoot`, if set. */
  readonly runAsNonRoot?: boolean;
  /** The pod-level `securityContext.runAsUser`, if set. */
  readonly runAsUser?: number;
  /** PersistentVolumeClaims its volumes mount (ephemeral volumes' generated claims included). */
  readonly claims: readonly string[];
  /** ConfigMaps it references: volumes, projected volumes, `env[].valueFrom`, `envFrom`. */
  readonly configMaps: readonly string[];
  /** Secrets it references: the same places, and `imagePullSecrets`. */
  readonly secrets: readonly string[];
}

/** A pod. */
export interface KubePod extends KubeObject {
  /** `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`. */
  readonly phase: string;
  readonly nodeName?: string;
  readonly spec: KubePodSpec;
}

/** A Deployment or a StatefulSet: what `conformity.*` rules judge as one workload. */
export interface KubeWorkload extends KubeObject {
  readonly kind: 'Deployment' | 'StatefulSet';
  /** `spec.replicas` (the API's default, 1, when unset). */
  readonly replicas: number;
  /** The pod template's labels (what a PodDisruptionBudget selects). */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly template: KubePodSpec;
  /** Deployments: `spec.revisionHistoryLimit`, if set (the API's default is 10). */
  readonly revisionHistoryLimit?: number;
  /** StatefulSets: the names of `spec.volumeClaimTemplates`. */
  readonly volumeClaimTemplates: readonly string[];
}

/** A ReplicaSet. */
export interface KubeReplicaSet extends KubeObject {
  /** `spec.replicas` (1 when unset). */
  readonly replicas: number;
  /** The `deployment.kubernetes.io/revision` annotation, if it is a number. */
  readonly revision?: number;
  readonly template: KubePodSpec;
}

/** A Job. */
export interface KubeJob extends KubeObject {
  /** The condition it finished with (status True), if it has. */
  readonly finished?: 'Complete' | 'Failed';
  /** When it finished, epoch ms: `status.completionTime`, else that condition's `lastTransitionTime`. */
  readonly finishedAt?: number;
  readonly template: KubePodSpec;
}

/** A label selector as the API writes it. */
export interface KubeLabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: ReadonlyArray<{ readonly key: string; readonly operator: string; readonly values: readonly string[] }>;
}

/** A PodDisruptionBudget; a budget without a selector selects no pod. */
export interface KubeDisruptionBudget extends KubeObject {
  readonly selector?: KubeLabelSelector;
}

/** A Service. */
export interface KubeService extends KubeObject {
  /** `ClusterIP` when unset. */
  readonly type: string;
}

/** A Secret, without its value. */
export interface KubeSecret extends KubeObject {
  /** `Opaque` when unset. */
  readonly type: string;
}

/** A namespace; its labels are empty when the snapshot was limited to given namespaces (they are not read then). */
export interface KubeNamespace {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A node and its zone (label `topology.kubernetes.io/zone`), if it has one. */
export interface KubeNode {
  readonly name: string;
  readonly zone?: string;
}

/** Everything the Kubernetes audit rules read, of the namespaces the audit may see. */
export interface KubernetesSnapshot {
  /** When it was taken, epoch ms: ages are measured from here. */
  readonly takenAt: number;
  readonly nodes: readonly KubeNode[];
  readonly namespaces: readonly KubeNamespace[];
  readonly pods: readonly KubePod[];
  readonly workloads: readonly KubeWorkload[];
  readonly replicaSets: readonly KubeReplicaSet[];
  readonly jobs: readonly KubeJob[];
  readonly services: readonly KubeService[];
  readonly disruptionBudgets: readonly KubeDisruptionBudget[];
  readonly networkPolicies: readonly KubeObject[];
  readonly volumeClaims: readonly KubeObject[];
  readonly configMaps: readonly KubeObject[];
  readonly secrets: readonly KubeSecret[];
}
