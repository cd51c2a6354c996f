/**
 * @module
 * Loading a topology: a built-in one by name, or a YAML file. Bad input never gets as far as starting a process:
 * it becomes an {@link InvalidInputError} (exit code 2) whose message names the file, the line and the field,
 * one line per problem, e.g. `topology.yaml:7: services.catalog.instancesPerZone: expected an integer >= 0`.
 * The format itself is documented in `topology-schema.ts`.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { InvalidInputError } from '../../core/errors.js';
import { BUILT_IN_TOPOLOGIES, BUILT_IN_TOPOLOGY_NAMES, isBuiltInTopologyName } from './built-in-topologies.js';
import { topologySchema, TOPOLOGY_SERVICES, type Topology } from './topology-schema.js';

/** The code of the error thrown for a topology that does not parse or validate. */
export const TOPOLOGY_INVALID = 'topology.invalid';
/** The code of the error thrown for a topology that is neither a built-in name nor a readable file. */
export const TOPOLOGY_NOT_FOUND = 'topology.notFound';

/**
 * Loads a topology: `small` or `default` name a built-in one, anything else is a path to a YAML file.
 *
 * @throws InvalidInputError (`topology.notFound`, `topology.invalid`) with every problem, each with file and line
 * @example
 * const topology = await loadTopology('small');
 * const custom = await loadTopology('stacks/two-zones.yaml');
 */
export async function loadTopology(nameOrPath: string): Promise<Topology> {
  if (isBuiltInTopologyName(nameOrPath)) return parseTopology(BUILT_IN_TOPOLOGIES[nameOrPath], nameOrPath);
  let text: string;
  try {
    text = await readFile(nameOrPath, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new InvalidInputError(
      TOPOLOGY_NOT_FOUND,
      `topology "${nameOrPath}": ${reason}, and not a built-in topology (${BUILT_IN_TOPOLOGY_NAMES.join(', ')})`,
      { cause: error },
    );
  }
  return parseTopology(text, nameOrPath);
}

/**
 * Parses and validates a topology document. `fileName` only labels the messages.
 *
 * @throws InvalidInputError (`topology.invalid`) listing every problem as `file:line: field: message`
 */
export function parseTopology(text: string, fileName: string): Topology {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => {
      const line = error.linePos?.[0].line ?? 1;
      // yaml appends " at line L, column C:" and a code frame; the prefix already says where.
      const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
      return { line, text: `${fileName}:${line}: invalid YAML: ${message}` };
    });
    throw invalid(problems);
  }
  const parsed = topologySchema.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  throw invalid(parsed.error.issues.flatMap((issue) => describeIssue(issue, doc, lineCounter, fileName)));
}

function invalid(problems: Array<{ line: number; text: string }>): InvalidInputError {
  const lines = problems.sort((a, b) => a.line - b.line).map((p) => p.text);
  return new InvalidInputError(TOPOLOGY_INVALID, lines.join('\n'));
}

type Issue = z.core.$ZodIssue;
type PathSegment = PropertyKey;

function describeIssue(issue: Issue, doc: Document, lines: LineCounter, fileName: string) {
  // An unknown key is reported on its parent object; name (and point at) each key instead.
  const entries: Array<{ path: readonly PathSegment[]; message: string }> =
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key], message: unknownKeyMessage(issue.path, key) }))
      : [{ path: issue.path, message: issue.message }];
  return entries.map(({ path, message }) => {
    const line = lines.linePos(offsetOf(doc, path)).line;
    const field = formatPath(path);
    return { line, text: `${fileName}:${line}: ${field ? `${field}: ` : ''}${message}` };
  });
}

function unknownKeyMessage(parent: readonly PathSegment[], key: string): string {
  if (parent.length === 1 && parent[0] === 'services') {
    return `unknown service "${key}"; expected one of ${TOPOLOGY_SERVICES.join(', ')}`;
  }
  return `unknown field "${key}"`;
}

/** `regions[0].zones[1]`, `services.catalog.instancesPerZone`. */
function formatPath(path: readonly PathSegment[]): string {
  return path
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`))
    .join('');
}

/**
 * Where in the text `path` is: the key of the last mapping entry on the way (its value may start on a later line,
 * or be missing), or the sequence item. A path that does not exist (a missing field) points at its deepest
 * existing parent.
 */
function offsetOf(doc: Document, path: readonly PathSegment[]): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (node === undefined) break;
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range = (node as { range?: readonly number[] | null }).range;
  return range?.[0];
}
