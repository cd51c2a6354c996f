/**
 * @module
 * The drill report, built from the drill's record and the SLI samples it kept: who ran it, the timeline, the SLOs
 * before, during and after the faults, time to detect, mitigate and recover per fault, the error budget consumed,
 * the verdict, and room for action items. Written as JSON and as Markdown beside it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LoadReport } from '../../reference-stack/load/load-stats.js';
import type { SliSource, SliWindow } from '../../slo/sli-source.js';
import { errorBudget, type Slo } from '../../slo/slo-spec.js';
import type { TimelineEntry } from './drill-controls.js';
import type { DrillExperimentRecord, DrillRecord, RefusedFault, SloCrossing } from './drill-record.js';
import { LIVE_WINDOW_MS } from './live-slos.js';

/** One SLO over one part of the drill: its success ratio, or why it could not be told. */
export interface SloReading {
  readonly successRatio?: number;
  readonly reason?: string;
}

/** One SLO across the drill. */
export interface SloReport {
  readonly name: string;
  readonly objective: number;
  readonly before: SloReading;
  readonly during: SloReading;
  readonly after: SloReading;
  /** The share of the error budget spent from the first fault to the end (the whole drill without faults): 1 = all of it. */
  readonly budgetConsumed?: number;
  /** Times the last minute went under the objective. */
  readonly breaches: number;
}

/** One fault and how the stack took it. Times are ms after injection; null when it did not happen. */
export interface FaultReport {
  readonly id: string;
  readonly monkey: string;
  readonly description: string;
  readonly injectedAt: string;
  readonly endedAt: string | null;
  readonly endedBy: string | null;
  /** → the first SLO breach. Null: no SLO noticed it. */
  readonly timeToDetectMs: number | null;
  /** → the SLOs back within their objectives after that breach. */
  readonly timeToMitigateMs: number | null;
  /** → the fault over (reverted, or its victims replaced) and the SLOs within their objectives. */
  readonly timeToRecoverMs: number | null;
}

/** How the drill went. */
export type DrillVerdict = 'passed' | 'failed' | 'inconclusive';

/** The whole report, as its JSON file holds it. */
export interface DrillReport {
  readonly id: string;
  readonly facilitator: string;
  readonly stack: string;
  /** The drill only asked: the pipeline decided every fault and injected none. */
  readonly leashed: boolean;
  readonly seed?: number;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationMs: number;
  readonly sloSource: string;
  readonly verdict: DrillVerdict;
  /** Why the verdict is not `passed`. */
  readonly reasons: readonly string[];
  readonly timeline: readonly (TimelineEntry & { readonly t: string })[];
  readonly faults: readonly FaultReport[];
  readonly refused: readonly RefusedFault[];
  readonly slos: readonly SloReport[];
  readonly experiments: readonly DrillExperimentRecord[];
  readonly viewers?: Pick<LoadReport, 'sessions' | 'requests' | 'failures' | 'successRatio' | 'billing'>;
  /** Faults still in force when the drill ended: there must be none. */
  readonly stillActive: readonly string[];
  readonly actionItems: readonly { readonly owner: string; readonly kind: 'prevent' | 'detect' | 'mitigate' | 'process'; readonly item: string }[];
}

/** What {@link buildDrillReport} reads. */
export interface DrillReportInput {
  readonly id: string;
  readonly facilitator: string;
  readonly stack: string;
  readonly leashed: boolean;
  readonly seed?: number;
  readonly startedAt: number;
  readonly endedAt: number;
  /** Since when the SLI source holds samples. */
  readonly watchedSince: number;
  readonly record: DrillRecord;
  readonly slos: readonly Slo[];
  readonly sli: SliSource;
  readonly viewers?: LoadReport;
  readonly stillActive: readonly string[];
}

/**
 * Drill time of `at`: `t+mm:ss`, and `t+h:mm:ss` from the first hour on; `t+00:00` before the start. Seconds are
 * floored, as a clock's are, so the console's header, its timeline, the progress lines and the report agree.
 *
 * @example
 * drillTime(startedAt + 754_900, startedAt); // 't+12:34'
 */
