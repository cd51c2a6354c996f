/**
 * @module
 * What a daemon event becomes when people are told of it: which events are worth a message (a fault, a skip, an
 * experiment's verdict, a change of leader, a planned fault that did not run) and what the message says. Pure
 * functions of the event, so what a channel reads is tested without a server; the wire format is
 * `webhook-body.ts`. Ticks, progress, SLO samples and instance churn are never told: a channel that hears
 * everything is a channel people mute.
 */
import type { WebhookEvent } from '../../config/simian-config.js';
import { errorMessage } from '../../core/errors.js';
import type { Fault } from '../../core/model.js';
import type { AuditRun } from '../../engine/audit-run.js';
import type { DecisionEvent } from '../../engine/events.js';
import { SKIP_REASONS } from '../../monkeys/safety/decision.js';
import type { DaemonEvent } from '../daemon.js';

/** How bad the news is: a channel shows it as a colour or an emoji. */
export type NotificationSeverity = 'good' | 'info' | 'warning' | 'danger';

/** One labelled value of a notification (a group, a reason, a journal path). */
export interface NotificationField {
  readonly label: string;
  readonly value: string;
}

/** A message for people, before any wire format: plain text throughout (the body escapes what it must). */
export interface Notification {
  /** What it is about, as `daemon.webhook.events` filters it. */
  readonly event: WebhookEvent;
  /** When it happened, epoch ms. */
  readonly at: number;
  readonly severity: NotificationSeverity;
  /** One line that says it all: what a phone's lock screen shows. */
  readonly title: string;
  readonly fields: readonly NotificationField[];
}

/** The notification of `event`, or undefined for events that are not worth one. */
export function notificationOf(event: DaemonEvent): Notification | undefined {
  switch (event.kind) {
    case 'decision':
      // The Janitor's decisions are told as its notices (below), which name the owner: a leashed Janitor's
      // "skipped: leashed" on every run for every due mark would be noise.
      return event.monkey === 'janitor' ? undefined : decisionNotification(event);
    case 'fault-reverted':
      // A fault that could not be reverted is still in force: that is news. A fault that ended as planned is not.
      if (event.outcome !== 'failed') return undefined;
      return {
        event: 'fault',
        at: event.at,
        severity: 'danger',
        title: `Fault ${event.faultId} could not be reverted: it may still be in force`,
        fields: [field('Fault', event.faultId), field('Revert asked by', event.trigger), ...optionalField('Error', event.detail)],
      };
    case 'experiment-verdict': {
      const passed = event.status === 'completed' && event.verdict === 'passed';
      return {
        event: 'verdict',
        at: event.at,
        severity: passed ? 'good' : event.status === 'completed' ? 'warning' : 'danger',
        title: `Experiment "${event.title}": ${event.verdict}`,
        fields: [field('Status', event.status), ...optionalField('Reason', event.reason), field('Journal', event.journal)],
      };
    }
    case 'leader':
      return {
        event: 'leader',
        at: event.at,
        severity: 'info',
        title: event.leading ? 'This daemon now leads: it runs the plan and the cron experiments' : `This daemon stands by${event.holder ? `: ${event.holder} leads` : ''}`,
        fields: event.holder ? [field('Lease holder', event.holder)] : [],
      };
    case 'plan':
      return planNotification(event);
    case 'findings':
      return findingsNotification(event.run, event.at);
    case 'janitor':
      return janitorNotification(event);
    default:
      return undefined;
  }
}

/** The most findings a message lists; the rest are counted. */
const MAX_LISTED_FINDINGS = 8;

/** A scheduled audit's findings, most severe first; a clean run is told too, so silence never means "not run". */
function findingsNotification(run: AuditRun, at: number): Notification {
  const high = run.findings.filter((f) => f.severity === 'high').length;
  const listed = run.findings.slice(0, MAX_LISTED_FINDINGS).map((f) => field(`${f.severity} ${f.rule}`, `${f.resource}: ${f.why}`));
  const more = run.findings.length - listed.length;
  return {
    event: 'findings',
    at,
    severity: high > 0 ? 'danger' : run.findings.length > 0 ? 'warning' : 'good',
    title: `${run.monkey} on ${run.provider}: ${run.findings.length === 0 ? 'no findings' : `${run.findings.length} finding(s), ${high} of high severity`}`,
    fields: more > 0 ? [...listed, field('And', `${more} more (simian ${run.monkey} --provider ${run.provider})`)] : listed,
  };
}

