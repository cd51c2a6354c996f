/**
 * @module
 * The schema of experiment files. Strict like `simian.yaml`: an unknown key is an error that names it, because a
 * misspelt stop condition must not silently leave a run unguarded. Sections are kebab-case (`steady-state`,
 * `stop-conditions`, `blast-radius`, as in Chaos Toolkit), fields camelCase (as in `simian.yaml`). Durations take
 * a unit, toxic attributes included; a bare number other than 0 is refused (`core/durations.ts`). The format is
 * documented in `docs/experiments.md`.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { formatDuration } from '../core/durations.js';
import type { ToxicSpec, ToxicType } from '../providers/provider.js';
import type {
  Activity,
  ControlSpec,
  Experiment,
  HttpSpec,
  LoadSpec,
  MethodAction,
  MethodStep,
  ProcessSpec,
  StopCondition,
  VariableSpec,
} from './experiment.js';
import {
  bool,
  codeRanges,
  comparator,
  duration,
  finite,
  list,
  mapping,
  percent,
  regex,
  section,
  share,
  text,
  texts,
  whole,
} from './schema-primitives.js';

/** Thirty days: the SLO period sloth assumes when none is given. */
export const DEFAULT_SLO_PERIOD_MS = 30 * 86_400_000;

/** A variable name, as `${name}` uses it. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

type Ctx = z.core.$RefinementCtx;

/** Adds an issue unless exactly one of `keys` is set in `value`; returns the one set. */
function exactlyOne(value: Record<string, unknown>, keys: readonly string[], ctx: Ctx): string | undefined {
  const present = keys.filter((key) => value[key] !== undefined);
  if (present.length === 1) return present[0];
  ctx.addIssue({
    code: 'custom',
    path: present.length > 1 ? [present[1]!] : [],
    message: present.length === 0 ? `expected one of ${keys.join(', ')}` : `only one of ${keys.join(', ')} may be given, got ${present.join(' and ')}`,
  });
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Activities: HTTP calls and processes.

const httpSchema = z
  .strictObject(
    {
      url: text('a URL'),
      method: text('an HTTP method')
        .regex(/^[A-Za-z]+$/, { error: 'expected an HTTP method such as GET or POST' })
        .transform((m) => m.toUpperCase())
        .optional(),
      headers: z.record(z.string(), z.string({ error: 'expected a string header value' }), mapping('header names and values')).optional(),
      // A mapping or a list is sent as JSON, the usual case for an API; a string is sent as it is.
      body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())], { error: 'expected a string, a mapping or a list' }).optional(),
      status: codeRanges('an HTTP status', 100, 599).optional(),
      timeout: duration(true).optional(),
      bodyContains: text('a text').optional(),
      bodyMatches: regex.optional(),
    },
    mapping('url, method, headers, body, status, timeout, bodyContains, bodyMatches'),
  )
  .transform((raw): HttpSpec => {
    const headers: Record<string, string> = { ...raw.headers };
    let body: string | undefined;
    if (typeof raw.body === 'string') body = raw.body;
    else if (raw.body !== undefined) {
      body = JSON.stringify(raw.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    return {
      url: raw.url,
      method: raw.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      timeoutMs: raw.timeout ?? 5000,
      ...(body !== undefined ? { body } : {}),
      ...(raw.status ? { status: raw.status } : {}),
      ...(raw.bodyContains !== undefined ? { bodyContains: raw.bodyContains } : {}),
      ...(raw.bodyMatches !== undefined ? { bodyMatches: raw.bodyMatches } : {}),
    };
  });

const processSchema = z
  .strictObject(
    {
      path: text('a path or a command'),
      arguments: z
        .array(z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string or a number' }), list('arguments'))
        .transform((args) => args.map(String))
        .optional(),
      timeout: duration(true).optional(),
      exitCode: codeRanges('an exit code', 0, 255).optional(),
      stdoutContains: text('a text').optional(),
      stdoutMatches: regex.optional(),
    },
    mapping('path, arguments, timeout, exitCode, stdoutContains, stdoutMatches'),
  )
  .transform(
    (raw): ProcessSpec => ({
      path: raw.path,
      arguments: raw.arguments ?? [],
      timeoutMs: raw.timeout ?? 30_000,
      exitCode: raw.exitCode ?? [[0, 0]],
      ...(raw.stdoutContains !== undefined ? { stdoutContains: raw.stdoutContains } : {}),
      ...(raw.stdoutMatches !== undefined ? { stdoutMatches: raw.stdoutMatches } : {}),
    }),
  );

function httpName(http: HttpSpec): string {
  return `${http.method} ${http.url}`;
}

function processName(process: ProcessSpec): string {
  return [basename(process.path), ...process.arguments].join(' ').slice(0, 80);
}

const activitySchema = z
  .strictObject({ name: text('a name').optional(), http: httpSchema.optional(), process: processSchema.optional() }, mapping('name and one of http, process'))
  .superRefine((raw, ctx) => void exactlyOne(raw, ['http', 'process'], ctx))
  .transform((raw): Activity => (raw.http ? { kind: 'http', name: raw.name ?? httpName(raw.http), http: raw.http } : { kind: 'process', name: raw.name ?? processName(raw.process!), process: raw.process! }));

// ---------------------------------------------------------------------------------------------------------------
// Faults.

const TOXIC_TYPES = ['latency', 'bandwidth', 'timeout', 'reset_peer', 'limit_data', 'down'] as const satisfies readonly ToxicType[];

const oneOf = <T extends string>(values: readonly T[]) =>
  z.unknown().transform((value, ctx): T => {
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
    ctx.addIssue({ code: 'custom', message: `expected one of ${values.join(', ')}, got ${JSON.stringify(value) ?? 'nothing'}` });
    return z.NEVER;
  });

/** Which toxic attribute belongs to which type, in Toxiproxy's names. */
const TOXIC_ATTRIBUTES: Readonly<Record<(typeof TOXIC_TYPES)[number], readonly string[]>> = {
  latency: ['latency', 'jitter'],
  bandwidth: ['rate'],
  timeout: ['timeout'],
  reset_peer: ['timeout'],
  limit_data: ['bytes'],
  down: [],
};

const toxicSchema = z
  .strictObject(
    {
      type: oneOf(TOXIC_TYPES),
      latency: duration(false).optional(),
      jitter: duration(false).optional(),
      rate: finite('a rate in KB/s').refine((n) => n > 0, { error: 'expected a rate in KB/s above 0' }).optional(),
      timeout: duration(false).optional(),
      bytes: whole(0).optional(),
      stream: oneOf(['upstream', 'downstream'] as const).optional(),
    },
    mapping('type, latency, jitter, rate, timeout, bytes, stream'),
  )
  .superRefine((raw, ctx) => {
    const allowed = TOXIC_ATTRIBUTES[raw.type];
    for (const key of ['latency', 'jitter', 'rate', 'timeout', 'bytes'] as const) {
      if (raw[key] !== undefined && !allowed.includes(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `does not apply to a ${raw.type} toxic${allowed.length > 0 ? ` (it takes ${allowed.join(', ')})` : ''}` });
      }
    }
    if (raw.type === 'latency' && raw.latency === undefined) ctx.addIssue({ code: 'custom', path: ['latency'], message: 'a latency toxic needs latency, e.g. latency: 500ms' });
    if (raw.type === 'bandwidth' && raw.rate === undefined) ctx.addIssue({ code: 'custom', path: ['rate'], message: 'a bandwidth toxic needs rate (KB/s)' });
    if (raw.type === 'limit_data' && raw.bytes === undefined) ctx.addIssue({ code: 'custom', path: ['bytes'], message: 'a limit_data toxic needs bytes (the bytes let through before the connection closes)' });
  })
  .transform((raw): ToxicSpec => {
    const attributes: Record<string, number> = {};
    if (raw.type === 'latency') {
      attributes.latency = raw.latency!;
      attributes.jitter = raw.jitter ?? 0;
    } else if (raw.type === 'bandwidth') attributes.rate = raw.rate!;
    else if (raw.type === 'timeout' || raw.type === 'reset_peer') attributes.timeout = raw.timeout ?? 0;
    else if (raw.type === 'limit_data') attributes.bytes = raw.bytes!;
    return { type: raw.type, stream: raw.stream ?? 'downstream', attributes };
  });

const chaosSchema = z
  .strictObject(
    { group: text('a group name'), count: whole(1).optional(), percent: percent.optional(), signal: oneOf(['SIGKILL', 'SIGTERM'] as const).optional() },
    mapping('group, count or percent, signal'),
  )
  .superRefine((raw, ctx) => {
    if (raw.count !== undefined && raw.percent !== undefined) ctx.addIssue({ code: 'custom', path: ['percent'], message: 'give count or percent, not both' });
  })
  .transform((raw) => ({ ...raw, signal: raw.signal ?? 'SIGKILL' }));

const gorillaSchema = z.strictObject({ zone: text('a zone name'), region: text('a region name').optional() }, mapping('zone, region'));

const kongSchema = z
  .strictObject({ region: text('a region name'), force: bool.optional() }, mapping('region, force'))
  .transform((raw) => ({ region: raw.region, force: raw.force ?? false }));

const latencySchema = z
  .strictObject(
    {
      group: text('a group name').optional(),
      zone: text('a zone name').optional(),
      region: text('a region name').optional(),
      instances: texts('instance id').min(1, { error: 'expected at least one instance id' }).optional(),
      percent: percent.optional(),
      toxic: toxicSchema,
    },
    mapping('group, zone, region, instances, percent, toxic'),
  )
  .superRefine((raw, ctx) => {
    if (!raw.group && !raw.zone && !raw.region && !raw.instances) ctx.addIssue({ code: 'custom', message: 'name a target: group, zone, region or instances' });
  });

const pausesSchema = section(z.strictObject({ before: duration(false).optional(), after: duration(false).optional() }, mapping('before, after')));

const ACTION_KINDS = ['chaos', 'gorilla', 'kong', 'latency', 'http', 'process'] as const;
const REVERSIBLE = ['gorilla', 'kong', 'latency'];

const actionShape = {
  name: text('a name').optional(),
  chaos: chaosSchema.optional(),
  gorilla: gorillaSchema.optional(),
  kong: kongSchema.optional(),
  latency: latencySchema.optional(),
  http: httpSchema.optional(),
  process: processSchema.optional(),
  duration: duration(true).optional(),
  provider: text('a provider name').optional(),
  pauses: pausesSchema.optional(),
};

type RawAction = z.output<z.ZodObject<typeof actionShape>>;

function checkAction(raw: RawAction, ctx: Ctx, kinds: readonly string[] = ACTION_KINDS): void {
  const kind = exactlyOne(raw, kinds, ctx);
  if (kind === undefined) return;
  if (REVERSIBLE.includes(kind) && raw.duration === undefined) {
    ctx.addIssue({ code: 'custom', path: [kind], message: `a ${kind} fault reverts itself after its duration: add duration (e.g. duration: 1m)` });
  }
  if (!REVERSIBLE.includes(kind) && raw.duration !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['duration'], message: kind === 'chaos' ? 'a termination cannot be reverted, so it has no duration' : `a ${kind} action has no duration (use timeout)` });
  }
  if ((kind === 'http' || kind === 'process') && raw.provider !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['provider'], message: `a ${kind} action does not use a provider` });
  }
}

