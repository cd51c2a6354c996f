/**
 * @module
 * Playback: answers "play this title" with a manifest, the bitrate ladder from the catalog and the URL the player
 * streams segments from, steered to the nearest healthy edge that holds the title (Open Connect's steering, in
 * small).
 *
 * - `GET /manifest/:titleId?userId=` → {titleId, segments, segmentSeconds, ladder, edge, source}; 404 for a title
 *   the catalog does not know; 503 when neither an edge nor an origin can be named, or when the catalog is
 *   unreachable and the title was never seen. Segments are fetched from `${edge}/titles/:id/segments/:n?bitrate=`.
 *   `userId` is accepted for the gateway's sake; steering depends on the title and the zone only.
 *
 * Steering is a fallback chain: an edge in this zone → an edge in another zone → the origin.
 * - Candidates are the edges discovery lists, this zone's first, at most `maxCandidates`. Within a zone they are
 *   ordered by rendezvous hashing of (title, instance), so one title goes to the same edge of a zone every time
 *   and the zone's edges do not all cache the same titles. An edge that failed to answer lately goes last.
 * - Every candidate is asked `GET /holds/:titleId` at once, each under a short timeout: the answer costs one
 *   timeout at worst, not one per dead edge. The first candidate in order that holds the title wins; if none
 *   does, the first that answered (it will fill from the origin); if none answered, the origin (which serves the
 *   same path).
 * - `source` says which link of the chain answered: `edge` (an edge in this zone), `other-edge` (another zone),
 *   `origin`.
 *
 * The ladder comes from the catalog; when the catalog is down, from the last answer seen for that title (seeded
 * from the catalog's data, as recommendations seed their trending row), so playback outlives a catalog outage.
 *
 * Metrics (besides RED and the policies' `resilience_*`): `playback_manifests_total{source}`.
 */
import { createHash } from 'node:crypto';
import { Counter } from 'prom-client';
import type { Clock } from '../../core/clock.js';
import { SimianError } from '../../core/errors.js';
import { fallback } from '../../resilience/fallback.js';
import { timeout } from '../../resilience/timeout.js';
import { createHttpFetch } from '../service-kit/http-fetch.js';
import { createServiceApp, type ServiceApp } from '../service-kit/service-app.js';
import type { ServiceIdentity } from '../service-kit/identity.js';
import { NoInstancesError, ServiceClient, UpstreamError, type InstanceLookup } from '../service-kit/service-client.js';
import { generateTitles, type Rendition, type Title } from './catalog-data.js';
import { SEGMENT_SECONDS } from './segments.js';

/** Which link of the steering chain a manifest points to. */
export type ManifestSource = 'edge' | 'other-edge' | 'origin';

/** What `GET /manifest/:titleId` answers. */
export interface Manifest {
  readonly titleId: string;
  /** Segments in the title, numbered from 0. */
  readonly segments: number;
  /** Media length of one segment. */
  readonly segmentSeconds: number;
  /** Renditions from the lowest bitrate to the highest, as the catalog lists them. */
  readonly ladder: readonly Rendition[];
  /** Base URL to fetch segments from (an edge, or the origin). */
  readonly edge: string;
  readonly source: ManifestSource;
}

/** Options of {@link createPlaybackService}. */
export interface PlaybackServiceOptions {
  identity: ServiceIdentity;
  /** Where catalog, edge and origin instances are found. */
  discovery: InstanceLookup;
  clock?: Clock;
  fetch?: typeof fetch;
  /** Seeds the titles known when the catalog is unreachable. @default generateTitles(), the catalog's */
  titles?: readonly Title[];
  /** Time allowed per catalog attempt. @default 300 */
  catalogTimeoutMs?: number;
  /** Time an edge has to answer `/holds`. @default 150 */
  holdsTimeoutMs?: number;
  /** Edges asked per manifest. @default 3 */
  maxCandidates?: number;
  /** How long an edge that did not answer is asked last. @default 5_000 */
  ejectMs?: number;
}

