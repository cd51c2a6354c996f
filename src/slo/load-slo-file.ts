/**
 * @module
 * Reading an SLO file, whichever format it is in: sloth's `prometheus/v1` (a document with `version:`) or OpenSLO
 * `openslo/v1` (documents with `apiVersion:`). A file may hold several `---` separated documents; sloth documents
 * each give one spec, and the OpenSLO documents together give one spec per service. Every problem in the file is
 * reported at once, as `file:line: dotted.field: message`.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isScalar } from 'yaml';
import { InvalidInputError } from '../core/errors.js';
import { yamlProblem, type LocatedYaml, type YamlProblem } from '../core/yaml-errors.js';
import { openSloFromDocuments, parseLocatedYamlDocuments } from './openslo-import.js';
import type { SloSpec } from './slo-spec.js';
import { SLO_INVALID, SLOTH_SPEC_VERSION, sloProblemsError, slothSpecFromDocument } from './sloth-spec.js';

/** The format of one document of an SLO file. */
export type SloDocumentFormat = 'sloth' | 'openslo';

/** The format of a parsed document, by its top-level keys: `version` is sloth's, `apiVersion` OpenSLO's. */
export function sloDocumentFormat(yaml: LocatedYaml): SloDocumentFormat | undefined {
  const contents = yaml.document.contents;
  if (!isMap(contents)) return undefined;
  const keys = contents.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : ''));
  if (keys.includes('version')) return 'sloth';
  if (keys.includes('apiVersion')) return 'openslo';
  return undefined;
}

/**
 * Parses the text of an SLO file in either format.
 *
 * @throws InvalidInputError `slo.invalid` listing every problem as `file:line: dotted.field: message`
 * @example
 * const specs = parseSloFile(text, 'dashboards/slos/reference-stack.yaml');
 * specs[0]?.slos.map((slo) => slo.name); // ['gateway-availability', …]
 */
export function parseSloFile(text: string, fileName: string): SloSpec[] {
  const { documents, problems } = parseLocatedYamlDocuments(text, fileName);
  if (problems.length > 0) throw sloProblemsError(problems);
  if (documents.length === 0) {
    throw sloProblemsError([{ line: 1, text: `${fileName}:1: empty file: expected a sloth spec (version: ${SLOTH_SPEC_VERSION}) or OpenSLO documents` }]);
  }
  const found: YamlProblem[] = [];
  const specs: SloSpec[] = [];
  const openSlo: LocatedYaml[] = [];
  for (const yaml of documents) {
    const format = sloDocumentFormat(yaml);
    if (format === 'sloth') {
      const result = slothSpecFromDocument(yaml);
      if (result.spec === undefined) found.push(...result.problems);
      else specs.push(result.spec);
    } else if (format === 'openslo') {
      openSlo.push(yaml);
    } else {
      found.push(yamlProblem(yaml, [], `expected a sloth spec (version: ${SLOTH_SPEC_VERSION}, service, slos) or an OpenSLO document (apiVersion: openslo/v1, kind, metadata, spec)`));
    }
  }
  if (openSlo.length > 0) {
    const result = openSloFromDocuments(openSlo);
    found.push(...result.problems);
    specs.push(...result.specs);
    if (result.problems.length === 0 && result.specs.length === 0) {
      found.push(yamlProblem(openSlo[0]!, [], 'no OpenSLO document of kind SLO found'));
    }
  }
  if (found.length > 0) throw sloProblemsError(found);
  const services = new Set<string>();
  for (const spec of specs) {
    // Two specs of one service would generate rule groups with the same names.
    if (services.has(spec.service)) throw new InvalidInputError(SLO_INVALID, `${fileName}: service "${spec.service}" is described twice; put its SLOs in one spec`);
    services.add(spec.service);
  }
  return specs;
}

/**
 * Reads and parses an SLO file. `label` starts every message (the path as the user wrote it).
 *
 * @throws InvalidInputError `slo.notFound` if the file cannot be read, `slo.invalid` if it is not valid
 */
export async function loadSloFile(path: string, label: string = path): Promise<SloSpec[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new InvalidInputError('slo.notFound', `SLO file ${label}: ${reason}`, { cause: error });
  }
  return parseSloFile(text, label);
}
