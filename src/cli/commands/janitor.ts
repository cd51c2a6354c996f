/**
 * @module
 * `simian janitor`: the Janitor Monkey. A run lists what its rules find unused (rule, severity, resource, owner,
 * why), reconciles that with its marks in the state store, and shows every mark with when it will be cleaned.
 * Leashed (the default) it marks and notifies only; `--unleash` (or `safety.leashed: false`) cleans what is due,
 * through the safety pipeline. `marks` reads the marks without touching the platform; `opt-out` and `opt-in`
 * keep a resource away from the Janitor by hand. Exit code 0, 1 when a cleanup failed (it is retried next run),
 * 2 for bad usage.
 */
import { userInfo } from 'node:os';
import { Command, Option } from 'commander';
import { SimianError } from '../../core/errors.js';
import { AUDIT_PROVIDERS } from '../../engine/audit-sources.js';
import { optInToJanitor, optOutOfJanitor, readJanitorState, type JanitorState } from '../../engine/janitor-marks.js';
import { runJanitorMonkey, type JanitorRun } from '../../engine/janitor-run.js';
import type { JanitorMark } from '../../state/janitor-records.js';
import type { CommandDeps, CommandFactory } from '../command-deps.js';
import { openMonkeySession } from '../monkeys/monkey-session.js';
import { formatTable } from '../table.js';
import { addUnleashOption } from '../unleash-option.js';
import { rulesHelp } from './audit.js';
import { addConfigOptions, resolveCommandConfig, type ConfigOptionValues } from './config.js';

/** The code of the error that makes a run with a failed cleanup exit 1. */
export const CLEANUP_FAILED = 'janitor.cleanupFailed';

interface JanitorFlags extends ConfigOptionValues {
  provider: string;
  json?: boolean;
}

