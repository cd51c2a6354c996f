/**
 * @module
 * Sloth's `prometheus/v1` SLO file (`version`, `service`, `labels`, `slos[]`) parsed into a {@link SloSpec}, so
 * users' existing sloth files work as they are. Validation follows sloth's own (names, `{{.window}}` in every
 * query, an alert name unless both alerts are disabled) and is stricter where sloth is silent: unknown keys are
 * refused (a misspelt `ticket_alert` must not silently page nobody), the objective must be below 100 (a zero error
 * budget divides by zero), and labels may not overwrite the `sloth_*` labels the rules identify an SLO by.
 *
 * Every problem is reported at once, one line each, as `file:line: dotted.field: message`, in an
 * {@link InvalidInputError} with code {@link SLO_INVALID}. Sloth's plugins (`slo_plugins`, `plugins`, `sli.plugin`)
 * are not supported and are refused by name.
 */
import { describeValue, expected } from '../core/schema-messages.js';

export { describeValue };
import { z } from 'zod';
import type { InvalidInputError } from '../core/errors.js';
import {
  parseLocatedYaml,
  yamlProblem,
  yamlProblemsError,
  zodIssueProblems,
  type LocatedYaml,
  type YamlPathSegment,
  type YamlProblem,
} from '../core/yaml-errors.js';
import type { AlertSpec, LabelSet, Slo, SloSpec } from './slo-spec.js';

/** The code of every error about an SLO file. */
export const SLO_INVALID = 'slo.invalid';

/** The `version` of a sloth file. */
export const SLOTH_SPEC_VERSION = 'prometheus/v1';

/** Sloth's rule for SLO and service names: alphanumeric at both ends, `.`, `_` and `-` inside. */
export const SLO_NAME_PATTERN = /^[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]$/;

/** Prometheus's rule for label names (`__` is reserved for Prometheus itself). */
const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The labels the generated rules identify an SLO and its alerts by; a user label must not overwrite them. */
export const RESERVED_SLO_LABELS: readonly string[] = ['sloth_id', 'sloth_service', 'sloth_slo', 'sloth_window', 'sloth_severity'];

const WINDOW_PLACEHOLDER = /\{\{\s*\.window\s*\}\}/;

/**
 * What is wrong with an SLI query template, or undefined if nothing: it must contain `{{.window}}` (sloth's
 * rule: every SLI is computed over several windows) and no other template action, since only the window is
 * substituted.
 */
export function sliQueryProblem(query: string): string | undefined {
  if (query.trim() === '') return 'expected a PromQL query, got an empty string';
  if (!WINDOW_PLACEHOLDER.test(query)) return 'must contain {{.window}} where the range goes, e.g. rate(x[{{.window}}])';
  const rest = query.replace(new RegExp(WINDOW_PLACEHOLDER.source, 'g'), '');
  if (rest.includes('{{')) return 'only {{.window}} is substituted; remove the other {{ … }} template actions';
  return undefined;
}

/** Why `name` is not a valid SLO or service name, or undefined if it is. */
export function sloNameProblem(name: string): string | undefined {
  return SLO_NAME_PATTERN.test(name)
    ? undefined
    : `must start and end with a letter or digit and contain only letters, digits, ".", "_" and "-", got ${JSON.stringify(name)}`;
}

const text = (what: string) => z.string({ error: expected(what) }).min(1, { error: `expected ${what}, got an empty string` });

