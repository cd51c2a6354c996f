/**
 * @module
 * Findings as a metric: `simian_findings{monkey,rule,severity}`, how many findings each rule has now. A gauge,
 * since findings come and go as resources are fixed; every known rule's series exists from the start at 0, so a
 * rule's first finding is a change an alert can see.
 */
import { Gauge, type Registry } from 'prom-client';
import type { AuditMonkey, Finding, Severity } from './findings.js';

/** The metric's name. */
export const FINDINGS_METRIC = 'simian_findings';

/** What the gauge needs to know of a rule to pre-create its series. */
export interface RuleLabels {
  readonly id: string;
  readonly monkey: AuditMonkey;
  readonly severity: Severity;
}

/**
 * The `simian_findings` gauge on an injected registry.
 *
 * @example
 * const metrics = new FindingsMetrics(registry, localSecurityRules(config.audit));
 * metrics.record('security', runRules(rules, snapshot));
 */
export class FindingsMetrics {
  private readonly gauge: Gauge<'monkey' | 'rule' | 'severity'>;
  private readonly rules: readonly RuleLabels[];
  /** Every series set so far, so that a rule outside {@link rules} drops back to 0 once its findings are gone. */
  private readonly seen = new Map<string, { monkey: string; rule: string; severity: string }>();

  constructor(registry: Registry, rules: readonly RuleLabels[]) {
    this.rules = rules;
    this.gauge = new Gauge({
      name: FINDINGS_METRIC,
      help: 'Findings of the audit monkeys (conformity, security, janitor) at their last run, by rule.',
      labelNames: ['monkey', 'rule', 'severity'],
      registers: [registry],
    });
    for (const rule of rules) this.gauge.set({ monkey: rule.monkey, rule: rule.id, severity: rule.severity }, 0);
  }

  /**
   * Sets `monkey`'s series from the findings of its last run: each known rule of that monkey to its count (0 when
   * it found nothing), and any other rule the findings name. Other monkeys' series are left as they are.
   */
  record(monkey: AuditMonkey, findings: readonly Finding[]): void {
    const counts = new Map<string, { labels: { monkey: string; rule: string; severity: string }; count: number }>();
    for (const [key, labels] of this.seen) if (labels.monkey === monkey) counts.set(key, { labels, count: 0 });
    for (const rule of this.rules) {
      if (rule.monkey === monkey) counts.set(`${rule.id}\u0000${rule.severity}`, { labels: { monkey, rule: rule.id, severity: rule.severity }, count: 0 });
    }
    for (const f of findings) {
      if (f.monkey !== monkey) continue;
      const key = `${f.rule}\u0000${f.severity}`;
      const entry = counts.get(key) ?? { labels: { monkey, rule: f.rule, severity: f.severity }, count: 0 };
      entry.count++;
      counts.set(key, entry);
    }
    for (const [key, { labels, count }] of counts) {
      this.seen.set(key, labels);
      this.gauge.set(labels, count);
    }
  }
}
