/**
 * @module
 * Loading an experiment file: YAML (or JSON, which is YAML) in, an {@link Experiment} out, or an
 * {@link InvalidInputError} `experiment.invalid` whose message lists every problem as `file:line: field: message`.
 * Nothing is run, nothing is contacted: a bad file never gets as far as a fault.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidInputError } from '../core/errors.js';
import { lineOfPath, parseLocatedYaml, yamlProblemsError, zodIssueProblems, type YamlPathSegment } from '../core/yaml-errors.js';
import type { Experiment } from './experiment.js';
import { experimentSchema } from './experiment-schema.js';

/** The code of every problem with an experiment file: syntax, shape, references. */
export const EXPERIMENT_INVALID = 'experiment.invalid';
/** The code of the error for an experiment file that cannot be read. */
export const EXPERIMENT_NOT_FOUND = 'experiment.notFound';

function unknownKeyMessage(parent: readonly YamlPathSegment[], key: string): string {
  if (key === 'parallel' && parent.includes('parallel')) return 'parallel steps do not nest';
  return `unknown field "${key}"`;
}

/**
 * Parses and validates an experiment document. `fileName` labels the messages; relative paths in the experiment
 * (SLO files, processes) resolve against `baseDir`.
 *
 * @throws InvalidInputError `experiment.invalid`, one line per problem
 * @example
 * const experiment = parseExperiment(text, 'experiments/zone-outage.yaml', 'experiments');
 */
export function parseExperiment(text: string, fileName: string, baseDir: string): Experiment {
  const { yaml, problems } = parseLocatedYaml(text, fileName);
  if (problems.length > 0) throw yamlProblemsError(EXPERIMENT_INVALID, problems);
  const parsed = experimentSchema.safeParse(yaml.document.toJS());
  if (!parsed.success) throw yamlProblemsError(EXPERIMENT_INVALID, zodIssueProblems(yaml, parsed.error.issues, unknownKeyMessage));
  return { ...parsed.data, source: { file: fileName, baseDir, lineOf: (path) => lineOfPath(yaml, path) } };
}

/**
 * Reads an experiment file (ours or one to import) as text.
 *
 * @throws InvalidInputError `experiment.notFound`, naming the file and why it cannot be read
 */
export async function readExperimentFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new InvalidInputError(EXPERIMENT_NOT_FOUND, `experiment ${path}: ${reason}`, { cause: error });
  }
}

/**
 * Reads and validates an experiment file.
 *
 * @throws InvalidInputError `experiment.notFound` or `experiment.invalid`
 */
export async function loadExperiment(path: string): Promise<Experiment> {
  return parseExperiment(await readExperimentFile(path), path, dirname(resolve(path)));
}

/**
 * An error about one field of an experiment, at its line when the experiment came from a file:
 * `file:line: field: message`.
 */
export function experimentProblem(experiment: Experiment, path: readonly PropertyKey[], message: string): string {
  const field = path
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`))
    .join('');
  const where = experiment.source ? `${experiment.source.file}:${experiment.source.lineOf(path)}: ` : '';
  return `${where}${field ? `${field}: ` : ''}${message}`;
}
