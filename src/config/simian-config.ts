/**
 * @module
 * `simian.yaml`, the one configuration file of Simian: its schema ({@link simianConfigSchema}, which also holds
 * every default), the resolved configuration the rest of the program reads ({@link SimianConfig}), and how a
 * parsed file becomes one ({@link configFromFile}). Loading the file and reporting its errors with line numbers is
 * `load-config.ts`; environment variables and flags are `env-overrides.ts`.
 *
 * The file is strict: an unknown key is an error that names it, because a misspelt safety setting must not
 * silently fall back to its default. Durations are strings with a unit (`500ms`, `30s`, `5m`, `1h`, `1d`); a
 * bare number is refused, except `0` where zero is allowed (`core/durations.ts`). Relative paths resolve against
 * the folder of the file that holds them, `~/` against the home directory. The full reference is `docs/configuration.md`; every key is in `simian.example.yaml`.
 */
import { formatDuration, readDuration } from '../core/durations.js';
import { describeValue, expected } from '../core/schema-messages.js';

export { describeValue };
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_SAFETY_CONFIG, resolveSafetyConfig, type SafetyConfig } from '../monkeys/safety/safety-config.js';
import { resolveScheduleConfig, scheduleConfigSchema, toScheduleDocument, type ScheduleConfig } from '../schedule/schedule-config.js';
import { auditConfigSchema, resolveAuditConfig, toAuditDocument, type AuditConfig } from '../monkeys/audit/audit-config.js';

/** The code of every configuration error: a bad file, environment variable or flag. */
export const CONFIG_INVALID = 'config.invalid';
/** The code of the error for a config file that was asked for (`--config`, `SIMIAN_CONFIG`) but cannot be read. */
export const CONFIG_NOT_FOUND = 'config.notFound';
/** The file looked for in the working directory when no other is named. */
export const CONFIG_FILE_NAME = 'simian.yaml';

/** The default state directory, relative to the config file's folder (or the working directory without one). */
export const DEFAULT_STATE_DIR = '.simian';
/** The state store's file name inside the state directory. */
export const STATE_STORE_FILE = 'simian.db';
/** TTL of a reversible fault given no `--duration`: five minutes. */
export const DEFAULT_FAULT_DURATION_MS = 300_000;
/** Where a Toxiproxy server listens by default (the embedded one, or a real one on its standard port). */
export const DEFAULT_TOXIPROXY_URL = 'http://127.0.0.1:8474';
/** The AWS region used when neither the file nor `SIMIAN_AWS_REGION` names one. */
export const DEFAULT_AWS_REGION = 'us-east-1';
/** Namespaces the Kubernetes provider never touches unless the file says otherwise: the control plane. */
export const DEFAULT_EXCLUDED_NAMESPACES: readonly string[] = ['kube-system'];

/** How Kubernetes pods form groups: by their controller (`owner`), or by the value of a label (`label:<key>`). */
export type KubernetesGroupBy = { readonly kind: 'owner' } | { readonly kind: 'label'; readonly key: string };

/** How EC2 instances form groups: by Auto Scaling group (`asg`), or by the value of a tag (`tag:<key>`). */
export type AwsGroupBy = { readonly kind: 'asg' } | { readonly kind: 'tag'; readonly key: string };

/** Settings of the Kubernetes provider. */
export interface KubernetesProviderConfig {
  /** Absolute path of the kubeconfig file. Absent: the client's own lookup (KUBECONFIG, ~/.kube/config, in-cluster). */
  readonly kubeconfig?: string;
  /** The kubeconfig context to use. Absent: the file's current context. */
  readonly context?: string;
  /** Only these namespaces are seen and touched; empty means every namespace. @default [] */
  readonly namespaces: readonly string[];
  /** Namespaces never seen nor touched, even if listed in `namespaces`. @default ['kube-system'] */
  readonly excludeNamespaces: readonly string[];
  /** How pods form groups. @default { kind: 'owner' } */
  readonly groupBy: KubernetesGroupBy;
  /** Grace period of deletes and evictions, seconds. Absent: 0 for SIGKILL, the pod's own otherwise. */
  readonly gracePeriodSeconds?: number;
}

