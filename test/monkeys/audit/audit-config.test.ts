/**
 * The audit: section of simian.yaml through the real loader: defaults, every key, and errors as file:line: field.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { DEFAULT_AUDIT_CONFIG, toAuditDocument } from '../../../src/monkeys/audit/audit-config.js';

const parse = (text: string) => parseConfig(text, { baseDir: '/srv', fileName: 'simian.yaml', file: '/srv/simian.yaml' });

describe('audit: in simian.yaml', () => {
  it('defaults to every rule on, 180 days, two zones, 2 s', () => {
    expect(parse('').audit).toEqual({
      disabledRules: [],
      maxInstanceAgeMs: 180 * 86_400_000,
      minZones: 2,
      timeoutMs: 2_000,
      requiredTags: ['owner'],
      janitor: { retentionBusinessDays: 3, finishedJobAgeMs: 7 * 86_400_000, orphanedInstanceAgeMs: 2 * 86_400_000, detachedVolumeAgeMs: 30 * 86_400_000 },
      cron: {},
    });
    expect(parse('audit:\n').audit).toEqual(DEFAULT_AUDIT_CONFIG);
  });

  it('reads every key, and writes them back', () => {
    const audit = parse(
      'audit:\n  disabledRules: [security.all-interfaces, conformity.timeout, janitor.finished-job]\n  maxInstanceAge: 30d\n  minZones: 3\n  timeout: 500ms\n' +
        '  requiredTags: [owner, cost-center]\n  janitor: { retention: 5, defaultOwner: sre@example.com, finishedJobAge: 1d, orphanedInstanceAge: 12h, detachedVolumeAge: 10d }\n' +
        '  cron: { security: "0 9 * * 1-5", janitor: "0 10 * * 1-5" }\n',
    ).audit;
    expect(audit).toEqual({
      disabledRules: ['security.all-interfaces', 'conformity.timeout', 'janitor.finished-job'],
      maxInstanceAgeMs: 30 * 86_400_000,
      minZones: 3,
      timeoutMs: 500,
      requiredTags: ['owner', 'cost-center'],
      janitor: { retentionBusinessDays: 5, defaultOwner: 'sre@example.com', finishedJobAgeMs: 86_400_000, orphanedInstanceAgeMs: 43_200_000, detachedVolumeAgeMs: 10 * 86_400_000 },
      cron: { security: '0 9 * * 1-5', janitor: '0 10 * * 1-5' },
    });
    expect(toAuditDocument(audit)).toEqual({
      disabledRules: ['security.all-interfaces', 'conformity.timeout', 'janitor.finished-job'],
      maxInstanceAge: '30d',
      minZones: 3,
      timeout: '500ms',
      requiredTags: ['owner', 'cost-center'],
      janitor: { retention: 5, defaultOwner: 'sre@example.com', finishedJobAge: '1d', orphanedInstanceAge: '12h', detachedVolumeAge: '10d' },
      cron: { security: '0 9 * * 1-5', janitor: '0 10 * * 1-5' },
    });
  });

  it('refuses bad values with the line and field', () => {
    expect(() => parse('audit:\n  minZones: 0\n')).toThrow('simian.yaml:2: audit.minZones: must be a whole number >= 1, got 0');
    expect(() => parse('audit:\n  maxInstanceAge: 30\n')).toThrow(/^simian\.yaml:2: audit\.maxInstanceAge: 30 has no unit/);
    expect(() => parse('audit:\n  disabledRules: security.all-interfaces\n')).toThrow('simian.yaml:2: audit.disabledRules: expected a list of rule ids, got "security.all-interfaces"');
    expect(() => parse('audit:\n  rules: {}\n')).toThrow(/simian\.yaml:2: audit\.rules/);
    expect(() => parse('audit:\n  cron:\n    security: every morning\n')).toThrow(/^simian\.yaml:3: audit\.cron\.security: invalid cron expression "every morning"/);
    expect(() => parse('audit:\n  cron:\n    monkey: "0 9 * * *"\n')).toThrow(/simian\.yaml:3: audit\.cron\.monkey/);
    expect(() => parse('audit:\n  janitor:\n    retention: 0\n')).toThrow('simian.yaml:3: audit.janitor.retention: must be a whole number of business days from 1 to 60, got 0');
    expect(() => parse('audit:\n  janitor:\n    retain: 3\n')).toThrow(/simian\.yaml:3: audit\.janitor\.retain/);
    expect(() => parse('audit:\n  requiredTags: [""]\n')).toThrow(/simian\.yaml:2: audit\.requiredTags\[0\]: a tag name cannot be empty/);
  });
});