/** A Janitor notice for the owner of a resource: what happened to it, and when it will be cleaned. */
function janitorNotification(event: Extract<DaemonEvent, { kind: 'janitor' }>): Notification {
  const { notice, provider, at } = event;
  const { mark } = notice;
  const where = [field('Resource', mark.resource), field('Owner', mark.owner ?? 'none (audit.janitor.defaultOwner)'), field('Rule', mark.rule), field('Provider', provider)];
  const cleanAfter = new Date(mark.cleanAfter).toISOString();
  switch (notice.kind) {
    case 'marked':
      return {
        event: 'janitor',
        at,
        severity: 'warning',
        title: `Janitor marked ${mark.resource} for cleanup after ${cleanAfter}`,
        fields: [...where, field('Why', mark.why), field('Keep it', `tag it simian/janitor=opt-out, or: simian janitor opt-out ${mark.resource} --provider ${provider}`)],
      };
    case 'cleaned':
      return { event: 'janitor', at, severity: 'info', title: `Janitor cleaned ${mark.resource}`, fields: [...where, field('Why', mark.why)] };
    case 'clean-failed':
      return { event: 'janitor', at, severity: 'danger', title: `Janitor could not clean ${mark.resource}; it retries on its next run`, fields: [...where, field('Error', notice.error)] };
    case 'unmarked':
      return { event: 'janitor', at, severity: 'good', title: `Janitor unmarked ${mark.resource}: ${notice.why}`, fields: where };
  }
}

/** Whether `notification` is one `events` (a `daemon.webhook.events` list) asks for. */
export function wanted(notification: Notification, events: readonly WebhookEvent[]): boolean {
  return events.includes(notification.event);
}

function decisionNotification(event: DecisionEvent): Notification {
  const { decision, monkey, provider, scope } = event;
  const where = [field('Monkey', monkey), field('Scope', scope), field('Provider', provider)];
  switch (decision.outcome) {
    case 'executed':
      return {
        event: 'fault',
        at: event.at,
        severity: 'warning',
        title: `${monkey} injected ${describeFault(decision.fault)}`,
        fields: [...where, ...faultFields(decision.fault)],
      };
    case 'failed':
      return {
        event: 'fault',
        at: event.at,
        severity: 'danger',
        title: `${monkey} failed part-way through ${describeFault(decision.fault)}`,
        fields: [...where, ...faultFields(decision.fault), field('Hit before the failure', list(decision.affected)), field('Error', errorMessage(decision.error))],
      };
    case 'skipped':
      return {
        event: 'skip',
        at: event.at,
        severity: 'info',
        title: `${monkey} skipped a fault on ${scope}: ${decision.reason}`,
        fields: [...where, field('Reason', decision.reason), field('Detail', decision.detail), ...(decision.fault ? [field('Would have injected', describeFault(decision.fault))] : [])],
      };
  }
}

function planNotification(event: Extract<DaemonEvent, { kind: 'plan' }>): Notification | undefined {
  if (event.status === 'done') return undefined; // its decision was told already
  // A skip the safety pipeline decided was told by its decision event; only the daemon's own refusals are new here.
  const prefix = event.reason?.split(':')[0];
  if (event.status === 'skipped' && (SKIP_REASONS as readonly string[]).includes(prefix ?? '')) return undefined;
  const { entry } = event;
  return {
    event: 'skip',
    at: event.at,
    severity: event.status === 'missed' ? 'warning' : 'info',
    title: `The planned fault on ${entry.group} at ${entry.localTime} was ${event.status}${prefix ? `: ${prefix}` : ''}`,
    fields: [field('Group', entry.group), field('Planned for', `${entry.localTime} ${entry.timeZone} (${new Date(entry.at).toISOString()})`), ...optionalField('Reason', event.reason)],
  };
}

function describeFault(fault: Fault): string {
  return `${fault.kind} on ${list(fault.targets)}`;
}

function faultFields(fault: Fault): NotificationField[] {
  return [field('Fault', fault.id), field('Reverts', fault.expiresAt === undefined ? 'never: it cannot be undone' : new Date(fault.expiresAt).toISOString())];
}

// A zone outage can name hundreds of instances: the first few say enough.
function list(items: readonly string[], max = 5): string {
  if (items.length === 0) return 'nothing';
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

function field(label: string, value: string): NotificationField {
  return { label, value };
}

function optionalField(label: string, value: string | undefined): NotificationField[] {
  return value === undefined || value === '' ? [] : [field(label, value)];
}
