/**
 * @module
 * Turns whatever `@kubernetes/client-node` throws (an `ApiException` carrying a Kubernetes `Status`, or a
 * node-fetch system error) into a {@link SimianError} with a stable `provider.*` code. Nothing raw leaves the
 * provider: callers and the safety pipeline match on codes, and a raw `ApiException` message is a wall of headers.
 */
import { ApiException } from '@kubernetes/client-node';
import { SimianError } from '../../core/errors.js';

/** What was being attempted, so that an error can name it (and an RBAC hint can name the verb and resource). */
export interface KubeAction {
  /** The RBAC verb: `list`, `get`, `delete`, `patch`, `create`. */
  readonly verb: string;
  /** The RBAC resource, subresource included: `pods`, `nodes`, `pods/eviction`. */
  readonly resource: string;
  readonly name?: string;
  readonly namespace?: string;
  /** The code a 404 becomes. @default 'provider.notFound' */
  readonly notFoundCode?: string;
}

/** The parts of a Kubernetes `Status` body that this provider reads. */
export interface KubeStatus {
  readonly reason?: string;
  readonly message?: string;
  readonly code?: number;
  readonly details?: {
    readonly retryAfterSeconds?: number;
    readonly causes?: ReadonlyArray<{ readonly reason?: string; readonly message?: string }>;
  };
}

/** System error codes that mean the API server cannot be reached at all. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE']);

/** The HTTP status of an `ApiException`, or undefined for anything else. */
export function kubeStatusCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/**
 * The `Status` body of an `ApiException`. client-node hands the body over as a JSON *string* (or undefined for
 * a 401), so it is parsed here, leniently: a proxy in front of the API server may answer HTML.
 */
export function kubeStatus(error: unknown): KubeStatus {
  if (!(error instanceof ApiException)) return {};
  const body: unknown = error.body;
  if (typeof body === 'object' && body !== null) return body as KubeStatus;
  if (typeof body !== 'string' || body === '') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as KubeStatus) : {};
  } catch {
    return {};
  }
}

/** The system error code (`ECONNREFUSED` …) of a network failure, if `error` is one. */
export function systemErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether `error` says the API server could not be reached (nothing was answered). */
export function isUnreachable(error: unknown): boolean {
  const code = systemErrorCode(error);
  return !(error instanceof ApiException) && code !== undefined && UNREACHABLE_CODES.has(code);
}

/** `delete pods "web-1" in namespace "default"`: how messages name an action. */
export function describeAction(action: KubeAction): string {
  const name = action.name === undefined ? '' : ` "${action.name}"`;
  const where = action.namespace === undefined ? '' : ` in namespace "${action.namespace}"`;
  return `${action.verb} ${action.resource}${name}${where}`;
}

/**
 * Maps a failed client-node call to a {@link SimianError}:
 *
 * | answer | code |
 * |---|---|
 * | 404 | `action.notFoundCode` or `provider.notFound` |
 * | 401, 403 | `provider.forbidden` (the message names the verb and resource to grant) |
 * | 409 | `provider.conflict` |
 * | 429 | `provider.throttled` |
 * | 5xx | `provider.unavailable` |
 * | other HTTP status | `provider.apiError` |
 * | connection refused, DNS failure, reset | `provider.unreachable` |
 * | anything else (an auth plugin failing …) | `provider.kubernetesError` |
 *
 * A {@link SimianError} passes through unchanged. The original error is always the `cause`.
 */
export function toProviderError(error: unknown, action: KubeAction): SimianError {
  if (error instanceof SimianError) return error;
  const what = describeAction(action);
  if (error instanceof ApiException) {
    const status = kubeStatus(error);
    const detail = status.message ?? status.reason ?? `HTTP ${error.code}`;
    const code = error.code;
    if (code === 404) return new SimianError(action.notFoundCode ?? 'provider.notFound', `cannot ${what}: not found (${detail})`, { cause: error });
    if (code === 401) {
      return new SimianError('provider.forbidden', `cannot ${what}: the API server rejected the credentials (401 Unauthorized); check the kubeconfig's user or token`, {
        cause: error,
      });
    }
    if (code === 403) {
      return new SimianError(
        'provider.forbidden',
        `cannot ${what}: forbidden (${detail}); grant the verb "${action.verb}" on "${action.resource}" to Simian's service account (RBAC Role or ClusterRole)`,
        { cause: error },
      );
    }
    if (code === 409) return new SimianError('provider.conflict', `cannot ${what}: conflict (${detail})`, { cause: error });
    if (code === 429) return new SimianError('provider.throttled', `cannot ${what}: the API server kept throttling (429 ${detail})`, { cause: error });
    if (code >= 500) return new SimianError('provider.unavailable', `cannot ${what}: the API server kept failing (${code} ${detail})`, { cause: error });
    return new SimianError('provider.apiError', `cannot ${what}: ${code} ${detail}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (isUnreachable(error)) return new SimianError('provider.unreachable', `cannot ${what}: the API server is unreachable (${message})`, { cause: error });
  return new SimianError('provider.kubernetesError', `cannot ${what}: ${message}`, { cause: error });
}
