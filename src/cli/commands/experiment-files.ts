/**
 * @module
 * `simian experiment validate` and `simian experiment import`: check experiment files without running them, listing
 * every call and command each will make; convert Chaos Toolkit experiments.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { listActivities, type ListedActivity } from '../../runner/activity-list.js';
import { importChaosToolkitFile } from '../../runner/chaos-toolkit-import.js';
import { methodActions, type LoadSpec } from '../../runner/experiment.js';
import { loadExperiment, parseExperiment } from '../../runner/load-experiment.js';
import { resolveSlos } from '../../runner/prepare.js';
import { describeLoad } from '../../runner/viewers.js';
import { loadSloFile } from '../../slo/load-slo-file.js';
import type { CommandDeps } from '../command-deps.js';

/** What `experiment validate --json` prints for one file. */
export interface ValidatedFile {
  readonly file: string;
  readonly ok: boolean;
  readonly problem?: string;
  /** Every HTTP call and process the file will make, and where. */
  readonly activities?: readonly ListedActivity[];
  /** The viewers the run drives itself (the file's `load`), when it declares them. */
  readonly load?: LoadSpec;
}

async function validate(deps: CommandDeps, files: readonly string[], flags: { json?: boolean }): Promise<void> {
  const problems: string[] = [];
  const results: ValidatedFile[] = [];
  for (const file of files) {
    try {
      const experiment = await loadExperiment(file);
      const { slos } = await resolveSlos(experiment, (path) => loadSloFile(path));
      const steps = methodActions(experiment);
      const { queries, probes } = experiment.steadyState;
      const activities = listActivities(experiment);
      results.push({ file, ok: true, activities, ...(experiment.load ? { load: experiment.load } : {}) });
      if (flags.json) continue;
      deps.writeOut(`${file}: ok (${steps.length} action(s), ${slos.length} SLO(s), ${queries.length + probes.length} other check(s), ${experiment.stopConditions.conditions.length} stop condition(s))\n`);
      // Nothing in a file runs unseen: every call and command it makes, before anyone runs it.
      for (const activity of activities) deps.writeOut(`  ${activity.kind === 'process' ? 'runs ' : 'calls'} ${activity.what.replace(/^(process|http) /, '')}  (${activity.where})\n`);
      // Traffic is something a file makes too: the viewers it plays through the front door while it runs.
      if (experiment.load) deps.writeOut(`  plays ${describeLoad(experiment.load)} through \${frontDoor}  (load)\n`);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      problems.push(error.message);
      results.push({ file, ok: false, problem: error.message });
    }
  }
  if (flags.json) deps.writeOut(`${JSON.stringify(results, null, 2)}\n`);
  if (problems.length > 0) throw new InvalidInputError('experiment.invalid', problems.join('\n'));
}

async function importFile(deps: CommandDeps, file: string, flags: { out?: string }): Promise<void> {
  const imported = await importChaosToolkitFile(file);
  for (const note of imported.notes) deps.writeErr(`simian: note: ${note}\n`);
  // An imported file may run commands (Chaos Toolkit's process provider): say which, before anyone runs it.
  for (const activity of listActivities(parseExperiment(imported.yaml, flags.out ?? file, imported.baseDir))) {
    if (activity.kind === 'process') deps.writeErr(`simian: note: the converted experiment runs ${activity.what.replace(/^process /, '')} (${activity.where})\n`);
  }
  if (flags.out) {
    await mkdir(dirname(resolve(flags.out)), { recursive: true });
    await writeFile(flags.out, imported.yaml);
    deps.writeErr(`simian: wrote ${flags.out}\n`);
  } else deps.writeOut(imported.yaml);
}

/** `experiment validate`. */
export function validateSubcommand(deps: CommandDeps): Command {
  return new Command('validate')
    .description('Check experiment files and the SLO files they name, and list every HTTP call and command each will run, without running anything; exit 2 if one is not valid')
    .argument('<files...>', 'experiment files (YAML)')
    .option('--json', 'print one result per file, with its activities, as JSON')
    .action((files: string[], flags: { json?: boolean }) => validate(deps, files, flags));
}

/** `experiment import`. */
export function importSubcommand(deps: CommandDeps): Command {
  return new Command('import')
    .description('Convert a Chaos Toolkit experiment (JSON or YAML) whose activities are http or process providers')
    .argument('<file>', 'the Chaos Toolkit experiment')
    .option('--out <path>', 'write the converted experiment here instead of printing it')
    .action((file: string, flags: { out?: string }) => importFile(deps, file, flags));
}
