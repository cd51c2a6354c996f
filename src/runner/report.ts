/**
 * @module
 * The Markdown report written beside a journal: the verdict first (status, deviated, why), then the steady state,
 * what each action did and why, the stop conditions, the rollbacks, recovery and the error budget. Everything in
 * it comes from the journal, so the two never disagree.
 */
import { journalVerdict, type Journal } from './journal.js';
import { formatRatio, type CheckResult, type SteadyStateResult } from './steady-state.js';

/** Escapes what would break a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

function ms(value: number | null): string {
  if (value === null) return '—';
  return value < 10_000 ? `${value} ms` : `${(value / 1000).toFixed(1)} s`;
}

function mark(ok: boolean): string {
  return ok ? 'yes' : '**no**';
}

function checkRow(check: CheckResult): string[] {
  return [check.kind, check.name, mark(check.met), check.detail];
}

function steadyStateSection(title: string, result: SteadyStateResult | null, why: string): string[] {
  if (!result) return [`### ${title}`, '', `Not checked: ${why}.`, ''];
  if (result.checks.length === 0) return [`### ${title}`, '', 'No checks.', ''];
  return [`### ${title} (${result.at}): ${result.met ? 'met' : '**not met**'}`, '', ...table(['kind', 'check', 'met', 'detail'], result.checks.map(checkRow)), ''];
}

/**
 * The report of a journal, in Markdown.
 *
 * @example
 * await writeFile('journal.md', markdownReport(journal));
 */
export function markdownReport(journal: Journal): string {
  const lines: string[] = [];
  const verdict = journalVerdict(journal);
  lines.push(`# ${journal.experiment.title}`, '');
  if (journal.experiment.description) lines.push(journal.experiment.description, '');
  lines.push(
    ...table(
      ['', ''],
      [
        ['verdict', `**${verdict}**${journal.dryRun ? ' (dry run: nothing was injected)' : ''}`],
        ['status', journal.status],
        ['deviated', journal.deviated ? 'yes' : 'no'],
        ...(journal.reason ? [['reason', journal.reason]] : []),
        ['file', journal.experiment.file ?? '—'],
        ['provider', journal.experiment.target.provider + (journal.experiment.target.topology ? ` (topology ${journal.experiment.target.topology})` : '')],
        ['tags', journal.experiment.tags.join(', ') || '—'],
        ['started', journal.startedAt],
        ['ended', journal.endedAt],
        ['duration', ms(journal.durationMs)],
        ...(journal.load ? [['viewers', `${journal.load.startedAt} to ${journal.load.stoppedAt}: ${journal.load.detail}`]] : []),
      ],
    ),
    '',
  );

  lines.push('## Steady state', '');
  const skipped = journal.dryRun ? 'dry run' : 'the run did not get that far';
  lines.push(...steadyStateSection('Before', journal.steadyStates.before, skipped));
  const during = journal.steadyStates.during;
  const missed = during.filter((s) => !s.met);
  lines.push(
    '### During',
    '',
    during.length === 0 ? 'No samples.' : `${during.length} sample(s), ${missed.length} not met${missed[0] ? ` (first at ${missed[0].at}: ${missed[0].checks.filter((c) => !c.met).map((c) => c.name).join(', ')})` : ''}.`,
    '',
  );
  lines.push(...steadyStateSection('After', journal.steadyStates.after, journal.dryRun ? 'dry run' : 'the method did not run to a verdict'));

  if (journal.control) {
    const c = journal.control;
    lines.push(`## Control versus experiment: ${c.met ? 'no worse than the control' : '**worse than the control**'}`, '');
    lines.push(`Split by ${c.by} (label \`${c.label}\`): control ${c.control.join(', ')}; experiment ${c.experiment.join(', ')}.`, '');
    if (c.comparisons.length > 0) {
      lines.push(
        ...table(
          ['SLO', 'control', 'experiment', 'delta', 'max delta', 'met'],
          c.comparisons.map((x) => [x.slo, x.control.detail, x.experiment.detail, x.delta === null ? '—' : formatRatio(x.delta), formatRatio(x.maxDelta), mark(x.met)]),
        ),
        '',
      );
    }
  }

  lines.push('## Method', '');
  if (journal.method.actions.length === 0) lines.push('No action ran.', '');
  else {
    lines.push(
      ...table(
        ['step', 'action', 'kind', 'provider', 'outcome', 'detail'],
        journal.method.actions.map((a) => [a.step, a.name, a.kind, a.provider ?? '—', a.decision?.reason ? `${a.outcome} (${a.decision.reason})` : a.outcome, a.detail]),
      ),
      '',
    );
  }

  lines.push('## Stop conditions', '');
  const hit = journal.stopConditions.hit;
  lines.push(hit ? `**Hit** at ${hit.at}: ${hit.name}: ${hit.detail}` : `Not hit (${journal.stopConditions.polls} poll(s), every ${ms(journal.stopConditions.intervalMs)}).`, '');

  lines.push('## Rollbacks', '');
  if (journal.rollbacks.faults.length === 0 && journal.rollbacks.activities.length === 0) lines.push(journal.rollbacks.skipped ? 'Skipped (dry run).' : 'Nothing to roll back.', '');
  if (journal.rollbacks.faults.length > 0) {
    lines.push(...table(['fault', 'kind', 'targets', 'outcome'], journal.rollbacks.faults.map((f) => [f.faultId, f.kind, f.targets.join(', '), f.error ? `${f.outcome}: ${f.error}` : f.outcome])), '');
  }
  if (journal.rollbacks.activities.length > 0) {
    lines.push(...table(['rollback', 'ok', 'detail'], journal.rollbacks.activities.map((r) => [r.name, mark(r.ok), r.detail])), '');
  }

  const r = journal.recovery;
  lines.push(
    '## Detection and recovery',
    '',
    ...table(
      ['', ''],
      [
        ['first fault', r.firstFaultAt ?? '—'],
        ['faults ended', r.faultsEndedAt ?? '—'],
        ['detected', r.detectedAt ? `${r.detectedAt} (${r.detectedBy ?? ''})` : '—'],
        ['time to detect', ms(r.timeToDetectMs)],
        ['recovered', r.recovered === null ? '—' : r.recovered ? 'yes' : '**no**'],
        ['time to recover', ms(r.timeToRecoverMs)],
        ['note', r.detail],
      ],
    ),
    '',
  );

  if (journal.errorBudget.length > 0) {
    lines.push(
      '## Error budget',
      '',
      ...table(
        ['SLO', 'objective', 'error ratio', 'burn rate', 'budget consumed'],
        journal.errorBudget.map((b) => [
          `${b.service}/${b.slo}`,
          `${b.objective}%`,
          b.errorRatio === null ? b.detail : formatRatio(b.errorRatio),
          b.burnRate === null ? '—' : formatRatio(b.burnRate),
          b.budgetConsumed === null ? '—' : `${formatRatio(b.budgetConsumed * 100)}% of ${Math.round(b.periodMs / 86_400_000)} days`,
        ]),
      ),
      '',
    );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