/** Settings of the AWS (EC2) provider. */
export interface AwsProviderConfig {
  /** The region the client talks to. @default 'us-east-1' */
  readonly region: string;
  /** Another EC2 endpoint (a local fake, a VPC endpoint). Absent: the region's public endpoint. */
  readonly endpoint?: string;
  /** How instances form groups. @default { kind: 'asg' } */
  readonly groupBy: AwsGroupBy;
  /** The shared-credentials profile. Absent: the SDK's default credential chain. */
  readonly profile?: string;
}

/** Settings of the Toxiproxy provider (latency and network faults). */
export interface ToxiproxyProviderConfig {
  /** The admin API of the Toxiproxy server, without a trailing slash. @default 'http://127.0.0.1:8474' */
  readonly url: string;
}

/** Where faults land, one entry per provider. Every provider has its settings, defaults filled in. */
export interface ProvidersConfig {
  /** The running reference stack found in the state directory; nothing to configure. */
  readonly local: Readonly<Record<string, never>>;
  readonly kubernetes: KubernetesProviderConfig;
  readonly aws: AwsProviderConfig;
  readonly toxiproxy: ToxiproxyProviderConfig;
  /**
   * An HTTP hook that moves users between regions for Chaos Kong on Kubernetes and AWS: `POST
   * <url>/admin/regions/<region>/evacuate` and `/restore`. Absent: region evacuation is unsupported there.
   */
  readonly trafficShiftUrl?: string;
}

/** Settings of reversible faults (toxics, zone isolation, region evacuation). */
export interface FaultsConfig {
  /** TTL of a reversible fault given no `--duration`, ms. @default 300_000 (5m) */
  readonly defaultDurationMs: number;
  /** Longest TTL accepted, ms; the same value as `safety.maxFaultDurationMs`. @default 3_600_000 (1h) */
  readonly maxDurationMs: number;
}

/**
 * The outage check every fault asks first: SLOs burning their error budget, or alerts firing, mean the platform is
 * already hurting and a fault would only add noise to the incident. On when `slos` or `alerts` is set.
 */
export interface OutageCheckConfig {
  /** Absolute path of the SLO file (sloth `prometheus/v1` or OpenSLO) whose SLOs must not be burning. */
  readonly slosFile?: string;
  /** Only these SLOs of the file; absent: all of them. */
  readonly names?: readonly string[];
  /** The window the burn rate is measured over, ms. @default 300_000 (5m) */
  readonly windowMs: number;
  /** An SLO burning faster than this is an outage. @default 14.4 (the page threshold: 2% of 30 days in 1 h) */
  readonly maxBurnRate: number;
  /** Firing Prometheus alerts matching these label matchers (`{severity="page"}`, `{}` for any) are an outage. */
  readonly alerts?: string;
  /** The Prometheus to ask. Absent: the running stack's (`simian stack up --prometheus`), else direct scrapes. */
  readonly prometheusUrl?: string;
  /** Direct scrapes keep no history: how long they watch before the first fault is judged, ms. @default 10_000 */
  readonly observeMs: number;
}

/** The defaults of {@link OutageCheckConfig}. */
export const DEFAULT_OUTAGE_CHECK = { windowMs: 300_000, maxBurnRate: 14.4, observeMs: 10_000 } as const;

/** Whether the outage check is on: it has SLOs or alerts to look at. */
export function outageCheckEnabled(config: OutageCheckConfig): boolean {
  return config.slosFile !== undefined || config.alerts !== undefined;
}

/** Where the daemon's leader lease lives: a row of the state store (one machine), or a Kubernetes Lease. */
export type DaemonLeaderConfig =
  | { readonly kind: 'store'; readonly name: string }
  | { readonly kind: 'kubernetes'; readonly namespace: string; readonly name: string };

/** `simian daemon`: where its API listens, where its token comes from, who leads. */
export interface DaemonConfig {
  /** The provider the daemon's monkeys act on. @default 'local' */
  readonly provider: string;
  /** The API's host: loopback unless a remote one is asked for. @default '127.0.0.1' */
  readonly host: string;
  /** The API's port (0: any free one, printed at start). @default 7070 */
  readonly port: number;
  /** A file holding the API's bearer token: owner-only (0600), or it is refused. */
  readonly tokenFile?: string;
  /** The environment variable that holds the token when no file is named. @default 'SIMIAN_DAEMON_TOKEN' */
  readonly tokenEnv: string;
  /** Whether `POST /v1/chaos` may inject a fault on demand (game days). @default true */
  readonly onDemand: boolean;
  /** How often the daemon looks at its plan and its cron experiments, ms. @default 5000 */
  readonly tickMs: number;
  readonly leader: DaemonLeaderConfig;
  /** The Slack-compatible webhook the daemon tells what it did; no `url`, nothing is sent. */
  readonly webhook: WebhookConfig;
}