export function drillTime(at: number, startedAt: number): string {
  const seconds = Math.max(0, Math.floor((at - startedAt) / 1000));
  const hours = Math.floor(seconds / 3600);
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return hours > 0 ? `t+${hours}:${mm}:${ss}` : `t+${mm}:${ss}`;
}

async function reading(sli: SliSource, slo: Slo, window: SliWindow | undefined): Promise<SloReading> {
  if (!window || !(window.end > window.start)) return { reason: 'no such period' };
  const result = await sli.errorRatio(slo, window);
  return result.outcome === 'measured' ? { successRatio: 1 - result.errorRatio } : { reason: result.reason };
}

/** The SLOs under their objective just after the crossings at or before `at`. */
function breachedAt(crossings: readonly SloCrossing[], at: number): Set<string> {
  const open = new Set<string>();
  for (const c of crossings.filter((x) => x.at <= at)) {
    if (c.breached) open.add(c.slo);
    else open.delete(c.slo);
  }
  return open;
}

/** The first moment after `at` when no SLO is under its objective any more (`at` itself if none is). */
function firstClearAfter(crossings: readonly SloCrossing[], at: number): number | undefined {
  const open = breachedAt(crossings, at);
  if (open.size === 0) return at;
  for (const c of crossings.filter((x) => x.at > at)) {
    if (c.breached) open.add(c.slo);
    else open.delete(c.slo);
    if (open.size === 0) return c.at;
  }
  return undefined;
}

/** Time to detect, mitigate and recover, from the SLO crossings around the fault. */
function faultTimes(fault: DrillRecord['faults'][number], crossings: readonly SloCrossing[], end: number): Pick<FaultReport, 'timeToDetectMs' | 'timeToMitigateMs' | 'timeToRecoverMs'> {
  // A breach counts for the fault while its effect can still be in the last minute the SLOs look at.
  const horizon = (fault.endedAt ?? end) + LIVE_WINDOW_MS;
  const breach = crossings.find((c) => c.breached && c.at >= fault.injectedAt && c.at <= horizon);
  // Mitigated when no SLO is breached any more after that breach.
  const mitigatedAt = breach ? firstClearAfter(crossings, breach.at) : undefined;
  // Recovered once the fault is over and every SLO within its objective, a breach from before the fault included.
  const recoveredAt = fault.endedAt === undefined || (breach && mitigatedAt === undefined) ? undefined : firstClearAfter(crossings, Math.max(fault.endedAt, mitigatedAt ?? fault.endedAt));
  return {
    timeToDetectMs: breach ? breach.at - fault.injectedAt : null,
    timeToMitigateMs: mitigatedAt !== undefined ? mitigatedAt - fault.injectedAt : null,
    timeToRecoverMs: recoveredAt !== undefined ? recoveredAt - fault.injectedAt : null,
  };
}

