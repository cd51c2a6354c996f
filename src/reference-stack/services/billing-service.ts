/**
 * @module
 * Billing: durable, idempotent subscriptions. Every billing instance of the stack, in every region, shares one
 * ledger (see `billing-store.ts` for why), so a retry that lands on another instance, in another process or in
 * another region after the front door failed over, finds the first attempt's write.
 *
 * - `POST /subscriptions` with header `Idempotency-Key` and body {userId, plan: 'basic'|'standard'|'premium'}
 *   → 201 {subscriptionId, userId, idempotencyKey, plan, createdAt} once the write has committed;
 *   the same viewer, key and body again → 200 with the same subscription (header `Idempotent-Replayed: true`),
 *   never a second one; the same viewer and key with another plan → 409; another viewer's key is another key;
 *   a missing key or a bad body → 400 naming the field; 503 when the database cannot take the write now (busy past
 *   its timeout, or unwritable): retry, on another instance if there is one, with the same key.
 * - `GET /subscriptions?userId=` → {subscriptions}, oldest first
 * - `GET /subscriptions/by-key/:key?userId=` → the subscription the viewer wrote under that key, or 404
 * - `/health` → 503 when a write does not get through (the file is unwritable, or the lock is held too long)
 *
 * Metric: `billing_writes_total{result}`, result ∈ created, replayed, conflict, failed.
 */
import type { Context } from 'hono';
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { requireStackToken } from '../service-kit/admin-guard.js';
import { createServiceApp, type ServiceApp } from '../service-kit/service-app.js';
import type { ServiceIdentity } from '../service-kit/identity.js';
import { BillingStore, BillingUnavailableError, PLANS, type SubscribeOutcome } from './billing-store.js';

/** Options of {@link createBillingService}. */
export interface BillingServiceOptions {
  identity: ServiceIdentity;
  /** The ledger's file, the same for every billing instance of the stack: see `billingLedgerPath`. */
  databasePath: string;
  /** How long a write waits for another instance's write lock. @default 500 */
  busyTimeoutMs?: number;
  clock?: Clock;
  registry?: Registry;
  /**
   * When set, a write (`POST /subscriptions`) needs `Authorization: Bearer <stackToken>`: only the stack's own
   * gateways may change the ledger, not whatever else reaches billing's port (Security Monkey's
   * `security.unauthenticated-write`). Reads stay open, as the gateway passes the viewer for them.
   */
  stackToken?: string;
}

/** A built billing service: the app, and the store the instance runtime closes on SIGTERM. */
export interface BillingService extends ServiceApp {
  readonly store: BillingStore;
}

/** Results of a keyed write, as the `result` label of `billing_writes_total`. */
export const BILLING_WRITE_RESULTS = ['created', 'replayed', 'conflict', 'failed'] as const;

/** The header that carries the idempotency key. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

// Keys appear in the path of `GET /subscriptions/by-key/:key`: URL-safe characters only, so the lookup path is
// the key itself, with nothing to decode.
const idempotencyKey = /^[A-Za-z0-9._:~-]{1,200}$/;

const subscriptionBody = z.object({
  userId: z.string().min(1).max(100),
  plan: z.enum(PLANS),
});

/**
 * Builds the billing service app and opens its store; the caller closes `store` when the instance stops.
 *
 * @example
 * const billing = createBillingService({ identity, databasePath: billingLedgerPath(dataDir) });
 * // in the instance runtime, once the server has closed (SIGTERM): afterClose: () => billing.store.close()
 */
export function createBillingService(options: BillingServiceOptions): BillingService {
  const store = new BillingStore({
    path: options.databasePath,
    idPrefix: `sub-${options.identity.region}-`,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
  });
  try {
    const service = createServiceApp({
      identity: options.identity,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.registry ? { registry: options.registry } : {}),
      health: () => ({ ...store.checkWritable(), database: store.path, journalMode: store.journalMode }),
      routes: (app, context) => {
        const writes = new Counter({
          name: 'billing_writes_total',
          help: 'Keyed subscription writes, by result: created, replayed, conflict, failed (not committed).',
          labelNames: ['result'],
          registers: [context.registry],
        });
        for (const result of BILLING_WRITE_RESULTS) writes.labels({ result }).inc(0);

        if (options.stackToken !== undefined) app.post('/subscriptions', requireStackToken(options.stackToken));
        app.post('/subscriptions', async (c) => {
          const key = c.req.header(IDEMPOTENCY_KEY_HEADER);
          if (key === undefined || !idempotencyKey.test(key)) {
            return c.json({ error: `${IDEMPOTENCY_KEY_HEADER}: required header of 1 to 200 characters A-Z a-z 0-9 . _ : ~ -` }, 400);
          }
          const parsed = subscriptionBody.safeParse(await c.req.json().catch(() => undefined));
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            return c.json({ error: `invalid subscription: ${issue?.path.join('.') || 'body'}: ${issue?.message}` }, 400);
          }
          let outcome: SubscribeOutcome;
          try {
            outcome = store.subscribe(key, parsed.data);
          } catch (error) {
            writes.inc({ result: 'failed' });
            if (error instanceof BillingUnavailableError) return unavailable(c, error);
            throw error;
          }
          writes.inc({ result: outcome.result });
          switch (outcome.result) {
            case 'created':
              return c.json(outcome.subscription, 201);
            case 'replayed':
              c.header('Idempotent-Replayed', 'true');
              return c.json(outcome.subscription, 200);
            case 'conflict':
              return c.json({ error: `${IDEMPOTENCY_KEY_HEADER} ${key} was used for another subscription (${outcome.differs.join(', ')} differ)` }, 409);
          }
        });

        app.get('/subscriptions', (c) => {
          const userId = c.req.query('userId');
          if (!userId) return c.json({ error: 'userId: required query parameter' }, 400);
          return guarded(c, () => c.json({ subscriptions: store.byUser(userId) }));
        });

        app.get('/subscriptions/by-key/:key', (c) => {
          const key = c.req.param('key');
          // Keys are the viewer's own: the gateway passes the token's viewer, so a viewer finds only their writes.
          const userId = c.req.query('userId');
          if (!userId) return c.json({ error: 'userId: required query parameter' }, 400);
          return guarded(c, () => {
            const subscription = store.byKey(userId, key);
            return subscription ? c.json(subscription) : c.json({ error: `no subscription under ${IDEMPOTENCY_KEY_HEADER} ${key}` }, 404);
          });
        });
      },
    });
    return { ...service, store };
  } catch (error) {
    store.close();
    throw error;
  }
}

function unavailable(c: Context, error: BillingUnavailableError): Response {
  // Retry-After in seconds: the caller's next attempt (another instance, or this one shortly) may well succeed.
  c.header('Retry-After', '1');
  return c.json({ error: error.message, code: error.code }, 503);
}

/** Answers with `handle`, or with a 503 when the database is unavailable; any other error stays a 500. */
function guarded(c: Context, handle: () => Response): Response {
  try {
    return handle();
  } catch (error) {
    if (error instanceof BillingUnavailableError) return unavailable(c, error);
    throw error;
  }
}