/** What the daemon's webhook may be told of (`daemon.webhook.events`). */
export const WEBHOOK_EVENTS = ['fault', 'skip', 'verdict', 'leader', 'findings', 'janitor'] as const;

/**
 * One of {@link WEBHOOK_EVENTS}: faults (injected, failed, not reverted), skips, experiment verdicts, leader changes,
 * scheduled audits' findings, and the Janitor's notices to owners (marked, cleaned, failed, unmarked).
 */
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** `daemon.webhook`: a Slack-compatible incoming webhook. */
export interface WebhookConfig {
  /** Where notifications are POSTed: https, or http to a loopback host only. Absent: no notifications. */
  readonly url?: string;
  /** What it is told of. @default every one of {@link WEBHOOK_EVENTS} */
  readonly events: readonly WebhookEvent[];
  /** How long one POST may take before it is abandoned (and retried), ms. @default 5000 */
  readonly timeoutMs: number;
}

/** The defaults of {@link DaemonConfig}. */
export const DEFAULT_DAEMON = {
  provider: 'local',
  host: '127.0.0.1',
  port: 7070,
  tokenEnv: 'SIMIAN_DAEMON_TOKEN',
  onDemand: true,
  tickMs: 5000,
  leaseName: 'simian-daemon',
  leaseNamespace: 'default',
  webhookTimeoutMs: 5000,
} as const;

/** Where the values of a resolved configuration came from, lowest layer first (defaults are implied). */
export interface ConfigSource {
  /** The absolute path of the file read, if any. */
  readonly file?: string;
  /** The environment variables that changed something, e.g. `['SIMIAN_LEASHED']`. */
  readonly env: readonly string[];
  /** The command-line flags that changed something, e.g. `['--unleash']`. */
  readonly flags: readonly string[];
}

/**
 * The resolved configuration: every default filled in, durations in milliseconds, paths absolute. `safety` is a
 * complete {@link SafetyConfig}, ready for the safety pipeline: the file's top-level `enabled`, `leashed`,
 * `environment` and `killSwitchFile`, and `faults.maxDuration`, are folded into it.
 */
export interface SimianConfig {
  readonly safety: SafetyConfig;
  readonly faults: FaultsConfig;
  readonly providers: ProvidersConfig;
  readonly outageCheck: OutageCheckConfig;
  readonly daemon: DaemonConfig;
  /** When the daemon faults which groups, and its cron experiments (`schedule:`); no groups by default. */
  readonly schedule: ScheduleConfig;
  /** The Conformity and Security Monkeys' rules: which are off, and their thresholds (`audit:`). */
  readonly audit: AuditConfig;
  /** Absolute path of the state directory (the running stack's files, the state store). */
  readonly stateDir: string;
  /** Absolute path of the SQLite state store: `stateStore` if set, else `<stateDir>/simian.db`. */
  readonly stateStorePath: string;
  readonly source: ConfigSource;
}

// ---------------------------------------------------------------------------------------------------------------
// Values shared with the environment and flag layers.

/** Whether `name` looks like an AWS region name (`us-east-1`): lower-case letters, digits and dashes. */
export function isRegionName(name: string): boolean {
  return /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/.test(name);
}

/** An http(s) URL without its trailing slash, or undefined if `value` is not one. */
export function normalizeHttpUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString().replace(/\/+$/, '');
  } catch {
    // not a URL at all
  }
  return undefined;
}

/**
 * An absolute path: `~` and `~/…` against the home directory, anything else relative against `baseDir`.
 * `home` is injectable for tests.
 */
export function resolveConfigPath(baseDir: string, path: string, home: string = homedir()): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return resolve(baseDir, path);
}

/** What the state store path is when only the state directory is given. */
export function defaultStateStorePath(stateDir: string): string {
  return join(stateDir, STATE_STORE_FILE);
}

/** The kill-switch file's name inside the state directory, where it is unless `killSwitchFile` says otherwise. */
export const KILL_SWITCH_FILE = 'kill-switch';

/**
 * The kill-switch file when none is named: `<stateDir>/kill-switch`. There is always one, so that `simian
 * kill-switch engage` (or a `touch`) stops every monkey of a state directory without any configuration.
 */
