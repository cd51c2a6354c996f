/**
 * @module
 * The AWS provider: EC2 instances of one region, grouped by Auto Scaling group (or a tag), placed by their
 * availability zone. Terminating terminates (the ASG replaces the instance, which is the point); isolating a zone
 * stops its opted-in instances and starts them again on revert; evacuating a region needs a {@link TrafficShift},
 * since EC2 has no switch for where users go.
 */
import type { EC2Client, Filter } from '@aws-sdk/client-ec2';
import { systemClock, type Clock } from '../../core/clock.js';
import { InvalidInputError, SimianError } from '../../core/errors.js';
import { DEFAULT_OPT_IN_TAG, type Group, type Instance, type Region, type Zone } from '../../core/model.js';
import {
  announceIntent,
  matchesInstanceFilter,
  type ActionOptions,
  type Actuator,
  type InstanceFilter,
  type Inventory,
  type Provider,
  type RevertHandle,
  type TrafficShift,
} from '../provider.js';
import { Ec2Api } from './ec2-api.js';
import { resolveEc2Retry, type Ec2RetryOptions } from './ec2-retry.js';
import { groupTagKey, toInstance, type GroupBy } from './instance-mapping.js';
import { evacuateRevertId, isInstanceId, isLocationName, parseAwsRevertId, stopZoneRevertId } from './revert-id.js';
import { DEFAULT_START_WAIT, startStoppedInstances, stopInstances, zoneStopCandidates, type StartWaitOptions } from './zone-stop.js';

/** The opt-in tag when none is configured (`simian/opt-in`); exported here too, beside the option it defaults. */
export { DEFAULT_OPT_IN_TAG };

/** Options of {@link AwsProvider}. */
export interface AwsProviderOptions {
  /**
   * The EC2 client, built by the caller: `new EC2Client({ region, endpoint?, credentials? })`. Its SDK retries are
   * best kept at `maxAttempts: 1` (or low): this provider retries throttling and 5xx itself, through `clock`.
   * Set `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true` on Node < 22 to silence the SDK's warning.
   */
  readonly client: EC2Client;
  /** The client's region: every instance, zone and revert of this provider is in it. */
  readonly region: string;
  /** How instances form groups; instances without the group tag are left out of the inventory. @default { kind: 'asg' } */
  readonly groupBy?: GroupBy;
  /**
   * The opt-in tag a zone isolation requires (value `true`): instances without it are never stopped. Use the same
   * tag as the safety config's `optInTag`. @default 'simian/opt-in'
   */
  readonly optInTag?: string;
  /** What moves users out of a region; without one, {@link Actuator.evacuateRegion} is unsupported. */
  readonly trafficShift?: TrafficShift;
  /** Waits between retries and between looks at stopping instances. @default the system clock */
  readonly clock?: Clock;
  /** How throttled and failing (5xx) calls are retried. @default 5 attempts, 500 ms doubling, 20 s at most */
  readonly retry?: Ec2RetryOptions;
  /** DescribeInstances page size (`MaxResults`), 5–1000. @default 1000 */
  readonly pageSize?: number;
  /** Instance ids per Stop/Start call and per `instance-id` filter, 1–200. @default 200 */
  readonly batchSize?: number;
  /** How a revert waits for instances still stopping before starting them. @default 60 looks, 5 s apart */
  readonly startWait?: StartWaitOptions;
}

/** A zone isolation in force: the {@link RevertHandle} plus what it stopped, for reports. */
export interface ZoneStopHandle extends RevertHandle {
  readonly zone: string;
  /** The instances this isolation stopped, and that its revert starts again. */
  readonly stopped: readonly string[];
}

/** Instance states the inventory asks EC2 for: everything but `terminated`, which cannot come back. */
const LIVE_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];

/**
 * AWS EC2 as a {@link Provider}.
 *
 * - Instances are EC2 instances of `region`, id = instance id, zone = `Placement.AvailabilityZone`, address = private
 *   IP, tags = the instance's tags (so `simian/opt-in=true`, set on the instance or propagated from its ASG, opts
 *   it in). Terminated instances are not listed.
 * - Groups are Auto Scaling groups (tag `aws:autoscaling:groupName`), or the values of another tag with
 *   `groupBy: { kind: 'tag', key }`. Instances without that tag are in no group and are not listed at all.
 * - `terminate` calls TerminateInstances for the one instance; `stop` calls StopInstances.
 * - `isolateZone` stops the zone's running, grouped, opted-in instances; its revert id lists them and the revert
 *   starts exactly those.
 * - `evacuateRegion` goes through the `trafficShift` option; `addToxic` is for the toxiproxy provider.
 *
 * IAM permissions needed: `ec2:DescribeInstances`, `ec2:TerminateInstances`, and `ec2:StopInstances` plus
 * `ec2:StartInstances` for zone isolation. Scope them with a condition on the opt-in tag
 * (`ec2:ResourceTag/simian/opt-in: "true"`) so that the account enforces opt-in too.
 *
 * @example
 * process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'; // node < 22
 * const client = new EC2Client({ region: 'us-east-1', maxAttempts: 1 });
 * const provider = new AwsProvider({ client, region: 'us-east-1' });
 * const groups = await provider.inventory.groups(); // [{ name: 'web-asg', … }]
 */
