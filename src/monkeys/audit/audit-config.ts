/**
 * @module
 * The `audit:` section of `simian.yaml`: which Conformity, Security and Janitor rules are off, their thresholds, the
 * Janitor's retention, and when the daemon runs each monkey.
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
/** `conformity.required-tags` on EC2: the tags every instance needs. */
export const DEFAULT_REQUIRED_TAGS: readonly string[] = ['owner'];
/** Janitor: business days between a mark and its cleanup, SimianArmy's `retentionDays` (3). */
export const DEFAULT_RETENTION_BUSINESS_DAYS = 3;
/** `janitor.finished-job`: a finished Job older than this is marked, 7 days. */
export const DEFAULT_FINISHED_JOB_AGE_MS = 7 * 86_400_000;
/** `janitor.orphaned-instance`: an EC2 instance outside any Auto Scaling group older than this, SimianArmy's 2 days. */
export const DEFAULT_ORPHANED_INSTANCE_AGE_MS = 2 * 86_400_000;
/** `janitor.detached-volume`: a volume attached to nothing and older than this, SimianArmy's 30 days. */
export const DEFAULT_DETACHED_VOLUME_AGE_MS = 30 * 86_400_000;
/**
 * The tag, label or annotation that opts a resource out of the Janitor (`simian/janitor: opt-out`): it is listed,
 * never marked nor cleaned. Valid as a Kubernetes label key and value and as an EC2 tag.
 */
export const JANITOR_OPT_OUT_KEY = 'simian/janitor';
/** The value of {@link JANITOR_OPT_OUT_KEY} that opts out. */
export const JANITOR_OPT_OUT_VALUE = 'opt-out';
/** The tag, label or annotation that names a resource's owner, who is told before it is cleaned. */
export const OWNER_KEY = 'owner';

/** The resolved `audit.janitor:` section. */
export interface JanitorConfig {
  /** Business days (the schedule's calendar) from a mark to its cleanup. @default 3 */
  readonly retentionBusinessDays: number;
  /** Who owns a resource without an `owner` tag, label or annotation; none by default. */
  readonly defaultOwner?: string;
  /** `janitor.finished-job`, ms. @default 7 days */
  readonly finishedJobAgeMs: number;
  /** `janitor.orphaned-instance`, ms. @default 2 days */
  readonly orphanedInstanceAgeMs: number;
  /** `janitor.detached-volume`, ms. @default 30 days */
  readonly detachedVolumeAgeMs: number;
}

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
  /** `conformity.required-tags` (EC2): tags every instance needs. @default ['owner'] */
  readonly requiredTags: readonly string[];
  /** The Janitor Monkey's retention, default owner and thresholds. */
  readonly janitor: JanitorConfig;
  /** When `simian daemon` runs each audit monkey (its leader only), as cron expressions in `schedule.timeZone`; none by default. */
  readonly cron: { readonly conformity?: string; readonly security?: string; readonly janitor?: string };
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

const businessDays = z.unknown().transform((value, ctx): number => {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= 60) return value;
  ctx.addIssue({ code: 'custom', message: `must be a whole number of business days from 1 to 60, got ${describeValue(value)}` });
  return z.NEVER;
});

const tagKey = z.string({ error: expected('a tag name') }).trim().min(1, { error: 'a tag name cannot be empty' });

const janitorSchema = z.preprocess(
  (value) => value ?? {},
  z.strictObject(
    {
      retention: businessDays.default(DEFAULT_RETENTION_BUSINESS_DAYS),
      defaultOwner: z.string({ error: expected('an owner such as team-video@example.com') }).trim().min(1).optional(),
      finishedJobAge: duration.default(DEFAULT_FINISHED_JOB_AGE_MS),
      orphanedInstanceAge: duration.default(DEFAULT_ORPHANED_INSTANCE_AGE_MS),
      detachedVolumeAge: duration.default(DEFAULT_DETACHED_VOLUME_AGE_MS),
    },
    { error: expected('a mapping with retention, defaultOwner, finishedJobAge, orphanedInstanceAge, detachedVolumeAge') },
  ),
);

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
    requiredTags: z.array(tagKey, { error: expected('a list of tag names') }).default([...DEFAULT_REQUIRED_TAGS]),
    janitor: janitorSchema,
    // A `cron:` whose keys are all commented out is null in YAML: the same as none.
    cron: z.preprocess(
      (value) => value ?? {},
      z.strictObject(
        { conformity: cronExpression.optional(), security: cronExpression.optional(), janitor: cronExpression.optional() },
        { error: expected('a mapping with conformity, security, janitor') },
      ),
    ),
  },
  { error: expected('a mapping with disabledRules, maxInstanceAge, minZones, timeout, requiredTags, janitor, cron') },
);

/** What {@link auditConfigSchema} makes of the section. */
export type ParsedAuditConfig = z.output<typeof auditConfigSchema>;

/** The resolved section of a parsed one. */
export function resolveAuditConfig(parsed: ParsedAuditConfig): AuditConfig {
  const { conformity, security, janitor } = parsed.cron;
  const j = parsed.janitor;
  return {
    disabledRules: [...new Set(parsed.disabledRules)],
    maxInstanceAgeMs: parsed.maxInstanceAge,
    minZones: parsed.minZones,
    timeoutMs: parsed.timeout,
    requiredTags: [...new Set(parsed.requiredTags)],
    janitor: {
      retentionBusinessDays: j.retention,
      ...(j.defaultOwner === undefined ? {} : { defaultOwner: j.defaultOwner }),
      finishedJobAgeMs: j.finishedJobAge,
      orphanedInstanceAgeMs: j.orphanedInstanceAge,
      detachedVolumeAgeMs: j.detachedVolumeAge,
    },
    cron: {
      ...(conformity === undefined ? {} : { conformity }),
      ...(security === undefined ? {} : { security }),
      ...(janitor === undefined ? {} : { janitor }),
    },
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
    requiredTags: [...config.requiredTags],
    janitor: {
      retention: config.janitor.retentionBusinessDays,
      ...(config.janitor.defaultOwner === undefined ? {} : { defaultOwner: config.janitor.defaultOwner }),
      finishedJobAge: formatDuration(config.janitor.finishedJobAgeMs),
      orphanedInstanceAge: formatDuration(config.janitor.orphanedInstanceAgeMs),
      detachedVolumeAge: formatDuration(config.janitor.detachedVolumeAgeMs),
    },
    cron: { ...config.cron },
  };
}