export function defaultKillSwitchPath(stateDir: string): string {
  return join(stateDir, KILL_SWITCH_FILE);
}

// ---------------------------------------------------------------------------------------------------------------
// The schema.

/** A section that may be written with nothing under it (`faults:`), which means "all defaults". */
const section = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null || value === undefined ? {} : value), schema);

const bool = z.boolean({ error: expected('true or false') });
const text = (what: string) => z.string({ error: expected(what) }).min(1, { error: `expected ${what}, got an empty string` });
const names = (what: string) =>
  z.array(text(`${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what}`), { error: expected(`a list of ${what}s`) });
const path = text('a path');

const wholeAtLeast = (min: number) =>
  z.unknown().transform((value, ctx): number => {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return value;
    ctx.addIssue({ code: 'custom', message: `must be a whole number >= ${min}, got ${describeValue(value)}` });
    return z.NEVER;
  });

const share = z.unknown().transform((value, ctx): number => {
  if (typeof value === 'number' && value > 0 && value <= 1) return value;
  ctx.addIssue({ code: 'custom', message: `must be in (0, 1], got ${describeValue(value)}` });
  return z.NEVER;
});

/**
 * A duration in ms: a string with a unit (`30s`, `5m`), or `0` where `positive` is false. A bare number is refused
 * with what it could have meant (`300 has no unit: write 300ms, 300s or 5m`); the reading is `core/durations.ts`,
 * the same as the command line's.
 */
export const duration = (positive: boolean) =>
  z.unknown().transform((value, ctx): number => {
    const reading = readDuration(value, { zero: !positive });
    if ('ms' in reading) return reading.ms;
    ctx.addIssue({ code: 'custom', message: reading.problem });
    return z.NEVER;
  });

const httpUrl = z.unknown().transform((value, ctx): string => {
  const url = typeof value === 'string' ? normalizeHttpUrl(value) : undefined;
  if (url === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected an http:// or https:// URL, got ${describeValue(value)}` });
    return z.NEVER;
  }
  return url;
});

/** `owner`, `label:<key>` / `asg`, `tag:<key>`. */
const groupBy = <Whole extends string, Keyed extends string>(whole: Whole, keyed: Keyed) =>
  z.unknown().transform((value, ctx) => {
    if (value === whole) return { kind: whole } as const;
    if (typeof value === 'string' && value.startsWith(`${keyed}:`) && value.length > keyed.length + 1) {
      return { kind: keyed, key: value.slice(keyed.length + 1) } as const;
    }
    ctx.addIssue({ code: 'custom', message: `expected "${whole}" or "${keyed}:<key>", got ${describeValue(value)}` });
    return z.NEVER;
  });

const mapping = (keys: string) => ({ error: expected(`a mapping with ${keys}`) });

const safetySchema = z.strictObject(
  {
    optInTag: text('a tag name').default(DEFAULT_SAFETY_CONFIG.optInTag),
    exceptGroups: names('group name').default([...DEFAULT_SAFETY_CONFIG.exceptGroups]),
    exceptInstances: names('instance id').default([...DEFAULT_SAFETY_CONFIG.exceptInstances]),
    maxGroupShare: share.default(DEFAULT_SAFETY_CONFIG.maxGroupShare),
    minHealthyLeft: wholeAtLeast(0).default(DEFAULT_SAFETY_CONFIG.minHealthyLeft),
    minInterval: duration(false).default(DEFAULT_SAFETY_CONFIG.minIntervalMs),
    maxFaultsPerGroupPerDay: wholeAtLeast(1).default(DEFAULT_SAFETY_CONFIG.maxFaultsPerGroupPerDay),
    allowUnleashedInTest: bool.default(DEFAULT_SAFETY_CONFIG.allowUnleashedInTest),
    minHealthyZones: wholeAtLeast(0).default(DEFAULT_SAFETY_CONFIG.minHealthyZones),
    minHealthyRegions: wholeAtLeast(0).default(DEFAULT_SAFETY_CONFIG.minHealthyRegions),
    callerTimeout: duration(true).default(DEFAULT_SAFETY_CONFIG.callerTimeoutMs),
  },
  mapping('safety settings'),
);

const faultsSchema = z.strictObject(
  {
    defaultDuration: duration(true).default(DEFAULT_FAULT_DURATION_MS),
    maxDuration: duration(true).default(DEFAULT_SAFETY_CONFIG.maxFaultDurationMs),
  },
  mapping('defaultDuration, maxDuration'),
);

