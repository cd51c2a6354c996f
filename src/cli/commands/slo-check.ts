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
import { StackAdminClient } from '../../reference-stack/stack/stack-admin-client.js';
import { readStackState } from '../../reference-stack/stack/stack-state.js';
import { runningStack } from '../../engine/stack-sli.js';
import { addStateDirOptions, resolveCommandConfig, type StateDirOptionValues } from './config.js';
import { formatDuration } from '../../slo/burn-rate.js';
import { evaluateSlo, type SloEvaluation } from '../../slo/evaluate-slo.js';
import { loadSloFile } from '../../slo/load-slo-file.js';
import { PrometheusClient } from '../../slo/prometheus-client.js';
import { PrometheusSliSource } from '../../slo/prometheus-sli-source.js';
import { metricNamesOf, parseSubsetQuery } from '../../slo/promql-subset.js';
import { ScrapeSliSource, type ScrapeTarget } from '../../slo/scrape-sli-source.js';
import type { SliSource, SliWindow } from '../../slo/sli-source.js';
import type { Slo, SloSpec } from '../../slo/slo-spec.js';
import type { CommandDeps } from '../command-deps.js';
import { parseDuration, parseHttpUrl } from '../parsers.js';
import { formatTable } from '../table.js';
import { STACK_SCRAPE_JOB, stackTargets } from '../../reference-stack/stack/scrape-targets.js';

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
    const scrape = await watchStack(deps, stateDir, flags.window, slos.map((s) => s.slo));
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

/** Samples the running stack over a window starting now; resolves with the source once it has a sample after the end. */
async function watchStack(deps: CommandDeps, stateDir: string, windowMs: number, slos: readonly Slo[]): Promise<{ source: ScrapeSliSource; window: SliWindow }> {
  const state = readStackState(stateDir);
  const admin = new StackAdminClient({ adminUrl: state.adminUrl, clock: deps.clock });
  const targets = async (): Promise<ScrapeTarget[]> => {
    const instances = await admin.inventory().catch(() => {
      throw new SimianError('stack.notRunning', `the stack (pid ${state.pid}) does not answer at ${state.adminUrl}`);
    });
    return stackTargets(instances).map((t) => ({ url: `${t.address}/metrics`, labels: { job: STACK_JOB, ...t.labels } }));
  };
  // Sampling along the way lets the 5m burn rate of a 10m window start near its own start, not at the window's.
  const intervalMs = Math.min(15_000, Math.max(1_000, windowMs / 40));
  const metricNames = neededMetricNames(slos);
  const source = new ScrapeSliSource({ targets: await targets(), clock: deps.clock, intervalMs, ...(metricNames ? { metricNames } : {}) });
  try {
    await source.start();
    const start = deps.clock.now();
    const end = start + windowMs;
    const progressEveryMs = Math.max(5_000, Math.min(60_000, windowMs / 10));
    deps.writeErr(`watching the stack for ${formatDuration(windowMs)} (direct scrapes every ${formatDuration(intervalMs)})…\n`);
    for (let now = deps.clock.now(); now < end; now = deps.clock.now()) {
      await deps.clock.sleep(Math.min(progressEveryMs, end - now));
      // Replaced instances listen on new ports: follow them, and keep the old targets if the stack does not answer.
      source.setTargets(await targets().catch(() => source.targets));
      deps.writeErr(`  ${formatDuration(Math.min(windowMs, deps.clock.now() - start))} of ${formatDuration(windowMs)}\n`);
    }
    await source.sampleNow();
    return { source, window: { start, end } };
  } catch (error) {
    await source.stop();
    throw error;
  }
}

/** The metric names the SLOs read, so that direct scrapes keep only those; undefined when that cannot be narrowed. */
function neededMetricNames(slos: readonly Slo[]): string[] | undefined {
  const names = new Set<string>();
  for (const slo of slos) {
    if (slo.sli.kind !== 'events') continue;
    for (const query of [slo.sli.errorQuery, slo.sli.totalQuery]) {
      try {
        const parsed = parseSubsetQuery(query);
        const found = metricNamesOf(parsed);
        if (found.length < (parsed.kind === 'term' ? 1 : 2)) return undefined;
        for (const name of found) names.add(name);
      } catch {
        // Unsupported: that SLO is inconclusive and needs no samples.
      }
    }
  }
  return [...names];
}

interface Row {
  readonly service: string;
  readonly evaluation: SloEvaluation;
}

function toJson(file: string, window: SliWindow, source: string, rows: readonly Row[]): unknown {
  return {
    file,
    source,
    window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString(), durationMs: window.end - window.start },
    slos: rows.map(({ service, evaluation: e }) => ({
      service,
      slo: e.slo.name,
      objective: e.objective,
      sli: e.sli,
      errorRatio: e.errorRatio,
      events: e.events ?? null,
      errorBudgetConsumed: e.errorBudgetConsumed,
      periodBudgetConsumed: e.periodBudgetConsumed,
      burnRates: e.burnRates,
      verdict: e.verdict,
      reason: e.reason,
    })),
  };
}

function formatText(file: string, window: SliWindow, source: string, rows: readonly Row[]): string {
  const burnLabels = [...new Set(rows.flatMap((r) => Object.keys(r.evaluation.burnRates)))];
  const header = ['SERVICE', 'SLO', 'SLI', 'OBJECTIVE', 'EVENTS', 'BUDGET USED', ...burnLabels.map((l) => `BURN ${l}`), 'VERDICT'];
  const table = rows.map(({ service, evaluation: e }) => [
    service,
    e.slo.name,
    e.sli === null ? '-' : percent(e.sli),
    percent(e.objective),
    e.events ? String(Math.round(e.events.total)) : '-',
    e.errorBudgetConsumed === null ? '-' : `${(e.errorBudgetConsumed * 100).toFixed(1)}%`,
    ...burnLabels.map((l) => {
      const burn = e.burnRates[l];
      return burn?.burnRate === null || burn === undefined ? '-' : burn.burnRate.toFixed(2);
    }),
    e.verdict,
  ]);
  const notes = rows.filter((r) => r.evaluation.verdict !== 'pass').map((r) => `  ${r.service}/${r.evaluation.slo.name}: ${r.evaluation.reason}\n`);
  return (
    `${file}: ${formatDuration(window.end - window.start)} from ${new Date(window.start).toISOString()} to ${new Date(window.end).toISOString()}, ${source}\n\n` +
    formatTable(header, table) +
    (notes.length > 0 ? `\n${notes.join('')}` : '')
  );
}

function percent(ratio: number): string {
  return `${Number((ratio * 100).toFixed(3))}%`;
}