export class AwsProvider implements Provider {
  readonly name = 'aws';
  readonly inventory: Inventory;
  readonly actuator: Actuator;
  /** The region this provider sees and acts in. */
  readonly region: string;
  private readonly api: Ec2Api;
  private readonly clock: Clock;
  private readonly groupBy: GroupBy;
  private readonly optInTag: string;
  private readonly trafficShift: TrafficShift | undefined;
  private readonly startWait: Required<StartWaitOptions>;

  constructor(options: AwsProviderOptions) {
    if (!isLocationName(options.region)) {
      throw new InvalidInputError('provider.invalidOption', `aws provider: not a valid region name: ${JSON.stringify(options.region)}`);
    }
    if (options.groupBy?.kind === 'tag' && options.groupBy.key === '') {
      throw new InvalidInputError('provider.invalidOption', 'aws provider: groupBy.key must not be empty');
    }
    if (options.optInTag === '') throw new InvalidInputError('provider.invalidOption', 'aws provider: optInTag must not be empty');
    const startWait = { ...DEFAULT_START_WAIT, ...options.startWait };
    if (!(startWait.pollIntervalMs >= 0) || !Number.isInteger(startWait.maxPolls) || startWait.maxPolls < 0) {
      throw new InvalidInputError('provider.invalidOption', `aws provider: startWait needs pollIntervalMs >= 0 and an integer maxPolls >= 0, got ${JSON.stringify(startWait)}`);
    }
    this.region = options.region;
    this.clock = options.clock ?? systemClock;
    this.api = new Ec2Api({
      client: options.client,
      clock: this.clock,
      retry: resolveEc2Retry(options.retry),
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    });
    this.groupBy = options.groupBy ?? { kind: 'asg' };
    this.optInTag = options.optInTag ?? DEFAULT_OPT_IN_TAG;
    this.trafficShift = options.trafficShift;
    this.startWait = startWait;
    this.inventory = {
      groups: () => this.groups(),
      instances: async (filter?: InstanceFilter) => (await this.listInstances()).filter((i) => matchesInstanceFilter(i, filter)),
      zones: () => this.zones(),
      regions: async (): Promise<Region[]> => [{ name: this.region }],
    };
    this.actuator = {
      terminate: (instance) => this.terminate(instance),
      stop: (instance) => this.stop(instance),
      isolateZone: (zone, options) => this.isolateZone(zone, options),
      evacuateRegion: (region, options) => this.evacuateRegion(region, options),
      addToxic: () =>
        Promise.reject(new SimianError('provider.unsupported', 'the aws provider does not inject network toxics: use the toxiproxy provider for latency and other network faults')),
      revert: (id) => this.revert(id),
    };
  }

  /**
   * Terminates the instance (TerminateInstances with its id alone). EC2 has no signals: the options' `signal` does
   * not apply, and EC2 runs the OS shutdown either way.
   *
   * An instance already gone throws `provider.instanceGone` rather than passing silently: the pipeline then reports
   * a failed decision, which is the truth (nothing was broken by us).
   *
   * @throws SimianError `provider.instanceGone`, `provider.forbidden`, `provider.throttled`, `provider.unavailable`,
   *   `provider.unreachable`; InvalidInputError `provider.badInstance` for an id or region that is not this provider's
   */
  async terminate(instance: Instance): Promise<void> {
    await this.api.terminate([this.instanceIdOf(instance)]);
  }

  /** Stops the instance (StopInstances, not forced); it keeps its disks and can be started again. */
  async stop(instance: Instance): Promise<void> {
    await this.api.stop([this.instanceIdOf(instance)]);
  }

  /**
   * Stops every running instance of the zone that is in a group and carries the opt-in tag with value `true`. A
   * failure half-way starts again what was stopped so far, then throws: no stopped instance is left without a
   * revert id.
   *
   * @throws InvalidInputError `provider.badZone` for a zone that is not a valid name or not in this region
   */
  async isolateZone(zone: Zone, options?: ActionOptions): Promise<ZoneStopHandle> {
    if (!isLocationName(zone.name)) throw new InvalidInputError('provider.badZone', `not a valid zone name: ${JSON.stringify(zone.name)}`);
    this.checkZoneRegion(zone.name, zone.region);
    const candidates = await zoneStopCandidates(this.api, zone.name, { optInTag: this.optInTag, groupTagKey: groupTagKey(this.groupBy) });
    // Recorded before the first stop: starting an instance that is still running is a no-op, so the intent is safe.
    await announceIntent(options, stopZoneRevertId(zone.name, candidates));
    const stopped = await stopInstances(this.api, candidates, (ids) => startStoppedInstances(this.api, this.clock, ids, this.startWait));
    const id = stopZoneRevertId(zone.name, stopped);
    return { id, zone: zone.name, stopped, revert: () => this.revert(id) };
  }