const kubernetesSchema = z.strictObject(
  {
    kubeconfig: path.optional(),
    context: text('a context name').optional(),
    namespaces: names('namespace').default([]),
    excludeNamespaces: names('namespace').default([...DEFAULT_EXCLUDED_NAMESPACES]),
    groupBy: groupBy('owner', 'label').default({ kind: 'owner' }),
    gracePeriodSeconds: wholeAtLeast(0).optional(),
  },
  mapping('kubeconfig, context, namespaces, excludeNamespaces, groupBy, gracePeriodSeconds'),
);

const awsSchema = z.strictObject(
  {
    region: text('a region name')
      .refine(isRegionName, { error: (issue) => `expected a region name such as us-east-1, got ${describeValue(issue.input)}` })
      .default(DEFAULT_AWS_REGION),
    endpoint: httpUrl.optional(),
    groupBy: groupBy('asg', 'tag').default({ kind: 'asg' }),
    profile: text('a profile name').optional(),
  },
  mapping('region, endpoint, groupBy, profile'),
);

/** PromQL label matchers, with or without braces: `{severity="page", team=~"core.*"}`; `{}` is any. */
const LABEL_MATCHERS = /^\{?\s*(?:[a-zA-Z_][a-zA-Z0-9_]*\s*(?:=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*(?:,\s*|(?=\}?\s*$)))*\}?$/;

const matchers = z.unknown().transform((value, ctx): string => {
  if (typeof value === 'string' && LABEL_MATCHERS.test(value.trim())) return value.trim();
  ctx.addIssue({ code: 'custom', message: `expected PromQL label matchers such as {severity="page"} ({} for any alert), got ${describeValue(value)}` });
  return z.NEVER;
});

const positiveNumber = z.unknown().transform((value, ctx): number => {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  ctx.addIssue({ code: 'custom', message: `must be a number > 0, got ${describeValue(value)}` });
  return z.NEVER;
});

const outageCheckSchema = z
  .strictObject(
    {
      slos: path.optional(),
      names: names('SLO name').optional(),
      window: duration(true).default(DEFAULT_OUTAGE_CHECK.windowMs),
      maxBurnRate: positiveNumber.default(DEFAULT_OUTAGE_CHECK.maxBurnRate),
      alerts: matchers.optional(),
      prometheus: httpUrl.optional(),
      observe: duration(true).default(DEFAULT_OUTAGE_CHECK.observeMs),
    },
    mapping('slos, names, window, maxBurnRate, alerts, prometheus, observe'),
  )
  .superRefine((check, ctx) => {
    if (check.names !== undefined && check.slos === undefined) ctx.addIssue({ code: 'custom', path: ['names'], message: 'names the SLOs of outageCheck.slos, which is not set' });
  });

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether `hostname` (as `URL` spells it) is this machine: the only place plain http may carry a webhook. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

// A webhook URL is a secret and its bodies say what was faulted: never in clear over a network.
const webhookUrl = z.unknown().transform((value, ctx): string => {
  const url = typeof value === 'string' ? normalizeHttpUrl(value) : undefined;
  const parsed = url === undefined ? undefined : new URL(url);
  if (parsed !== undefined && (parsed.protocol === 'https:' || isLoopbackHost(parsed.hostname))) return url!;
  ctx.addIssue({ code: 'custom', message: `expected an https:// URL (http:// only to a loopback host), got ${describeValue(value)}` });
  return z.NEVER;
});

const webhookSchema = z.strictObject(
  {
    url: webhookUrl.optional(),
    events: z
      .array(z.enum(WEBHOOK_EVENTS, { error: expected(`one of ${WEBHOOK_EVENTS.join(', ')}`) }), { error: expected(`a list of ${WEBHOOK_EVENTS.join(', ')}`) })
      .default([...WEBHOOK_EVENTS]),
    timeout: duration(true).default(DEFAULT_DAEMON.webhookTimeoutMs),
  },
  mapping('url, events, timeout'),
);