function describeLatencyTarget(latency: z.output<typeof latencySchema>): string {
  return latency.group ?? latency.zone ?? latency.region ?? latency.instances?.join(',') ?? '';
}

function toAction(raw: RawAction): MethodAction {
  const base = {
    pauses: { beforeMs: raw.pauses?.before ?? 0, afterMs: raw.pauses?.after ?? 0 },
    ...(raw.provider !== undefined ? { provider: raw.provider } : {}),
    ...(raw.duration !== undefined ? { durationMs: raw.duration } : {}),
  };
  if (raw.chaos) return { ...base, kind: 'chaos', name: raw.name ?? `chaos ${raw.chaos.group}`, chaos: raw.chaos };
  if (raw.gorilla) return { ...base, kind: 'gorilla', name: raw.name ?? `gorilla ${raw.gorilla.region ? `${raw.gorilla.region}/` : ''}${raw.gorilla.zone}`, gorilla: raw.gorilla };
  if (raw.kong) return { ...base, kind: 'kong', name: raw.name ?? `kong ${raw.kong.region}`, kong: raw.kong };
  if (raw.latency) {
    const { toxic, ...targets } = raw.latency;
    return { ...base, kind: 'latency', name: raw.name ?? `${toxic.type} ${describeLatencyTarget(raw.latency)}`, latency: { ...targets, toxic } };
  }
  if (raw.http) return { ...base, kind: 'http', name: raw.name ?? httpName(raw.http), http: raw.http };
  return { ...base, kind: 'process', name: raw.name ?? processName(raw.process!), process: raw.process! };
}

