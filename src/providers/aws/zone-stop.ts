/**
 * @module
 * A zone outage as far as an AWS account can make one: stop the zone's running, opted-in instances, and later start
 * exactly those again. EC2 has no switch that takes an availability zone away, and terminating would let the Auto
 * Scaling group replace the instances in the same zone, which is not an outage; a stopped instance stays in its
 * group (ASG health checks may still replace it, which is what a real zone loss would cause too).
 */
import type { Filter, Instance as Ec2Instance } from '@aws-sdk/client-ec2';
import type { Clock } from '../../core/clock.js';
import { isSimianError, SimianError } from '../../core/errors.js';
import { chunk, type Ec2Api } from './ec2-api.js';
import { tagsToRecord } from './instance-mapping.js';

/** Which instances of a zone may be stopped. */
export interface ZoneStopSelection {
  /** The opt-in tag; only instances whose tag has the value `true` are stopped. */
  readonly optInTag: string;
  /** The tag that puts an instance in a group; instances without it are not in the inventory, so not stopped. */
  readonly groupTagKey: string;
}

/** How long a revert waits for instances still `stopping` before it can start them. */
export interface StartWaitOptions {
  /** Between two looks at the instances, ms. @default 5_000 */
  readonly pollIntervalMs?: number;
  /** Looks after the first before giving up (EC2 stops usually take well under a minute). @default 60 */
  readonly maxPolls?: number;
}

/** The defaults of {@link StartWaitOptions}: about five minutes. */
export const DEFAULT_START_WAIT: Required<StartWaitOptions> = { pollIntervalMs: 5_000, maxPolls: 60 };

/** Errors of one batch that mean "the instances changed under us", worth one more look rather than a failure. */
const RACES = ['provider.conflict', 'provider.instanceGone'];

function isRace(error: unknown): boolean {
  return RACES.some((code) => isSimianError(error, code));
}

function ids(instances: readonly Ec2Instance[]): string[] {
  return [...new Set(instances.flatMap((i) => (i.InstanceId === undefined ? [] : [i.InstanceId])))];
}

/**
 * The zone's instances that may be stopped. EC2 filters them, and they are checked again here: if a filter were
 * ignored on the way (a proxy, a fake, an API change), nothing that did not opt in may be stopped.
 */
export async function zoneStopCandidates(api: Ec2Api, zone: string, selection: ZoneStopSelection): Promise<string[]> {
  const filters: Filter[] = [
    { Name: 'availability-zone', Values: [zone] },
    { Name: 'instance-state-name', Values: ['running'] },
    { Name: `tag:${selection.optInTag}`, Values: ['true'] },
    { Name: 'tag-key', Values: [selection.groupTagKey] },
  ];
  const found = await api.describeInstances(filters);
  return ids(
    found.filter((i) => {
      const tags = tagsToRecord(i.Tags);
      return i.Placement?.AvailabilityZone === zone && i.State?.Name === 'running' && tags[selection.optInTag] === 'true' && (tags[selection.groupTagKey] ?? '') !== '';
    }),
  );
}

/**
 * Stops `candidates` batch by batch and returns the ids actually stopped. A batch that fails because an instance
 * changed state (terminated by its ASG meanwhile) is looked at again and its still-running instances stopped once
 * more. Any other failure starts again what was already stopped (best effort) and rethrows, so that nothing is left
 * stopped without a revert id to undo it.
 */
export async function stopInstances(api: Ec2Api, candidates: readonly string[], undo: (stopped: readonly string[]) => Promise<void>): Promise<string[]> {
  const stopped: string[] = [];
  for (const batch of chunk(candidates, api.batchSize)) {
    let attempted: readonly string[] = batch;
    try {
      try {
        await api.stop(batch);
      } catch (error) {
        if (!isRace(error)) throw error;
        attempted = ids(await api.describeByIds(batch, [{ Name: 'instance-state-name', Values: ['running'] }]));
        if (attempted.length > 0) await api.stop(attempted);
      }
      stopped.push(...attempted);
    } catch (error) {
      // The failed batch too: a call that failed on the way back may still have stopped some of it.
      const toUndo = [...stopped, ...attempted];
      try {
        await undo(toUndo);
      } catch (undoError) {
        const message = undoError instanceof Error ? undoError.message : String(undoError);
        throw new SimianError(
          isSimianError(error) ? error.code : 'provider.awsError',
          `${error instanceof Error ? error.message : String(error)}; starting the ${toUndo.length} instance(s) stopped so far failed too (${message}): ${toUndo.join(', ')}`,
          { cause: error },
        );
      }
      throw error;
    }
  }
  return stopped;
}

/**
 * Starts those of `instanceIds` that are stopped, waiting (through `clock`) for those still `stopping`. Instances
 * that are running or pending already, terminated, or gone are left alone, so reverting twice is harmless.
 *
 * @throws SimianError `provider.revertIncomplete` when some are still stopping after the wait (revert again later)
 */
export async function startStoppedInstances(api: Ec2Api, clock: Clock, instanceIds: readonly string[], wait: Required<StartWaitOptions>): Promise<void> {
  let pending = [...new Set(instanceIds)];
  for (let poll = 0; pending.length > 0; poll++) {
    const found = await api.describeByIds(pending);
    const stopped = ids(found.filter((i) => i.State?.Name === 'stopped'));
    const retryLater = ids(found.filter((i) => i.State?.Name === 'stopping'));
    for (const batch of chunk(stopped, api.batchSize)) {
      try {
        await api.start(batch);
      } catch (error) {
        if (!isRace(error)) throw error;
        retryLater.push(...batch);
      }
    }
    pending = retryLater;
    if (pending.length === 0) return;
    if (poll >= wait.maxPolls) {
      throw new SimianError(
        'provider.revertIncomplete',
        `${pending.length} instance(s) could not be started after ${wait.maxPolls} looks ${wait.pollIntervalMs} ms apart (still stopping?): ${pending.join(', ')}; revert again later`,
      );
    }
    await clock.sleep(wait.pollIntervalMs);
  }
}