const daemonSchema = z.strictObject(
  {
    provider: z.enum(['local', 'kubernetes', 'aws', 'toxiproxy'], { error: expected('one of local, kubernetes, aws, toxiproxy') }).default(DEFAULT_DAEMON.provider),
    host: text('a host name or address').default(DEFAULT_DAEMON.host),
    port: wholeAtLeast(0)
      .refine((port) => port <= 65_535, { error: (issue) => `must be a port number <= 65535, got ${describeValue(issue.input)}` })
      .default(DEFAULT_DAEMON.port),
    tokenFile: path.optional(),
    tokenEnv: text('an environment variable name')
      .refine((name) => ENV_NAME.test(name), { error: (issue) => `expected an environment variable name, got ${describeValue(issue.input)}` })
      .default(DEFAULT_DAEMON.tokenEnv),
    onDemand: bool.default(DEFAULT_DAEMON.onDemand),
    tick: duration(true).default(DEFAULT_DAEMON.tickMs),
    leader: z.enum(['store', 'kubernetes'], { error: expected('store or kubernetes') }).default('store'),
    leaseName: text('a lease name').default(DEFAULT_DAEMON.leaseName),
    leaseNamespace: text('a namespace').default(DEFAULT_DAEMON.leaseNamespace),
    webhook: section(webhookSchema),
  },
  mapping('provider, host, port, tokenFile, tokenEnv, onDemand, tick, leader, leaseName, leaseNamespace, webhook'),
);

const providersSchema = z.strictObject(
  {
    local: section(z.strictObject({}, mapping('no settings ({})'))),
    kubernetes: section(kubernetesSchema),
    aws: section(awsSchema),
    toxiproxy: section(z.strictObject({ url: httpUrl.default(DEFAULT_TOXIPROXY_URL) }, mapping('url'))),
    trafficShiftUrl: httpUrl.optional(),
  },
  mapping('local, kubernetes, aws, toxiproxy, trafficShiftUrl'),
);

/**
 * The schema of `simian.yaml`, defaults included. Its output is the file's settings with durations in ms and
 * `groupBy` parsed, but paths still as written: {@link configFromFile} resolves them against the file's folder.
 * Parse files with `load-config.ts`, which reports issues as `file:line: dotted.path: message`.
 */
export const simianConfigSchema = z
  .strictObject(
    {
      enabled: bool.default(DEFAULT_SAFETY_CONFIG.enabled),
      leashed: bool.default(DEFAULT_SAFETY_CONFIG.leashed),
      environment: text('an environment name').optional(),
      killSwitchFile: path.optional(),
      stateDir: path.optional(),
      stateStore: path.optional(),
      safety: section(safetySchema),
      faults: section(faultsSchema),
      providers: section(providersSchema),
      outageCheck: section(outageCheckSchema),
      daemon: section(daemonSchema),
      schedule: section(scheduleConfigSchema),
      audit: section(auditConfigSchema),
    },
    mapping('settings (enabled, leashed, safety, faults, providers, outageCheck, schedule, daemon, …)'),
  )
  .superRefine((file, ctx) => {
    if (file.faults.defaultDuration > file.faults.maxDuration) {
      ctx.addIssue({
        code: 'custom',
        path: ['faults', 'defaultDuration'],
        message: `must not be longer than faults.maxDuration (${formatDuration(file.faults.maxDuration)}), got ${formatDuration(file.faults.defaultDuration)}`,
      });
    }
  });

/**
 * The keys {@link simianConfigSchema} allows in the mapping at `path` (`[]`: the top level), in schema order;
 * empty where the schema has no mapping.
 *
 * @example
 * configKeysAt(['faults']); // ['defaultDuration', 'maxDuration']
 */
export function configKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: unknown = simianConfigSchema;
  for (const segment of [...path, undefined]) {
    // Sections are wrapped (`section()` is a pipe; defaults and optionals wrap their inner schema): unwrap them.
    for (;;) {
      if (schema instanceof z.ZodPipe) schema = schema.out;
      else if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) schema = schema.unwrap();
      else break;
    }
    if (!(schema instanceof z.ZodObject)) return [];
    if (segment === undefined) return Object.keys(schema.shape);
    schema = (schema.shape as Record<string, unknown>)[String(segment)];
  }
  return [];
}

/** Every key of `simian.yaml` as a dotted path (`safety.maxGroupShare`), sections included, in schema order. */
export function allConfigKeys(prefix: readonly string[] = []): string[] {
  return configKeysAt(prefix).flatMap((key) => [[...prefix, key].join('.'), ...allConfigKeys([...prefix, key])]);
}

/** What {@link simianConfigSchema} makes of a file: every default in, paths not yet resolved. */
export type ParsedConfigFile = z.output<typeof simianConfigSchema>;

