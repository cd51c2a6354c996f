/**
 * @module
 * The check after a load run: every viewer's subscriptions read back from every region the front door serves, to
 * count the acknowledged writes found nowhere (lost) and the keys found under more than one subscription (applied
 * twice, in one region or across regions, as a failover to a region with a store of its own would do).
 */
import { describeError, exchange, explain, type JourneyContext } from './viewer-journey.js';

/** Attempts per listing of one viewer in one region; only an answer in time counts. */
const ATTEMPTS = 3;
/**
 * A region that cannot list this many viewers in a row is given up for the rest of the check: a dead region must
 * not hold the check for hours. The viewers not read there are counted as unverified.
 */
const REGION_GIVE_UP = 3;

/** A subscription as billing lists it; only what the check reads. */
interface Listed {
  readonly subscriptionId: string;
  readonly idempotencyKey: string;
}

/**
 * Reads back the billing of every viewer who tried to write, as that viewer (with the token the journey held, or a
 * new one when it expired), in each region that the target's `/health` lists (a front door: `regions`; any other
 * target is read wherever it routes). Updates `context.stats`: `found`, `duplicated`, `billingRegions`,
 * `unverified`, and a `verify` request per attempt.
 */
export async function auditBilling(context: JourneyContext): Promise<void> {
  const { stats } = context;
  if (stats.attemptedKeys.size === 0) return;
  const regions = await regionsOf(context);
  stats.billingRegions = regions;
  const acknowledged = new Set(stats.acknowledgedKeys);
  const failuresInARow = new Map<string | undefined, number>();
  for (const [viewer, keys] of stats.attemptedKeys) {
    const copies = new Map<string, Set<string>>();
    let unread = false;
    for (const region of regions.length > 0 ? regions : [undefined]) {
      if ((failuresInARow.get(region) ?? 0) >= REGION_GIVE_UP) {
        unread = true;
        continue;
      }
      const listed = await listSubscriptions(context, viewer, region);
      failuresInARow.set(region, listed ? 0 : (failuresInARow.get(region) ?? 0) + 1);
      if (!listed) {
        unread = true;
        continue;
      }
      for (const { subscriptionId, idempotencyKey } of listed) {
        if (!keys.has(idempotencyKey)) continue;
        let ids = copies.get(idempotencyKey);
        if (!ids) copies.set(idempotencyKey, (ids = new Set()));
        // The same subscription seen in two regions is one write (one ledger); two ids for one key are two writes.
        ids.add(subscriptionId);
      }
    }
    if (unread) stats.unverified++;
    for (const [key, ids] of copies) {
      stats.duplicated += ids.size - 1;
      if (acknowledged.has(key)) stats.found++;
    }
  }
}

/** The regions a front door lists in its `/health`; none for a target that does not. */
async function regionsOf(context: JourneyContext): Promise<string[]> {
  try {
    const answer = await exchange(context, `${context.target}/health`);
    const regions = (JSON.parse(new TextDecoder().decode(answer.body)) as { regions?: unknown }).regions;
    return Array.isArray(regions) && regions.every((r) => typeof r === 'string') ? regions : [];
  } catch {
    return [];
  }
}

/** One viewer's subscriptions in `region` (pinned with `x-simian-region`), or undefined when no attempt got them. */
async function listSubscriptions(context: JourneyContext, viewer: string, region: string | undefined): Promise<Listed[] | undefined> {
  const { stats } = context;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const token = stats.tokens.get(viewer) ?? (await login(context, viewer));
    if (token === undefined) continue;
    const started = context.clock.monotonic();
    const record = (ok: boolean, error?: string) =>
      stats.record('verify', ok, context.clock.monotonic() - started, error && `${region ?? 'subscriptions'}: ${error}`);
    try {
      const answer = await exchange(context, `${context.target}/api/subscriptions`, {
        headers: { authorization: `Bearer ${token}`, ...(region ? { 'x-simian-region': region } : {}) },
      });
      if (answer.status === 401) {
        // The journey's token expired during a long run: log in again on the next attempt.
        stats.tokens.delete(viewer);
        record(false, 'HTTP 401 (token expired)');
        continue;
      }
      if (answer.status < 200 || answer.status >= 300) {
        record(false, `HTTP ${answer.status}${explain(answer.body)}`);
        continue;
      }
      const listed = readListing(answer.body);
      if (!listed) {
        record(false, 'unreadable subscription list');
        continue;
      }
      record(true);
      return listed;
    } catch (error) {
      record(false, describeError(error));
    }
  }
  return undefined;
}

function readListing(body: ArrayBuffer): Listed[] | undefined {
  try {
    const { subscriptions } = JSON.parse(new TextDecoder().decode(body)) as { subscriptions?: unknown };
    if (!Array.isArray(subscriptions)) return undefined;
    return subscriptions.filter(
      (s): s is Listed => typeof (s as Listed | null)?.subscriptionId === 'string' && typeof (s as Listed).idempotencyKey === 'string',
    );
  } catch {
    return undefined;
  }
}

/** A fresh token for `viewer`, kept for the next listings; undefined when the login fails (recorded). */
async function login(context: JourneyContext, viewer: string): Promise<string | undefined> {
  const started = context.clock.monotonic();
  try {
    const answer = await exchange(context, `${context.target}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: viewer, password: 'simian' }),
    });
    const token = answer.status === 200 ? (JSON.parse(new TextDecoder().decode(answer.body)) as { token?: unknown }).token : undefined;
    if (typeof token === 'string') {
      context.stats.tokens.set(viewer, token);
      return token;
    }
    context.stats.record('verify', false, context.clock.monotonic() - started, `login as ${viewer}: HTTP ${answer.status}${explain(answer.body)}`);
  } catch (error) {
    context.stats.record('verify', false, context.clock.monotonic() - started, `login as ${viewer}: ${describeError(error)}`);
  }
  return undefined;
}