/** No candidate edge answered `/holds` in time. */
export class NoEdgeAnsweredError extends SimianError {
  constructor(readonly asked: number) {
    super('stack.noEdgeAnswered', `none of the ${asked} edges asked answered in time`);
  }
}

type Candidate = { readonly instanceId: string; readonly address: string; readonly zone: string };
type Steering = { readonly edge: string; readonly source: ManifestSource };
type CatalogAnswer = { readonly kind: 'found'; readonly title: Title } | { readonly kind: 'unknown' } | { readonly kind: 'unavailable' };

const SOURCES: readonly ManifestSource[] = ['edge', 'other-edge', 'origin'];

/** A base URL without a trailing slash, so `${edge}/titles/...` is a clean path. */
const baseUrl = (address: string): string => address.replace(/\/+$/, '');

/** Rendezvous (highest random weight) hashing: a stable, evenly spread order of instances per title. */
function weight(titleId: string, instanceId: string): number {
  return createHash('sha256').update(`${titleId}\n${instanceId}`).digest().readUInt32BE(0);
}

function byWeight(titleId: string, candidates: readonly Candidate[]): Candidate[] {
  return candidates
    .map((candidate) => ({ candidate, weight: weight(titleId, candidate.instanceId) }))
    .sort((a, b) => b.weight - a.weight)
    .map((c) => c.candidate);
}

/**
 * Builds the playback service app.
 *
 * @example
 * const { app } = createPlaybackService({ identity, discovery: discoveryClient });
 * const manifest = await (await app.request('/manifest/t001?userId=viewer-1')).json(); // {edge, source: 'edge', ...}
 */
