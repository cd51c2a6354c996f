/**
 * @module
 * The origin: the source of truth for video segments that edges fill from, and the last link of playback's
 * fallback chain (edge → another edge → origin), so it serves viewers on the same path edges do.
 *
 * - `GET /titles/:id/segments/:n?bitrate=KBPS` → the segment's bytes (`application/octet-stream`), with
 *   `x-segment-id: <id>/<n>/<kbps>` and `x-segment-sha256: <hex>` so the receiver can verify them;
 *   400 for a malformed `n` or `bitrate`, 404 for an unknown title, a segment past the title's count, or a
 *   bitrate not on its ladder.
 *
 * `n` counts from 0. Payloads are synthetic, deterministic and scaled down to `bitrateKbps` bytes per segment
 * (1/500 of real size), see segments.ts.
 */
import type { Clock } from '../../core/clock.js';
import { createServiceApp, type ServiceApp } from '../service-kit/service-app.js';
import type { ServiceIdentity } from '../service-kit/identity.js';
import { generateTitles, type Title } from './catalog-data.js';
import { makeSegment, resolveSegment, segmentHeaders } from './segments.js';

/** Options of {@link createOriginService}. */
export interface OriginServiceOptions {
  identity: ServiceIdentity;
  clock?: Clock;
  /** The titles it stores. @default generateTitles(), the catalog's */
  titles?: readonly Title[];
}

/**
 * Builds the origin service app.
 *
 * @example
 * const { app } = createOriginService({ identity });
 * const response = await app.request('/titles/t001/segments/0?bitrate=235'); // 235 bytes
 */
export function createOriginService(options: OriginServiceOptions): ServiceApp {
  const titles = new Map((options.titles ?? generateTitles()).map((t) => [t.id, t]));
  return createServiceApp({
    identity: options.identity,
    ...(options.clock ? { clock: options.clock } : {}),
    routes: (app) => {
      app.get('/titles/:id/segments/:n', (c) => {
        const found = resolveSegment(titles, c.req.param('id'), c.req.param('n'), c.req.query('bitrate'));
        if (!found.ok) return c.json({ error: found.error }, found.status);
        // Generated per request rather than stored: it costs microseconds at the scaled-down sizes, and the origin
        // stays stateless, so a replacement instance serves from its first request.
        const segment = makeSegment(found.key);
        return c.body(segment.bytes, 200, segmentHeaders(segment));
      });
    },
  });
}
