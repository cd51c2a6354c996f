/**
 * @module
 * A loopback fake kube-apiserver: a real HTTP server on 127.0.0.1 (port 0) that speaks the API server's JSON
 * protocol for the routes the Kubernetes provider uses (reference/deps.md §5), so the real
 * `@kubernetes/client-node` runs against it unchanged: pods (list per namespace and cluster-wide, with label and
 * field selectors and limit/continue paging; read; delete), the pod eviction subresource (with a
 * PodDisruptionBudget switch), nodes (list with label selector, read, patch as JSON Patch, merge patch or
 * strategic merge patch), and `coordination.k8s.io/v1` Leases (get, list, create, replace, with the API server's
 * optimistic concurrency on `resourceVersion`) for the daemon's leader election. Errors are `Status` bodies as the
 * real server sends them. For the audit monkeys it also serves the objects they read (list, cluster-wide and per
 * namespace, with label selectors and paging): namespaces, services, persistentvolumeclaims, configmaps, secrets,
 * networking.k8s.io/v1 networkpolicies, policy/v1 poddisruptionbudgets, apps/v1 deployments, replicasets and
 * statefulsets, batch/v1 jobs; and delete of the five kinds the Janitor cleans. It checks the bearer token,
 * logs every request, and lets a test inject failures on any route.
 *
 * @example
 * const fake = await FakeKubeApiserver.start({ nodes: [fakeNode({ name: 'n1', zone: 'z1' })] });
 * try {
 *   const provider = new KubernetesProvider({ kubeConfig: fake.kubeConfig() });
 *   fake.failNext({ method: 'DELETE' }, { status: 429, retryAfterSeconds: 1 });
 * } finally {
 *   await fake.close();
 * }
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/** The bearer token the fake accepts unless told otherwise. */
export const FAKE_TOKEN = 'test-token';

/** An owner reference as the API serves it. */
export interface FakeOwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Object metadata as the API serves it (JSON: timestamps are RFC 3339 strings). */
export interface FakeObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: FakeOwnerReference[];
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  [field: string]: unknown;
}

/** A Pod as JSON. */
export interface FakePod {
  apiVersion?: string;
  kind?: string;
  metadata: FakeObjectMeta;
  spec?: { nodeName?: string; [field: string]: unknown };
  status?: { phase?: string; startTime?: string; [field: string]: unknown };
}

/** A Node as JSON. */
export interface FakeNode {
  apiVersion?: string;
  kind?: string;
  metadata: FakeObjectMeta;
  spec?: { unschedulable?: boolean; [field: string]: unknown };
  status?: Record<string, unknown>;
}

