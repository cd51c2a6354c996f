/**
 * @module
 * What a video segment is in the reference stack: its address (title, index, bitrate), its synthetic payload and
 * the checksum that travels with it. The origin produces segments, edges cache them; both validate an address the
 * same way, against the same catalog data, so an edge refuses a bad address without bothering the origin.
 *
 * Payloads are synthetic and deterministic: the bytes depend only on the address, so every origin instance (and
 * every test) serves identical bytes without shared storage, and a client can check what it got against the
 * `x-segment-sha256` header.
 *
 * Scale: a segment at `B` kbps is `B` bytes ({@link SEGMENT_BYTES_PER_KBPS}). A real 4 s segment at `B` kbps is
 * `B × 1000 × 4 / 8 = 500 × B` bytes, so payloads are 1/500 of real size: a 4K segment (15 600 kbps) is 15.6 kB
 * instead of 7.8 MB, which keeps loopback load tests light while the ladder keeps its real proportions.
 */
import { createHash } from 'node:crypto';
import { SeededRandom } from '../../core/random.js';
import type { Title } from './catalog-data.js';

/** Media length of one segment, in seconds (the catalog counts titles in segments of this length). */
export const SEGMENT_SECONDS = 4;

/** Payload bytes per kbps of bitrate, per segment: 1/500 of real size (see the module comment). */
export const SEGMENT_BYTES_PER_KBPS = 1;

/** Response header naming the segment a body is: `titleId/index/bitrateKbps`. */
export const SEGMENT_ID_HEADER = 'x-segment-id';

/** Response header carrying the SHA-256 of the body, in hex. */
export const SEGMENT_SHA256_HEADER = 'x-segment-sha256';

/** The address of one segment. */
export interface SegmentKey {
  readonly titleId: string;
  /** 0-based position in the title. */
  readonly index: number;
  /** A rung of the title's ladder. */
  readonly bitrateKbps: number;
}

/** A segment's bytes with their checksum. */
export interface Segment {
  readonly key: SegmentKey;
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** SHA-256 of `bytes`, hex. */
  readonly sha256: string;
}

/** The outcome of {@link resolveSegment}: an address, or the HTTP status and message to refuse it with. */
export type SegmentLookup =
  | { readonly ok: true; readonly key: SegmentKey; readonly title: Title }
  | { readonly ok: false; readonly status: 400 | 404; readonly error: string };

/**
 * The identity of a segment, as sent in {@link SEGMENT_ID_HEADER} and used as a cache key.
 *
 * @example
 * segmentId({ titleId: 't001', index: 3, bitrateKbps: 750 }); // 't001/3/750'
 */
export function segmentId(key: SegmentKey): string {
  return `${key.titleId}/${key.index}/${key.bitrateKbps}`;
}

/** The path that serves a segment, on the origin and on every edge. */
export function segmentPath(key: SegmentKey): string {
  return `/titles/${encodeURIComponent(key.titleId)}/segments/${key.index}?bitrate=${key.bitrateKbps}`;
}

/** Payload size of a segment at `bitrateKbps`, in bytes. */
export function segmentSize(bitrateKbps: number): number {
  return bitrateKbps * SEGMENT_BYTES_PER_KBPS;
}

/** SHA-256 of `bytes`, hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Builds the payload of a segment: the same bytes for the same address, on every machine.
 *
 * @example
 * const a = makeSegment({ titleId: 't001', index: 0, bitrateKbps: 235 });
 * a.bytes.length; // 235
 */
export function makeSegment(key: SegmentKey): Segment {
  // Seeded from a hash of the address rather than the address's fields, so neighbouring segments share nothing.
  const seed = createHash('sha256').update(segmentId(key)).digest().readUInt32BE(0);
  const random = new SeededRandom(seed);
  const bytes = new Uint8Array(segmentSize(key.bitrateKbps));
  for (let i = 0; i < bytes.length; i += 4) {
    // next() is a 32-bit integer divided by 2^32: multiplying back gives all 32 bits, four bytes per draw.
    const word = (random.next() * 4_294_967_296) >>> 0;
    for (let b = 0; b < 4 && i + b < bytes.length; b++) bytes[i + b] = (word >>> (8 * b)) & 0xff;
  }
  return { key, bytes, sha256: sha256Hex(bytes) };
}

/** The headers that identify a segment response, so the receiver can verify it got what it asked for. */
export function segmentHeaders(segment: Segment): Record<string, string> {
  return {
    'content-type': 'application/octet-stream',
    [SEGMENT_ID_HEADER]: segmentId(segment.key),
    [SEGMENT_SHA256_HEADER]: segment.sha256,
  };
}

/** Whether `bytes` received with `headers` are the segment `key`, whole and unaltered. */
export function verifySegment(key: SegmentKey, bytes: Uint8Array, headers: Headers): boolean {
  return (
    headers.get(SEGMENT_ID_HEADER) === segmentId(key) &&
    bytes.length === segmentSize(key.bitrateKbps) &&
    headers.get(SEGMENT_SHA256_HEADER) === sha256Hex(bytes)
  );
}

/**
 * Checks a segment request (`:id`, `:n`, `?bitrate=`) against the catalog's titles: 400 for a malformed segment
 * number or bitrate, 404 for an unknown title, a segment past its end, or a bitrate not on its ladder.
 *
 * @example
 * const found = resolveSegment(titlesById, 't001', '3', '750');
 * if (!found.ok) return c.json({ error: found.error }, found.status);
 */
export function resolveSegment(
  titles: ReadonlyMap<string, Title>,
  titleId: string,
  index: string,
  bitrate: string | undefined,
): SegmentLookup {
  if (!/^\d{1,6}$/.test(index)) return { ok: false, status: 400, error: `n: expected a segment number (0, 1, …), got "${index}"` };
  if (bitrate === undefined || !/^\d{1,6}$/.test(bitrate)) {
    return { ok: false, status: 400, error: `bitrate: expected a bitrate in kbps from the title's ladder, got "${bitrate ?? ''}"` };
  }
  const title = titles.get(titleId);
  if (!title) return { ok: false, status: 404, error: `no title ${titleId}` };
  const n = Number(index);
  if (n >= title.segments) return { ok: false, status: 404, error: `${titleId} has ${title.segments} segments (0 to ${title.segments - 1}), not ${n}` };
  const kbps = Number(bitrate);
  if (!title.ladder.some((r) => r.bitrateKbps === kbps)) {
    const ladder = title.ladder.map((r) => r.bitrateKbps).join(', ');
    return { ok: false, status: 404, error: `${titleId} has no ${kbps} kbps rendition; its ladder is ${ladder}` };
  }
  return { ok: true, key: { titleId, index: n, bitrateKbps: kbps }, title };
}
