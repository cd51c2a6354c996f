/**
 * @module
 * The HTTP status a service answers when a call to another service failed, so that a client (and an SLO) can
 * tell a slow dependency (504) from a missing or shedding one (503) from a broken one (502).
 */
import { isSimianError } from '../../core/errors.js';
import { UpstreamError } from './service-client.js';

/** Maps a failed upstream call to 404 (the upstream said so), 502, 503 or 504. */
export function upstreamStatus(error: unknown): 404 | 502 | 503 | 504 {
  if (error instanceof UpstreamError && error.status === 404) return 404;
  if (!isSimianError(error)) return 502;
  switch (error.code) {
    case 'resilience.timeout':
      return 504;
    case 'stack.noInstances':
    case 'resilience.circuitOpen':
    case 'resilience.retryBudgetExhausted':
    case 'resilience.bulkheadRejected':
      return 503;
    default:
      return 502;
  }
}
