/**
 * @module
 * `simian slo check FILE`: each SLO of a file over a window, with its SLI, objective, error budget consumed, burn
 * rates and verdict.
 *
 * With `--prometheus URL` the window is the one ending now, scored by PromQL pinned to it. Without, the running
 * stack's instances are scraped directly: a direct scrape has no history, so the command samples now, waits the
 * window out (sampling along the way, for the burn rates, and following replaced instances), samples again, and
 * scores the window it watched.
 */
import { Command, Option } from 'commander';
import { SimianError } from '../../core/errors.js';
import { EngineEvents } from '../../engine/events.js';
import { watchStackSlis } from '../../engine/slo-watch.js';
import { runningStack } from '../../engine/stack-sli.js';
import { STACK_SCRAPE_JOB } from '../../reference-stack/stack/scrape-targets.js';
import { evaluateSlo, type SloEvaluation } from '../../slo/evaluate-slo.js';
import { loadSloFile } from '../../slo/load-slo-file.js';
import { PrometheusClient } from '../../slo/prometheus-client.js';
import { PrometheusSliSource } from '../../slo/prometheus-sli-source.js';
import type { SliSource, SliWindow } from '../../slo/sli-source.js';
import type { Slo, SloSpec } from '../../slo/slo-spec.js';
import type { CommandDeps } from '../command-deps.js';
import { parseDuration, parseHttpUrl } from '../parsers.js';
import { renderEvents } from '../render-events.js';
import { addStateDirOptions, resolveCommandConfig, type StateDirOptionValues } from './config.js';
import { formatText, toJson } from './slo-check-report.js';

interface CheckFlags extends StateDirOptionValues {
  prometheus?: string;
  window: number;
  json?: boolean;
}

/** The `job` label direct scrapes give the stack's series, as its Prometheus does (see `simian stack up --prometheus`). */
export const STACK_JOB = STACK_SCRAPE_JOB;

/** Exit code when no SLO failed but at least one could not be judged. */
export const INCONCLUSIVE_EXIT_CODE = 3;

/** `slo check`, for the `slo` command to add. */
export function sloCheckSubcommand(deps: CommandDeps): Command {
  const command = new Command('check')
    .description('judge each SLO of FILE over a window: SLI, objective, error budget consumed, burn rates, verdict')
    .argument('<file>', 'an SLO file (sloth prometheus/v1 or OpenSLO v1)')
    .option('--prometheus <url>', "score the window ending now with this Prometheus server (default: the running stack's own, from stack up --prometheus, else direct scrapes of the stack)", parseHttpUrl)
    .addOption(new Option('--window <duration>', 'the window to judge: 30s, 10m, 1h').default(600_000, '10m').argParser(parseDuration))
    .option('--json', 'print the results as JSON')
    .addHelpText(
      'after',
      '\nWithout --prometheus, a stack started with --prometheus is judged by its own Prometheus. Otherwise there is\n' +
        'no history to read: the command samples the stack now, waits the whole window\n' +
        '(progress on stderr), samples again, and judges the window it watched. With --prometheus it judges the\n' +
        'window that ends now, with every range pinned to it (the @ modifier).\n' +
        '\nExit status: 0 every SLO passed; 1 at least one failed; 3 none failed but at least one was inconclusive\n' +
        '(no data, no events, an unsupported query); 2 bad input.',
    )
    .action((file: string, flags: CheckFlags) => check(deps, file, flags));
  return addStateDirOptions(command, 'the state directory of "stack up" (its Prometheus, or its instances to scrape)');
}

async function check(deps: CommandDeps, file: string, flags: CheckFlags): Promise<void> {
  // Bad input is refused before any waiting.
  const specs: readonly SloSpec[] = await loadSloFile(file);
  const slos = specs.flatMap((spec) => spec.slos.map((slo) => ({ service: spec.service, slo })));
  if (slos.length === 0) throw new SimianError('slo.empty', `${file} defines no SLOs`, { exitCode: 2 });

  let evaluations: SloEvaluation[];
  let window: SliWindow;
  let source: SliSource;
  // The stack's state directory is the one every command finds: simian.yaml's, SIMIAN_STATE_DIR's or the flag's.
  const { stateDir } = await resolveCommandConfig(flags);
  const prometheusUrl = flags.prometheus ?? runningStack(stateDir)?.prometheusUrl;
  if (prometheusUrl) {
    source = new PrometheusSliSource(new PrometheusClient({ url: prometheusUrl, clock: deps.clock }));
    const end = deps.clock.now();
    window = { start: end - flags.window, end };
    evaluations = await evaluateAll(slos, window, source, end);
  } else {
    const events = new EngineEvents();
    const rendering = renderEvents(events, deps.writeErr);
    const scrape = await watchStackSlis({ clock: deps.clock, events }, stateDir, flags.window, slos.map((s) => s.slo)).finally(() => rendering.dispose());
    source = scrape.source;
    window = scrape.window;
    try {
      evaluations = await evaluateAll(slos, window, source, deps.clock.now());
    } finally {
      await scrape.source.stop();
    }
  }

  const rows = evaluations.map((evaluation, index) => ({ service: slos[index]!.service, evaluation }));
  if (flags.json) deps.writeOut(`${JSON.stringify(toJson(file, window, source.name, rows), null, 2)}\n`);
  else deps.writeOut(formatText(file, window, source.name, rows));

  const failed = rows.filter((r) => r.evaluation.verdict === 'fail').length;
  const inconclusive = rows.filter((r) => r.evaluation.verdict === 'inconclusive').length;
  if (failed > 0) throw new SimianError('slo.failed', `${failed} of ${rows.length} SLOs failed`, { exitCode: 1 });
  if (inconclusive > 0) {
    throw new SimianError('slo.inconclusive', `${inconclusive} of ${rows.length} SLOs were inconclusive`, { exitCode: INCONCLUSIVE_EXIT_CODE });
  }
}

function evaluateAll(slos: readonly { slo: Slo }[], window: SliWindow, source: SliSource, now: number): Promise<SloEvaluation[]> {
  return Promise.all(slos.map(({ slo }) => evaluateSlo(slo, window, source, { now })));
}