/** Where relative paths of a file resolve, and which file it was. */
export interface ConfigFileOrigin {
  /** The folder relative paths resolve against: the file's own, or the working directory for defaults only. */
  readonly baseDir: string;
  /** The absolute path of the file, if the settings came from one. */
  readonly file?: string;
  /** The home directory `~/` expands to. @default os.homedir() */
  readonly home?: string;
  /**
   * Where the default state directory goes when the file names none: the working directory, as with no file
   * (a `--config /etc/simian/simian.yaml` must not move the state beside it). @default baseDir
   */
  readonly cwd?: string;
}

/**
 * The resolved configuration of a parsed file (or of `{}` for defaults only), before environment and flags.
 *
 * @example
 * const config = configFromFile(simianConfigSchema.parse({ leashed: false }), { baseDir: process.cwd() });
 */
export function configFromFile(file: ParsedConfigFile, origin: ConfigFileOrigin): SimianConfig {
  const at = (p: string) => resolveConfigPath(origin.baseDir, p, origin.home);
  const stateDir = file.stateDir === undefined ? resolve(origin.cwd ?? origin.baseDir, DEFAULT_STATE_DIR) : at(file.stateDir);
  const { kubernetes, aws, toxiproxy, trafficShiftUrl } = file.providers;
  const { minInterval, callerTimeout, ...safety } = file.safety;
  const outage = file.outageCheck;
  return {
    safety: resolveSafetyConfig({
      ...safety,
      enabled: file.enabled,
      leashed: file.leashed,
      killSwitch: false,
      minIntervalMs: minInterval,
      callerTimeoutMs: callerTimeout,
      maxFaultDurationMs: file.faults.maxDuration,
      ...(file.environment === undefined ? {} : { environment: file.environment }),
      killSwitchFile: file.killSwitchFile === undefined ? defaultKillSwitchPath(stateDir) : at(file.killSwitchFile),
    }),
    faults: { defaultDurationMs: file.faults.defaultDuration, maxDurationMs: file.faults.maxDuration },
    providers: {
      local: {},
      kubernetes: {
        ...(kubernetes.kubeconfig === undefined ? {} : { kubeconfig: at(kubernetes.kubeconfig) }),
        ...(kubernetes.context === undefined ? {} : { context: kubernetes.context }),
        namespaces: kubernetes.namespaces,
        excludeNamespaces: kubernetes.excludeNamespaces,
        groupBy: kubernetes.groupBy,
        ...(kubernetes.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: kubernetes.gracePeriodSeconds }),
      },
      aws: {
        region: aws.region,
        ...(aws.endpoint === undefined ? {} : { endpoint: aws.endpoint }),
        groupBy: aws.groupBy,
        ...(aws.profile === undefined ? {} : { profile: aws.profile }),
      },
      toxiproxy: { url: toxiproxy.url },
      ...(trafficShiftUrl === undefined ? {} : { trafficShiftUrl }),
    },
    outageCheck: {
      ...(outage.slos === undefined ? {} : { slosFile: at(outage.slos) }),
      ...(outage.names === undefined ? {} : { names: outage.names }),
      windowMs: outage.window,
      maxBurnRate: outage.maxBurnRate,
      ...(outage.alerts === undefined ? {} : { alerts: outage.alerts }),
      ...(outage.prometheus === undefined ? {} : { prometheusUrl: outage.prometheus }),
      observeMs: outage.observe,
    },
    daemon: daemonFromFile(file.daemon, at),
    schedule: resolveScheduleConfig(file.schedule, at),
    audit: resolveAuditConfig(file.audit),
    stateDir,
    stateStorePath: file.stateStore === undefined ? defaultStateStorePath(stateDir) : at(file.stateStore),
    source: { ...(origin.file === undefined ? {} : { file: origin.file }), env: [], flags: [] },
  };
}

function daemonFromFile(daemon: ParsedConfigFile['daemon'], at: (path: string) => string): DaemonConfig {
  const { tick, leader, leaseName, leaseNamespace, tokenFile, webhook, ...rest } = daemon;
  return {
    ...rest,
    ...(tokenFile === undefined ? {} : { tokenFile: at(tokenFile) }),
    tickMs: tick,
    webhook: { ...(webhook.url === undefined ? {} : { url: webhook.url }), events: webhook.events, timeoutMs: webhook.timeout },
    leader: leader === 'kubernetes' ? { kind: 'kubernetes', namespace: leaseNamespace, name: leaseName } : { kind: 'store', name: leaseName },
  };
}

