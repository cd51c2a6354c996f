/**
 * The local Conformity rules on seeded snapshots: each finds its violation, and passes the conforming snapshot.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUDIT_CONFIG } from '../../../src/monkeys/audit/audit-config.js';
import { localConformityRules } from '../../../src/monkeys/audit/local-conformity-rules.js';
import { runRules } from '../../../src/monkeys/audit/rule.js';
import { instance, NOW, snapshot, withInstance } from './seeded-snapshot.js';

const rules = localConformityRules(DEFAULT_AUDIT_CONFIG);
const findingsOf = (s = snapshot()) => runRules(rules, s);

describe('local Conformity rules', () => {
  it('pass a conforming stack', () => {
    expect(findingsOf()).toEqual([]);
  });

  it('conformity.health-check: an instance whose /health does not answer 200, or does not answer', () => {
    const sick = findingsOf(withInstance('catalog-us-east-1a-0', { health: { url: 'http://127.0.0.1:1/health', status: 503 } }));
    expect(sick).toEqual([
      { monkey: 'conformity', rule: 'conformity.health-check', severity: 'high', resource: 'catalog-us-east-1a-0', why: 'its health check http://127.0.0.1:1/health gave HTTP 503, not 200' },
    ]);
    const silent = findingsOf(withInstance('catalog-us-east-1a-0', { health: { url: 'http://127.0.0.1:1/health', error: 'connection refused' }, owner: 'team-catalog' }));
    expect(silent).toMatchObject([{ rule: 'conformity.health-check', owner: 'team-catalog', why: expect.stringContaining('no answer (connection refused)') }]);
  });

  it('conformity.discovery-registration: a running instance discovery does not list; not when it cannot tell', () => {
    expect(findingsOf(withInstance('catalog-us-east-1b-0', { registered: false }))).toMatchObject([
      { rule: 'conformity.discovery-registration', severity: 'medium', resource: 'catalog-us-east-1b-0' },
    ]);
    const { registered: _, ...unknown } = instance('catalog-us-east-1b-0');
    expect(findingsOf(snapshot((s) => ({ ...s, instances: s.instances.map((i) => (i.id === unknown.id ? unknown : i)) })))).toEqual([]);
  });

  it('conformity.single-zone: a service in fewer zones of its region than audit.minZones; the global front door is exempt', () => {
    const oneZone = snapshot((s) => ({ ...s, instances: s.instances.filter((i) => i.id !== 'catalog-us-east-1b-0').concat(instance('frontdoor', { region: 'global', zone: 'global' })) }));
    expect(findingsOf(oneZone)).toEqual([
      {
        monkey: 'conformity',
        rule: 'conformity.single-zone',
        severity: 'medium',
        resource: 'catalog@us-east',
        why: 'its 1 running instance(s) are in 1 zone (us-east-1a) of region us-east; at least 2 wanted',
      },
    ]);
    const three = localConformityRules({ ...DEFAULT_AUDIT_CONFIG, minZones: 3 });
    expect(runRules(three, snapshot()).map((f) => f.resource)).toEqual(['catalog@us-east', 'discovery@us-east', 'gateway@us-east']);
  });

  it('conformity.circuit-breaker and conformity.timeout: calls to a service of the stack without them, one finding per caller and target', () => {
    const bare = snapshot((s) => ({
      ...s,
      instances: s.instances.map((i) => (i.service === 'gateway' ? { ...i, policies: [{ name: 'catalog', policies: ['retry'] }, { name: 'origin-fill', policies: ['timeout'] }] } : i)),
    }));
    const found = findingsOf(bare);
    expect(found.map((f) => [f.rule, f.resource])).toEqual([
      ['conformity.circuit-breaker', 'gateway'],
      ['conformity.timeout', 'gateway'],
    ]);
    expect(found[0]!.why).toBe('calls catalog without a circuit breaker: resilience_calls_total{name="catalog"} shows only retry (on gateway-us-east-1a-0 and 1 more)');
    // A policy named after no service (origin-fill, an internal timeout) is not a dependency; unscraped metrics say nothing.
    expect(findingsOf(withInstance('gateway-us-east-1a-0', { policies: undefined }))).toEqual([]);
  });

  it('conformity.instance-age: an instance older than audit.maxInstanceAge', () => {
    const old = withInstance('catalog-us-east-1a-0', { launchedAt: NOW - 200 * 86_400_000 });
    expect(findingsOf(old)).toMatchObject([{ rule: 'conformity.instance-age', severity: 'low', resource: 'catalog-us-east-1a-0', why: 'launched 200d ago; at most 180d wanted' }]);
    const strict = localConformityRules({ ...DEFAULT_AUDIT_CONFIG, maxInstanceAgeMs: 3_600_000 });
    expect(runRules(strict, snapshot())).toHaveLength(6);
  });

  it('a rule named in audit.disabledRules is not evaluated', () => {
    const sick = withInstance('catalog-us-east-1a-0', { health: { url: 'http://127.0.0.1:1/health', status: 503 }, registered: false });
    const off = localConformityRules({ ...DEFAULT_AUDIT_CONFIG, disabledRules: ['conformity.health-check'] });
    expect(runRules(off, sick).map((f) => f.rule)).toEqual(['conformity.discovery-registration']);
    expect(off.find((r) => r.id === 'conformity.health-check')!.enabled).toBe(false);
  });

  it('lists findings most severe first, then by rule and resource', () => {
    const many = snapshot((s) => ({
      ...s,
      instances: s.instances.map((i) => ({ ...i, launchedAt: NOW - 365 * 86_400_000, ...(i.service === 'catalog' ? { health: { url: 'u', status: 500 }, registered: false } : {}) })),
    }));
    const found = findingsOf(many);
    expect(found.map((f) => f.severity)).toEqual([...found.map((f) => f.severity)].sort((a, b) => ['high', 'medium', 'low'].indexOf(a) - ['high', 'medium', 'low'].indexOf(b)));
    expect(found.slice(0, 2).map((f) => f.resource)).toEqual(['catalog-us-east-1a-0', 'catalog-us-east-1b-0']);
    expect(found.at(-1)!.rule).toBe('conformity.instance-age');
  });
});
