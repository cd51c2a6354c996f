/**
 * @module
 * One Janitor Monkey run for any front end (`simian janitor`, the daemon's cron): a fresh snapshot of the
 * provider, the Janitor's rules over it, then the lifecycle of `src/monkeys/janitor/` against the marks in the
 * run's state store, every deletion through the run's safety pipeline for that provider.
 */
import type { SimianConfig } from '../config/simian-config.js';
import { runJanitor, type JanitorNotice, type JanitorReport } from '../monkeys/janitor/janitor-monkey.js';
import { cleanAfter } from '../monkeys/janitor/retention.js';
import type { SafetyConfig } from '../monkeys/safety/safety-config.js';
import { BusinessCalendar } from '../schedule/business-calendar.js';
import { auditWith, type AuditRun, type AuditRunOptions } from './audit-run.js';
import { auditSource } from './audit-sources.js';
import type { FaultRun } from './fault-run.js';
import type { ProviderRegistry } from './provider-registry.js';

/** What one Janitor run found and did. */
export interface JanitorRun extends AuditRun {
  readonly monkey: 'janitor';
  readonly janitor: JanitorReport;
}

/** Options of {@link runJanitorMonkey}. */
export interface JanitorRunOptions extends AuditRunOptions {
  /** Tells owners (the daemon's webhook); without one, the report is the notice. */
  readonly notify?: (notice: JanitorNotice) => void | Promise<void>;
  /** The safety settings, tightened by a flag (`--unleash` may only lift the leash the operator allows). */
  readonly safety?: SafetyConfig;
}

/** The schedule's calendar, which the retention is counted in. */
export function janitorCalendar(config: SimianConfig): BusinessCalendar {
  const { timeZone, hours, runDays, holidays } = config.schedule;
  return new BusinessCalendar({ timeZone, hours, runDays, holidays });
}

/**
 * Runs the Janitor once on `providerName` within `run` (its store holds the marks; its pipeline gates deletes).
 *
 * @throws InvalidInputError `audit.unsupportedProvider` (exit 2); SimianError when the platform or the store
 *   cannot be read (then nothing is cleaned)
 */
export async function runJanitorMonkey(run: FaultRun, providerName: string, config: SimianConfig, providers: ProviderRegistry, options: JanitorRunOptions): Promise<JanitorRun> {
  const calendar = janitorCalendar(config);
  const source = auditSource(providerName, config, providers, {
    ...options,
    ownedRevertIds: options.ownedRevertIds ?? (() => run.store.activeFaults().flatMap((f) => f.revertIds)),
  });
  const audit = await auditWith(source, 'janitor');
  const provider = run.provider(providerName);
  const report = await runJanitor({
    provider: source.provider,
    findings: audit.findings,
    store: run.store,
    clock: options.clock,
    cleanAfter: (at) => cleanAfter(calendar, at, config.audit.janitor.retentionBusinessDays),
    gate: run.pipeline(provider, options.safety),
    cleaner: source.cleaner(),
    ...(options.notify ? { notify: options.notify } : {}),
  });
  return { ...audit, monkey: 'janitor', janitor: report };
}