export function createPlaybackService(options: PlaybackServiceOptions): ServiceApp {
  const zone = options.identity.zone;
  // node:http with kept-alive sockets, as the service clients: Node's fetch costs more per call and per process.
  const fetchFn = options.fetch ?? createHttpFetch();
  const maxCandidates = options.maxCandidates ?? 3;
  if (!Number.isInteger(maxCandidates) || maxCandidates < 1) {
    throw new TypeError(`playback: maxCandidates must be an integer >= 1, got ${maxCandidates}`);
  }
  const ejectMs = options.ejectMs ?? 5_000;
  const known = new Map((options.titles ?? generateTitles()).map((t) => [t.id, t]));

  return createServiceApp({
    identity: options.identity,
    ...(options.clock ? { clock: options.clock } : {}),
    routes: (app, context) => {
      const { clock, registry } = context;
      const common = { clock, metrics: registry };
      const manifests = new Counter({
        name: 'playback_manifests_total',
        help: 'Manifests answered, by the link of the steering chain they point to.',
        labelNames: ['source'],
        registers: [registry],
      });
      for (const source of SOURCES) manifests.labels({ source }).inc(0);

      const catalog = new ServiceClient({
        target: 'catalog',
        zone,
        discovery: options.discovery,
        clock,
        metrics: registry,
        timeoutMs: options.catalogTimeoutMs ?? 300,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
      // A failed catalog call is not a failed play: the ladder of a title does not change between calls.
      const catalogLookup = fallback<CatalogAnswer>({ ...common, name: 'playback-catalog', value: { kind: 'unavailable' } });
      const holdsLimit = timeout({ ...common, name: 'edge-holds', ms: options.holdsTimeoutMs ?? 150 });
      // The last link of the chain: the origin serves the same segment path as the edges.
      const steering = fallback<Steering>({ ...common, name: 'playback-steering', fn: () => toOrigin() });
      const ejectedUntil = new Map<string, number>();

      const lookupTitle = async (titleId: string, signal: AbortSignal): Promise<CatalogAnswer> => {
        const response = await catalog.request(`/titles/${encodeURIComponent(titleId)}`, { signal });
        if (response.status === 404) {
          await response.body?.cancel();
          return { kind: 'unknown' };
        }
        if (!response.ok) {
          await response.body?.cancel();
          throw new UpstreamError('catalog', response.status, 'client-error');
        }
        const title = (await response.json()) as Title;
        known.set(titleId, title);
        return { kind: 'found', title };
      };

      /** This zone's edges, then the others; within each, by rendezvous weight; edges that failed lately last. */
      const candidatesFor = (titleId: string): Candidate[] => {
        const all = options.discovery.lookup('edge', zone);
        const ordered = [...byWeight(titleId, all.filter((e) => e.zone === zone)), ...byWeight(titleId, all.filter((e) => e.zone !== zone))];
        const now = clock.monotonic();
        const ejected = (e: Candidate): boolean => (ejectedUntil.get(e.instanceId) ?? 0) > now;
        return [...ordered.filter((e) => !ejected(e)), ...ordered.filter(ejected)].slice(0, maxCandidates);
      };

      const askHolds = async (edge: Candidate, titleId: string, signal: AbortSignal): Promise<boolean> => {
        const response = await fetchFn(new URL(`/holds/${encodeURIComponent(titleId)}`, edge.address), { signal });
        // A 404 is an answer (the edge does not know the title), not a sign of an unhealthy edge.
        if (response.status === 404) {
          await response.body?.cancel();
          return false;
        }
        if (!response.ok) {
          await response.body?.cancel();
          throw new UpstreamError('edge', response.status, edge.instanceId);
        }
        return ((await response.json()) as { holds?: unknown }).holds === true;
      };

      const toEdge = (edge: Candidate): Steering => ({ edge: baseUrl(edge.address), source: edge.zone === zone ? 'edge' : 'other-edge' });

      const toOrigin = (): Steering => {
        const origin = options.discovery.lookup('origin', zone)[0];
        if (!origin) throw new NoInstancesError('origin');
        return { edge: baseUrl(origin.address), source: 'origin' };
      };

      const steerToEdge = async (titleId: string, signal: AbortSignal): Promise<Steering> => {
        const candidates = candidatesFor(titleId);
        if (candidates.length === 0) throw new NoInstancesError('edge');
        // Ends the probes still running once the choice is made: their answers no longer matter.
        const decided = new AbortController();
        const probeSignal = AbortSignal.any([signal, decided.signal]);
        const probes = candidates.map((edge) =>
          holdsLimit.execute(({ signal: attempt }) => askHolds(edge, titleId, attempt), { signal: probeSignal }).then(
            (holds) => ({ answered: true, holds }),
            () => {
              if (!probeSignal.aborted) ejectedUntil.set(edge.instanceId, clock.monotonic() + ejectMs);
              return { answered: false, holds: false };
            },
          ),
        );
        try {
          let firstAnswered: Candidate | undefined;
          for (const [i, edge] of candidates.entries()) {
            const probe = await probes[i]!;
            if (!probe.answered) continue;
            if (probe.holds) return toEdge(edge);
            firstAnswered ??= edge;
          }
          if (firstAnswered) return toEdge(firstAnswered);
          throw new NoEdgeAnsweredError(candidates.length);
        } finally {
          decided.abort();
        }
      };

      app.get('/manifest/:titleId', async (c) => {
        const titleId = c.req.param('titleId');
        const caller = c.req.raw.signal;
        const answer = await catalogLookup.execute(({ signal }) => lookupTitle(titleId, signal), { signal: caller });
        if (answer.kind === 'unknown') return c.json({ error: `no title ${titleId}` }, 404);
        const title = answer.kind === 'found' ? answer.title : known.get(titleId);
        if (!title) return c.json({ error: `the catalog is unreachable and title ${titleId} was never seen` }, 503);
        let steered: Steering;
        try {
          steered = await steering.execute(({ signal }) => steerToEdge(titleId, signal), { signal: caller });
        } catch (error) {
          return c.json({ error: `no edge or origin to stream ${titleId} from: ${error instanceof Error ? error.message : String(error)}` }, 503);
        }
        manifests.labels({ source: steered.source }).inc();
        const manifest: Manifest = {
          titleId,
          segments: title.segments,
          segmentSeconds: SEGMENT_SECONDS,
          ladder: title.ladder,
          edge: steered.edge,
          source: steered.source,
        };
        return c.json(manifest);
      });
    },
  });
}
