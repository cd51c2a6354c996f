/**
 * @module
 * Turning a YAML file's problems into messages a person can act on: `file:line: field: message`, one line per
 * problem, sorted by line. Syntax errors come from the `yaml` parser; shape errors come from a zod schema, and
 * are located by walking the parsed document along the issue's path. Used by every loader of a YAML file
 * (topologies, `simian.yaml`) so they all report problems the same way.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { InvalidInputError } from './errors.js';

/** One problem in a YAML file: the line it is on, and the full message (`file:line: field: message`). */
export interface YamlProblem {
  readonly line: number;
  readonly text: string;
}

/** A parsed YAML document that still knows where each of its nodes came from. */
export interface LocatedYaml {
  readonly document: Document;
  readonly lineCounter: LineCounter;
  /** The name the messages start with (a path, or a label such as `simian.yaml`). */
  readonly fileName: string;
}

/** A segment of a path into a document: a mapping key or a sequence index. */
export type YamlPathSegment = PropertyKey;

/**
 * Parses `text`, keeping the line of every node, and lists its syntax errors (duplicate keys included).
 *
 * @example
 * const { yaml, problems } = parseLocatedYaml(text, 'stack.yaml');
 * if (problems.length > 0) throw yamlProblemsError('topology.invalid', problems);
 * const value: unknown = yaml.document.toJS();
 */
export function parseLocatedYaml(text: string, fileName: string): { yaml: LocatedYaml; problems: YamlProblem[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const problems = document.errors.map((error) => {
    const line = error.linePos?.[0].line ?? 1;
    // yaml appends " at line L, column C:" and a code frame; the prefix already says where.
    const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
    return { line, text: `${fileName}:${line}: invalid YAML: ${message}` };
  });
  return { yaml: { document, lineCounter, fileName }, problems };
}

/** How an unknown mapping key is described; `parent` is the path of the mapping that holds it. */
export type UnknownKeyMessage = (parent: readonly YamlPathSegment[], key: string) => string;

const defaultUnknownKeyMessage: UnknownKeyMessage = (_parent, key) => `unknown field "${key}"`;

/**
 * One problem per zod issue, each at the line of the field it is about. An unknown key is reported on its own
 * line and by its own path rather than on its parent mapping, so a typo is named where it is.
 */
export function zodIssueProblems(
  yaml: LocatedYaml,
  issues: readonly z.core.$ZodIssue[],
  unknownKeyMessage: UnknownKeyMessage = defaultUnknownKeyMessage,
): YamlProblem[] {
  return issues.flatMap((issue) => {
    const entries: Array<{ path: readonly YamlPathSegment[]; message: string }> =
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: [...issue.path, key], message: unknownKeyMessage(issue.path, key) }))
        : [{ path: issue.path, message: issue.message }];
    return entries.map(({ path, message }) => yamlProblem(yaml, path, message));
  });
}

/** A problem about the field at `path` (or its deepest existing parent), at that field's line. */
export function yamlProblem(yaml: LocatedYaml, path: readonly YamlPathSegment[], message: string): YamlProblem {
  const line = lineOfPath(yaml, path);
  const field = formatYamlPath(path);
  return { line, text: `${yaml.fileName}:${line}: ${field ? `${field}: ` : ''}${message}` };
}

/** The error for a list of problems: one line each, sorted by line. */
export function yamlProblemsError(code: string, problems: readonly YamlProblem[]): InvalidInputError {
  const lines = [...problems].sort((a, b) => a.line - b.line).map((p) => p.text);
  return new InvalidInputError(code, lines.join('\n'));
}

/** `regions[0].zones[1]`, `services.catalog.instancesPerZone`. */
export function formatYamlPath(path: readonly YamlPathSegment[]): string {
  return path
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`))
    .join('');
}

/**
 * The 1-based line of `path`: the key of the last mapping entry on the way (its value may start on a later line,
 * or be missing), or the sequence item. A path that does not exist (a missing field) points at its deepest
 * existing parent.
 */
export function lineOfPath(yaml: LocatedYaml, path: readonly YamlPathSegment[]): number {
  return yaml.lineCounter.linePos(offsetOf(yaml.document, path)).line;
}

function offsetOf(doc: Document, path: readonly YamlPathSegment[]): number {
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