/** Builds the report; reads the SLI source for the before, during and after windows. */
export async function buildDrillReport(input: DrillReportInput): Promise<DrillReport> {
  const { record, startedAt, endedAt } = input;
  const firstFault = record.faults.length > 0 ? Math.min(...record.faults.map((f) => f.injectedAt)) : undefined;
  const lastEnd = record.faults.length > 0 ? Math.max(...record.faults.map((f) => f.endedAt ?? endedAt)) : undefined;
  const from = Math.max(startedAt, input.watchedSince);
  const windows = {
    before: firstFault !== undefined ? { start: from, end: firstFault } : { start: from, end: endedAt },
    during: firstFault !== undefined ? { start: firstFault, end: lastEnd! } : undefined,
    after: lastEnd !== undefined ? { start: lastEnd, end: endedAt } : undefined,
    // Judged from the first fault on: the stack's warm-up (cold caches, a loaded machine) is not the drill's doing.
    judged: { start: firstFault ?? from, end: endedAt },
  };
  const reasons: string[] = [];
  let measured = 0;
  const slos: SloReport[] = [];
  for (const slo of input.slos) {
    const [before, during, after, judged] = await Promise.all([
      reading(input.sli, slo, windows.before),
      reading(input.sli, slo, windows.during),
      reading(input.sli, slo, windows.after),
      reading(input.sli, slo, windows.judged),
    ]);
    const budget = errorBudget(slo);
    const budgetConsumed = judged.successRatio !== undefined && budget > 0 ? (1 - judged.successRatio) / budget : undefined;
    if (judged.successRatio !== undefined) measured += 1;
    if (budgetConsumed !== undefined && budgetConsumed > 1) {
      reasons.push(`SLO ${slo.name} broke: ${(judged.successRatio! * 100).toFixed(3)}% from the first fault to the end, objective ${slo.objective}%`);
    }
    slos.push({
      name: slo.name,
      objective: slo.objective / 100,
      before,
      during,
      after,
      ...(budgetConsumed !== undefined ? { budgetConsumed } : {}),
      breaches: record.crossings.filter((c) => c.slo === slo.name && c.breached).length,
    });
  }
  for (const experiment of record.experiments) {
    if (experiment.verdict !== 'passed') reasons.push(`experiment "${experiment.title}": ${experiment.verdict}${experiment.reason ? ` (${experiment.reason})` : ''}`);
  }
  if (input.stillActive.length > 0) reasons.push(`faults still in force at the end: ${input.stillActive.join(', ')}`);
  const lost = input.viewers ? input.viewers.billing.lost + input.viewers.billing.duplicated : 0;
  if (lost > 0) reasons.push(`billing: ${input.viewers!.billing.lost} acknowledged writes lost, ${input.viewers!.billing.duplicated} applied twice`);
  // No SLO to read (the drill stopped before it loaded its SLO file) is no more a pass than none measured.
  const verdict: DrillVerdict = reasons.length > 0 ? 'failed' : measured === 0 ? 'inconclusive' : 'passed';
  if (verdict === 'inconclusive') reasons.push(input.slos.length > 0 ? 'no SLO could be measured over the drill (no viewer traffic reached the gateways?)' : 'the drill watched no SLO');
  const iso = (at: number) => new Date(at).toISOString();
  return {
    id: input.id,
    facilitator: input.facilitator,
    stack: input.stack,
    leashed: input.leashed,
    ...(input.seed !== undefined ? { seed: input.seed } : {}),
    startedAt: iso(startedAt),
    endedAt: iso(endedAt),
    durationMs: endedAt - startedAt,
    sloSource: input.sli.name,
    verdict,
    reasons,
    timeline: record.timeline.map((e) => ({ ...e, t: drillTime(e.at, startedAt) })),
    faults: record.faults.map((f) => ({
      id: f.id,
      monkey: f.monkey,
      description: f.description,
      injectedAt: iso(f.injectedAt),
      endedAt: f.endedAt !== undefined ? iso(f.endedAt) : null,
      endedBy: f.endedBy ?? null,
      ...faultTimes(f, record.crossings, endedAt),
    })),
    refused: record.refused,
    slos,
    experiments: record.experiments,
    ...(input.viewers
      ? { viewers: { sessions: input.viewers.sessions, requests: input.viewers.requests, failures: input.viewers.failures, successRatio: input.viewers.successRatio, billing: input.viewers.billing } }
      : {}),
    stillActive: input.stillActive,
    actionItems: [],
  };
}

const percent = (r: SloReading) => (r.successRatio !== undefined ? `${(r.successRatio * 100).toFixed(3)}%` : `n/a (${r.reason ?? 'no data'})`);
const ms = (v: number | null) => (v === null ? '—' : `${(v / 1000).toFixed(1)} s`);

