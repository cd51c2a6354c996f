/**
 * simian_findings{monkey,rule,severity}: every known rule's series at 0 from the start, set from a monkey's last
 * findings, back to 0 when they are gone, other monkeys' series untouched.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUDIT_CONFIG } from '../../../src/monkeys/audit/audit-config.js';
import type { Finding } from '../../../src/monkeys/audit/findings.js';
import { FindingsMetrics } from '../../../src/monkeys/audit/findings-metrics.js';
import { localConformityRules } from '../../../src/monkeys/audit/local-conformity-rules.js';
import { localSecurityRules } from '../../../src/monkeys/audit/local-security-rules.js';

async function series(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('simian_findings')!.get();
  return Object.fromEntries(metric.values.map((v) => [`${v.labels['monkey']}/${v.labels['rule']}/${v.labels['severity']}`, v.value]));
}

const finding = (rule: string, resource: string, monkey: Finding['monkey'] = 'conformity', severity: Finding['severity'] = 'high'): Finding => ({ monkey, rule, severity, resource, why: 'seeded' });

describe('FindingsMetrics', () => {
  it('pre-creates every rule at 0, counts a run, and resets what a later run no longer finds', async () => {
    const registry = new Registry();
    const metrics = new FindingsMetrics(registry, [...localConformityRules(DEFAULT_AUDIT_CONFIG), ...localSecurityRules(DEFAULT_AUDIT_CONFIG)]);
    const initial = await series(registry);
    expect(Object.keys(initial)).toHaveLength(9);
    expect(Object.values(initial).every((v) => v === 0)).toBe(true);
    expect(initial['security/security.all-interfaces/high']).toBe(0);

    metrics.record('conformity', [finding('conformity.health-check', 'a'), finding('conformity.health-check', 'b')]);
    metrics.record('security', [finding('security.all-interfaces', 'stack', 'security')]);
    let now = await series(registry);
    expect(now['conformity/conformity.health-check/high']).toBe(2);
    expect(now['security/security.all-interfaces/high']).toBe(1);
    expect(now['conformity/conformity.single-zone/medium']).toBe(0);

    metrics.record('conformity', [finding('conformity.custom', 'x', 'conformity', 'low')]);
    now = await series(registry);
    expect(now['conformity/conformity.health-check/high']).toBe(0);
    expect(now['conformity/conformity.custom/low']).toBe(1);
    // Another monkey's run leaves this one's series as they were.
    expect(now['security/security.all-interfaces/high']).toBe(1);
    metrics.record('conformity', []);
    expect((await series(registry))['conformity/conformity.custom/low']).toBe(0);
    expect(await registry.metrics()).toContain('simian_findings{monkey="conformity",rule="conformity.health-check",severity="high"} 0');
  });
});