/**
 * The configuration with nothing but defaults: leashed, enabled, state in `<cwd>/.simian`.
 *
 * @example
 * defaultConfig('/srv/chaos').stateStorePath; // '/srv/chaos/.simian/simian.db'
 */
export function defaultConfig(cwd: string): SimianConfig {
  return configFromFile(simianConfigSchema.parse({}), { baseDir: cwd });
}

/**
 * `config` written back in the shape of `simian.yaml` (absolute paths, durations with units): what
 * `simian config show` prints, and a valid file that resolves to the same configuration.
 */
export function toConfigDocument(config: SimianConfig): Record<string, unknown> {
  const { safety, faults, providers } = config;
  const { kubernetes, aws } = providers;
  const groupByText = (g: KubernetesGroupBy | AwsGroupBy) => ('key' in g ? `${g.kind}:${g.key}` : g.kind);
  const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : { [key]: value });
  return {
    enabled: safety.enabled,
    leashed: safety.leashed,
    ...optional('environment', safety.environment),
    ...(safety.killSwitchFile === defaultKillSwitchPath(config.stateDir) ? {} : optional('killSwitchFile', safety.killSwitchFile)),
    stateDir: config.stateDir,
    ...(config.stateStorePath === defaultStateStorePath(config.stateDir) ? {} : { stateStore: config.stateStorePath }),
    safety: {
      optInTag: safety.optInTag,
      exceptGroups: [...safety.exceptGroups],
      exceptInstances: [...safety.exceptInstances],
      maxGroupShare: safety.maxGroupShare,
      minHealthyLeft: safety.minHealthyLeft,
      minInterval: formatDuration(safety.minIntervalMs),
      maxFaultsPerGroupPerDay: safety.maxFaultsPerGroupPerDay,
      allowUnleashedInTest: safety.allowUnleashedInTest,
      minHealthyZones: safety.minHealthyZones,
      minHealthyRegions: safety.minHealthyRegions,
      callerTimeout: formatDuration(safety.callerTimeoutMs),
    },
    faults: { defaultDuration: formatDuration(faults.defaultDurationMs), maxDuration: formatDuration(faults.maxDurationMs) },
    providers: {
      local: {},
      kubernetes: {
        ...optional('kubeconfig', kubernetes.kubeconfig),
        ...optional('context', kubernetes.context),
        namespaces: [...kubernetes.namespaces],
        excludeNamespaces: [...kubernetes.excludeNamespaces],
        groupBy: groupByText(kubernetes.groupBy),
        ...optional('gracePeriodSeconds', kubernetes.gracePeriodSeconds),
      },
      aws: {
        region: aws.region,
        ...optional('endpoint', aws.endpoint),
        groupBy: groupByText(aws.groupBy),
        ...optional('profile', aws.profile),
      },
      toxiproxy: { url: providers.toxiproxy.url },
      ...optional('trafficShiftUrl', providers.trafficShiftUrl),
    },
    outageCheck: {
      ...optional('slos', config.outageCheck.slosFile),
      ...(config.outageCheck.names === undefined ? {} : { names: [...config.outageCheck.names] }),
      window: formatDuration(config.outageCheck.windowMs),
      maxBurnRate: config.outageCheck.maxBurnRate,
      ...optional('alerts', config.outageCheck.alerts),
      ...optional('prometheus', config.outageCheck.prometheusUrl),
      observe: formatDuration(config.outageCheck.observeMs),
    },
    schedule: toScheduleDocument(config.schedule),
    daemon: daemonDocument(config.daemon),
    audit: toAuditDocument(config.audit),
  };
}

function daemonDocument(daemon: DaemonConfig): Record<string, unknown> {
  const { tickMs, leader, tokenFile, webhook, ...rest } = daemon;
  return {
    ...rest,
    ...(tokenFile === undefined ? {} : { tokenFile }),
    tick: formatDuration(tickMs),
    leader: leader.kind,
    leaseName: leader.name,
    leaseNamespace: leader.kind === 'kubernetes' ? leader.namespace : DEFAULT_DAEMON.leaseNamespace,
    webhook: { ...(webhook.url === undefined ? {} : { url: webhook.url }), events: [...webhook.events], timeout: formatDuration(webhook.timeoutMs) },
  };
}