const actionSchema = z
  .strictObject(actionShape, mapping(`name, pauses and one of ${ACTION_KINDS.join(', ')}`))
  .superRefine((raw, ctx) => checkAction(raw, ctx))
  .transform(toAction);

const stepSchema = z
  .strictObject(
    {
      ...actionShape,
      parallel: z.array(actionSchema, list('actions')).min(1, { error: 'expected at least one action' }).optional(),
    },
    mapping(`name, pauses and one of ${ACTION_KINDS.join(', ')}, parallel`),
  )
  .superRefine((raw, ctx) => {
    if (raw.parallel === undefined) return checkAction(raw, ctx, [...ACTION_KINDS, 'parallel']);
    for (const key of [...ACTION_KINDS, 'duration', 'provider', 'pauses'] as const) {
      if (raw[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'a parallel step holds only name and parallel: put this on its actions' });
    }
  })
  .transform((raw): MethodStep => (raw.parallel ? { kind: 'parallel', name: raw.name ?? `parallel (${raw.parallel.length} actions)`, parallel: raw.parallel } : toAction(raw)));

// ---------------------------------------------------------------------------------------------------------------
// Steady state, stop conditions and the rest.

const sloCheckSchema = z
  .strictObject(
    {
      file: text('a path to an SLO file'),
      names: texts('SLO name').min(1, { error: 'expected at least one SLO name (leave names out to check every SLO of the file)' }).optional(),
      window: duration(true),
      period: duration(true).optional(),
    },
    mapping('file, names, window, period'),
  )
  .transform((raw) => ({ file: raw.file, ...(raw.names ? { names: raw.names } : {}), windowMs: raw.window, periodMs: raw.period ?? DEFAULT_SLO_PERIOD_MS }));

