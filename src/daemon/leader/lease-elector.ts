/**
 * @module
 * Leader election over a {@link LeaseLock}: client-go's `leaderelection` (anchors §1.6), written for Simian since
 * @kubernetes/client-node has none. Candidates poll the lease every retry period (jittered); the holder renews it
 * and steps down when it could not renew within the renew deadline, which is shorter than the lease: it stops
 * acting before any other may take the lease. Others judge a lease stale by their own clock (when they last saw it
 * change), never by the holder's timestamps, so clock skew between hosts does no harm.
 */
import type { Clock, Timer } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import type { Fence } from '../../state/index.js';
import type { Leadership } from '../leadership.js';
import type { LeaseLock, LeaseRecord, VersionedLease } from './lease-lock.js';

/** How long a lease lasts, how soon its holder gives up renewing, how often everyone tries. */
export interface ElectionTimings {
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  /** A candidate waits a retry period times 1 to 1 + this, so that candidates do not poll in step. */
  readonly jitterFactor: number;
}

/** client-go's defaults: "Core clients default this value to 15 seconds", 10 s, 2 s, jitter 1.2. */
export const CLIENT_GO_TIMINGS: ElectionTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, jitterFactor: 1.2 };

/** What {@link LeaseElector} needs. */
export interface LeaseElectorOptions {
  readonly lock: LeaseLock;
  /** This candidate, unique among those sharing the lease: `host/pid`, a pod name. */
  readonly identity: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly timings?: ElectionTimings;
  /** Called when this candidate starts or stops leading. */
  readonly onChange?: (leading: boolean) => void;
  /** Called when reading or writing the lease failed (the attempt counts as lost). */
  readonly onError?: (error: unknown) => void;
  /** The lease's name when it is a row of the state store the daemon records its faults in: fences check it too. */
  readonly storeLease?: string;
  /** Called once, after the lease is given up, when the elector stops (closes what the lock holds). */
  readonly onStop?: () => Promise<void> | void;
}

/** Refuses timings under which a holder could still act after another took the lease. */
export function checkTimings(timings: ElectionTimings): void {
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs, jitterFactor } = timings;
  if (!(retryPeriodMs > 0 && jitterFactor >= 0)) throw new RangeError('the retry period must be positive and the jitter not negative');
  if (!(leaseDurationMs > renewDeadlineMs)) throw new RangeError(`the lease (${leaseDurationMs} ms) must be longer than the renew deadline (${renewDeadlineMs} ms)`);
  if (!(renewDeadlineMs > retryPeriodMs * 1.2)) throw new RangeError(`the renew deadline (${renewDeadlineMs} ms) must exceed 1.2 retry periods (${retryPeriodMs} ms)`);
}

/** One candidate for a lease. {@link LeaseElector.start} makes its first attempt; then it runs until stopped. */
export class LeaseElector implements Leadership {
  private readonly options: LeaseElectorOptions;
  private readonly timings: ElectionTimings;
  private readonly stopping = new AbortController();
  private observed: VersionedLease | undefined;
  /** Monotonic time at which {@link observed} was last seen to change: staleness is judged from here. */
  private observedAt = 0;
  private leading = false;
  private stepDown: Timer | undefined;
  private loop: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;

  constructor(options: LeaseElectorOptions) {
    this.options = options;
    this.timings = options.timings ?? CLIENT_GO_TIMINGS;
    checkTimings(this.timings);
  }

  /** Makes the first attempt (so a lone candidate leads at once), then keeps electing in the background. */
  async start(): Promise<void> {
    if (this.loop) return;
    await this.attempt();
    this.loop = this.run();
  }

  isLeader(): boolean {
    return this.leading;
  }

  fence(): Fence | undefined {
    const token = this.observed?.record.transitions;
    if (!this.leading || token === undefined) return undefined;
    return { token, ...(this.options.storeLease === undefined ? {} : { lease: this.options.storeLease }) };
  }

  holder(): string | undefined {
    return this.observed?.record.holder;
  }