const name = (what: string) =>
  text(what).superRefine((value, ctx) => {
    const problem = sloNameProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

/**
 * Labels or annotations: a mapping of valid label names to non-empty values. Numbers and booleans are taken as
 * their text (`tier: 2`), which is what was meant; `reserved` names are refused. Absent or empty means `{}`.
 */
export const labelSetSchema = (what: 'label' | 'annotation', reserved: readonly string[] = []) =>
  z.unknown().transform((value, ctx): LabelSet => {
    if (value === null || value === undefined) return {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: `expected a mapping of ${what} names to values, got ${describeValue(value)}` });
      return z.NEVER;
    }
    const out: Record<string, string> = {};
    for (const [key, raw] of Object.entries(value)) {
      if (!LABEL_NAME_PATTERN.test(key) || key.startsWith('__')) {
        ctx.addIssue({ code: 'custom', path: [key], message: `not a valid ${what} name (letters, digits and "_", not starting with a digit or "__")` });
        continue;
      }
      if (reserved.includes(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is set by the generated rules and cannot be overridden` });
        continue;
      }
      if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
        ctx.addIssue({ code: 'custom', path: [key], message: `expected a ${what} value, got ${describeValue(raw)}` });
        continue;
      }
      const text = String(raw);
      if (text === '') {
        ctx.addIssue({ code: 'custom', path: [key], message: `expected a non-empty ${what} value` });
        continue;
      }
      out[key] = text;
    }
    return out;
  })
  // A missing key never reaches the transform: zod refuses undefined for a non-optional output without a default.
    .default({});

const query = z.string({ error: expected('a PromQL query with {{.window}}') }).superRefine((value, ctx) => {
  const problem = sliQueryProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const objective = z.unknown().transform((value, ctx): number => {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value < 100) return value;
  ctx.addIssue({ code: 'custom', message: `expected a percentage in (0, 100) such as 99.9, got ${describeValue(value)}` });
  return z.NEVER;
});

const mapping = (keys: string) => ({ error: expected(`a mapping with ${keys}`) });

/** A section that may be written with nothing under it (`page_alert:`), which means "all defaults". */
const section = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null || value === undefined ? {} : value), schema);

const alertSchema = section(
  z.strictObject(
    {
      disable: z.boolean({ error: expected('true or false') }).default(false),
      labels: labelSetSchema('label', RESERVED_SLO_LABELS),
      annotations: labelSetSchema('annotation'),
    },
    mapping('disable, labels, annotations'),
  ),
);

const alertingSchema = section(
  z.strictObject(
    {
      name: text('an alert name').optional(),
      labels: labelSetSchema('label', RESERVED_SLO_LABELS),
      annotations: labelSetSchema('annotation'),
      page_alert: alertSchema,
      ticket_alert: alertSchema,
    },
    mapping('name, labels, annotations, page_alert, ticket_alert'),
  ),
);

const sliSchema = z
  .strictObject(
    {
      events: z
        .strictObject({ error_query: query, total_query: query }, mapping('error_query, total_query'))
        .refine((events) => events.error_query.trim() !== events.total_query.trim(), {
          error: 'error_query and total_query must differ',
          path: ['error_query'],
        })
        .optional(),
      raw: z.strictObject({ error_ratio_query: query }, mapping('error_ratio_query')).optional(),
    },
    mapping('events or raw'),
  )
  .superRefine((sli, ctx) => {
    if (sli.events === undefined && sli.raw === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected one of events (error_query, total_query) or raw (error_ratio_query)' });
    } else if (sli.events !== undefined && sli.raw !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['raw'], message: 'only one of events or raw is allowed' });
    }
  });

const sloSchema = z
  .strictObject(
    {
      name: name('an SLO name'),
      objective,
      description: z.string({ error: expected('a description') }).optional(),
      labels: labelSetSchema('label', RESERVED_SLO_LABELS),
      sli: sliSchema,
      alerting: alertingSchema,
    },
    mapping('name, objective, description, labels, sli, alerting'),
  )
  .superRefine((slo, ctx) => {
    const { alerting } = slo;
    if (alerting.name === undefined && !(alerting.page_alert.disable && alerting.ticket_alert.disable)) {
      ctx.addIssue({ code: 'custom', path: ['alerting', 'name'], message: 'an alert name is required unless both page_alert and ticket_alert are disabled' });
    }
  });

/** The zod schema of a sloth `prometheus/v1` document, as written (snake_case). */
export const slothSpecSchema = z
  .strictObject(
    {
      version: z.literal(SLOTH_SPEC_VERSION, { error: expected(`"${SLOTH_SPEC_VERSION}"`) }),
      service: name('a service name'),
      labels: labelSetSchema('label', RESERVED_SLO_LABELS),
      slos: z.array(sloSchema, { error: expected('a list of SLOs') }).min(1, { error: 'expected at least one SLO' }),
    },
    mapping('version, service, labels, slos'),
  )
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.slos.forEach((slo, i) => {
      if (seen.has(slo.name)) ctx.addIssue({ code: 'custom', path: ['slos', i, 'name'], message: `another SLO of this service is already named "${slo.name}"` });
      seen.add(slo.name);
    });
  });

type SlothDocument = z.output<typeof slothSpecSchema>;

/** The fields allowed in each mapping of a sloth file, by path (`*` for any list index), for unknown-key hints. */
const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': ['version', 'service', 'labels', 'slos'],
  'slos.*': ['name', 'objective', 'description', 'labels', 'sli', 'alerting'],
  'slos.*.sli': ['events', 'raw'],
  'slos.*.sli.events': ['error_query', 'total_query'],
  'slos.*.sli.raw': ['error_ratio_query'],
  'slos.*.alerting': ['name', 'labels', 'annotations', 'page_alert', 'ticket_alert'],
  'slos.*.alerting.page_alert': ['disable', 'labels', 'annotations'],
  'slos.*.alerting.ticket_alert': ['disable', 'labels', 'annotations'],
};

function unknownKeyMessage(parent: readonly YamlPathSegment[], key: string): string {
  if (key === 'slo_plugins' || key === 'plugins' || key === 'plugin') {
    return `sloth plugins ("${key}") are not supported; write the SLI as sli.events or sli.raw`;
  }
  if (key === 'for') return 'unknown field "for": sloth\'s prometheus/v1 alerts have no "for" (the multiwindow condition replaces it)';
  const known = KNOWN_KEYS[parent.map((segment) => (typeof segment === 'number' ? '*' : String(segment))).join('.')];
  return known === undefined ? `unknown field "${key}"` : `unknown field "${key}"; expected one of ${known.join(', ')}`;
}

function toAlert(alert: SlothDocument['slos'][number]['alerting']['page_alert']): AlertSpec {
  return { disable: alert.disable, labels: alert.labels, annotations: alert.annotations };
}

function toSlo(slo: SlothDocument['slos'][number]): Slo {
  const { sli, alerting } = slo;
  return {
    name: slo.name,
    objective: slo.objective,
    ...(slo.description === undefined ? {} : { description: slo.description }),
    labels: slo.labels,
    sli: sli.events
      ? { kind: 'events', errorQuery: sli.events.error_query, totalQuery: sli.events.total_query }
      : { kind: 'raw', errorRatioQuery: sli.raw?.error_ratio_query ?? '' },
    alerting: {
      ...(alerting.name === undefined ? {} : { name: alerting.name }),
      labels: alerting.labels,
      annotations: alerting.annotations,
      pageAlert: toAlert(alerting.page_alert),
      ticketAlert: toAlert(alerting.ticket_alert),
    },
  };
}

/**
 * Validates one parsed YAML document as a sloth spec. Used for files of several documents (each keeps the line
 * numbers of the whole file); {@link parseSlothSpec} is the one-document form.
 *
 * @returns the spec, or the problems found (never both)
 */
export function slothSpecFromDocument(yaml: LocatedYaml): { spec: SloSpec; problems: [] } | { spec: undefined; problems: YamlProblem[] } {
  const value: unknown = yaml.document.toJS();
  if (value === null || value === undefined) {
    return { spec: undefined, problems: [yamlProblem(yaml, [], `expected a sloth spec (version: ${SLOTH_SPEC_VERSION}, service, slos), got an empty document`)] };
  }
  const parsed = slothSpecSchema.safeParse(value);
  if (!parsed.success) return { spec: undefined, problems: zodIssueProblems(yaml, parsed.error.issues, unknownKeyMessage) };
  const doc = parsed.data;
  return { spec: { service: doc.service, labels: doc.labels, slos: doc.slos.map(toSlo) }, problems: [] };
}

/**
 * Parses the text of a sloth `prometheus/v1` file (one document).
 *
 * @throws InvalidInputError `slo.invalid` listing every problem as `file:line: dotted.field: message`
 * @example
 * const spec = parseSlothSpec(await readFile('slos.yaml', 'utf8'), 'slos.yaml');
 * spec.slos[0]?.sli; // { kind: 'events', errorQuery: 'sum(rate(…[{{.window}}]))', totalQuery: '…' }
 */
export function parseSlothSpec(text: string, fileName: string): SloSpec {
  const { yaml, problems } = parseLocatedYaml(text, fileName);
  if (problems.length > 0) throw sloProblemsError(problems);
  const result = slothSpecFromDocument(yaml);
  if (result.spec === undefined) throw sloProblemsError(result.problems);
  return result.spec;
}

/** The error for a list of problems in an SLO file: code {@link SLO_INVALID}, exit code 2. */
export function sloProblemsError(problems: readonly YamlProblem[]): InvalidInputError {
  return yamlProblemsError(SLO_INVALID, problems);
}