const queryShape = { expr: text('a PromQL expression'), comparator, threshold: finite() };

const queryCheckSchema = z
  .strictObject({ name: text('a name').optional(), ...queryShape }, mapping('name, expr, comparator, threshold'))
  .transform((raw) => ({ ...raw, name: raw.name ?? raw.expr }));

const steadyStateSchema = section(
  z.strictObject(
    {
      slos: z.array(sloCheckSchema, list('SLO checks')).default([]),
      queries: z.array(queryCheckSchema, list('query checks')).default([]),
      probes: z.array(activitySchema, list('probes')).default([]),
    },
    mapping('slos, queries, probes'),
  ),
);

const STOP_KINDS = ['burnRate', 'query', 'http', 'process'] as const;

const stopConditionSchema = z
  .strictObject(
    {
      name: text('a name').optional(),
      burnRate: z
        .strictObject(
          { slo: text('an SLO name'), file: text('a path to an SLO file').optional(), window: duration(true), above: finite().refine((n) => n > 0, { error: 'expected a burn rate above 0' }), minEvents: whole(0).optional() },
          mapping('slo, file, window, above, minEvents'),
        )
        .optional(),
      query: z.strictObject(queryShape, mapping('expr, comparator, threshold')).optional(),
      http: httpSchema.optional(),
      process: processSchema.optional(),
    },
    mapping(`name and one of ${STOP_KINDS.join(', ')}`),
  )
  .superRefine((raw, ctx) => void exactlyOne(raw, STOP_KINDS, ctx))
  .transform((raw): StopCondition => {
    if (raw.burnRate) {
      const { window, minEvents, ...rest } = raw.burnRate;
      return { kind: 'burnRate', name: raw.name ?? `${rest.slo} burn rate over ${formatDuration(window)} above ${rest.above}`, burnRate: { ...rest, windowMs: window, minEvents: minEvents ?? 0 } };
    }
    if (raw.query) return { kind: 'query', name: raw.name ?? `${raw.query.expr} ${raw.query.comparator} ${raw.query.threshold}`, query: raw.query };
    if (raw.http) return { kind: 'http', name: raw.name ?? httpName(raw.http), http: raw.http };
    return { kind: 'process', name: raw.name ?? processName(raw.process!), process: raw.process! };
  });

