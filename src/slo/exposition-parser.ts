/**
 * @module
 * A parser for the Prometheus text exposition format (version 0.0.4), which every target's `GET /metrics` speaks
 * (prom-client writes it; prom-client has no parser of its own). It reads what the direct-scrape SLI source needs:
 * sample names, labels, values and the `# TYPE` of each family. OpenMetrics-only syntax (exemplars, `# EOF`) is
 * tolerated, not interpreted.
 */
import { SimianError } from '../core/errors.js';

/** A metric family's type as `# TYPE` declares it; `untyped` when it does not. */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** One sample line: `name{labels} value [timestamp]`. */
export interface ExpositionSample {
  /** The sample's own name: `http_request_duration_seconds_bucket` within the `http_request_duration_seconds` family. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** May be NaN or ±Infinity, as the format allows. */
  readonly value: number;
  /** The optional explicit timestamp, epoch milliseconds. */
  readonly timestampMs?: number;
  /** The type of the family the sample belongs to. */
  readonly type: MetricType;
}

const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
/** Suffixes by which a sample belongs to a histogram or summary family declared under the base name. */
const FAMILY_SUFFIXES = ['_bucket', '_count', '_sum', '_created', '_total', '_gcount', '_gsum'];

/**
 * Parses an exposition into its samples, in order. A malformed line throws a `scrape.badExposition` error naming
 * the line number, since a half-read scrape would silently undercount.
 *
 * @example
 * parseExposition('# TYPE x_total counter\nx_total{code="500"} 3\n');
 * // [{ name: 'x_total', labels: { code: '500' }, value: 3, type: 'counter' }]
 */
export function parseExposition(text: string): ExpositionSample[] {
  const types = new Map<string, MetricType>();
  const samples: ExpositionSample[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const match = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (match && TYPES.has(match[2] as MetricType)) types.set(match[1]!, match[2] as MetricType);
      continue;
    }
    try {
      const sample = parseSampleLine(line);
      samples.push({ ...sample, type: typeOf(sample.name, types) });
    } catch (error) {
      throw new SimianError('scrape.badExposition', `line ${index + 1}: ${(error as Error).message}: ${line.slice(0, 120)}`, { cause: error });
    }
  }
  return samples;
}

function typeOf(name: string, types: ReadonlyMap<string, MetricType>): MetricType {
  const direct = types.get(name);
  if (direct) return direct;
  for (const suffix of FAMILY_SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    const family = types.get(name.slice(0, -suffix.length));
    if (family) return family;
  }
  return 'untyped';
}

/** Parses `name{a="x",b="y"} value [timestamp]`. */
function parseSampleLine(line: string): Omit<ExpositionSample, 'type'> {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new Error('expected a metric name');
  const name = nameMatch[0];
  let position = name.length;
  while (line[position] === ' ' || line[position] === '\t') position++;
  const labels: Record<string, string> = {};
  if (line[position] === '{') {
    position = parseLabels(line, position + 1, labels);
  }
  // Exemplars (OpenMetrics) follow a '#': they are not part of the value.
  const rest = line.slice(position).split('#')[0]!.trim().split(/\s+/);
  if (rest.length < 1 || rest[0] === '') throw new Error('expected a value');
  const value = parseValue(rest[0]!);
  if (rest.length > 2) throw new Error('unexpected text after the timestamp');
  if (rest[1] !== undefined) {
    const timestampMs = Number(rest[1]);
    if (!Number.isFinite(timestampMs)) throw new Error(`bad timestamp "${rest[1]}"`);
    return { name, labels, value, timestampMs };
  }
  return { name, labels, value };
}

/** Reads labels from just after `{` up to the closing `}`; returns the index after it. */
function parseLabels(line: string, start: number, into: Record<string, string>): number {
  let position = start;
  for (;;) {
    while (line[position] === ' ' || line[position] === '\t') position++;
    if (line[position] === '}') return position + 1;
    const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(position));
    if (!nameMatch) throw new Error('expected a label name');
    position += nameMatch[0].length;
    while (line[position] === ' ') position++;
    if (line[position] !== '=') throw new Error(`expected "=" after label ${nameMatch[0]}`);
    position++;
    while (line[position] === ' ') position++;
    if (line[position] !== '"') throw new Error(`expected a quoted value for label ${nameMatch[0]}`);
    position++;
    let value = '';
    for (;;) {
      const char = line[position];
      if (char === undefined) throw new Error('unterminated label value');
      position++;
      if (char === '"') break;
      if (char === '\\') {
        const escaped = line[position++];
        value += escaped === 'n' ? '\n' : escaped === '\\' ? '\\' : escaped === '"' ? '"' : `\\${escaped ?? ''}`;
      } else {
        value += char;
      }
    }
    into[nameMatch[0]] = value;
    while (line[position] === ' ') position++;
    if (line[position] === ',') position++;
    else if (line[position] !== '}') throw new Error('expected "," or "}" after a label');
  }
}

/** Parses a sample value, including the format's `NaN`, `+Inf` and `-Inf`. */
function parseValue(text: string): number {
  switch (text) {
    case 'NaN':
      return Number.NaN;
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
  }
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`bad value "${text}"`);
  return value;
}
