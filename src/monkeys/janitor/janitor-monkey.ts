/**
 * @module
 * The Janitor Monkey's lifecycle, SimianArmy's mark → notify → clean: each run reconciles the resources its rules
 * found unused (in a snapshot taken for this run) with the marks in the state store.
 *
 * - A resource found unused and not opted out is marked, with the instant it may be cleaned (the retention in
 *   business days), and its owner is told.
 * - A marked resource no rule finds any more (used again, fixed, deleted by someone else), or one opted out since,
 *   is unmarked: nothing is cleaned that is not unused right now.
 * - A mark that is due, whose owner was told, is cleaned through the safety pipeline's {@link SafetyPipeline.clean}:
 *   leashed (the default) it stays marked and nothing is deleted; unleashed the attempt is recorded (fenced) before
 *   the cleaner is called; a failure leaves the mark open, so the next run retries it, and is reported.
 *
 * Marks are rows of the state store, so a restart (or another daemon) picks up where this one left off.
 */
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { JanitorMark } from '../../state/janitor-records.js';
import type { StateStore } from '../../state/state-store.js';
import type { Finding } from '../audit/findings.js';
import type { JanitorCleaner } from '../audit/janitor-cleaner.js';
import type { SkipReason } from '../safety/decision.js';
import type { SafetyPipeline } from '../safety/safety-pipeline.js';

/** What the Janitor tells owners (through the daemon's webhook, or the report of `simian janitor`). */
export type JanitorNotice =
  | { readonly kind: 'marked'; readonly mark: JanitorMark }
  | { readonly kind: 'cleaned'; readonly mark: JanitorMark }
  | { readonly kind: 'clean-failed'; readonly mark: JanitorMark; readonly error: string }
  | { readonly kind: 'unmarked'; readonly mark: JanitorMark; readonly why: string };

/** The store calls the lifecycle makes. */
export type JanitorStore = Pick<StateStore, 'janitorMarks' | 'janitorOptOuts' | 'markForCleanup' | 'noteMarkNotified' | 'beginCleanup' | 'finishCleanup' | 'unmark'>;

/** What one {@link runJanitor} needs. */
export interface JanitorRunInput {
  readonly provider: string;
  /** The Janitor rules' findings over a snapshot taken for this run (other monkeys' findings are ignored). */
  readonly findings: readonly Finding[];
  readonly store: JanitorStore;
  readonly clock: Clock;
  /** When a resource marked at `markedAt` may be cleaned (see `retention.ts`). */
  readonly cleanAfter: (markedAt: number) => number;
  /** The safety pipeline of the provider: the gate of every deletion. */
  readonly gate: Pick<SafetyPipeline, 'clean'>;
  readonly cleaner: JanitorCleaner;
  /**
   * Tells the owner. A throw leaves a new mark un-notified: it is retried next run, and an un-notified mark is
   * never cleaned. Without one, the report of the run is the notice (the operator's to pass on).
   */
  readonly notify?: (notice: JanitorNotice) => void | Promise<void>;
}

/** What one run did. */
export interface JanitorReport {
  readonly provider: string;
  readonly at: number;
  /** Marked by this run. */
  readonly marked: readonly JanitorMark[];
  /** Unmarked by this run, with why. */
  readonly unmarked: readonly { readonly mark: JanitorMark; readonly why: string }[];
  readonly cleaned: readonly JanitorMark[];
  /** Cleanups that were attempted and failed: still marked, retried next run. */
  readonly failed: readonly { readonly mark: JanitorMark; readonly error: string }[];
  /** Due, but not cleaned: the pipeline's reason (`leashed` by default), or `not-notified`. */
  readonly held: readonly { readonly mark: JanitorMark; readonly reason: SkipReason | 'not-notified'; readonly detail: string }[];
  /** Every mark open after the run, oldest first. */
  readonly open: readonly JanitorMark[];
  /** Findings of opted-out resources (by tag or by hand): listed, never marked. */
  readonly optedOut: readonly Finding[];
  /** What went wrong besides cleanups (a notice not sent, a record not written after a delete). */
  readonly warnings: readonly string[];
}

async function tell(input: JanitorRunInput, notice: JanitorNotice, warnings: string[]): Promise<boolean> {
  if (!input.notify) return true;
  try {
    await input.notify(notice);
    return true;
  } catch (error) {
    warnings.push(`could not tell ${notice.mark.owner ?? 'the owner'} that ${notice.mark.resource} was ${notice.kind}: ${errorMessage(error)}`);
    return false;
  }
}