const stopConditionsSchema = section(
  z.strictObject(
    {
      interval: duration(true).optional(),
      onInconclusive: oneOf(['stop', 'continue'] as const).optional(),
      conditions: z.array(stopConditionSchema, list('stop conditions')).default([]),
    },
    mapping('interval, onInconclusive, conditions'),
  ),
).transform((raw) => ({ intervalMs: raw.interval ?? 5000, onInconclusive: raw.onInconclusive ?? 'stop', conditions: raw.conditions }));

const blastRadiusSchema = section(
  z.strictObject(
    { maxGroupShare: share.optional(), minHealthyLeft: whole(0).optional(), minHealthyZones: whole(0).optional(), minHealthyRegions: whole(0).optional() },
    mapping('maxGroupShare, minHealthyLeft, minHealthyZones, minHealthyRegions'),
  ),
);

const LABEL_OF: Readonly<Record<ControlSpec['by'], string>> = { zone: 'zone', region: 'region', instances: 'instance' };

const controlSchema = z
  .strictObject(
    {
      by: oneOf(['zone', 'region', 'instances'] as const),
      control: texts('name').min(1, { error: 'expected at least one member' }),
      experiment: texts('name').min(1, { error: 'expected at least one member' }),
      label: text('a label name').regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a Prometheus label name' }).optional(),
      maxDelta: finite().refine((n) => n >= 0 && n <= 1, { error: 'expected an error-ratio difference from 0 to 1' }).optional(),
    },
    mapping('by, control, experiment, label, maxDelta'),
  )
  .superRefine((raw, ctx) => {
    const both = raw.experiment.filter((m) => raw.control.includes(m));
    if (both.length > 0) ctx.addIssue({ code: 'custom', path: ['experiment'], message: `${both.join(', ')} cannot be in both groups` });
  })
  .transform((raw): ControlSpec => ({ by: raw.by, control: raw.control, experiment: raw.experiment, label: raw.label ?? LABEL_OF[raw.by], ...(raw.maxDelta !== undefined ? { maxDelta: raw.maxDelta } : {}) }));

const recoverySchema = section(z.strictObject({ timeout: duration(true).optional(), interval: duration(true).optional() }, mapping('timeout, interval'))).transform((raw) => ({
  timeoutMs: raw.timeout ?? 120_000,
  intervalMs: raw.interval ?? 5000,
}));

const loadSchema = z
  .strictObject(
    {
      rate: finite('a rate in viewers per second').refine((n) => n > 0, { error: (issue) => `expected a rate in viewers per second above 0, got ${String(issue.input)}` }),
      segments: whole(0).optional(),
      subscribe: finite('a ratio from 0 to 1').refine((n) => n >= 0 && n <= 1, { error: (issue) => `expected a ratio from 0 to 1, got ${String(issue.input)}` }).optional(),
    },
    mapping('rate, segments, subscribe'),
  )
  .transform((raw): LoadSpec => ({ rate: raw.rate, segments: raw.segments ?? 4, subscribe: raw.subscribe ?? 0.2 }));

const targetSchema = section(z.strictObject({ provider: text('a provider name').optional(), topology: text('a topology name').optional() }, mapping('provider, topology')));

const variableSchema = z.union(
  [
    z.string(),
    z.number().transform(String),
    z.boolean().transform(String),
    z.strictObject({ env: text('an environment variable name'), default: z.string().optional() }),
  ],
  { error: 'expected a string, or a mapping with env (and default)' },
);