  /**
   * Moves users out of `region` through the configured {@link TrafficShift}.
   *
   * @throws SimianError `provider.unsupported` when no traffic shift is configured
   */
  async evacuateRegion(region: Region, options?: ActionOptions): Promise<RevertHandle> {
    const shift = this.requireTrafficShift(region.name);
    if (!isLocationName(region.name)) throw new InvalidInputError('provider.badRegion', `not a valid region name: ${JSON.stringify(region.name)}`);
    const id = evacuateRevertId(region.name);
    await announceIntent(options, id);
    await shift.evacuate(region.name);
    return { id, revert: () => this.revert(id) };
  }

  /**
   * Reverts by id, also from a new process: a zone-stop id starts exactly the instances it lists that are stopped
   * (waiting for those still stopping; running, terminated or vanished ones are left alone), an evacuation id
   * restores the region through the traffic shift. Reverting twice is harmless.
   *
   * @throws InvalidInputError `provider.badRevertId` for an id this provider did not make; `provider.badZone` for
   *   a zone outside this provider's region (its instances are not visible from here, and "not found" must not
   *   pass for "reverted"); SimianError `provider.revertIncomplete` when instances are still stopping after the wait
   */
  async revert(id: string): Promise<void> {
    const target = parseAwsRevertId(id);
    if (target.kind === 'stop-zone') {
      this.checkZoneRegion(target.zone);
      await startStoppedInstances(this.api, this.clock, target.instanceIds, this.startWait);
      return;
    }
    await this.requireTrafficShift(target.region).restore(target.region);
  }

  /** Zone names start with their region's (`us-east-1a`, `us-west-2-lax-1a`): anything else is another region's. */
  private checkZoneRegion(zone: string, region?: string): void {
    if ((region !== undefined && region !== this.region) || !zone.startsWith(this.region)) {
      throw new InvalidInputError('provider.badZone', `zone ${region ? `${region}/` : ''}${zone} is not in region ${this.region}, the only one this aws provider sees`);
    }
  }

  private instanceIdOf(instance: Instance): string {
    if (!isInstanceId(instance.id)) throw new InvalidInputError('provider.badInstance', `not an EC2 instance id: ${JSON.stringify(instance.id)}`);
    if (instance.region !== this.region) {
      throw new InvalidInputError('provider.badInstance', `instance ${instance.id} is in region ${instance.region}, not ${this.region}, the only one this aws provider acts in`);
    }
    return instance.id;
  }

  private requireTrafficShift(region: string): TrafficShift {
    if (this.trafficShift) return this.trafficShift;
    throw new SimianError(
      'provider.unsupported',
      `cannot evacuate or restore region ${region}: EC2 has no traffic switch of its own; ` +
        "pass a TrafficShift as the aws provider's `trafficShift` option (for example an HTTP hook to Route 53 or your global load balancer)",
    );
  }

  /** The grouped, not-terminated instances; EC2 filters both, so ungrouped fleets cost nothing to skip. */
  private async listInstances(): Promise<Instance[]> {
    const filters: Filter[] = [
      { Name: 'instance-state-name', Values: LIVE_STATES },
      { Name: 'tag-key', Values: [groupTagKey(this.groupBy)] },
    ];
    const instances: Instance[] = [];
    const seen = new Set<string>();
    for (const raw of await this.api.describeInstances(filters)) {
      const instance = toInstance(raw, this.region, this.groupBy);
      // Pages of a changing fleet may repeat an instance; and a filter ignored on the way must not let a
      // terminated or ungrouped one in.
      if (!instance || instance.state === 'terminated' || seen.has(instance.id)) continue;
      seen.add(instance.id);
      instances.push(instance);
    }
    return instances;
  }

  private async groups(): Promise<Group[]> {
    const byName = new Map<string, Instance[]>();
    for (const instance of await this.listInstances()) {
      const members = byName.get(instance.group) ?? [];
      members.push(instance);
      byName.set(instance.group, members);
    }
    // Opt-in lives on the instances (an ASG tag propagates to them), where the pipeline reads it first.
    return [...byName].map(([name, instances]) => ({ name, region: this.region, instances, tags: {} }));
  }

  private async zones(): Promise<Zone[]> {
    const zones = new Set((await this.listInstances()).map((i) => i.zone));
    return [...zones].sort().map((name) => ({ name, region: this.region }));
  }
}
