/**
 * @module
 * Loading a topology: a built-in one by name, or a YAML file. Bad input never gets as far as starting a process:
 * it becomes an {@link InvalidInputError} (exit code 2) whose message names the file, the line and the field,
 * one line per problem, e.g. `topology.yaml:7: services.catalog.instancesPerZone: expected an integer >= 0`.
 * The format itself is documented in `topology-schema.ts`.
 */
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../../core/errors.js';
import { parseLocatedYaml, yamlProblemsError, zodIssueProblems, type YamlPathSegment } from '../../core/yaml-errors.js';
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
  const { yaml, problems } = parseLocatedYaml(text, fileName);
  if (problems.length > 0) throw yamlProblemsError(TOPOLOGY_INVALID, problems);
  const parsed = topologySchema.safeParse(yaml.document.toJS());
  if (parsed.success) return parsed.data;
  throw yamlProblemsError(TOPOLOGY_INVALID, zodIssueProblems(yaml, parsed.error.issues, unknownKeyMessage));
}

function unknownKeyMessage(parent: readonly YamlPathSegment[], key: string): string {
  if (parent.length === 1 && parent[0] === 'services') {
    return `unknown service "${key}"; expected one of ${TOPOLOGY_SERVICES.join(', ')}`;
  }
  return `unknown field "${key}"`;
}