/** Cross-section checks: control against the method, burn-rate SLOs against the steady state. */
function checkExperiment(raw: z.output<typeof fileShape>, ctx: Ctx): void {
  for (const name of Object.keys(raw.variables)) {
    if (!VARIABLE_NAME.test(name)) ctx.addIssue({ code: 'custom', path: ['variables', name], message: 'expected a variable name: letters, digits, _ . -, not starting with a digit' });
  }
  const steady = raw['steady-state'];
  raw['stop-conditions'].conditions.forEach((condition, i) => {
    if (condition.kind === 'burnRate' && condition.burnRate.file === undefined && steady.slos.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['stop-conditions', 'conditions', i, 'burnRate', 'slo'], message: 'name the SLO file (file:), or check SLOs in steady-state.slos' });
    }
  });
  const control = raw.control;
  if (!control) return;
  if (steady.slos.length === 0) ctx.addIssue({ code: 'custom', path: ['control'], message: 'control compares SLOs between the groups: add steady-state.slos' });
  raw.method.forEach((step, i) => {
    const actions = step.kind === 'parallel' ? step.parallel.map((a, j) => [a, ['method', i, 'parallel', j]] as const) : [[step, ['method', i]] as const];
    for (const [action, path] of actions) {
      if (action.kind === 'gorilla' && (control.by !== 'zone' || !control.experiment.includes(action.gorilla.zone))) {
        ctx.addIssue({ code: 'custom', path: [...path, 'gorilla', 'zone'], message: 'with control, a zone outage must hit a zone of the experiment group (control.by: zone)' });
      }
      if (action.kind === 'kong' && (control.by !== 'region' || !control.experiment.includes(action.kong.region))) {
        ctx.addIssue({ code: 'custom', path: [...path, 'kong', 'region'], message: 'with control, an evacuation must hit a region of the experiment group (control.by: region)' });
      }
    }
  });
}

const fileShape = z.strictObject(
  {
    title: text('a title'),
    description: text('a description').optional(),
    tags: texts('tag').default([]),
    target: targetSchema.optional(),
    variables: z.record(z.string(), variableSchema, mapping('variable names and values')).default({}),
    'steady-state': steadyStateSchema.optional().transform((s) => s ?? { slos: [], queries: [], probes: [] }),
    method: z.array(stepSchema, list('steps')).min(1, { error: 'expected at least one step' }),
    rollbacks: z.array(activitySchema, list('rollbacks')).default([]),
    'stop-conditions': stopConditionsSchema.optional().transform((s) => s ?? { intervalMs: 5000, onInconclusive: 'stop' as const, conditions: [] }),
    'blast-radius': blastRadiusSchema.optional(),
    control: controlSchema.optional(),
    recovery: recoverySchema.optional().transform((r) => r ?? { timeoutMs: 120_000, intervalMs: 5000 }),
    load: loadSchema.optional(),
  },
  mapping('title, description, tags, target, variables, steady-state, method, rollbacks, stop-conditions, blast-radius, control, recovery, load'),
);

/**
 * The schema of an experiment file; its output is an {@link Experiment} without `source`. Parse files with
 * `load-experiment.ts`, which reports issues as `file:line: dotted.path: message`.
 */
export const experimentSchema = fileShape.superRefine(checkExperiment).transform(
  (raw): Experiment => ({
    title: raw.title,
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    tags: raw.tags,
    target: { provider: raw.target?.provider ?? 'local', ...(raw.target?.topology !== undefined ? { topology: raw.target.topology } : {}) },
    variables: raw.variables as Record<string, VariableSpec>,
    steadyState: raw['steady-state'],
    method: raw.method,
    rollbacks: raw.rollbacks,
    stopConditions: raw['stop-conditions'],
    blastRadius: Object.fromEntries(Object.entries(raw['blast-radius'] ?? {}).filter(([, v]) => v !== undefined)),
    ...(raw.control ? { control: raw.control } : {}),
    recovery: raw.recovery,
    ...(raw.load ? { load: raw.load } : {}),
  }),
);
