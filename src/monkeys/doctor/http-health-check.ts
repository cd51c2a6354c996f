/**
 * @module
 * The HTTP health check: `GET <address>/health`, judged the way a load balancer or a Kubernetes httpGet probe
 * judges it. A status from 200 to 399 is well; any other status, no answer in time, or a refused or reset
 * connection is sick (the instance is there to be asked and does not answer well). Failures on the doctor's side
 * (an address that is no URL, a name that does not resolve, a network the doctor cannot reach) are `unknown`.
 */
import type { Instance } from '../../core/model.js';
import { describeError, isCheckTimeout, type CheckContext, type CheckOutcome, type HealthCheck } from './health-checks.js';

/** Options of {@link httpHealthCheck}. */
export interface HttpHealthCheckOptions {
  /** The health path, resolved against the instance's address. @default '/health' */
  readonly path?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/**
 * Socket errors that say the instance itself is not serving: nothing listens (refused), or it dropped the
 * connection. Other errors (DNS, an unreachable network) say more about where the doctor stands.
 */
const INSTANCE_FAULT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The first `code` along an error's cause chain (fetch wraps socket errors in a TypeError). */
function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Classifies what went wrong with a health request. */
function classifyFailure(error: unknown, context: CheckContext, url: string): CheckOutcome {
  if (context.signal.aborted && isCheckTimeout(context.signal.reason)) {
    return { ok: false, detail: `${url} did not answer within ${context.timeoutMs} ms` };
  }
  const code = errorCode(error);
  if (code !== undefined && INSTANCE_FAULT_CODES.has(code)) return { ok: false, detail: `${url}: ${code === 'ECONNREFUSED' ? 'connection refused' : code}` };
  return { ok: 'unknown', detail: `cannot check ${url}: ${code ?? describeError(error)}` };
}

async function probe(instance: Instance, context: CheckContext, path: string, fetchImpl: typeof fetch): Promise<CheckOutcome> {
  if (!instance.address) return { ok: 'unknown', detail: 'the instance has no address to check' };
  let url: string;
  try {
    url = new URL(path, instance.address).href;
  } catch {
    return { ok: 'unknown', detail: `the address ${instance.address} is not a URL` };
  }
  let response: Response;
  try {
    // Redirects are not followed: a health endpoint that redirects answered, and where to is not its health.
    response = await fetchImpl(url, { signal: context.signal, redirect: 'manual', headers: { accept: 'application/json' } });
  } catch (error) {
    return classifyFailure(error, context, url);
  }
  // The status is the verdict; the body is dropped so the connection is freed without waiting for it.
  await response.body?.cancel().catch(() => undefined);
  const ok = response.status >= 200 && response.status < 400;
  return { ok, detail: `${url} answered HTTP ${response.status}` };
}

/**
 * The HTTP health check. Every instance of the reference stack answers `GET /health` with 200 while it is well
 * and 503 when it knows it is not.
 *
 * @example
 * const doctor = new DoctorMonkey({ inventory, clock, checks: [httpHealthCheck()] });
 */
export function httpHealthCheck(options: HttpHealthCheckOptions = {}): HealthCheck {
  const path = options.path ?? '/health';
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return {
    name: 'health',
    prepare: async () => (instance, context) => probe(instance, context, path, fetchImpl),
  };
}