/**
 * Reconciles `input.findings` with the marks of `input.provider`, and cleans what is due (see the module comment).
 *
 * @throws StateUnreadableError / StateUnwritableError when the marks cannot be read or written; nothing is
 *   cleaned after such an error, since marking comes before any cleanup
 * @example
 * const report = await runJanitor({ provider: 'aws', findings, store, clock, cleanAfter, gate: pipeline, cleaner });
 */
export async function runJanitor(input: JanitorRunInput): Promise<JanitorReport> {
  const { provider, store, clock } = input;
  const at = clock.now();
  const warnings: string[] = [];
  const byHand = new Set(store.janitorOptOuts(provider).map((o) => o.resource));
  const found = new Map<string, Finding>();
  const optedOut: Finding[] = [];
  for (const finding of input.findings) {
    if (finding.monkey !== 'janitor' || found.has(finding.resource)) continue;
    if (finding.optedOut || byHand.has(finding.resource)) optedOut.push(finding);
    else found.set(finding.resource, finding);
  }

  const unmarked: { mark: JanitorMark; why: string }[] = [];
  const kept: JanitorMark[] = [];
  const optedOutResources = new Set([...byHand, ...optedOut.map((f) => f.resource)]);
  for (const mark of store.janitorMarks(provider)) {
    if (found.has(mark.resource)) {
      kept.push(mark);
      continue;
    }
    const why = optedOutResources.has(mark.resource) ? 'opted out' : 'no rule finds it unused any more';
    if (store.unmark(mark.id, why)) {
      unmarked.push({ mark, why });
      await tell(input, { kind: 'unmarked', mark, why }, warnings);
    }
  }

  const marked: JanitorMark[] = [];
  const markedResources = new Set(kept.map((m) => m.resource));
  for (const finding of found.values()) {
    if (markedResources.has(finding.resource)) continue;
    const { mark, created } = store.markForCleanup({
      provider,
      resource: finding.resource,
      rule: finding.rule,
      ...(finding.owner === undefined ? {} : { owner: finding.owner }),
      why: finding.why,
      markedAt: at,
      cleanAfter: input.cleanAfter(at),
    });
    if (created) marked.push(mark);
    kept.push(mark);
  }

  // New marks and earlier ones whose notice did not go out: an owner is told before anything is cleaned.
  const notified = new Set<number>();
  for (const mark of kept) {
    if (mark.notifiedAt !== undefined) notified.add(mark.id);
    else if (await tell(input, { kind: 'marked', mark }, warnings)) {
      store.noteMarkNotified(mark.id, input.notify ? `told ${mark.owner ?? 'the webhook'}` : 'listed in the report of simian janitor');
      notified.add(mark.id);
    }
  }

  const cleaned: JanitorMark[] = [];
  const failed: { mark: JanitorMark; error: string }[] = [];
  const held: { mark: JanitorMark; reason: SkipReason | 'not-notified'; detail: string }[] = [];
  for (const mark of kept) {
    if (at < mark.cleanAfter) continue;
    if (!notified.has(mark.id)) {
      held.push({ mark, reason: 'not-notified', detail: `${mark.owner ?? 'the owner'} has not been told yet` });
      continue;
    }
    const decision = await input.gate.clean({
      monkey: 'janitor',
      resource: mark.resource,
      rule: mark.rule,
      record: () => store.beginCleanup(mark.id) !== undefined,
      act: () => input.cleaner.clean(mark.resource),
    });
    if (decision.outcome === 'skipped') {
      held.push({ mark, reason: decision.reason, detail: decision.detail });
      continue;
    }
    const ok = decision.outcome === 'executed';
    const error = ok ? '' : errorMessage(decision.error);
    try {
      store.finishCleanup(mark.id, ok ? { ok: true } : { ok: false, error });
    } catch (recordError) {
      warnings.push(`${mark.resource}: the outcome of its cleanup was not recorded: ${errorMessage(recordError)}`);
    }
    if (ok) {
      cleaned.push(mark);
      await tell(input, { kind: 'cleaned', mark }, warnings);
    } else {
      failed.push({ mark, error });
      await tell(input, { kind: 'clean-failed', mark, error }, warnings);
    }
  }

  return { provider, at, marked, unmarked, cleaned, failed, held, open: store.janitorMarks(provider), optedOut, warnings };
}
