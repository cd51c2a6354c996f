/**
 * @module
 * `simian load`: drives viewers through the reference stack's front doors (the ones named, else the running stack's)
 * and prints the client-side SLIs.
 */
import { Command, Option } from 'commander';
import { SimianError } from '../../core/errors.js';
import { SeededRandom } from '../../core/random.js';
import { runningStack } from '../../engine/stack-sli.js';
import { runLoad } from '../../reference-stack/load/load-generator.js';
import type { LoadReport } from '../../reference-stack/load/load-stats.js';
import { frontDoorUrlsOf } from '../../reference-stack/stack/stack-state.js';
import type { CommandFactory } from '../command-deps.js';
import { parseCount, parseDuration, parseHttpUrl, parsePositive, parseRatio } from '../parsers.js';
import { progressOutput } from '../progress-output.js';
import { addStateDirOptions, resolveCommandConfig, type StateDirOptionValues } from './config.js';

interface LoadFlags extends StateDirOptionValues {
  target?: string[];
  duration: number;
  rate: number;
  segments: number;
  subscribe: number;
  seed?: number;
  json?: boolean;
  failBelow?: number;
}

const percent = (x: number) => `${(x * 100).toFixed(2)}%`;

/** A human summary of a report. */
export function formatLoadReport(report: LoadReport): string {
  const lines = [
    `sessions        ${report.sessions} in ${(report.durationMs / 1000).toFixed(1)} s`,
    `requests        ${report.requests}, ${report.failures} failed, success ${percent(report.successRatio)}`,
    `latency (ms)    p50 ${report.latencyMs.p50}  p95 ${report.latencyMs.p95}  p99 ${report.latencyMs.p99}  max ${report.latencyMs.max}`,
    `play starts     ${report.playStarts.succeeded}/${report.playStarts.attempted} (${percent(report.playStarts.ratio)})`,
    `rebuffering     ${percent(report.rebufferRatio)} of play time`,
    `home fallbacks  ${report.homeFallbacks}`,
    `billing writes  ${report.billing.acknowledged} acknowledged, ${report.billing.found} found, ${report.billing.lost} lost, ${report.billing.duplicated} applied twice`,
  ];
  const { regions, unverified } = report.billing;
  if (regions.length > 0 || unverified > 0) {
    lines.push(`                read in ${regions.length > 0 ? regions.join(', ') : 'the target\'s region'}${unverified > 0 ? `; ${unverified} viewers could not be read everywhere` : ''}`);
  }
  if (report.sampleErrors.length > 0) lines.push('errors seen', ...report.sampleErrors.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

/** Collects `--target` values: the flag may be repeated, and each value may list several URLs separated by commas. */
export function collectTargets(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').filter((part) => part.trim() !== '').map((part) => parseHttpUrl(part.trim()))];
}

/**
 * The front doors to send viewers through: the `--target`s, else every front door of the stack running from the
 * state directory.
 *
 * @throws SimianError `stack.notRunning` (exit 2) when no `--target` is given and no stack runs there;
 *   `stack.noFrontDoor` (exit 2) when the stack has none
 */
export async function loadTargets(flags: LoadFlags): Promise<readonly string[]> {
  if (flags.target && flags.target.length > 0) return flags.target;
  const { stateDir } = await resolveCommandConfig(flags);
  const stack = runningStack(stateDir);
  if (!stack) {
    throw new SimianError('stack.notRunning', `no stack runs in ${stateDir}: start one with "simian stack up --detach", or give --target URL`, { exitCode: 2 });
  }
  const urls = frontDoorUrlsOf(stack);
  if (urls.length === 0) throw new SimianError('stack.noFrontDoor', `the stack of ${stateDir} (pid ${stack.pid}) has no front door: give --target URL`, { exitCode: 2 });
  return urls;
}

/** The `load` command. */
export const loadCommand: CommandFactory = (deps) =>
  addStateDirOptions(
    new Command('load')
      .description(
        'Drive viewers (login, home page, play with adaptive bitrate, subscribe) through the front doors and report client-side SLIs; a viewer whose front door stops answering fails over to the next, as a browser does',
      )
      .option(
        '--target <url>',
        'a front door URL; repeat the flag or separate URLs with commas for several, tried in order (default: every front door of the stack running from the state directory)',
        collectTargets,
      ),
    'the state directory of the running stack whose front doors to use when no --target is given',
  )
    .option('--duration <time>', 'how long to send load (500ms, 30s, 2m)', parseDuration, 30_000)
    .option('--rate <viewers>', 'viewers arriving per second', parsePositive, 10)
    .option('--segments <n>', 'segments each viewer plays', parseCount, 4)
    .option('--subscribe <ratio>', 'share of visits that subscribe', parseRatio, 0.2)
    .option('--seed <n>', 'seed the viewers\' choices to replay a run', parseCount)
    .addOption(new Option('--fail-below <ratio>', 'exit 1 when the success ratio is below this').argParser(parseRatio))
    .option('--json', 'print the report as JSON')
    .action(async (flags: LoadFlags) => {
      const target = await loadTargets(flags);
      const progress = progressOutput({ write: deps.writeErr, terminal: deps.stderrIsTerminal === true });
      const report = await runLoad({
        target,
        durationMs: flags.duration,
        ratePerSecond: flags.rate,
        segmentsPerPlay: flags.segments,
        subscribeProbability: flags.subscribe,
        clock: deps.clock,
        random: flags.seed === undefined ? deps.random : new SeededRandom(flags.seed),
        onProgress: (r) => progress.update(r.durationMs, `${r.sessions} sessions, ${r.requests} requests, success ${percent(r.successRatio)}`),
      });
      progress.done();
      deps.writeOut(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatLoadReport(report));
      // An acknowledged write lost, or a write applied twice, fails any run: billing promises neither happens.
      const { lost, duplicated } = report.billing;
      if (lost > 0 || duplicated > 0) {
        throw new SimianError('load.billingUnsound', `billing: ${lost} acknowledged writes lost, ${duplicated} applied twice; both must be 0`);
      }
      if (flags.failBelow !== undefined && report.successRatio < flags.failBelow) {
        throw new SimianError('load.belowTarget', `success ratio ${percent(report.successRatio)} is below ${percent(flags.failBelow)}`);
      }
    });
