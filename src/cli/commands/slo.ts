/**
 * @module
 * `simian slo`: SLO files (sloth `prometheus/v1` or OpenSLO `openslo/v1`) and what is made of them.
 *
 * - `simian slo rules FILE [--out PATH] [--tests PATH]`: the Prometheus recording and alerting rules, named as
 *   sloth names them, to stdout or `--out`; with `--tests`, also `promtool test rules` unit tests for them, whose
 *   `rule_files` names the rules file relative to the tests file (so `--tests` needs `--out`).
 *
 * Other subcommands (`slo check`) live in their own files and are added through {@link createSloCommand}.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { loadSloFile } from '../../slo/load-slo-file.js';
import { renderRuleTests, sloRuleTests } from '../../slo/rule-tests.js';
import { renderRuleFile, sloRuleFile } from '../../slo/slo-rules.js';
import type { CommandFactory } from '../command-deps.js';

interface RulesFlags {
  out?: string;
  tests?: string;
}

async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** The path of `target` as written in a file that lives in `fromFile`'s folder, with `/` separators. */
function relativeTo(fromFile: string, target: string): string {
  return relative(dirname(fromFile), target).split(sep).join('/');
}

/** `simian slo rules FILE`. */
export const sloRulesCommand: CommandFactory = (deps) =>
  new Command('rules')
    .description('Write the Prometheus recording and multiwindow multi-burn-rate alerting rules of an SLO file (sloth or OpenSLO)')
    .argument('<file>', 'the SLO file: sloth prometheus/v1, or OpenSLO openslo/v1 SLO documents')
    .option('--out <path>', 'write the rules to this file instead of stdout')
    .option('--tests <path>', 'also write promtool unit tests for the rules to this file (needs --out)')
    .addHelpText(
      'after',
      '\nSeries and alerts follow sloth: slo:sli_error:ratio_rate<window>, slo:objective:ratio, …, labels sloth_id,\n' +
        'sloth_service, sloth_slo, sloth_window; page at 14.4x (5m & 1h) or 6x (30m & 6h), ticket at 3x (2h & 1d) or\n' +
        '1x (6h & 3d) the error budget. Check the output with: promtool check rules OUT; promtool test rules TESTS',
    )
    .action(async (file: string, flags: RulesFlags) => {
      if (flags.tests !== undefined && flags.out === undefined) {
        throw new InvalidInputError('slo.usage', '--tests needs --out: the tests name the rules file they test');
      }
      const specs = await loadSloFile(resolve(file), file);
      const rules = renderRuleFile(sloRuleFile(specs), { source: file });
      if (flags.out === undefined) {
        deps.writeOut(rules);
        return;
      }
      const out = resolve(flags.out);
      const tests =
        flags.tests === undefined ? undefined : renderRuleTests(sloRuleTests(specs, { rulesFile: relativeTo(resolve(flags.tests), out) }), { source: file });
      await writeText(out, rules);
      const count = specs.reduce((n, spec) => n + spec.slos.length, 0);
      deps.writeOut(`wrote the rules of ${count} SLO${count === 1 ? '' : 's'} to ${flags.out}\n`);
      if (flags.tests !== undefined && tests !== undefined) {
        await writeText(resolve(flags.tests), tests);
        deps.writeOut(`wrote their promtool tests to ${flags.tests} (run: promtool test rules ${flags.tests})\n`);
      }
    });

/**
 * Builds the `slo` command with `rules` and the given extra subcommands (each a {@link CommandFactory}, like
 * `slo check` from its own file).
 *
 * @example
 * // in program.ts, once `slo check` exists:
 * const COMMANDS = [..., createSloCommand([sloCheckCommand])];
 */
export function createSloCommand(extraSubcommands: readonly CommandFactory[] = []): CommandFactory {
  return (deps) => {
    const command = new Command('slo').description('SLO files (sloth prometheus/v1 or OpenSLO v1): Prometheus rules and their tests');
    for (const create of [sloRulesCommand, ...extraSubcommands]) command.addCommand(create(deps));
    return command;
  };
}

/** The `slo` command with the subcommands that exist so far (`rules`). */
export const sloCommand: CommandFactory = createSloCommand();