/** What {@link fakePod} builds a pod from. */
export interface FakePodInput {
  name: string;
  /** @default 'default' */
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  nodeName?: string;
  /** The controller owner reference (`controller: true`). */
  owner?: { kind: string; name: string };
  /** @default 'Running' */
  phase?: string;
  startTime?: string;
  /** @default '2026-01-01T00:00:00Z' */
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

const OWNER_API_VERSIONS: Readonly<Record<string, string>> = {
  ReplicaSet: 'apps/v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
};

/** A Pod object with the fields the provider reads. */
export function fakePod(input: FakePodInput): FakePod {
  const metadata: FakeObjectMeta = {
    name: input.name,
    namespace: input.namespace ?? 'default',
    creationTimestamp: input.creationTimestamp ?? '2026-01-01T00:00:00Z',
    ...(input.labels ? { labels: { ...input.labels } } : {}),
    ...(input.annotations ? { annotations: { ...input.annotations } } : {}),
    ...(input.deletionTimestamp ? { deletionTimestamp: input.deletionTimestamp } : {}),
    ...(input.owner
      ? {
          ownerReferences: [
            {
              apiVersion: OWNER_API_VERSIONS[input.owner.kind] ?? 'v1',
              kind: input.owner.kind,
              name: input.owner.name,
              uid: `uid-${input.owner.kind}-${input.owner.name}`,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        }
      : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: { containers: [{ name: 'main', image: 'example/app:1' }], ...(input.nodeName ? { nodeName: input.nodeName } : {}) },
    status: { phase: input.phase ?? 'Running', ...(input.startTime ? { startTime: input.startTime } : {}) },
  };
}

/** What {@link fakeNode} builds a node from. */
export interface FakeNodeInput {
  name: string;
  /** Sets `topology.kubernetes.io/zone`. */
  zone?: string;
  /** Sets `topology.kubernetes.io/region`. */
  region?: string;
  unschedulable?: boolean;
  labels?: Record<string, string>;
}

/** A Node object with topology labels. */
export function fakeNode(input: FakeNodeInput): FakeNode {
  const labels: Record<string, string> = { 'kubernetes.io/hostname': input.name, ...(input.labels ?? {}) };
  if (input.zone !== undefined) labels['topology.kubernetes.io/zone'] = input.zone;
  if (input.region !== undefined) labels['topology.kubernetes.io/region'] = input.region;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: input.name, labels, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: input.unschedulable ? { unschedulable: true } : {},
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

/** A Lease as JSON (MicroTimes are RFC 3339 strings with microseconds). */
export interface FakeLease {
  apiVersion?: string;
  kind?: string;
  metadata: FakeObjectMeta;
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
    [field: string]: unknown;
  };
}

/** One request the fake received, in arrival order. */
export interface RecordedRequest {
  readonly method: string;
  /** The URL path, without the query. */
  readonly path: string;
  /** Query parameters, decoded. */
  readonly query: Readonly<Record<string, string>>;
  readonly contentType?: string;
  /** The JSON body, if any. */
  readonly body?: unknown;
  /** The status the fake answered. */
  status: number;
}

/** Which requests a hook applies to: every given field must match. */
export interface RouteMatch {
  readonly method?: string;
  /** Exact path, or a pattern tested against the path. */
  readonly path?: string | RegExp;
}

/** An error answer to inject. */
export interface InjectedFailure {
  readonly status: number;
  /** The Status `reason`. @default derived from the status (`TooManyRequests`, `InternalError` …) */
  readonly reason?: string;
  readonly message?: string;
  /** Sends `Retry-After` (and `details.retryAfterSeconds`, as the real server does). */
  readonly retryAfterSeconds?: number;
}

/** Options of {@link FakeKubeApiserver.start}. */
export interface FakeKubeOptions {
  /** @default {@link FAKE_TOKEN} */
  readonly token?: string;
  readonly pods?: readonly FakePod[];
  readonly nodes?: readonly FakeNode[];
  readonly leases?: readonly FakeLease[];
  /** Objects of the audit's kinds ({@link AUDIT_RESOURCES}), by `apiVersion` and `kind`. */
  readonly objects?: readonly FakeObject[];
  /** The server's notion of now (deletion timestamps), epoch ms. @default 2026-01-01T00:00:00Z */
  readonly nowMs?: number;
}

/** An object of one of the audit's kinds, as JSON. */
export interface FakeObject {
  apiVersion: string;
  kind: string;
  metadata: FakeObjectMeta;
  [field: string]: unknown;
}

/** How the fake serves one of the audit's resources. */
interface AuditResource {
  /** `''` for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Whether DELETE of one object is served (the Janitor's kinds). */
  readonly deletable: boolean;
  /** What a DELETE answers: the object with a deletionTimestamp (a claim's protection finalizer), or a Status. */
  readonly deleteAnswers: 'object' | 'status';
}

/** The audit's resources the fake serves, by plural name. */
export const AUDIT_RESOURCES: Readonly<Record<string, AuditResource>> = {
  namespaces: { group: '', version: 'v1', kind: 'Namespace', namespaced: false, deletable: false, deleteAnswers: 'status' },
  services: { group: '', version: 'v1', kind: 'Service', namespaced: true, deletable: false, deleteAnswers: 'status' },
  persistentvolumeclaims: { group: '', version: 'v1', kind: 'PersistentVolumeClaim', namespaced: true, deletable: true, deleteAnswers: 'object' },
  configmaps: { group: '', version: 'v1', kind: 'ConfigMap', namespaced: true, deletable: true, deleteAnswers: 'status' },
  secrets: { group: '', version: 'v1', kind: 'Secret', namespaced: true, deletable: true, deleteAnswers: 'status' },
  networkpolicies: { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', namespaced: true, deletable: false, deleteAnswers: 'status' },
  poddisruptionbudgets: { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', namespaced: true, deletable: false, deleteAnswers: 'status' },
  deployments: { group: 'apps', version: 'v1', kind: 'Deployment', namespaced: true, deletable: false, deleteAnswers: 'status' },
  replicasets: { group: 'apps', version: 'v1', kind: 'ReplicaSet', namespaced: true, deletable: true, deleteAnswers: 'status' },
  statefulsets: { group: 'apps', version: 'v1', kind: 'StatefulSet', namespaced: true, deletable: false, deleteAnswers: 'status' },
  jobs: { group: 'batch', version: 'v1', kind: 'Job', namespaced: true, deletable: true, deleteAnswers: 'status' },
};

/** The plural of an audit kind, by `apiVersion` and `kind`. */
function auditPlural(apiVersion: string, kind: string): string | undefined {
  return Object.entries(AUDIT_RESOURCES).find(([, r]) => (r.group === '' ? r.version : `${r.group}/${r.version}`) === apiVersion && r.kind === kind)?.[0];
}

/** The Status `reason` the real API server uses for each status code. */
const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** A failure to answer with: thrown inside handlers, turned into a Status response. */
class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { reason?: string; details?: Record<string, unknown>; retryAfterSeconds?: number } = {},
  ) {
    super(message);
  }
}

interface Hook {
  readonly match: RouteMatch;
  readonly failure: InjectedFailure;
  remaining: number;
}

// ---------- selectors ----------

type Requirement = { key: string; op: 'eq' | 'neq' | 'in' | 'notin' | 'exists' | 'notexists'; values: string[] };

/** Splits a selector at top-level commas (not those inside `in (a,b)`). */
function splitSelector(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Parses an equality- or set-based label selector the way the API server accepts it. */
export function parseLabelSelector(selector: string): Requirement[] {
  return splitSelector(selector).map((part): Requirement => {
    let m = /^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(part);
    if (m) return { key: m[1] as string, op: m[2] === '!=' ? 'neq' : 'eq', values: [m[3] as string] };
    m = /^([^\s=!(),]+)\s+(in|notin)\s+\(([^()]*)\)$/.exec(part);
    if (m) return { key: m[1] as string, op: m[2] === 'in' ? 'in' : 'notin', values: (m[3] as string).split(',').map((v) => v.trim()) };
    m = /^(!?)([^\s=!(),]+)$/.exec(part);
    if (m) return { key: m[2] as string, op: m[1] === '!' ? 'notexists' : 'exists', values: [] };
    throw new HttpFailure(400, `unable to parse requirement: ${JSON.stringify(part)}`);
  });
}

function matchesLabels(labels: Readonly<Record<string, string>>, requirements: readonly Requirement[]): boolean {
  return requirements.every(({ key, op, values }) => {
    const value = labels[key];
    switch (op) {
      case 'eq':
        return value === values[0];
      case 'neq':
        return value !== values[0];
      case 'in':
        return value !== undefined && values.includes(value);
      case 'notin':
        return value === undefined || !values.includes(value);
      case 'exists':
        return value !== undefined;
      case 'notexists':
        return value === undefined;
    }
    return false;
  });
}

const POD_FIELDS: Readonly<Record<string, (pod: FakePod) => string>> = {
  'metadata.name': (pod) => pod.metadata.name,
  'metadata.namespace': (pod) => pod.metadata.namespace ?? 'default',
  'spec.nodeName': (pod) => pod.spec?.nodeName ?? '',
  'status.phase': (pod) => pod.status?.phase ?? '',
};

function podFieldFilter(selector: string): (pod: FakePod) => boolean {
  const tests = splitSelector(selector).map((part) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part);
    if (!m) throw new HttpFailure(400, `invalid field selector: ${JSON.stringify(part)}`);
    const field = POD_FIELDS[m[1] as string];
    if (!field) throw new HttpFailure(400, `field label not supported: ${m[1]}`);
    const negate = m[2] === '!=';
    const wanted = m[3] as string;
    return (pod: FakePod) => (field(pod) === wanted) !== negate;
  });
  return (pod) => tests.every((test) => test(pod));
}

// ---------- patches ----------

/** RFC 7386 JSON merge patch (the strategic merge patch is the same for the scalar and map fields used here). */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new HttpFailure(422, `invalid JSON pointer ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 6902 JSON Patch: add, replace, remove and test, which is all a cordon needs. */
function jsonPatch(document: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new HttpFailure(400, 'a JSON Patch must be an array of operations');
  const doc = structuredClone(document) as Record<string, unknown>;
  for (const raw of operations as Array<{ op?: string; path?: string; value?: unknown }>) {
    const tokens = pointer(raw.path ?? '');
    const last = tokens.pop();
    if (last === undefined) throw new HttpFailure(422, 'cannot patch the whole document');
    let parent: unknown = doc;
    for (const token of tokens) {
      parent = (parent as Record<string, unknown> | undefined)?.[token];
      if (typeof parent !== 'object' || parent === null) {
        throw new HttpFailure(422, `the server rejected our request due to an error in our request: path ${raw.path} does not exist`);
      }
    }
    const container = parent as Record<string, unknown>;
    const exists = Object.prototype.hasOwnProperty.call(container, last);
    switch (raw.op) {
      case 'add':
        container[last] = raw.value;
        break;
      case 'replace':
        // The real server refuses to replace a missing field (deps.md §2: `unschedulable` is omitted when false).
        if (!exists) throw new HttpFailure(422, `the server rejected our request due to an error in our request: replace of missing path ${raw.path}`);
        container[last] = raw.value;
        break;
      case 'remove':
        if (!exists) throw new HttpFailure(422, `the server rejected our request due to an error in our request: remove of missing path ${raw.path}`);
        delete container[last];
        break;
      case 'test':
        if (JSON.stringify(container[last]) !== JSON.stringify(raw.value)) throw new HttpFailure(422, `test failed at ${raw.path}`);
        break;
      default:
        throw new HttpFailure(400, `unsupported JSON Patch operation ${JSON.stringify(raw.op)}`);
    }
  }
  return doc;
}

// ---------- the server ----------

function matches(match: RouteMatch, method: string, path: string): boolean {
  if (match.method !== undefined && match.method.toUpperCase() !== method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? match.path === path : match.path.test(path);
}

function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** `namespace/name` of a namespaced object, `name` of a cluster-scoped one. */
function objectKey(metadata: FakeObjectMeta): string {
  return metadata.namespace === undefined ? metadata.name : podKey(metadata.namespace, metadata.name);
}

/**
 * The fake API server. Pods and nodes live in maps the test may read and change at any time; every request is in
 * {@link FakeKubeApiserver.requests}.
 */
export class FakeKubeApiserver {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly token: string;
  /** Every request, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Pods by `namespace/name`. */
  readonly pods = new Map<string, FakePod>();
  /** Nodes by name. */
  readonly nodes = new Map<string, FakeNode>();
  /** Leases by `namespace/name`. */
  readonly leases = new Map<string, FakeLease>();
  /** Pods evicted so far, `namespace/name`, in order. */
  readonly evicted: string[] = [];
  /** Pods whose eviction a PodDisruptionBudget refuses (`namespace/name`, or `*` for all). */
  readonly pdbBlocks = new Set<string>();
  /** Objects of the audit's kinds: plural → (`namespace/name`, or `name` when cluster-scoped) → object. */
  readonly objects = new Map<string, Map<string, FakeObject>>(Object.keys(AUDIT_RESOURCES).map((plural) => [plural, new Map()]));
  /** Objects deleted through the API so far, `plural/namespace/name`, in order. */
  readonly deleted: string[] = [];
  private readonly hooks: Hook[] = [];
  private resourceVersion = 1000;
  private uid = 0;
  private closed: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    options: FakeKubeOptions,
    private readonly nowMs: number,
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.token = options.token ?? FAKE_TOKEN;
    for (const pod of options.pods ?? []) this.addPod(pod);
    for (const node of options.nodes ?? []) this.addNode(node);
    for (const lease of options.leases ?? []) this.addLease(lease);
    for (const object of options.objects ?? []) this.addObject(object);
  }

  /** Starts a fake on a random loopback port. Close it with {@link FakeKubeApiserver.close}. */
  static async start(options: FakeKubeOptions = {}): Promise<FakeKubeApiserver> {
    // The handler needs the instance, which needs the listening server's port: a holder breaks the cycle.
    const holder: { fake?: FakeKubeApiserver } = {};
    const server = createServer((req, res) => {
      if (holder.fake) void holder.fake.handle(req, res);
      else res.destroy();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    holder.fake = new FakeKubeApiserver(server, options, options.nowMs ?? Date.UTC(2026, 0, 1));
    return holder.fake;
  }

  /** A KubeConfig pointing at this fake, with `token` (default: the accepted one). */
  kubeConfig(token: string = this.token): KubeConfig {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'simian', token }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'simian', namespace: 'default' }],
      currentContext: 'fake',
    });
    return kubeConfig;
  }

  /** Adds (or replaces) a pod; it gets a uid and a resourceVersion if it has none. */
  addPod(pod: FakePod): void {
    const copy = structuredClone(pod);
    copy.metadata.namespace ??= 'default';
    copy.metadata.uid ??= `pod-uid-${++this.uid}`;
    copy.metadata.resourceVersion = String(++this.resourceVersion);
    this.pods.set(podKey(copy.metadata.namespace, copy.metadata.name), copy);
  }

  /** Adds (or replaces) a node. */
  addNode(node: FakeNode): void {
    const copy = structuredClone(node);
    copy.metadata.uid ??= `node-uid-${++this.uid}`;
    copy.metadata.resourceVersion = String(++this.resourceVersion);
    this.nodes.set(copy.metadata.name, copy);
  }

  /** Adds (or replaces) an object of one of the audit's kinds; it gets a uid and a fresh resourceVersion. */
  addObject(object: FakeObject): void {
    const plural = auditPlural(object.apiVersion, object.kind);
    if (plural === undefined) throw new Error(`the fake does not serve ${object.apiVersion} ${object.kind}`);
    const copy = structuredClone(object);
    if (AUDIT_RESOURCES[plural]?.namespaced) copy.metadata.namespace ??= 'default';
    copy.metadata.uid ??= `${plural}-uid-${++this.uid}`;
    copy.metadata.resourceVersion = String(++this.resourceVersion);
    this.objects.get(plural)?.set(objectKey(copy.metadata), copy);
  }

  /** Adds (or replaces) a Lease, bypassing the API's checks; it gets a uid and a fresh resourceVersion. */
  addLease(lease: FakeLease): void {
    const copy = structuredClone(lease);
    copy.apiVersion ??= 'coordination.k8s.io/v1';
    copy.kind ??= 'Lease';
    copy.metadata.namespace ??= 'default';
    copy.metadata.uid ??= `lease-uid-${++this.uid}`;
    copy.metadata.resourceVersion = String(++this.resourceVersion);
    this.leases.set(podKey(copy.metadata.namespace, copy.metadata.name), copy);
  }

  /**
   * Makes the next `times` requests matching `match` fail with `failure` (checked after the token, before the
   * route). `times` may be `Infinity`. Hooks are consulted in the order they were added.
   */
  failNext(match: RouteMatch, failure: InjectedFailure, times = 1): void {
    this.hooks.push({ match, failure, remaining: times });
  }

  /** Forgets every injected failure. */
  clearFailures(): void {
    this.hooks.length = 0;
  }

  /** How many requests matched `match` so far. */
  count(match: RouteMatch = {}): number {
    return this.requests.filter((r) => matches(match, r.method, r.path)).length;
  }

  /** The requests that matched `match`. */
  requestsTo(match: RouteMatch): RecordedRequest[] {
    return this.requests.filter((r) => matches(match, r.method, r.path));
  }

  /** Stops listening and drops kept-alive connections; resolves once the server is closed. Idempotent. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      // client-node keeps connections alive; without this, close() would wait for them to time out.
      this.server.closeAllConnections();
    });
    return this.closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const contentType = req.headers['content-type']?.split(';')[0]?.trim();
    const record: RecordedRequest = { method, path: url.pathname, query, ...(contentType ? { contentType } : {}), status: 0 };
    this.requests.push(record);
    try {
      const raw = await readBody(req);
      let body: unknown;
      if (raw !== '') {
        try {
          body = JSON.parse(raw);
        } catch {
          throw new HttpFailure(400, 'the request body is not valid JSON');
        }
        (record as { body?: unknown }).body = body;
      }
      if (req.headers.authorization !== `Bearer ${this.token}`) throw new HttpFailure(401, 'Unauthorized');
      const hook = this.hooks.find((h) => h.remaining > 0 && matches(h.match, method, url.pathname));
      if (hook) {
        hook.remaining--;
        const { status, reason, message, retryAfterSeconds } = hook.failure;
        throw new HttpFailure(status, message ?? `injected ${status}`, {
          ...(reason ? { reason } : {}),
          ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds, details: { retryAfterSeconds } }),
        });
      }
      const { status, payload } = this.route(method, url, body, contentType);
      record.status = status;
      send(res, status, payload);
    } catch (error) {
      const failure = error instanceof HttpFailure ? error : new HttpFailure(500, error instanceof Error ? error.message : String(error));
      record.status = failure.status;
      if (failure.extra.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(failure.extra.retryAfterSeconds));
      send(res, failure.status, statusBody(failure.status, failure.message, failure.extra.reason, failure.extra.details));
    }
  }

  private route(method: string, url: URL, body: unknown, contentType: string | undefined): { status: number; payload: unknown } {
    const path = url.pathname;
    const params = url.searchParams;
    let m: RegExpExecArray | null;
    if (path === '/api/v1/pods') {
      if (method !== 'GET') throw notAllowed(method, path);
      return { status: 200, payload: this.listPods(undefined, params) };
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path))) {
      if (method !== 'GET') throw notAllowed(method, path);
      return { status: 200, payload: this.listPods(decodeURIComponent(m[1] as string), params) };
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/eviction$/.exec(path))) {
      if (method !== 'POST') throw notAllowed(method, path);
      return this.evict(decodeURIComponent(m[1] as string), decodeURIComponent(m[2] as string), body);
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(path))) {
      const namespace = decodeURIComponent(m[1] as string);
      const name = decodeURIComponent(m[2] as string);
      if (method === 'GET') return { status: 200, payload: this.podOr404(namespace, name) };
      if (method === 'DELETE') return this.deletePod(namespace, name, params, body);
      throw notAllowed(method, path);
    }
    if (path === '/api/v1/nodes') {
      if (method !== 'GET') throw notAllowed(method, path);
      return { status: 200, payload: this.listNodes(params) };
    }
    if ((m = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path))) {
      const name = decodeURIComponent(m[1] as string);
      if (method === 'GET') return { status: 200, payload: this.nodeOr404(name) };
      if (method === 'PATCH') return { status: 200, payload: this.patchNode(name, body, contentType) };
      throw notAllowed(method, path);
    }
    if ((m = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases$/.exec(path))) {
      const namespace = decodeURIComponent(m[1] as string);
      if (method === 'GET') return { status: 200, payload: this.listLeases(namespace, params) };
      if (method === 'POST') return { status: 201, payload: this.createLease(namespace, body) };
      throw notAllowed(method, path);
    }
    if ((m = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases\/([^/]+)$/.exec(path))) {
      const namespace = decodeURIComponent(m[1] as string);
      const name = decodeURIComponent(m[2] as string);
      if (method === 'GET') return { status: 200, payload: this.leaseOr404(namespace, name) };
      if (method === 'PUT') return { status: 200, payload: this.replaceLease(namespace, name, body) };
      // The real server has no POST on a named object either: creating goes to the collection.
      throw notAllowed(method, path);
    }
    const audit = this.auditRoute(method, path, params);
    if (audit) return audit;
    throw new HttpFailure(404, 'the server could not find the requested resource');
  }

  /**
   * The audit's routes: `GET /api/v1/<plural>` or `/apis/<group>/<version>/<plural>` (cluster-wide), the same under
   * `namespaces/<ns>/` (one namespace), and `DELETE` of one named object of a deletable kind. Undefined when the
   * path is none of them.
   */
  private auditRoute(method: string, path: string, params: URLSearchParams): { status: number; payload: unknown } | undefined {
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (!m) return undefined;
    const [, coreVersion, group, groupVersion, rawNamespace, plural, rawName] = m;
    const resource = AUDIT_RESOURCES[plural as string];
    if (!resource || resource.group !== (group ?? '') || resource.version !== (coreVersion ?? groupVersion)) return undefined;
    if (!resource.namespaced && rawNamespace !== undefined) return undefined;
    const namespace = rawNamespace === undefined ? undefined : decodeURIComponent(rawNamespace);
    if (rawName === undefined) {
      if (method !== 'GET') throw notAllowed(method, path);
      return { status: 200, payload: this.listObjects(plural as string, resource, namespace, params) };
    }
    if (method !== 'DELETE' || !resource.deletable || namespace === undefined) throw notAllowed(method, path);
    return this.deleteObject(plural as string, resource, namespace, decodeURIComponent(rawName));
  }

  private listObjects(plural: string, resource: AuditResource, namespace: string | undefined, params: URLSearchParams): unknown {
    const labels = parseLabelSelector(params.get('labelSelector') ?? '');
    if (params.get('fieldSelector')) throw new HttpFailure(400, `this fake does not support field selectors on ${plural}`);
    const items = [...(this.objects.get(plural) ?? new Map<string, FakeObject>()).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      .filter(([, o]) => matchesLabels(o.metadata.labels ?? {}, labels));
    const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
    return { ...(this.page(`${resource.kind}List`, items, params) as object), apiVersion };
  }

  /** DELETE of one object: gone at once (the fake runs no finalizers), 404 as the real server words it when missing. */
  private deleteObject(plural: string, resource: AuditResource, namespace: string, name: string): { status: number; payload: unknown } {
    const store = this.objects.get(plural);
    const key = `${namespace}/${name}`;
    const object = store?.get(key);
    const qualified = resource.group === '' ? plural : `${plural}.${resource.group}`;
    if (!store || !object) throw new HttpFailure(404, `${qualified} "${name}" not found`, { details: { name, ...(resource.group ? { group: resource.group } : {}), kind: plural } });
    store.delete(key);
    this.resourceVersion++;
    this.deleted.push(`${plural}/${key}`);
    if (resource.deleteAnswers === 'object') {
      return { status: 200, payload: { ...object, metadata: { ...object.metadata, deletionTimestamp: new Date(this.nowMs).toISOString(), resourceVersion: String(this.resourceVersion) } } };
    }
    const details = { name, ...(resource.group ? { group: resource.group } : {}), kind: plural, uid: object.metadata.uid };
    return { status: 200, payload: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details } };
  }

  private listLeases(namespace: string, params: URLSearchParams): unknown {
    const labels = parseLabelSelector(params.get('labelSelector') ?? '');
    const items = [...this.leases.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .filter(([, lease]) => lease.metadata.namespace === namespace && matchesLabels(lease.metadata.labels ?? {}, labels));
    return { ...(this.page('LeaseList', items, params) as object), apiVersion: 'coordination.k8s.io/v1' };
  }

  private leaseOr404(namespace: string, name: string): FakeLease {
    const lease = this.leases.get(podKey(namespace, name));
    if (!lease) throw new HttpFailure(404, `leases.coordination.k8s.io "${name}" not found`, { details: leaseDetails(name) });
    return lease;
  }

  /** POST on the collection: 409 AlreadyExists when the name is taken, as the real server answers. */
  private createLease(namespace: string, body: unknown): FakeLease {
    const lease = checkedLease(body, namespace);
    const name = lease.metadata.name;
    if (lease.metadata.resourceVersion !== undefined && lease.metadata.resourceVersion !== '') {
      throw new HttpFailure(500, 'resourceVersion should not be set on objects to be created');
    }
    const key = podKey(namespace, name);
    if (this.leases.has(key)) {
      throw new HttpFailure(409, `leases.coordination.k8s.io "${name}" already exists`, { reason: 'AlreadyExists', details: leaseDetails(name) });
    }
    const stored: FakeLease = {
      ...lease,
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        ...lease.metadata,
        namespace,
        uid: `lease-uid-${++this.uid}`,
        resourceVersion: String(++this.resourceVersion),
        creationTimestamp: new Date(this.nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    };
    this.leases.set(key, stored);
    return stored;
  }

  /**
   * PUT: the stored Lease must still be at the body's `resourceVersion` (Leases allow no unconditional update), or
   * 409 Conflict with the real server's message. A missing Lease is 404 here; the real server (whose Lease strategy
   * allows create-on-update) may create it instead: the lock must be fine either way.
   */
  private replaceLease(namespace: string, name: string, body: unknown): FakeLease {
    const lease = checkedLease(body, namespace);
    if (lease.metadata.name !== name) throw new HttpFailure(400, `the name of the object (${lease.metadata.name}) does not match the name on the URL (${name})`);
    const version = lease.metadata.resourceVersion;
    if (version === undefined || version === '') {
      throw new HttpFailure(422, `Lease.coordination.k8s.io "${name}" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`, {
        details: leaseDetails(name),
      });
    }
    const key = podKey(namespace, name);
    const current = this.leaseOr404(namespace, name);
    if (current.metadata.resourceVersion !== version) {
      throw new HttpFailure(
        409,
        `Operation cannot be fulfilled on leases.coordination.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { details: leaseDetails(name) },
      );
    }
    const stored: FakeLease = {
      ...lease,
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      // The server owns these: what a client sends is ignored, as on the real one.
      metadata: {
        ...lease.metadata,
        namespace,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        resourceVersion: String(++this.resourceVersion),
      },
    };
    this.leases.set(key, stored);
    return stored;
  }