  /** Stops electing; a leader steps down and releases the lease (an empty holder), so a successor need not wait. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping.abort(new Error('the elector is stopping'));
      await this.loop;
      if (this.leading) {
        this.setLeading(false);
        await this.release();
      }
      await this.options.onStop?.();
    })();
    return this.stopped;
  }

  private async run(): Promise<void> {
    const { clock, random } = this.options;
    const { retryPeriodMs, jitterFactor } = this.timings;
    while (!this.stopping.signal.aborted) {
      // A leader renews on the period; a candidate waits a jittered one, as client-go's wait.JitterUntil.
      const wait = this.leading ? retryPeriodMs : retryPeriodMs * (1 + random.next() * jitterFactor);
      const woke = await clock.sleep(wait, this.stopping.signal).then(
        () => true,
        () => false,
      );
      if (!woke) return;
      await this.attempt();
    }
  }

  /** One try to acquire or renew; leading follows from it. */
  private async attempt(): Promise<void> {
    let won = false;
    try {
      won = await this.tryAcquireOrRenew();
    } catch (error) {
      this.options.onError?.(error);
    }
    if (this.stopping.signal.aborted) return;
    if (won) {
      this.armStepDown();
      if (!this.leading) this.setLeading(true);
    } else if (this.leading && this.observed !== undefined && this.observed.record.holder !== this.options.identity) {
      // Another holds the lease now: whatever this one believed, it no longer leads.
      this.setLeading(false);
    }
    // A leader whose write failed keeps leading until its deadline (the step-down timer): one lost write is no cause.
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { lock, identity, clock } = this.options;
    const now = clock.now();
    const current = await lock.get();
    if (!current) {
      const record: LeaseRecord = { holder: identity, durationMs: this.timings.leaseDurationMs, acquiredAt: now, renewedAt: now, transitions: 0 };
      const version = await lock.create(record);
      if (version === undefined) return false;
      this.observe({ record, version });
      return true;
    }
    this.observe(current);
    const held = current.record.holder;
    const mine = held === identity;
    if (held !== undefined && !mine && this.observedAt + current.record.durationMs > clock.monotonic()) return false;
    const record: LeaseRecord = {
      holder: identity,
      durationMs: this.timings.leaseDurationMs,
      acquiredAt: mine ? current.record.acquiredAt : now,
      renewedAt: now,
      transitions: mine ? current.record.transitions : current.record.transitions + 1,
    };
    const version = await lock.update(record, current.version);
    if (version === undefined) return false;
    this.observe({ record, version });
    return true;
  }

  /** Notes the lease as read; its staleness counts from the first time this candidate sees it so. */
  private observe(lease: VersionedLease): void {
    if (this.observed?.version === lease.version && sameRecord(this.observed.record, lease.record)) return;
    this.observed = lease;
    this.observedAt = this.options.clock.monotonic();
  }

  /** After each renewal: step down at the renew deadline unless the next renewal comes first. */
  private armStepDown(): void {
    this.stepDown?.cancel();
    this.stepDown = this.options.clock.setTimer(
      () => {
        this.stepDown = undefined;
        if (this.leading && !this.stopping.signal.aborted) this.setLeading(false);
      },
      this.timings.renewDeadlineMs,
      { keepAlive: false },
    );
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    if (!leading) {
      this.stepDown?.cancel();
      this.stepDown = undefined;
    }
    this.options.onChange?.(leading);
  }

  private async release(): Promise<void> {
    const { lock, identity, clock } = this.options;
    try {
      const current = await lock.get();
      if (current?.record.holder !== identity) return;
      const now = clock.now();
      await lock.update({ durationMs: 1_000, acquiredAt: now, renewedAt: now, transitions: current.record.transitions }, current.version);
    } catch (error) {
      // The lease then expires on its own: a successor waits one lease duration.
      this.options.onError?.(new Error(`could not release ${lock.describe()}: ${errorMessage(error)}`, { cause: error }));
    }
  }
}

function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return a.holder === b.holder && a.renewedAt === b.renewedAt && a.acquiredAt === b.acquiredAt && a.transitions === b.transitions && a.durationMs === b.durationMs;
}
