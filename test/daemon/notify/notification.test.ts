import { describe, expect, it } from 'vitest';
import type { DaemonEvent } from '../../../src/daemon/daemon.js';
import { notificationOf, wanted } from '../../../src/daemon/notify/notification.js';
import { faultEvent } from '../../support/webhook-server.js';

const at = Date.UTC(2026, 2, 3, 17, 0);
const entry = { id: 'e1', group: 'billing', monkey: 'chaos' as const, at, timeZone: 'America/Los_Angeles', localTime: '09:00', status: 'planned' as const };

describe('notificationOf', () => {
  it("tells a scheduled audit's findings, most severe first and bounded, and a clean run as good", () => {
    const finding = (n: number) => ({ monkey: 'security' as const, rule: 'security.all-interfaces', severity: 'high' as const, resource: `web-${n}`, why: 'listens on 0.0.0.0' });
    const run = (count: number) => ({ monkey: 'security' as const, provider: 'local', takenAt: 0, rules: { evaluated: ['security.all-interfaces'], disabled: [] }, findings: Array.from({ length: count }, (_, n) => finding(n)) });
    const many = notificationOf({ kind: 'findings', at: 5, run: run(10) })!;
    expect(many).toMatchObject({ event: 'findings', at: 5, severity: 'danger', title: 'security on local: 10 finding(s), 10 of high severity' });
    expect(many.fields).toHaveLength(9);
    expect(many.fields[0]).toEqual({ label: 'high security.all-interfaces', value: 'web-0: listens on 0.0.0.0' });
    expect(many.fields.at(-1)!.value).toBe('2 more (simian security --provider local)');
    expect(notificationOf({ kind: 'findings', at: 5, run: run(0) })).toMatchObject({ severity: 'good', title: 'security on local: no findings', fields: [] });
  });

  it('tells an executed fault with its monkey, scope, targets and when it reverts', () => {
    const n = notificationOf(faultEvent('api', at))!;
    expect(n).toMatchObject({ event: 'fault', at, severity: 'warning', title: 'chaos injected terminate on api-1' });
    expect(n.fields).toContainEqual({ label: 'Scope', value: 'api' });
    expect(n.fields).toContainEqual({ label: 'Reverts', value: 'never: it cannot be undone' });
  });

  it('tells a skip with its reason and detail, and what a leashed monkey would have done', () => {
    const fault = { id: 'f', kind: 'terminate' as const, targets: ['api-2'], startedAt: at, parameters: {} };
    const n = notificationOf({ kind: 'decision', at, monkey: 'chaos', provider: 'local', scope: 'api', decision: { outcome: 'skipped', reason: 'leashed', detail: 'dry run: leashed is true', fault } })!;
    expect(n).toMatchObject({ event: 'skip', title: 'chaos skipped a fault on api: leashed' });
    expect(n.fields).toEqual(expect.arrayContaining([
      { label: 'Reason', value: 'leashed' },
      { label: 'Detail', value: 'dry run: leashed is true' },
      { label: 'Would have injected', value: 'terminate on api-2' },
    ]));
  });

  it('tells a failed fault and a revert that failed as danger', () => {
    const fault = { id: 'f', kind: 'zone-outage' as const, targets: ['a', 'b', 'c', 'd', 'e', 'f', 'g'], startedAt: at, parameters: {} };
    const failed = notificationOf({ kind: 'decision', at, monkey: 'gorilla', provider: 'aws', scope: 'us-east-1a', decision: { outcome: 'failed', fault, affected: ['a'], error: new Error('throttled') } })!;
    expect(failed).toMatchObject({ event: 'fault', severity: 'danger', title: 'gorilla failed part-way through zone-outage on a, b, c, d, e and 2 more' });
    expect(failed.fields).toContainEqual({ label: 'Error', value: 'throttled' });
    const stuck = notificationOf({ kind: 'fault-reverted', at, faultId: 'f', outcome: 'failed', trigger: 'ttl', detail: 'proxy gone' })!;
    expect(stuck).toMatchObject({ event: 'fault', severity: 'danger' });
    expect(notificationOf({ kind: 'fault-reverted', at, faultId: 'f', outcome: 'reverted', trigger: 'ttl' })).toBeUndefined();
  });

  it('tells a verdict, good only when the experiment passed', () => {
    const verdict = (status: string, v: string): DaemonEvent => ({ kind: 'experiment-verdict', at, title: 'zone drop', status, verdict: v, journal: '/j.json' });
    expect(notificationOf(verdict('completed', 'passed'))).toMatchObject({ event: 'verdict', severity: 'good', title: 'Experiment "zone drop": passed' });
    expect(notificationOf(verdict('completed', 'deviated'))).toMatchObject({ severity: 'warning' });
    expect(notificationOf(verdict('aborted', 'not tested'))).toMatchObject({ severity: 'danger' });
  });

  it('tells a change of leader', () => {
    expect(notificationOf({ kind: 'leader', at, leading: true })).toMatchObject({ event: 'leader', title: expect.stringContaining('now leads') });
    expect(notificationOf({ kind: 'leader', at, leading: false, holder: 'web-2' })).toMatchObject({ title: 'This daemon stands by: web-2 leads' });
  });

  it("tells a planned entry the daemon skipped or missed, but not one the pipeline skipped (its decision told it)", () => {
    expect(notificationOf({ kind: 'plan', at, entry, status: 'missed', reason: 'due at …; no daemon led then' })).toMatchObject({ event: 'skip', severity: 'warning', title: 'The planned fault on billing at 09:00 was missed: due at …; no daemon led then' });
    expect(notificationOf({ kind: 'plan', at, entry, status: 'skipped', reason: 'max-active: 3 fault(s) in force' })).toMatchObject({ title: 'The planned fault on billing at 09:00 was skipped: max-active' });
    expect(notificationOf({ kind: 'plan', at, entry, status: 'skipped', reason: 'leashed: dry run' })).toBeUndefined();
    expect(notificationOf({ kind: 'plan', at, entry, status: 'done' })).toBeUndefined();
  });

  it('tells nothing of the noise: ticks, progress, samples, instances, notices', () => {
    const noise: DaemonEvent[] = [
      { kind: 'progress', at, task: 't', message: 'm' },
      { kind: 'notice', at, message: 'm' },
      { kind: 'instance', at, id: 'i', service: 's', state: 'down' },
      { kind: 'fault-held', at, faultId: 'f', expiresAt: at },
      { kind: 'config', at, message: 'reloaded' },
      { kind: 'experiment', at, title: 't', message: 'step' },
    ];
    for (const event of noise) expect(notificationOf(event), event.kind).toBeUndefined();
  });
});

