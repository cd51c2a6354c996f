/**
 * A loopback fake of the EC2 Query API, enough for the AWS provider: a real HTTP server on 127.0.0.1 (port 0) that
 * the real `@aws-sdk/client-ec2` talks to, answering DescribeInstances (filters, instance ids, MaxResults/NextToken
 * pagination), TerminateInstances, StopInstances and StartInstances with EC2's XML shapes and error bodies (see
 * shared/reference/deps.md §4). For the audit monkeys it also holds volumes, snapshots, images, security groups
 * and network interfaces, answering DescribeVolumes, DescribeSnapshots, DescribeImages, DescribeSecurityGroups and
 * DescribeNetworkInterfaces (paginated) and DeleteVolume, DeleteSnapshot and DeleteSecurityGroup, refusing a
 * deletion the way EC2 does (`VolumeInUse`, `InvalidSnapshot.InUse`, `DependencyViolation`, `CannotDelete`).
 *
 * Time does not move on its own: `stopping`, `shutting-down` and `pending` instances stay so until a test calls
 * {@link FakeEc2Endpoint.settle}, so no test waits on a wall clock. Failures are injected per action with
 * {@link FakeEc2Endpoint.failNext}, and every request is logged in {@link FakeEc2Endpoint.requests}.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EC2Client } from '@aws-sdk/client-ec2';
import { afterEach } from 'vitest';
import { ManualClock } from '../../src/core/manual-clock.js';

/** EC2's instance states, with their numeric codes. */
export const EC2_STATE_CODES = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
} as const;

/** An EC2 instance-state name. */
export type FakeInstanceState = keyof typeof EC2_STATE_CODES;

/** An instance to put in the fake. */
export interface FakeInstanceSpec {
  readonly id: string;
  readonly zone: string;
  /** @default 'running' */
  readonly state?: FakeInstanceState;
  readonly tags?: Readonly<Record<string, string>>;
  /** ISO-8601. @default '2026-01-01T00:00:00.000Z' */
  readonly launchTime?: string;
  readonly privateIp?: string;
  /** @default 't3.micro' */
  readonly instanceType?: string;
  /** Instances launched together share a reservation. @default one reservation per instance */
  readonly reservationId?: string;
}

/** An instance as the fake holds it. */
export interface FakeInstance {
  readonly id: string;
  readonly zone: string;
  state: FakeInstanceState;
  readonly tags: Record<string, string>;
  readonly launchTime: string;
  readonly privateIp: string | undefined;
  readonly instanceType: string;
  readonly reservationId: string;
}

/** The account the fake's resources belong to (`self`). */
export const FAKE_ACCOUNT_ID = '123456789012';

/** An EBS volume to put in the fake. */
export interface FakeVolumeSpec {
  /** `vol-` and 8 or 17 hex digits. */
  readonly id: string;
  /** @default 'us-east-1a' */
  readonly zone?: string;
  /** @default 'in-use' when attached, else 'available' */
  readonly state?: string;
  /** ISO-8601. @default '2026-01-01T00:00:00.000Z' */
  readonly createTime?: string;
  /** The instance it is attached to. */
  readonly attachedTo?: string;
  /** @default 8 (GiB) */
  readonly size?: number;
  readonly tags?: Readonly<Record<string, string>>;
}

