/**
 * The local Janitor rules over seeded snapshots: for each rule a seeded violation is found and a conforming
 * resource passes; opt-outs are listed as opted out; owners come from the owner tag, else audit.janitor.defaultOwner.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUDIT_CONFIG, type AuditConfig } from '../../../src/monkeys/audit/audit-config.js';
import type { JanitorDataPath, JanitorInstance, JanitorProxy, LocalJanitorSnapshot } from '../../../src/monkeys/audit/local-janitor-snapshot.js';
import { localJanitorRules } from '../../../src/monkeys/audit/local-janitor-rules.js';
import { runRules } from '../../../src/monkeys/audit/rule.js';
import { LOCAL_JANITOR_RULE_IDS } from '../../../src/monkeys/audit/rule-ids.js';

const NOW = 1_800_000_000_000;
const MINUTE = 60_000;

function instance(id: string, extra: Partial<JanitorInstance> = {}): JanitorInstance {
  return { id, service: id.split('-')[0]!, region: 'us-east', zone: 'us-east-1a', state: 'running', launchedAt: NOW - 10 * MINUTE, pid: 4242, optedOut: false, registered: true, ...extra };
}

function data(path: string, extra: Partial<JanitorDataPath> = {}): JanitorDataPath {
  return { path, kind: 'file', usedBy: [], modifiedAt: NOW - 86_400_000, optedOut: false, ...extra };
}

function proxy(name: string, extra: Partial<JanitorProxy> = {}): JanitorProxy {
  return { name, listen: '127.0.0.1:40001', upstream: '127.0.0.1:40002', enabled: true, stackSlot: true, instanceKnown: true, toxics: [], ...extra };
}

function snapshot(parts: Partial<LocalJanitorSnapshot>): LocalJanitorSnapshot {
  return { takenAt: NOW, instances: [], ...parts };
}

const config = (janitor: Partial<AuditConfig['janitor']> = {}, disabledRules: string[] = []): AuditConfig => ({
  ...DEFAULT_AUDIT_CONFIG,
  disabledRules,
  janitor: { ...DEFAULT_AUDIT_CONFIG.janitor, ...janitor },
});

const findings = (s: LocalJanitorSnapshot, c: AuditConfig = config()) => runRules(localJanitorRules(c), s);
const of = (s: LocalJanitorSnapshot, rule: string, c?: AuditConfig) => findings(s, c).filter((f) => f.rule === rule);

describe('localJanitorRules', () => {
  it('has exactly the local Janitor rule ids, all on by default, all janitor', () => {
    const rules = localJanitorRules(config());
    expect(rules.map((r) => r.id).sort()).toEqual([...LOCAL_JANITOR_RULE_IDS].sort());
    expect(rules.every((r) => r.enabled && r.monkey === 'janitor')).toBe(true);
  });

  it('turns off what audit.disabledRules names', () => {
    const s = snapshot({ data: [data('data/billing-us-east.db')] });
    expect(of(s, 'janitor.orphaned-data')).toHaveLength(1);
    expect(of(s, 'janitor.orphaned-data', config({}, ['janitor.orphaned-data']))).toEqual([]);
  });

  describe('janitor.unregistered-instance', () => {
    it('finds a running instance discovery does not list, launched over a minute ago; passes a registered one', () => {
      const s = snapshot({ instances: [instance('catalog-us-east-1a-0', { registered: false }), instance('catalog-us-east-1b-0')] });
      const found = of(s, 'janitor.unregistered-instance');
      expect(found.map((f) => f.resource)).toEqual(['instance/catalog-us-east-1a-0']);
      expect(found[0]!.why).toContain('no discovery instance of region us-east lists it');
    });

    it('leaves an instance within its minute of grace, and one whose registration is unknown', () => {
      const s = snapshot({
        instances: [
          instance('catalog-us-east-1a-0', { registered: false, launchedAt: NOW - 59_000 }),
          instance('discovery-us-east-1a-0', { registered: undefined, launchedAt: NOW - 60 * MINUTE }),
        ],
      });
      expect(of(s, 'janitor.unregistered-instance')).toEqual([]);
      expect(of(snapshot({ instances: [instance('catalog-us-east-1a-0', { registered: false, launchedAt: NOW - 61_000 })] }), 'janitor.unregistered-instance')).toHaveLength(1);
    });

    it('leaves an instance that is not running', () => {
      expect(of(snapshot({ instances: [instance('catalog-us-east-1a-0', { registered: false, state: 'starting' })] }), 'janitor.unregistered-instance')).toEqual([]);
    });
  });

  describe('janitor.stopped-instance', () => {
    it('finds a stopped or crashed instance the supervisor will not restart', () => {
      const s = snapshot({
        instances: [instance('catalog-us-east-1a-0', { state: 'crashed', restarting: false }), instance('billing-us-east-1a-0', { state: 'stopped', restarting: false })],
      });
      expect(of(s, 'janitor.stopped-instance').map((f) => f.resource)).toEqual(['instance/billing-us-east-1a-0', 'instance/catalog-us-east-1a-0']);
    });

    it('leaves a crashed instance waiting for its replacement, one it cannot tell about, and a running one', () => {
      const s = snapshot({
        instances: [
          instance('catalog-us-east-1a-0', { state: 'crashed', restarting: true }),
          instance('catalog-us-east-1b-0', { state: 'crashed' }),
          instance('catalog-us-east-1c-0', { restarting: false }),
        ],
      });
      expect(of(s, 'janitor.stopped-instance')).toEqual([]);
    });
  });

  describe('janitor.orphaned-data', () => {
    it('finds an entry no instance uses and passes the ledger billing uses', () => {
      const s = snapshot({ data: [data('data/billing.db', { usedBy: ['billing-us-east-1a-0'] }), data('data/old-copy', { kind: 'directory' })] });
      const found = of(s, 'janitor.orphaned-data');
      expect(found.map((f) => f.resource)).toEqual(['data/data/old-copy']);
      expect(found[0]!.why).toContain('directory');
    });

    it('lists an opted-out entry as opted out', () => {
      const found = of(snapshot({ data: [data('data/keep-me', { kind: 'directory', optedOut: true })] }), 'janitor.orphaned-data');
      expect(found).toHaveLength(1);
      expect(found[0]!.optedOut).toBe(true);
    });

    it('says nothing when the data could not be read', () => {
      expect(of(snapshot({}), 'janitor.orphaned-data')).toEqual([]);
    });
  });

  describe('janitor.orphaned-proxy', () => {
    it('finds a proxy of the stack whose instance is gone, alone even with toxics', () => {
      const s = snapshot({
        instances: [instance('catalog-us-east-1a-0')],
        proxies: [proxy('catalog-us-east-1a-0'), proxy('catalog-us-east-1b-0', { instanceKnown: false, toxics: [{ name: 'stale', type: 'latency', ownedByFault: false }] })],
      });
      expect(of(s, 'janitor.orphaned-proxy').map((f) => f.resource)).toEqual(['proxy/catalog-us-east-1b-0']);
    });

    it('finds a toxic no active fault owns and passes one a fault owns', () => {
      const s = snapshot({
        instances: [instance('catalog-us-east-1a-0')],
        proxies: [
          proxy('catalog-us-east-1a-0', {
            toxics: [
              { name: 'simian-owned', type: 'latency', ownedByFault: true },
              { name: 'left-over', type: 'timeout', ownedByFault: false },
            ],
          }),
        ],
      });
      const found = of(s, 'janitor.orphaned-proxy');
      expect(found.map((f) => f.resource)).toEqual(['toxic/catalog-us-east-1a-0/left-over']);
      expect(found[0]!.why).toContain('timeout toxic');
    });

    it('never judges a proxy that is not the stack, nor its toxics', () => {
      const s = snapshot({ proxies: [proxy('redis', { stackSlot: false, instanceKnown: false, toxics: [{ name: 't', type: 'latency', ownedByFault: false }] })] });
      expect(of(s, 'janitor.orphaned-proxy')).toEqual([]);
    });

    it("lists a toxic on an opted-out instance's proxy as opted out", () => {
      const s = snapshot({
        instances: [instance('catalog-us-east-1a-0', { optedOut: true })],
        proxies: [proxy('catalog-us-east-1a-0', { toxics: [{ name: 'left-over', type: 'latency', ownedByFault: false }] })],
      });
      expect(of(s, 'janitor.orphaned-proxy')[0]!.optedOut).toBe(true);
    });
  });

  describe('owners and opt-out of instances', () => {
    const s = snapshot({
      instances: [
        instance('catalog-us-east-1a-0', { registered: false, owner: 'team-catalog' }),
        instance('user-us-east-1a-0', { registered: false }),
        instance('playback-us-east-1a-0', { registered: false, optedOut: true }),
      ],
      data: [data('data/billing-us-east.db')],
    });

    it('takes the owner tag, else the default owner, else none', () => {
      const withDefault = findings(s, config({ defaultOwner: 'sre@example.com' }));
      const owners = Object.fromEntries(withDefault.map((f) => [f.resource, f.owner]));
      expect(owners).toEqual({
        'instance/catalog-us-east-1a-0': 'team-catalog',
        'instance/user-us-east-1a-0': 'sre@example.com',
        'instance/playback-us-east-1a-0': 'sre@example.com',
        'data/data/billing-us-east.db': 'sre@example.com',
      });
      const withoutDefault = findings(s);
      expect(withoutDefault.find((f) => f.resource === 'instance/user-us-east-1a-0')).not.toHaveProperty('owner');
      expect(withoutDefault.find((f) => f.resource === 'instance/catalog-us-east-1a-0')!.owner).toBe('team-catalog');
    });

    it('lists an opted-out instance as opted out, the others not', () => {
      const byResource = Object.fromEntries(findings(s).map((f) => [f.resource, f.optedOut ?? false]));
      expect(byResource['instance/playback-us-east-1a-0']).toBe(true);
      expect(byResource['instance/catalog-us-east-1a-0']).toBe(false);
    });
  });
});