/** The report for people, in Markdown. */
export function drillMarkdown(report: DrillReport): string {
  const lines = [
    `# Game day drill ${report.id}`,
    '',
    `- **Verdict:** ${report.verdict.toUpperCase()}${report.reasons.length > 0 ? '' : ' (every SLO held over the drill)'}`,
    ...report.reasons.map((r) => `  - ${r}`),
    `- **Facilitator:** ${report.facilitator}`,
    `- **Stack:** ${report.stack}`,
    `- **Mode:** ${report.leashed ? 'leashed: the safety pipeline decided every fault and injected none' : 'unleashed: faults were injected for real'}`,
    `- **When:** ${report.startedAt} → ${report.endedAt} (${Math.round(report.durationMs / 1000)} s)`,
    `- **SLIs from:** ${report.sloSource}`,
    ...(report.seed !== undefined ? [`- **Seed:** ${report.seed}`] : []),
    '',
    '## Timeline',
    '',
    ...(report.timeline.length > 0 ? report.timeline.map((e) => `- \`${e.t}\` **${e.kind}** ${e.text}`) : ['Nothing happened.']),
    '',
    '## Faults',
    '',
  ];
  if (report.faults.length === 0) lines.push('No fault was injected.');
  else {
    lines.push('| fault | monkey | ended by | time to detect | time to mitigate | time to recover |', '|---|---|---|---|---|---|');
    for (const f of report.faults) lines.push(`| ${f.description} | ${f.monkey} | ${f.endedBy ?? 'still in force'} | ${ms(f.timeToDetectMs)} | ${ms(f.timeToMitigateMs)} | ${ms(f.timeToRecoverMs)} |`);
    lines.push('', 'Time to detect: to the first SLO breach (— when no SLO noticed). Time to recover: until the fault was over and every SLO within its objective.');
  }
  if (report.refused.length > 0) {
    lines.push('', '### Refused by the safety pipeline', '');
    for (const r of report.refused) lines.push(`- ${r.monkey} on ${r.scope}: ${r.reason}: ${r.detail}`);
  }
  lines.push('', '## SLOs', '', '| SLO | objective | before | during | after | budget consumed | breaches |', '|---|---|---|---|---|---|---|');
  for (const s of report.slos) {
    const consumed = s.budgetConsumed !== undefined ? `${(s.budgetConsumed * 100).toFixed(1)}%` : 'n/a';
    lines.push(`| ${s.name} | ${(s.objective * 100).toFixed(2)}% | ${percent(s.before)} | ${percent(s.during)} | ${percent(s.after)} | ${consumed} | ${s.breaches} |`);
  }
  lines.push('', 'Budget consumed: the share of the error budget that period allows, spent from the first fault to the end (over the whole drill when there was none). Above 100%, the SLO broke.');
  if (report.experiments.length > 0) {
    lines.push('', '## Experiments', '');
    for (const e of report.experiments) lines.push(`- ${e.title}: **${e.verdict}**${e.reason ? ` (${e.reason})` : ''}; journal \`${e.journal}\``);
  }
  if (report.viewers) {
    const v = report.viewers;
    lines.push('', '## Viewers', '', `${v.sessions} sessions, ${v.requests} requests, ${v.failures} failed (success ${(v.successRatio * 100).toFixed(2)}%); billing: ${v.billing.acknowledged} writes acknowledged, ${v.billing.lost} lost, ${v.billing.duplicated} applied twice.`);
  }
  lines.push('', '## Still in force at the end', '', report.stillActive.length > 0 ? report.stillActive.map((id) => `- ${id}`).join('\n') : 'Nothing: every fault was reverted.');
  lines.push('', '## Action items', '', '| owner | kind (prevent, detect, mitigate, process) | item |', '|---|---|---|', '| | | |', '');
  return lines.join('\n');
}

/** Writes `<dir>/<id>.json` and `<dir>/<id>.md`; resolves with both paths. */
export async function writeDrillReport(path: string, report: DrillReport): Promise<{ json: string; markdown: string }> {
  await mkdir(dirname(path), { recursive: true });
  const json = path.endsWith('.json') ? path : `${path}.json`;
  const markdown = json.replace(/\.json$/, '.md');
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(markdown, drillMarkdown(report));
  return { json, markdown };
}

/** `<stateDir>/drills/drill-<start time>.json`. */
export function defaultDrillReportPath(stateDir: string, startedAt: number): string {
  return join(stateDir, 'drills', `${drillId(startedAt)}.json`);
}

/** `drill-20261202T043000Z`. */
export function drillId(startedAt: number): string {
  return `drill-${new Date(startedAt).toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '')}`;
}