/** An EBS snapshot to put in the fake. */
export interface FakeSnapshotSpec {
  /** `snap-` and 8 or 17 hex digits. */
  readonly id: string;
  readonly volumeId?: string;
  /** ISO-8601. @default '2026-01-01T00:00:00.000Z' */
  readonly startTime?: string;
  /** @default FAKE_ACCOUNT_ID; another account's is a public snapshot, listed only without `OwnerIds: self` */
  readonly ownerId?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** An image (AMI) to put in the fake. */
export interface FakeImageSpec {
  /** `ami-` and 8 or 17 hex digits. */
  readonly id: string;
  /** The snapshots of its EBS block devices, `/dev/xvda` first. */
  readonly snapshotIds: readonly string[];
  /** @default the id */
  readonly name?: string;
  /** @default FAKE_ACCOUNT_ID */
  readonly ownerId?: string;
}

/** One IP permission (ingress or egress) of a security group. */
export interface FakeIpPermission {
  /** `tcp`, `udp`, `icmp`, `-1` … */
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrs?: readonly string[];
  readonly ipv6Cidrs?: readonly string[];
  /** Security groups the permission names. */
  readonly groupIds?: readonly string[];
}

/** A security group to put in the fake. */
export interface FakeSecurityGroupSpec {
  /** `sg-` and 8 or 17 hex digits. */
  readonly id: string;
  readonly name: string;
  /** @default 'vpc-0123456789abcdef0' */
  readonly vpcId?: string;
  readonly ingress?: readonly FakeIpPermission[];
  /** @default all traffic out to 0.0.0.0/0, as EC2 creates a group */
  readonly egress?: readonly FakeIpPermission[];
  readonly tags?: Readonly<Record<string, string>>;
}

/** A network interface to put in the fake. */
export interface FakeNetworkInterfaceSpec {
  /** `eni-` and 8 or 17 hex digits. */
  readonly id: string;
  readonly groupIds: readonly string[];
  /** The instance it is attached to, if any. */
  readonly instanceId?: string;
  /** @default 'us-east-1a' */
  readonly zone?: string;
}

/** One filter of a DescribeInstances request. */
export interface FakeFilter {
  readonly name: string;
  readonly values: readonly string[];
}

/** One request as the fake received it. */
export interface FakeEc2Request {
  readonly action: string;
  /** The form body, decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** `InstanceId.N`, in order. */
  readonly instanceIds: readonly string[];
  readonly filters: readonly FakeFilter[];
  readonly authorization: string | undefined;
  /** The HTTP status the fake answered with. */
  status: number;
}

/** An error to answer with, EC2-style. */
export interface FakeEc2Failure {
  /** EC2's error code (`RequestLimitExceeded`, `UnauthorizedOperation` …): the SDK error's `name`. */
  readonly code: string;
  /** @default 400 */
  readonly status?: number;
  readonly message?: string;
  /** Only requests for which this holds fail (a later page, one instance id); others pass untouched. */
  readonly when?: (request: FakeEc2Request) => boolean;
}

/** Options of {@link FakeEc2Endpoint.start}. */
export interface FakeEc2Options {
  readonly instances?: readonly FakeInstanceSpec[];
  readonly volumes?: readonly FakeVolumeSpec[];
  readonly snapshots?: readonly FakeSnapshotSpec[];
  readonly images?: readonly FakeImageSpec[];
  readonly securityGroups?: readonly FakeSecurityGroupSpec[];
  readonly networkInterfaces?: readonly FakeNetworkInterfaceSpec[];
  /** @default 'us-east-1' */
  readonly region?: string;
  /** When set, requests whose Authorization header does not name this access key are refused (AuthFailure). */
  readonly accessKeyId?: string;
}

class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Where each transitional state ends up when time passes. */
const SETTLES_TO: Partial<Record<FakeInstanceState, FakeInstanceState>> = { pending: 'running', stopping: 'stopped', 'shutting-down': 'terminated' };

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** An EC2 id of the given prefix: 8 or 17 hex digits. */
function ec2Id(prefix: string): RegExp {
  return new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`);
}

/** The largest `MaxResults` each listing accepts, as EC2 documents them. */
const MAX_RESULTS: Readonly<Record<string, number>> = {
  DescribeInstances: 1000,
  DescribeVolumes: 500,
  DescribeSnapshots: 1000,
  DescribeImages: 1000,
  DescribeSecurityGroups: 1000,
  DescribeNetworkInterfaces: 1000,
};

/** A well-formed id from a number: `fakeEc2Id('vol', 1)` is `vol-00000000000000001`. */
export function fakeEc2Id(prefix: 'vol' | 'snap' | 'ami' | 'sg' | 'eni', n: number): string {
  return `${prefix}-${n.toString(16).padStart(17, '0')}`;
}

/** The filters the fake understands (what a chaos tool sends); any other is refused, as EC2 refuses unknown ones. */
const KNOWN_FILTERS = new Set(['availability-zone', 'instance-state-name', 'instance-id', 'tag-key']);

/** A well-formed instance id from a number: `fakeInstanceId(1)` is `i-00000000000000001`. */
export function fakeInstanceId(n: number): string {
  return `i-${n.toString(16).padStart(17, '0')}`;
}

function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

/** `<name>value</name>`, the value escaped. */
function el(name: string, value: string | number): string {
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** An EC2 list: `<nameSet><item>…</item></nameSet>`. */
function set(name: string, items: readonly string[]): string {
  return `<${name}>${items.map((item) => `<item>${item}</item>`).join('')}</${name}>`;
}

function stateXml(name: string, state: FakeInstanceState): string {
  return `<${name}>${el('code', EC2_STATE_CODES[state])}${el('name', state)}</${name}>`;
}

/** A `*`/`?` wildcard pattern, as EC2 filter values allow. */
function wildcard(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(value);
}

/** `Prefix.1`, `Prefix.2` … in index order, until one is missing. */
function indexed(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i++) values.push(params.get(`${prefix}.${i}`) ?? '');
  return values;
}

function parseFilters(params: URLSearchParams): FakeFilter[] {
  const filters: FakeFilter[] = [];
  for (let i = 1; params.has(`Filter.${i}.Name`); i++) filters.push({ name: params.get(`Filter.${i}.Name`) ?? '', values: indexed(params, `Filter.${i}.Value`) });
  return filters;
}

function matchesFilter(instance: FakeInstance, filter: FakeFilter): boolean {
  const any = (value: string | undefined): boolean => value !== undefined && filter.values.some((pattern) => wildcard(pattern, value));
  switch (filter.name) {
    case 'availability-zone':
      return any(instance.zone);
    case 'instance-state-name':
      return any(instance.state);
    case 'instance-id':
      return any(instance.id);
    case 'tag-key':
      return Object.keys(instance.tags).some((key) => filter.values.some((pattern) => wildcard(pattern, key)));
    default:
      // tag:<Key>, checked by the caller to be one.
      return any(instance.tags[filter.name.slice('tag:'.length)]);
  }
}

/**
 * The page of `items` that `MaxResults` and `NextToken` ask for, and the token of the next one: EC2's opaque token
 * is an offset here. A `MaxResults` outside 5 to the action's maximum is refused, as EC2 refuses it.
 */
function pageOf<T>(action: string, params: URLSearchParams, items: readonly T[]): { page: T[]; nextToken: string | undefined } {
  const maxResultsParam = params.get('MaxResults');
  const maxResults = maxResultsParam === null ? undefined : Number(maxResultsParam);
  const limit = MAX_RESULTS[action] ?? 1000;
  if (maxResults !== undefined && !(Number.isInteger(maxResults) && maxResults >= 5 && maxResults <= limit)) {
    throw new Ec2Error('InvalidParameterValue', `Value ( ${maxResultsParam} ) for parameter maxResults is invalid. Expecting a value between 5 and ${limit}.`);
  }
  let offset = 0;
  const token = params.get('NextToken');
  if (token) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!decoded) throw new Ec2Error('InvalidParameterValue', `Invalid value '${token}' for nextToken`);
    offset = Number(decoded[1]);
  }
  const end = maxResults === undefined ? items.length : offset + maxResults;
  const nextToken = end < items.length ? Buffer.from(`offset:${end}`, 'utf8').toString('base64url') : undefined;
  return { page: items.slice(offset, end), nextToken };
}

/** An EC2 tag list. */
function tagSetXml(tags: Readonly<Record<string, string>> | undefined): string {
  return set(
    'tagSet',
    Object.entries(tags ?? {}).map(([key, value]) => el('key', key) + el('value', value)),
  );
}

function ipPermissionXml(permission: FakeIpPermission): string {
  return (
    el('ipProtocol', permission.protocol) +
    (permission.fromPort === undefined ? '' : el('fromPort', permission.fromPort)) +
    (permission.toPort === undefined ? '' : el('toPort', permission.toPort)) +
    set(
      'groups',
      (permission.groupIds ?? []).map((id) => el('userId', FAKE_ACCOUNT_ID) + el('groupId', id)),
    ) +
    set(
      'ipRanges',
      (permission.cidrs ?? []).map((cidr) => el('cidrIp', cidr)),
    ) +
    set(
      'ipv6Ranges',
      (permission.ipv6Cidrs ?? []).map((cidr) => el('cidrIpv6', cidr)),
    ) +
    set('prefixListIds', [])
  );
}

/** What EC2 puts in a new group's egress: everything, everywhere. */
const DEFAULT_EGRESS: readonly FakeIpPermission[] = [{ protocol: '-1', cidrs: ['0.0.0.0/0'] }];

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * The fake EC2 endpoint.
 *
 * @example
 * const fake = await FakeEc2Endpoint.start({ instances: [{ id: fakeInstanceId(1), zone: 'us-east-1a', tags: { … } }] });
 * const client = fakeEc2Client(fake);
 * try { … } finally { client.destroy(); await fake.close(); }
 */
export class FakeEc2Endpoint {
  /** Every request received, oldest first. */
  readonly requests: FakeEc2Request[] = [];
  readonly region: string;
  private readonly instances = new Map<string, FakeInstance>();
  /** The audit's resources, by id, in the order they were added (the order they are listed in). */
  private readonly volumes = new Map<string, FakeVolumeSpec>();
  private readonly snapshots = new Map<string, FakeSnapshotSpec>();
  private readonly images = new Map<string, FakeImageSpec>();
  private readonly securityGroups = new Map<string, FakeSecurityGroupSpec>();
  private readonly networkInterfaces = new Map<string, FakeNetworkInterfaceSpec>();
  private readonly failures = new Map<string, FakeEc2Failure[]>();
  private requestCount = 0;
  private closed: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: FakeEc2Options,
  ) {
    this.region = options.region ?? 'us-east-1';
    this.add(...(options.instances ?? []));
    this.addResources(options);
  }

  /** Starts a fake on a free loopback port. */
  static async start(options: FakeEc2Options = {}): Promise<FakeEc2Endpoint> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const fake = new FakeEc2Endpoint(server, `http://127.0.0.1:${port}`, options);
    // Nobody knows the port before this returns, so no request can arrive before the handler.
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      // A client that hangs up mid-body gets its socket dropped, not an unhandled rejection.
      fake.handle(request, response).catch(() => response.destroy());
    });
    return fake;
  }

  /** Adds instances (in this order, which is the order DescribeInstances lists them in). */
  add(...specs: readonly FakeInstanceSpec[]): void {
    for (const spec of specs) {
      if (!INSTANCE_ID.test(spec.id)) throw new Error(`fake EC2: malformed instance id ${spec.id}`);
      this.instances.set(spec.id, {
        id: spec.id,
        zone: spec.zone,
        state: spec.state ?? 'running',
        tags: { ...(spec.tags ?? {}) },
        launchTime: spec.launchTime ?? '2026-01-01T00:00:00.000Z',
        privateIp: spec.privateIp,
        instanceType: spec.instanceType ?? 't3.micro',
        reservationId: spec.reservationId ?? `r-${spec.id.slice(2)}`,
      });
    }
  }

  /** Adds volumes, snapshots, images, security groups and network interfaces (after those already there). */
  addResources(resources: Pick<FakeEc2Options, 'volumes' | 'snapshots' | 'images' | 'securityGroups' | 'networkInterfaces'>): void {
    const put = <T extends { readonly id: string }>(map: Map<string, T>, prefix: string, specs: readonly T[] | undefined) => {
      for (const spec of specs ?? []) {
        if (!ec2Id(prefix).test(spec.id)) throw new Error(`fake EC2: malformed ${prefix} id ${spec.id}`);
        map.set(spec.id, spec);
      }
    };
    put(this.volumes, 'vol', resources.volumes);
    put(this.snapshots, 'snap', resources.snapshots);
    put(this.images, 'ami', resources.images);
    put(this.securityGroups, 'sg', resources.securityGroups);
    put(this.networkInterfaces, 'eni', resources.networkInterfaces);
  }

  /** Whether the fake still holds the volume, snapshot, image, security group or network interface `id`. */
  hasResource(id: string): boolean {
    return [this.volumes, this.snapshots, this.images, this.securityGroups, this.networkInterfaces].some((map) => map.has(id));
  }

  /** The instance as the fake holds it now (a live object: tests may read its state). */
  instance(id: string): FakeInstance | undefined {
    return this.instances.get(id);
  }

  /** The instance's current state, or undefined if the fake never had it (or it was removed). */
  state(id: string): FakeInstanceState | undefined {
    return this.instances.get(id)?.state;
  }

  /** Puts an instance in a state directly (someone else acted on it). */
  setState(id: string, state: FakeInstanceState): void {
    const instance = this.instances.get(id);
    if (!instance) throw new Error(`fake EC2: no instance ${id}`);
    instance.state = state;
  }

  /** Makes an instance vanish, as a terminated instance does from EC2 after a while. */
  remove(id: string): void {
    this.instances.delete(id);
  }

  /**
   * Lets time pass for the instances: every transitional state moves one step on (`pending` → `running`,
   * `stopping` → `stopped`, `shutting-down` → `terminated`). Returns how many instances changed.
   */
  settle(): number {
    let changed = 0;
    for (const instance of this.instances.values()) {
      const next = SETTLES_TO[instance.state];
      if (next !== undefined) {
        instance.state = next;
        changed++;
      }
    }
    return changed;
  }

  /** Answers the next `count` requests for `action` with `failure` instead of acting (nothing changes). */
  failNext(action: string, count: number, failure: FakeEc2Failure): void {
    const queue = this.failures.get(action) ?? [];
    for (let i = 0; i < count; i++) queue.push(failure);
    this.failures.set(action, queue);
  }

  /** Throttles the next `count` requests for `action` the way EC2 does: `RequestLimitExceeded`, HTTP 503. */
  throttle(action: string, count: number): void {
    this.failNext(action, count, { code: 'RequestLimitExceeded', status: 503, message: 'Request limit exceeded.' });
  }

  /** The requests for one action, oldest first. */
  calls(action: string): FakeEc2Request[] {
    return this.requests.filter((r) => r.action === action);
  }

  /** Stops listening and drops every connection (keep-alive ones included); resolves once closed. Twice is harmless. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = `fake-${++this.requestCount}`;
    const body = await readBody(request);
    const params = new URLSearchParams(body);
    const action = params.get('Action') ?? '';
    const logged: FakeEc2Request = {
      action,
      params: Object.fromEntries(params),
      instanceIds: indexed(params, 'InstanceId'),
      filters: parseFilters(params),
      authorization: request.headers.authorization,
      status: 200,
    };
    this.requests.push(logged);
    let status = 200;
    let xml: string;
    try {
      this.checkRequest(request, params);
      const injected = this.takeFailure(action, logged);
      if (injected) throw new Ec2Error(injected.code, injected.message ?? `injected ${injected.code}`, injected.status ?? 400);
      xml = this.dispatch(action, logged, params, requestId);
    } catch (error) {
      const failure = error instanceof Ec2Error ? error : new Ec2Error('InternalError', `fake EC2 failed: ${String(error)}`, 500);
      status = failure.status;
      xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${el('Code', failure.code)}${el('Message', failure.message)}</Error></Errors>${el('RequestID', requestId)}</Response>`;
    }
    logged.status = status;
    response.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId });
    response.end(xml);
  }

  /** The first queued failure of `action` that applies to `request`, removed from the queue. */
  private takeFailure(action: string, request: FakeEc2Request): FakeEc2Failure | undefined {
    const queue = this.failures.get(action) ?? [];
    const index = queue.findIndex((failure) => failure.when === undefined || failure.when(request));
    return index < 0 ? undefined : queue.splice(index, 1)[0];
  }

  private checkRequest(request: IncomingMessage, params: URLSearchParams): void {
    if (request.method !== 'POST' || (request.url ?? '/').split('?')[0] !== '/') throw new Ec2Error('InvalidAction', `${request.method} ${request.url} is not an EC2 Query call`);
    if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      throw new Ec2Error('InvalidParameterValue', 'the body must be application/x-www-form-urlencoded');
    }
    // The signature itself is not checked; that there is one, and whose key signed, is.
    const authorization = request.headers.authorization;
    if (!authorization) throw new Ec2Error('MissingAuthenticationToken', 'Request is missing Authentication Token', 401);
    if (this.options.accessKeyId !== undefined && !authorization.includes(`Credential=${this.options.accessKeyId}/`)) {
      throw new Ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
    }
    if (!params.get('Version')) throw new Ec2Error('MissingParameter', 'The request must contain the parameter Version');
  }

  private dispatch(action: string, logged: FakeEc2Request, params: URLSearchParams, requestId: string): string {
    switch (action) {
      case 'DescribeInstances':
        return this.describe(logged, params, requestId);
      case 'TerminateInstances':
        return this.change(action, logged.instanceIds, requestId, (s) => (s === 'terminated' ? s : 'shutting-down'));
      case 'StopInstances':
        return this.change(action, logged.instanceIds, requestId, (s, id) => {
          if (s === 'pending' || s === 'running') return 'stopping';
          if (s === 'stopping' || s === 'stopped') return s;
          throw new Ec2Error('IncorrectInstanceState', `This instance '${id}' is not in a state from which it can be stopped.`);
        });
      case 'StartInstances':
        return this.change(action, logged.instanceIds, requestId, (s, id) => {
          if (s === 'stopped') return 'pending';
          if (s === 'pending' || s === 'running') return s;
          throw new Ec2Error('IncorrectInstanceState', `The instance '${id}' is not in a state from which it can be started.`);
        });
      case 'DescribeVolumes':
        return this.envelope(action, requestId, this.listing(action, params, 'volumeSet', [...this.volumes.values()].map((v) => this.volumeXml(v))));
      case 'DescribeSnapshots': {
        const owners = indexed(params, 'Owner');
        const mine = (owner: string) => owners.length === 0 || owners.some((o) => (o === 'self' ? owner === FAKE_ACCOUNT_ID : o === owner));
        const listed = [...this.snapshots.values()].filter((snap) => mine(snap.ownerId ?? FAKE_ACCOUNT_ID));
        return this.envelope(action, requestId, this.listing(action, params, 'snapshotSet', listed.map((snap) => this.snapshotXml(snap))));
      }
      case 'DescribeImages': {
        const owners = indexed(params, 'Owner');
        const mine = (owner: string) => owners.length === 0 || owners.some((o) => (o === 'self' ? owner === FAKE_ACCOUNT_ID : o === owner));
        const listed = [...this.images.values()].filter((image) => mine(image.ownerId ?? FAKE_ACCOUNT_ID));
        return this.envelope(action, requestId, this.listing(action, params, 'imagesSet', listed.map((image) => this.imageXml(image))));
      }
      case 'DescribeSecurityGroups':
        return this.envelope(action, requestId, this.listing(action, params, 'securityGroupInfo', [...this.securityGroups.values()].map((g) => this.securityGroupXml(g))));
      case 'DescribeNetworkInterfaces':
        return this.envelope(action, requestId, this.listing(action, params, 'networkInterfaceSet', [...this.networkInterfaces.values()].map((n) => this.networkInterfaceXml(n))));
      case 'DeleteVolume':
        return this.deleteVolume(params.get('VolumeId') ?? '', requestId);
      case 'DeleteSnapshot':
        return this.deleteSnapshot(params.get('SnapshotId') ?? '', requestId);
      case 'DeleteSecurityGroup':
        return this.deleteSecurityGroup(params.get('GroupId') ?? '', requestId);
      default:
        throw new Ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  }

  /** Instances by id; any malformed or unknown id fails the whole call, as EC2 does. */
  private byIds(ids: readonly string[]): FakeInstance[] {
    const malformed = ids.filter((id) => !INSTANCE_ID.test(id));
    if (malformed.length > 0) throw new Ec2Error('InvalidInstanceID.Malformed', `Invalid id: "${malformed[0]}"`);
    const missing = ids.filter((id) => !this.instances.has(id));
    if (missing.length > 0) throw new Ec2Error('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
    return ids.map((id) => this.instances.get(id) as FakeInstance);
  }

  private describe(logged: FakeEc2Request, params: URLSearchParams, requestId: string): string {
    if (params.get('MaxResults') !== null && logged.instanceIds.length > 0) {
      throw new Ec2Error('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
    }
    for (const filter of logged.filters) {
      if (!KNOWN_FILTERS.has(filter.name) && !filter.name.startsWith('tag:')) throw new Ec2Error('InvalidParameterValue', `The filter '${filter.name}' is invalid`);
      if (filter.values.length > 200) throw new Ec2Error('FilterLimitExceeded', 'The maximum number of filter values specified on a single call is 200');
    }
    const pool = logged.instanceIds.length > 0 ? this.byIds(logged.instanceIds) : [...this.instances.values()];
    const matching = pool.filter((instance) => logged.filters.every((filter) => matchesFilter(instance, filter)));

    const { page, nextToken } = pageOf('DescribeInstances', params, matching);

    // Consecutive instances of one reservation share its item, as EC2 groups them.
    const reservations: FakeInstance[][] = [];
    for (const instance of page) {
      const last = reservations.at(-1);
      if (last && last[0]?.reservationId === instance.reservationId) last.push(instance);
      else reservations.push([instance]);
    }
    const reservationXml = reservations.map(
      (members) =>
        el('reservationId', members[0]?.reservationId ?? '') +
        el('ownerId', '123456789012') +
        set('groupSet', []) +
        set('instancesSet', members.map((i) => this.instanceXml(i))),
    );
    return this.envelope('DescribeInstances', requestId, set('reservationSet', reservationXml) + (nextToken ? el('nextToken', nextToken) : ''));
  }

  private instanceXml(instance: FakeInstance): string {
    return (
      el('instanceId', instance.id) +
      el('imageId', 'ami-0123456789abcdef0') +
      stateXml('instanceState', instance.state) +
      el('instanceType', instance.instanceType) +
      el('launchTime', instance.launchTime) +
      `<placement>${el('availabilityZone', instance.zone)}${el('tenancy', 'default')}</placement>` +
      (instance.privateIp ? el('privateIpAddress', instance.privateIp) : '') +
      set(
        'tagSet',
        Object.entries(instance.tags).map(([key, value]) => el('key', key) + el('value', value)),
      )
    );
  }

  /** One page of a listing, wrapped in its set, and its `nextToken`. */
  private listing(action: string, params: URLSearchParams, setName: string, items: readonly string[]): string {
    const { page, nextToken } = pageOf(action, params, items);
    return set(setName, page) + (nextToken ? el('nextToken', nextToken) : '');
  }

  private volumeXml(volume: FakeVolumeSpec): string {
    const createTime = volume.createTime ?? '2026-01-01T00:00:00.000Z';
    const attachments =
      volume.attachedTo === undefined
        ? []
        : [el('volumeId', volume.id) + el('instanceId', volume.attachedTo) + el('device', '/dev/xvdf') + el('status', 'attached') + el('attachTime', createTime) + el('deleteOnTermination', 'false')];
    return (
      el('volumeId', volume.id) +
      el('size', volume.size ?? 8) +
      el('snapshotId', '') +
      el('availabilityZone', volume.zone ?? 'us-east-1a') +
      el('status', volume.state ?? (volume.attachedTo === undefined ? 'available' : 'in-use')) +
      el('createTime', createTime) +
      set('attachmentSet', attachments) +
      tagSetXml(volume.tags) +
      el('volumeType', 'gp3') +
      el('encrypted', 'false')
    );
  }

  private snapshotXml(snapshot: FakeSnapshotSpec): string {
    return (
      el('snapshotId', snapshot.id) +
      (snapshot.volumeId === undefined ? '' : el('volumeId', snapshot.volumeId)) +
      el('status', 'completed') +
      el('startTime', snapshot.startTime ?? '2026-01-01T00:00:00.000Z') +
      el('progress', '100%') +
      el('ownerId', snapshot.ownerId ?? FAKE_ACCOUNT_ID) +
      el('volumeSize', 8) +
      el('encrypted', 'false') +
      tagSetXml(snapshot.tags)
    );
  }

  private imageXml(image: FakeImageSpec): string {
    const devices = image.snapshotIds.map(
      (snapshotId, i) =>
        el('deviceName', i === 0 ? '/dev/xvda' : `/dev/xvd${String.fromCharCode(98 + i)}`) +
        `<ebs>${el('snapshotId', snapshotId)}${el('volumeSize', 8)}${el('deleteOnTermination', 'true')}${el('volumeType', 'gp3')}</ebs>`,
    );
    return (
      el('imageId', image.id) +
      el('imageLocation', `${image.ownerId ?? FAKE_ACCOUNT_ID}/${image.name ?? image.id}`) +
      el('imageState', 'available') +
      el('imageOwnerId', image.ownerId ?? FAKE_ACCOUNT_ID) +
      el('isPublic', 'false') +
      el('architecture', 'x86_64') +
      el('imageType', 'machine') +
      el('name', image.name ?? image.id) +
      el('rootDeviceType', 'ebs') +
      el('rootDeviceName', '/dev/xvda') +
      set('blockDeviceMapping', devices)
    );
  }

  private securityGroupXml(group: FakeSecurityGroupSpec): string {
    return (
      el('ownerId', FAKE_ACCOUNT_ID) +
      el('groupId', group.id) +
      el('groupName', group.name) +
      el('groupDescription', `${group.name} group`) +
      el('vpcId', group.vpcId ?? 'vpc-0123456789abcdef0') +
      set('ipPermissions', (group.ingress ?? []).map(ipPermissionXml)) +
      set('ipPermissionsEgress', (group.egress ?? DEFAULT_EGRESS).map(ipPermissionXml)) +
      tagSetXml(group.tags)
    );
  }

  private networkInterfaceXml(eni: FakeNetworkInterfaceSpec): string {
    const groups = eni.groupIds.map((id) => el('groupId', id) + el('groupName', this.securityGroups.get(id)?.name ?? id));
    return (
      el('networkInterfaceId', eni.id) +
      el('subnetId', 'subnet-0123456789abcdef0') +
      el('vpcId', 'vpc-0123456789abcdef0') +
      el('availabilityZone', eni.zone ?? 'us-east-1a') +
      el('ownerId', FAKE_ACCOUNT_ID) +
      el('requesterManaged', 'false') +
      el('status', eni.instanceId === undefined ? 'available' : 'in-use') +
      el('interfaceType', 'interface') +
      set('groupSet', groups) +
      (eni.instanceId === undefined ? '' : `<attachment>${el('instanceId', eni.instanceId)}${el('deviceIndex', 0)}${el('status', 'attached')}</attachment>`)
    );
  }

  /** `<return>true</return>`, what EC2's deletions answer. */
  private deleted(action: string, requestId: string, extra = ''): string {
    return this.envelope(action, requestId, el('return', 'true') + extra);
  }

  private deleteVolume(id: string, requestId: string): string {
    if (id === '') throw new Ec2Error('MissingParameter', 'The request must contain the parameter VolumeId');
    if (!ec2Id('vol').test(id)) throw new Ec2Error('InvalidVolume.Malformed', `Invalid id: "${id}"`);
    const volume = this.volumes.get(id);
    if (!volume) throw new Ec2Error('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
    if (volume.attachedTo !== undefined) throw new Ec2Error('VolumeInUse', `Volume ${id} is currently attached to ${volume.attachedTo}`);
    this.volumes.delete(id);
    return this.deleted('DeleteVolume', requestId);
  }

  private deleteSnapshot(id: string, requestId: string): string {
    if (id === '') throw new Ec2Error('MissingParameter', 'The request must contain the parameter SnapshotId');
    if (!ec2Id('snap').test(id)) throw new Ec2Error('InvalidSnapshot.Malformed', `Invalid id: "${id}"`);
    const snapshot = this.snapshots.get(id);
    if (!snapshot || (snapshot.ownerId ?? FAKE_ACCOUNT_ID) !== FAKE_ACCOUNT_ID) throw new Ec2Error('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
    const image = [...this.images.values()].find((i) => i.snapshotIds.includes(id));
    if (image) throw new Ec2Error('InvalidSnapshot.InUse', `The snapshot ${id} is currently in use by ${image.id}`);
    this.snapshots.delete(id);
    return this.deleted('DeleteSnapshot', requestId);
  }

  private deleteSecurityGroup(id: string, requestId: string): string {
    if (id === '') throw new Ec2Error('MissingParameter', 'The request must contain the parameter groupName or groupId');
    if (!ec2Id('sg').test(id)) throw new Ec2Error('InvalidGroupId.Malformed', `Invalid id: "${id}" (expecting "sg-...")`);
    const group = this.securityGroups.get(id);
    if (!group) throw new Ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
    if (group.name === 'default') throw new Ec2Error('CannotDelete', `the specified group: "${id}" name: "default" cannot be deleted by a user`);
    const inUse = [...this.networkInterfaces.values()].some((eni) => eni.groupIds.includes(id));
    const referenced = [...this.securityGroups.values()].some(
      (other) => other.id !== id && [...(other.ingress ?? []), ...(other.egress ?? [])].some((p) => (p.groupIds ?? []).includes(id)),
    );
    if (inUse || referenced) throw new Ec2Error('DependencyViolation', `resource ${id} has a dependent object`);
    this.securityGroups.delete(id);
    return this.deleted('DeleteSecurityGroup', requestId, el('groupId', id));
  }

  /** Terminate/Stop/Start: validates every id first, so that a refused call changes nothing. */
  private change(action: string, ids: readonly string[], requestId: string, next: (state: FakeInstanceState, id: string) => FakeInstanceState): string {
    if (ids.length === 0) throw new Ec2Error('MissingParameter', 'The request must contain the parameter InstanceId');
    if (ids.length > 1000) throw new Ec2Error('InvalidParameterValue', 'Up to 1000 instance ids per call');
    const instances = this.byIds(ids);
    const planned = instances.map((instance) => ({ instance, previous: instance.state, current: next(instance.state, instance.id) }));
    for (const change of planned) change.instance.state = change.current;
    const items = planned.map(({ instance, previous, current }) => el('instanceId', instance.id) + stateXml('currentState', current) + stateXml('previousState', previous));
    return this.envelope(action, requestId, set('instancesSet', items));
  }

  private envelope(action: string, requestId: string, content: string): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">${el('requestId', requestId)}${content}</${action}Response>`;
  }
}

/**
 * A real EC2 client for the fake: static credentials (never the default chain, which ends at the instance metadata
 * address), the fake's endpoint, and no SDK retries, so that the provider's own retry is the one under test.
 */
export function fakeEc2Client(fake: FakeEc2Endpoint): EC2Client {
  return new EC2Client({
    region: fake.region,
    endpoint: fake.url,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
}

/**
 * A clock whose `sleep` resolves at once and records how long it was asked to wait, for the provider's retries and
 * polls against the fake: `onSleep` lets a test make time pass for the fake's instances during the wait.
 */
export class ImmediateClock extends ManualClock {
  /** Every `sleep` delay, in order. */
  readonly sleeps: number[] = [];
  /** Called on every `sleep`, before it resolves. */
  onSleep: (() => void) | undefined;

  override sleep(delayMs: number): Promise<void> {
    this.sleeps.push(delayMs);
    this.onSleep?.();
    return Promise.resolve();
  }
}

/**
 * Registers an `afterEach` that destroys every client and closes every fake started through the returned
 * function, even when the test failed half-way. Call it once at the top of a test file (or a describe block).
 *
 * @example
 * const startFake = useFakeEc2();
 * it('…', async () => { const { fake, client } = await startFake({ instances }); … });
 */
export function useFakeEc2(): (options?: FakeEc2Options) => Promise<{ fake: FakeEc2Endpoint; client: EC2Client }> {
  const started: { fake: FakeEc2Endpoint; client: EC2Client }[] = [];
  afterEach(async () => {
    const all = started.splice(0);
    for (const { client } of all) client.destroy();
    await Promise.all(all.map(({ fake }) => fake.close()));
  });
  return async (options = {}) => {
    const fake = await FakeEc2Endpoint.start({ accessKeyId: 'AKIDTEST', ...options });
    const entry = { fake, client: fakeEc2Client(fake) };
    started.push(entry);
    return entry;
  };
}
