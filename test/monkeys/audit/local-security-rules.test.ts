/**
 * The local Security rules on seeded snapshots: each finds its violation, and passes the conforming snapshot.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUDIT_CONFIG } from '../../../src/monkeys/audit/audit-config.js';
import { isAnyAddress, localSecurityRules } from '../../../src/monkeys/audit/local-security-rules.js';
import { runRules } from '../../../src/monkeys/audit/rule.js';
import { snapshot, withInstance } from './seeded-snapshot.js';

const rules = localSecurityRules(DEFAULT_AUDIT_CONFIG);
const findingsOf = (s = snapshot()) => runRules(rules, s);

describe('local Security rules', () => {
  it('pass a conforming stack', () => {
    expect(findingsOf()).toEqual([]);
  });

  it('security.all-interfaces: a process listening on 0.0.0.0 or ::, not one on loopback or unreadable', () => {
    const open = snapshot((s) => ({
      ...s,
      listeners: [
        ...s.listeners,
        { resource: 'stack (pid 7)', pid: 7, sockets: [{ address: '127.0.0.1', port: 1, family: 'IPv4' }, { address: '::', port: 8474, family: 'IPv6' }, { address: '0.0.0.0', port: 9090, family: 'IPv4' }] },
        { resource: 'catalog-x', pid: 8, sockets: [{ address: '::1', port: 2, family: 'IPv6' }] },
        { resource: 'unknown', pid: 9 },
      ],
    }));
    expect(findingsOf(open)).toEqual([
      { monkey: 'security', rule: 'security.all-interfaces', severity: 'high', resource: 'stack (pid 7)', why: 'pid 7 listens on every interface: [::]:8474, 0.0.0.0:9090' },
    ]);
    expect(['0.0.0.0', '::', '::ffff:0:0'].every(isAnyAddress)).toBe(true);
    expect(['127.0.0.1', '::1', '10.0.0.1'].some(isAnyAddress)).toBe(false);
  });

  it('security.unauthenticated-write: a write that ran without credentials (2xx or its open status), not a 401/403 or no answer', () => {
    const probe = { resource: 'billing-us-east-1a-0', method: 'POST', url: 'http://127.0.0.1:3/subscriptions', openStatuses: [400] };
    const open = snapshot((s) => ({ ...s, probes: [...s.probes, { ...probe, status: 400 }, { ...probe, resource: 'b2', status: 201 }, { ...probe, resource: 'b3', status: 403 }, { ...probe, resource: 'b4' }, { ...probe, resource: 'b5', status: 500 }, { ...probe, resource: 'b6', status: 400, routeFound: false }] }));
    expect(findingsOf(open)).toEqual([
      { monkey: 'security', rule: 'security.unauthenticated-write', severity: 'high', resource: 'b2', why: 'POST http://127.0.0.1:3/subscriptions without credentials answered HTTP 201 (the route ran) instead of 401 or 403' },
      { monkey: 'security', rule: 'security.unauthenticated-write', severity: 'high', resource: 'billing-us-east-1a-0', why: 'POST http://127.0.0.1:3/subscriptions without credentials answered HTTP 400 (the route ran) instead of 401 or 403' },
    ]);
  });

  it('security.gateway-rate-limit: a gateway that reports no limit, or an unlimited one; not one that was not scraped', () => {
    expect(findingsOf(withInstance('gateway-us-east-1a-0', { rateLimit: null }))).toMatchObject([
      { rule: 'security.gateway-rate-limit', severity: 'medium', resource: 'gateway-us-east-1a-0', why: expect.stringContaining('has no gateway_client_rate_limit') },
    ]);
    expect(findingsOf(withInstance('gateway-us-east-1b-0', { rateLimit: { ratePerSecond: Infinity, burst: 100 } }))).toMatchObject([{ resource: 'gateway-us-east-1b-0' }]);
    expect(findingsOf(withInstance('gateway-us-east-1b-0', { rateLimit: { ratePerSecond: 50, burst: 0 } }))).toHaveLength(1);
    const { rateLimit: _, ...unscraped } = snapshot().instances[0]!;
    expect(findingsOf(snapshot((s) => ({ ...s, instances: [unscraped, ...s.instances.slice(1)] })))).toEqual([]);
  });

  it('turns a rule off through audit.disabledRules', () => {
    const off = localSecurityRules({ ...DEFAULT_AUDIT_CONFIG, disabledRules: ['security.gateway-rate-limit'] });
    expect(runRules(off, withInstance('gateway-us-east-1a-0', { rateLimit: null }))).toEqual([]);
  });
});