describe('the Janitor', () => {
  const mark = { id: 1, provider: 'aws', resource: 'vol-1', rule: 'janitor.detached-volume', owner: 'video@example.com', why: 'attached to nothing', markedAt: 0, cleanAfter: Date.UTC(2026, 11, 8, 17), attempts: 0 };
  const janitor = (notice: Extract<DaemonEvent, { kind: 'janitor' }>['notice']) => notificationOf({ kind: 'janitor', at: 9, provider: 'aws', notice });

  it('tells the owner what was marked, when it will be cleaned, and how to keep it', () => {
    const told = janitor({ kind: 'marked', mark })!;
    expect(told).toMatchObject({ event: 'janitor', severity: 'warning', title: 'Janitor marked vol-1 for cleanup after 2026-12-08T17:00:00.000Z' });
    expect(told.fields).toEqual(
      expect.arrayContaining([
        { label: 'Owner', value: 'video@example.com' },
        { label: 'Keep it', value: 'tag it simian/janitor=opt-out, or: simian janitor opt-out vol-1 --provider aws' },
      ]),
    );
  });

  it('tells a failed cleanup as danger, and leaves the pipeline decisions of the Janitor untold', () => {
    expect(janitor({ kind: 'clean-failed', mark, error: 'DependencyViolation' })).toMatchObject({ severity: 'danger', fields: expect.arrayContaining([{ label: 'Error', value: 'DependencyViolation' }]) });
    expect(janitor({ kind: 'unmarked', mark, why: 'opted out' })!.title).toBe('Janitor unmarked vol-1: opted out');
    const leashed = { kind: 'decision', monkey: 'janitor', provider: 'aws', scope: 'vol-1', at: 1, decision: { outcome: 'skipped', reason: 'leashed', detail: 'leashed' } } as unknown as DaemonEvent;
    expect(notificationOf(leashed)).toBeUndefined();
    expect(notificationOf({ ...(leashed as object), monkey: 'chaos' } as DaemonEvent)).toMatchObject({ event: 'skip' });
  });
});

describe('wanted', () => {
  it('keeps only the events the webhook asks for', () => {
    const n = notificationOf(faultEvent())!;
    expect(wanted(n, ['fault'])).toBe(true);
    expect(wanted(n, ['skip', 'verdict', 'leader'])).toBe(false);
  });
});