  private listPods(namespace: string | undefined, params: URLSearchParams): unknown {
    const labels = parseLabelSelector(params.get('labelSelector') ?? '');
    const fields = podFieldFilter(params.get('fieldSelector') ?? '');
    const items = [...this.pods.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .filter(([, pod]) => namespace === undefined || pod.metadata.namespace === namespace)
      .filter(([, pod]) => matchesLabels(pod.metadata.labels ?? {}, labels) && fields(pod));
    return this.page('PodList', items, params);
  }

  private listNodes(params: URLSearchParams): unknown {
    const labels = parseLabelSelector(params.get('labelSelector') ?? '');
    if (params.get('fieldSelector')) throw new HttpFailure(400, 'this fake does not support field selectors on nodes');
    const items = [...this.nodes.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .filter(([, node]) => matchesLabels(node.metadata.labels ?? {}, labels));
    return this.page('NodeList', items, params);
  }

  /**
   * One page of a sorted list. The continue token names the last key served (opaque to clients, as the real
   * server's is), so objects deleted between pages do not shift the next page.
   */
  private page(kind: string, sorted: Array<[string, unknown]>, params: URLSearchParams): unknown {
    let items = sorted;
    const token = params.get('continue');
    if (token) {
      let after: string;
      try {
        after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after: string }).after;
      } catch {
        throw new HttpFailure(400, 'continue key is not valid');
      }
      if (typeof after !== 'string') throw new HttpFailure(400, 'continue key is not valid');
      items = items.filter(([key]) => key > after);
    }
    const limit = Number(params.get('limit') ?? '0');
    let next: string | undefined;
    let remaining: number | undefined;
    if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
      remaining = items.length - limit;
      items = items.slice(0, limit);
      next = Buffer.from(JSON.stringify({ after: items[items.length - 1]?.[0] })).toString('base64url');
    }
    return {
      kind,
      apiVersion: 'v1',
      metadata: { resourceVersion: String(this.resourceVersion), ...(next ? { continue: next, remainingItemCount: remaining } : {}) },
      items: items.map(([, item]) => item),
    };
  }

  private podOr404(namespace: string, name: string): FakePod {
    const pod = this.pods.get(podKey(namespace, name));
    if (!pod) throw new HttpFailure(404, `pods "${name}" not found`, { details: { name, kind: 'pods' } });
    return pod;
  }

  private nodeOr404(name: string): FakeNode {
    const node = this.nodes.get(name);
    if (!node) throw new HttpFailure(404, `nodes "${name}" not found`, { details: { name, kind: 'nodes' } });
    return node;
  }

  private deletePod(namespace: string, name: string, params: URLSearchParams, body: unknown): { status: number; payload: unknown } {
    const pod = this.podOr404(namespace, name);
    const fromQuery = params.get('gracePeriodSeconds');
    const fromBody = (body as { gracePeriodSeconds?: unknown } | undefined)?.gracePeriodSeconds;
    const grace = fromQuery !== null ? Number(fromQuery) : typeof fromBody === 'number' ? fromBody : 30;
    this.pods.delete(podKey(namespace, name));
    this.resourceVersion++;
    const deleted: FakePod = {
      ...pod,
      metadata: {
        ...pod.metadata,
        deletionTimestamp: new Date(this.nowMs + grace * 1000).toISOString(),
        deletionGracePeriodSeconds: grace,
        resourceVersion: String(this.resourceVersion),
      },
    };
    return { status: 200, payload: deleted };
  }

  private evict(namespace: string, name: string, body: unknown): { status: number; payload: unknown } {
    const eviction = body as { kind?: string; apiVersion?: string; metadata?: { name?: string; namespace?: string } } | undefined;
    if (eviction?.kind !== 'Eviction' || !['policy/v1', 'policy/v1beta1'].includes(eviction.apiVersion ?? '')) {
      throw new HttpFailure(400, 'the body must be a policy/v1 Eviction');
    }
    if (eviction.metadata?.name !== name) throw new HttpFailure(400, `name in URL does not match name in Eviction object`);
    if (eviction.metadata.namespace !== undefined && eviction.metadata.namespace !== namespace) {
      throw new HttpFailure(400, 'namespace in URL does not match namespace in Eviction object');
    }
    this.podOr404(namespace, name);
    const key = podKey(namespace, name);
    if (this.pdbBlocks.has('*') || this.pdbBlocks.has(key)) {
      // What the real eviction REST handler answers when a PodDisruptionBudget has no disruption left.
      const message = "Cannot evict pod as it would violate the pod's disruption budget.";
      throw new HttpFailure(429, message, {
        details: { causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${name}-pdb needs 1 healthy pods and has 1 currently` }] },
      });
    }
    this.pods.delete(key);
    this.resourceVersion++;
    this.evicted.push(key);
    return { status: 201, payload: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
  }

  private patchNode(name: string, body: unknown, contentType: string | undefined): FakeNode {
    const node = this.nodeOr404(name);
    let patched: FakeNode;
    if (contentType === 'application/json-patch+json') patched = jsonPatch(node, body) as FakeNode;
    else if (contentType === 'application/merge-patch+json' || contentType === 'application/strategic-merge-patch+json') {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpFailure(400, 'a merge patch must be a JSON object');
      patched = mergePatch(node, body) as FakeNode;
    } else throw new HttpFailure(415, `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
    patched.metadata.name = name;
    patched.metadata.resourceVersion = String(++this.resourceVersion);
    this.nodes.set(name, patched);
    return patched;
  }
}

function leaseDetails(name: string): Record<string, unknown> {
  return { name, group: 'coordination.k8s.io', kind: 'leases' };
}

/** RFC 3339 with microseconds, the wire form of a MicroTime: `2026-01-01T00:00:00.123000Z`. */
function microTime(field: string, value: unknown): string {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new HttpFailure(400, `${field}: cannot parse ${JSON.stringify(value)} as a MicroTime (RFC 3339)`);
  const micros = /\.(\d+)Z$/.exec(value as string)?.[1]?.padEnd(6, '0').slice(0, 6) ?? '000000';
  return `${new Date(ms).toISOString().slice(0, 19)}.${micros}Z`;
}

/**
 * A Lease body checked as the real server's decoding and validation would: the kind and group, the namespace, the
 * name, and the spec's numbers (`leaseDurationSeconds` > 0, `leaseTransitions` >= 0); MicroTimes normalized.
 */
function checkedLease(body: unknown, namespace: string): FakeLease {
  const lease = body as FakeLease | undefined;
  if (typeof lease !== 'object' || lease === null || lease.kind !== 'Lease' || lease.apiVersion !== 'coordination.k8s.io/v1') {
    throw new HttpFailure(400, 'the body must be a coordination.k8s.io/v1 Lease');
  }
  const name = lease.metadata?.name;
  if (typeof name !== 'string' || name === '') throw new HttpFailure(422, 'Lease.coordination.k8s.io "" is invalid: metadata.name: Required value: name or generateName is required');
  if (lease.metadata.namespace !== undefined && lease.metadata.namespace !== namespace) {
    throw new HttpFailure(400, 'the namespace of the provided object does not match the namespace sent on the request');
  }
  const spec = { ...(lease.spec ?? {}) };
  const invalid = (field: string, value: unknown, why: string) =>
    new HttpFailure(422, `Lease.coordination.k8s.io "${name}" is invalid: ${field}: Invalid value: ${JSON.stringify(value)}: ${why}`, { details: leaseDetails(name) });
  if (spec.leaseDurationSeconds !== undefined && !(Number.isInteger(spec.leaseDurationSeconds) && spec.leaseDurationSeconds > 0)) {
    throw invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0');
  }
  if (spec.leaseTransitions !== undefined && !(Number.isInteger(spec.leaseTransitions) && spec.leaseTransitions >= 0)) {
    throw invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0');
  }
  if (spec.acquireTime !== undefined) spec.acquireTime = microTime('spec.acquireTime', spec.acquireTime);
  if (spec.renewTime !== undefined) spec.renewTime = microTime('spec.renewTime', spec.renewTime);
  return { ...structuredClone(lease), spec };
}

function notAllowed(method: string, path: string): HttpFailure {
  return new HttpFailure(405, `the server does not allow this method on the requested resource (${method} ${path})`);
}

function statusBody(code: number, message: string, reason?: string, details?: Record<string, unknown>): unknown {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: reason ?? REASONS[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest'),
    ...(details ? { details } : {}),
    code,
  };
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * A small cluster for tests, two zones of one region:
 *
 * | node | zone | notes |
 * |---|---|---|
 * | node-a1, node-a2 | eu-1a | schedulable |
 * | node-a3 | eu-1a | already cordoned by somebody else |
 * | node-b1 | eu-1b | |
 * | node-bare | none | no topology labels |
 *
 * Pods: Deployment `web` (ReplicaSet `web-7d9f8c6b5`, opted in by label) on a1, a2, b1; StatefulSet `db` on a1
 * (opted in by annotation) and b1 (not opted in); DaemonSet `logs` on a1 and a2; an ownerless `solo` on a2;
 * `coredns` in kube-system on a1; Deployment `cart` in namespace `shop` on a3; an unscheduled `web` pod; a pod on
 * node-bare.
 */
export function sampleCluster(): { nodes: FakeNode[]; pods: FakePod[] } {
  const region = 'eu-1';
  const nodes = [
    fakeNode({ name: 'node-a1', zone: 'eu-1a', region }),
    fakeNode({ name: 'node-a2', zone: 'eu-1a', region }),
    fakeNode({ name: 'node-a3', zone: 'eu-1a', region, unschedulable: true }),
    fakeNode({ name: 'node-b1', zone: 'eu-1b', region }),
    fakeNode({ name: 'node-bare' }),
  ];
  const web = (suffix: string, nodeName: string | undefined, phase = 'Running'): FakePod =>
    fakePod({
      name: `web-7d9f8c6b5-${suffix}`,
      labels: { app: 'web', 'pod-template-hash': '7d9f8c6b5', 'simian/opt-in': 'true' },
      owner: { kind: 'ReplicaSet', name: 'web-7d9f8c6b5' },
      ...(nodeName ? { nodeName } : {}),
      phase,
      startTime: '2026-01-01T00:05:00Z',
    });
  const pods = [
    web('aaaaa', 'node-a1'),
    web('bbbbb', 'node-a2'),
    web('ccccc', 'node-b1'),
    web('ppppp', undefined, 'Pending'),
    fakePod({ name: 'db-0', owner: { kind: 'StatefulSet', name: 'db' }, nodeName: 'node-a1', annotations: { 'simian/opt-in': 'true' } }),
    fakePod({ name: 'db-1', owner: { kind: 'StatefulSet', name: 'db' }, nodeName: 'node-b1' }),
    fakePod({ name: 'logs-x1', owner: { kind: 'DaemonSet', name: 'logs' }, nodeName: 'node-a1', labels: { app: 'logs' } }),
    fakePod({ name: 'logs-x2', owner: { kind: 'DaemonSet', name: 'logs' }, nodeName: 'node-a2', labels: { app: 'logs' } }),
    fakePod({ name: 'solo', nodeName: 'node-a2' }),
    fakePod({ name: 'edge-0', owner: { kind: 'StatefulSet', name: 'edge' }, nodeName: 'node-bare' }),
    fakePod({
      name: 'coredns-5d78c9869d-qqqqq',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'pod-template-hash': '5d78c9869d' },
      owner: { kind: 'ReplicaSet', name: 'coredns-5d78c9869d' },
      nodeName: 'node-a1',
    }),
    fakePod({
      name: 'cart-6c8f-zzzzz',
      namespace: 'shop',
      labels: { app: 'cart', 'pod-template-hash': '6c8f' },
      owner: { kind: 'ReplicaSet', name: 'cart-6c8f' },
      nodeName: 'node-a3',
    }),
  ];
  return { nodes, pods };
}