/** `2026-12-08 17:00Z`: minutes are what a retention in days needs. */
function when(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

function marksTable(marks: readonly JanitorMark[], now: number, states: ReadonlyMap<number, string>): string {
  if (marks.length === 0) return 'no resource is marked\n';
  const rows = marks.map((m) => [m.resource, m.rule, m.owner ?? '-', when(m.markedAt), when(m.cleanAfter), states.get(m.id) ?? (now < m.cleanAfter ? 'waiting' : 'due')]);
  return formatTable(['RESOURCE', 'RULE', 'OWNER', 'MARKED', 'CLEAN AFTER', 'STATE'], rows);
}

/** The report for people: what the rules found, the marks with when each is cleaned, and what this run did. */
export function formatJanitorRun(run: JanitorRun, leashed: boolean): string {
  const j = run.janitor;
  const parts: string[] = [];
  if (run.findings.length > 0) {
    const rows = run.findings.map((f) => [f.severity, f.rule, f.resource, f.owner ?? '-', f.optedOut ? `opted out: ${f.why}` : f.why]);
    parts.push(formatTable(['SEVERITY', 'RULE', 'RESOURCE', 'OWNER', 'WHY'], rows));
  }
  const states = new Map<number, string>();
  for (const h of j.held) states.set(h.mark.id, `due, held: ${h.reason}`);
  for (const f of j.failed) states.set(f.mark.id, `failed: ${f.error}`);
  parts.push(`\nMarks on ${run.provider}:\n${marksTable(j.open, j.at, states)}`);
  for (const u of j.unmarked) parts.push(`unmarked ${u.mark.resource}: ${u.why}\n`);
  for (const c of j.cleaned) parts.push(`cleaned ${c.resource} (${c.rule})\n`);
  for (const w of j.warnings) parts.push(`warning: ${w}\n`);
  const summary = `janitor: ${run.findings.length} finding(s) on ${run.provider}, ${j.marked.length} newly marked, ${j.unmarked.length} unmarked, ${j.cleaned.length} cleaned, ${j.failed.length} failed, ${j.open.length} marked in all`;
  parts.push(`${summary}${leashed ? '; leashed: nothing is deleted (--unleash, or safety.leashed: false, cleans what is due)' : ''}\n`);
  return parts.join('');
}

function formatState(state: JanitorState, now: number): string {
  const optOuts = state.optOuts.length === 0 ? '' : `\nOpted out by hand:\n${formatTable(['PROVIDER', 'RESOURCE', 'BY', 'AT', 'REASON'], state.optOuts.map((o) => [o.provider, o.resource, o.by, when(o.at), o.reason ?? '-']))}`;
  return `${marksTable(state.marks, now, new Map())}${optOuts}`;
}

function providerOption(): Option {
  return new Option('--provider <name>', `the platform: ${AUDIT_PROVIDERS.join(', ')}`).choices(AUDIT_PROVIDERS).makeOptionMandatory();
}

async function runOnce(deps: CommandDeps, flags: JanitorFlags): Promise<void> {
  const session = await openMonkeySession(deps, flags);
  try {
    const run = await runJanitorMonkey(session.run, flags.provider, session.simian, deps.providers, { clock: deps.clock });
    deps.writeOut(flags.json ? `${JSON.stringify(run, null, 2)}\n` : formatJanitorRun(run, session.config.leashed));
    if (run.janitor.failed.length > 0) {
      throw new SimianError(CLEANUP_FAILED, `${run.janitor.failed.length} cleanup(s) failed; they stay marked and are retried on the next run`, { exitCode: 1 });
    }
  } finally {
    await session.close();
  }
}

function subcommands(deps: CommandDeps, janitor: Command): void {
  const flagsOf = (command: Command) => command.optsWithGlobals<JanitorFlags & { reason?: string }>();
  janitor
    .command('marks')
    .description('list the marks (with when each is cleaned) and the opt-outs, without reading the platform')
    .action(async (_options: unknown, command: Command) => {
      const flags = flagsOf(command);
      const config = await resolveCommandConfig(flags);
      const state = readJanitorState(config, { clock: deps.clock, provider: flags.provider });
      deps.writeOut(flags.json ? `${JSON.stringify(state, null, 2)}\n` : formatState(state, deps.clock.now()));
    });
  janitor
    .command('opt-out <resource>')
    .description('keep a resource away from the Janitor: never marked nor cleaned (an open mark is dropped on the next run)')
    .option('--reason <text>', 'why, for whoever reads the marks')
    .action(async (resource: string, _options: unknown, command: Command) => {
      const flags = flagsOf(command);
      const config = await resolveCommandConfig(flags);
      const optOut = optOutOfJanitor(config, { clock: deps.clock, provider: flags.provider, resource, by: `cli:${userInfo().username}`, ...(flags.reason ? { reason: flags.reason } : {}) });
      deps.writeOut(flags.json ? `${JSON.stringify(optOut, null, 2)}\n` : `opted out ${optOut.resource} on ${optOut.provider}\n`);
    });
  janitor
    .command('opt-in <resource>')
    .description('undo an opt-out made with opt-out (a tag, label or annotation opt-out stays)')
    .action(async (resource: string, _options: unknown, command: Command) => {
      const flags = flagsOf(command);
      const config = await resolveCommandConfig(flags);
      const had = optInToJanitor(config, { clock: deps.clock, provider: flags.provider, resource });
      deps.writeOut(flags.json ? `${JSON.stringify({ provider: flags.provider, resource, optedIn: had })}\n` : had ? `opted ${resource} back in on ${flags.provider}\n` : `${resource} was not opted out by hand on ${flags.provider}\n`);
    });
}

/** `simian janitor --provider … [--unleash] [--json]`, and its `marks`, `opt-out`, `opt-in`. */
export const janitorCommand: CommandFactory = (deps: CommandDeps) => {
  const janitor = new Command('janitor')
    .description('Janitor Monkey: mark unused resources, tell their owner, clean them after the retention (audit.janitor.retention business days) when unleashed')
    .addOption(providerOption())
    .option('--json', 'print the run as JSON');
  addUnleashOption(addConfigOptions(janitor));
  janitor.addHelpText(
    'after',
    [
      rulesHelp('janitor'),
      '\nOpt a resource out with the tag, label or annotation simian/janitor=opt-out, or with "simian janitor opt-out <resource>".',
      'A resource is named as its cleaner names it: instance/<id>, data/<path>, proxy/<name> (local); <kind>/<namespace>/<name> (kubernetes); vol-…, snap-…, sg-…, i-… (aws).',
      '\nExit code: 0, 1 when a cleanup failed (it stays marked and is retried), 2 for bad usage.',
    ].join('\n'),
  );
  subcommands(deps, janitor);
  return janitor.action((flags: JanitorFlags) => runOnce(deps, flags));
};
