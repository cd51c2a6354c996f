/**
 * @module
 * The `audit:` section of `simian.yaml`: which Conformity and Security rules are off, and their thresholds.
 * {@link auditConfigSchema} holds every default; `src/config/simian-config.ts` mounts it under `audit` and reports its
 * issues as `file:line: audit.field: message` like any other section. It depends on `src/core` and the rule ids
 * only, so the config layer imports it without a cycle.
 */
import { validateCronExpression } from 'cron';
import { z } from 'zod';
import { unknownNameMessage } from '../../core/did-you-mean.js';
import { formatDuration, readDuration } from '../../core/durations.js';
import { describeValue, expected } from '../../core/schema-messages.js';
import { AUDIT_RULE_IDS } from './rule-ids.js';

/** An instance older than this is a `conformity.instance-age` finding: SimianArmy's `instanceAgeThreshold`, 180 days. */
export const DEFAULT_MAX_INSTANCE_AGE_MS = 180 * 86_400_000;
/** A service (in a region) needs instances in this many zones, or it is a `conformity.single-zone` finding. */
export const DEFAULT_MIN_ZONES = 2;
/** How long one probe (a health check, a scrape, an unauthenticated request) may take. */
export const DEFAULT_AUDIT_TIMEOUT_MS = 2_000;

/** The resolved `audit:` section. */
export interface AuditConfig {
  /** Rules that are not evaluated, by id. @default [] */
  readonly disabledRules: readonly string[];
  /** `conformity.instance-age`: instances launched longer ago than this, ms. @default 180 days */
  readonly maxInstanceAgeMs: number;
  /** `conformity.single-zone`: zones a service needs in its region. @default 2 */
  readonly minZones: number;
  /** How long one probe of an instance may take, ms. @default 2_000 */
  readonly timeoutMs: number;
  /** When `simian daemon` runs each audit monkey (its leader only), as cron expressions in `schedule.timeZone`; none by default. */
  readonly cron: { readonly conformity?: string; readonly security?: string };
}

const ruleId = z.unknown().transform((value, ctx): string => {
  if (typeof value === 'string' && AUDIT_RULE_IDS.includes(value)) return value;
  const message = typeof value === 'string' ? unknownNameMessage('audit rule', value, AUDIT_RULE_IDS) : `expected a rule id such as conformity.single-zone, got ${describeValue(value)}`;
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
});

const duration = z.unknown().transform((value, ctx): number => {
  const reading = readDuration(value, { zero: false });
  if ('ms' in reading) return reading.ms;
  ctx.addIssue({ code: 'custom', message: reading.problem });
  return z.NEVER;
});

const zones = z.unknown().transform((value, ctx): number => {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  ctx.addIssue({ code: 'custom', message: `must be a whole number >= 1, got ${describeValue(value)}` });
  return z.NEVER;
});

const cronExpression = z.unknown().transform((value, ctx): string => {
  const check = typeof value === 'string' && value.trim() !== '' ? validateCronExpression(value) : undefined;
  if (check?.valid) return (value as string).trim();
  const message = check ? `invalid cron expression ${JSON.stringify(value)}: ${check.error?.message ?? 'not understood'}` : `expected a cron expression such as "0 9 * * 1-5", got ${describeValue(value)}`;
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
});

/** The schema of the `audit:` section, defaults included (durations become ms). */
export const auditConfigSchema = z.strictObject(
  {
    disabledRules: z.array(ruleId, { error: expected('a list of rule ids') }).default([]),
    maxInstanceAge: duration.default(DEFAULT_MAX_INSTANCE_AGE_MS),
    minZones: zones.default(DEFAULT_MIN_ZONES),
    timeout: duration.default(DEFAULT_AUDIT_TIMEOUT_MS),
    // A `cron:` whose keys are all commented out is null in YAML: the same as none.
    cron: z.preprocess(
      (value) => value ?? {},
      z.strictObject({ conformity: cronExpression.optional(), security: cronExpression.optional() }, { error: expected('a mapping with conformity, security') }),
    ),
  },
  { error: expected('a mapping with disabledRules, maxInstanceAge, minZones, timeout, cron') },
);

/** What {@link auditConfigSchema} makes of the section. */
export type ParsedAuditConfig = z.output<typeof auditConfigSchema>;

/** The resolved section of a parsed one. */
export function resolveAuditConfig(parsed: ParsedAuditConfig): AuditConfig {
  const { conformity, security } = parsed.cron;
  return {
    disabledRules: [...new Set(parsed.disabledRules)],
    maxInstanceAgeMs: parsed.maxInstanceAge,
    minZones: parsed.minZones,
    timeoutMs: parsed.timeout,
    cron: { ...(conformity === undefined ? {} : { conformity }), ...(security === undefined ? {} : { security }) },
  };
}

/** The section with nothing but defaults. */
export const DEFAULT_AUDIT_CONFIG: AuditConfig = resolveAuditConfig(auditConfigSchema.parse({}));

/** `config` written back as the `audit:` section of `simian.yaml` (what `simian config show` prints). */
export function toAuditDocument(config: AuditConfig): Record<string, unknown> {
  return {
    disabledRules: [...config.disabledRules],
    maxInstanceAge: formatDuration(config.maxInstanceAgeMs),
    minZones: config.minZones,
    timeout: formatDuration(config.timeoutMs),
    cron: { ...config.cron },
  };
}
