/**
 * @module
 * OpenSLO `openslo/v1` files imported into {@link SloSpec}s: the `SLO` documents (with an inline `indicator`, or an
 * `indicatorRef` to an `SLI` document of the same file) whose SLI is a `ratioMetric` with PromQL queries in
 * `metricSource.spec.query`. A file may hold several documents of several kinds; the other kinds (`Service`,
 * `DataSource`, `AlertPolicy`, …) are skipped. SLOs are grouped by `spec.service`, one spec per service, in the
 * order services first appear.
 *
 * The mapping:
 * - `bad` + `total` → `sli.events` {errorQuery: bad, totalQuery: total}.
 * - `good` + `total` → `sli.events` {errorQuery: `total - good`, totalQuery: total}: an events SLI, not a ratio,
 *   so that the window can be scored by event counts. Each side is parenthesised unless it is a single call.
 * - `raw` + `rawType: failure` → `sli.raw` as is; `rawType: success` → `1 - (raw)`.
 * - `target: 0.999` or `targetPercent: 99.9` → `objective: 99.9`. Several objectives make several SLOs,
 *   `<name>-<index>` (sloth's naming for the same case).
 * - Alerts: OpenSLO v1 alert conditions have one window each, which cannot express the multiwindow multi-burn-rate
 *   alerts, so they are not read; every imported SLO gets sloth's page and ticket alerts, named
 *   `<Service><Slo>SLO` in PascalCase (`checkout` + `requests-availability` → `CheckoutRequestsAvailabilitySLO`).
 *
 * **The window rule.** OpenSLO queries are usually instant counter selectors, while every query here must say
 * where the range goes. So: a query that contains `{{.window}}` is used as written; a query that is a plain
 * selector (`http_requests_total{code=~"5.."}`) of a counter (`counter` absent or true) becomes
 * `sum(rate(<selector>[{{.window}}]))`; anything else is refused with a message asking for `{{.window}}`, because
 * guessing where a range goes in an arbitrary expression would compute something other than what was meant.
 *
 * Only what the generated rules can honour is accepted: a rolling `30d` time window (or none), the
 * `Occurrences` budgeting method (or none), Prometheus metric sources, ratio metrics. Anything else is refused by
 * name, with the file, line and field.
 */
import { describeValue, expected } from '../core/schema-messages.js';
import { isMap, isScalar, LineCounter, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { yamlProblem, zodIssueProblems, type LocatedYaml, type YamlPathSegment, type YamlProblem } from '../core/yaml-errors.js';
import type { Slo, SloSpec } from './slo-spec.js';
import { labelSetSchema, RESERVED_SLO_LABELS, sliQueryProblem, sloNameProblem, sloProblemsError } from './sloth-spec.js';

/** The `apiVersion` of the OpenSLO documents imported. */
export const OPENSLO_API_VERSION = 'openslo/v1';

/** The OpenSLO kinds a file may hold; only `SLO` and `SLI` are read. */
const OPENSLO_KINDS = ['SLO', 'SLI', 'Service', 'DataSource', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget'];

/**
 * Parses every document of a YAML file (`---` separated), keeping the line of every node. Syntax errors, duplicate
 * keys included, come back as problems like {@link parseLocatedYaml}'s. Empty documents are dropped.
 */
export function parseLocatedYamlDocuments(text: string, fileName: string): { documents: LocatedYaml[]; problems: YamlProblem[] } {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const all = Array.isArray(parsed) ? parsed : [];
  const problems = all.flatMap((document) =>
    document.errors.map((error) => {
      const line = error.linePos?.[0].line ?? 1;
      const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
      return { line, text: `${fileName}:${line}: invalid YAML: ${message}` };
    }),
  );
  // A document of nothing (`---` twice, or comments only) is null or a null scalar: nothing to read.
  const empty = (contents: unknown) => contents === null || (isScalar(contents) && contents.value === null);
  const documents = all.filter((document) => !empty(document.contents)).map((document) => ({ document, lineCounter, fileName }));
  return { documents, problems };
}

const text = (what: string) => z.string({ error: expected(what) }).min(1, { error: `expected ${what}, got an empty string` });
const mapping = (keys: string) => ({ error: expected(`a mapping with ${keys}`) });

const sloName = (what: string) =>
  text(what).superRefine((value, ctx) => {
    const problem = sloNameProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

const metadataSchema = (nameSchema: z.ZodType<string>) =>
  z.strictObject(
    {
      name: nameSchema,
      displayName: z.string({ error: expected('a display name') }).optional(),
      labels: labelSetSchema('label', RESERVED_SLO_LABELS),
      annotations: z.record(z.string(), z.unknown(), { error: expected('a mapping of annotations') }).optional(),
    },
    mapping('name, displayName, labels, annotations'),
  );

/** A metric source: the PromQL is `spec.query`; other keys of `spec` belong to the data source and are ignored. */
const metricSchema = z.strictObject(
  {
    metricSource: z.strictObject(
      {
        metricSourceRef: z.string({ error: expected('a data source name') }).optional(),
        type: z
          .string({ error: expected('a metric source type') })
          .refine((type) => type.toLowerCase() === 'prometheus', { error: (issue) => `only Prometheus metric sources are supported, got ${describeValue(issue.input)}` })
          .optional(),
        spec: z.looseObject({ query: text('a PromQL query') }, mapping('query')),
      },
      mapping('metricSourceRef, type, spec'),
    ),
  },
  mapping('metricSource'),
);

const ratioMetricSchema = z
  .strictObject(
    {
      counter: z.boolean({ error: expected('true or false') }).optional(),
      good: metricSchema.optional(),
      bad: metricSchema.optional(),
      total: metricSchema.optional(),
      rawType: z.enum(['success', 'failure'], { error: expected('success or failure') }).optional(),
      raw: metricSchema.optional(),
    },
    mapping('counter, good | bad, total, or raw and rawType'),
  )
  .superRefine((ratio, ctx) => {
    if (ratio.raw !== undefined) {
      for (const key of ['good', 'bad', 'total'] as const) {
        if (ratio[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'cannot be used together with raw' });
      }
      if (ratio.rawType === undefined) ctx.addIssue({ code: 'custom', path: ['raw'], message: 'raw needs rawType: success or failure' });
      return;
    }
    if (ratio.total === undefined) ctx.addIssue({ code: 'custom', message: 'expected total with good or bad, or raw with rawType' });
    if (ratio.good === undefined && ratio.bad === undefined) ctx.addIssue({ code: 'custom', message: 'expected one of good or bad' });
    if (ratio.good !== undefined && ratio.bad !== undefined) ctx.addIssue({ code: 'custom', path: ['bad'], message: 'only one of good or bad is allowed' });
  });

const sliSpecSchema = z.strictObject(
  {
    description: z.string({ error: expected('a description') }).optional(),
    ratioMetric: ratioMetricSchema.optional(),
  },
  mapping('description, ratioMetric'),
).superRefine((spec, ctx) => {
  if (spec.ratioMetric === undefined) ctx.addIssue({ code: 'custom', message: 'expected a ratioMetric (thresholdMetric is not supported)' });
});

const indicatorSchema = z.strictObject({ metadata: metadataSchema(text('an SLI name')), spec: sliSpecSchema }, mapping('metadata, spec'));

const timeWindowSchema = z
  .array(
    z.strictObject(
      {
        duration: z.literal('30d', { error: (issue) => `only a 30d window is supported (the rules and burn-rate tiers are for 30 days), got ${describeValue(issue.input)}` }),
        isRolling: z.literal(true, { error: 'only rolling windows are supported (isRolling: true)' }).optional(),
      },
      mapping('duration, isRolling'),
    ),
    { error: expected('a list of one time window') },
  )
  .length(1, { error: 'expected exactly one time window' });

const objectiveSchema = z
  .strictObject(
    {
      displayName: z.string({ error: expected('a display name') }).optional(),
      target: z.number({ error: expected('a ratio in (0, 1) such as 0.999') }).gt(0, { error: 'expected a ratio in (0, 1) such as 0.999' }).lt(1, { error: 'expected a ratio in (0, 1) such as 0.999' }).optional(),
      targetPercent: z.number({ error: expected('a percentage in (0, 100) such as 99.9') }).gt(0, { error: 'expected a percentage in (0, 100) such as 99.9' }).lt(100, { error: 'expected a percentage in (0, 100) such as 99.9' }).optional(),
    },
    mapping('displayName, target or targetPercent'),
  )
  .superRefine((objective, ctx) => {
    if (objective.target === undefined && objective.targetPercent === undefined) ctx.addIssue({ code: 'custom', message: 'expected target or targetPercent' });
    if (objective.target !== undefined && objective.targetPercent !== undefined) ctx.addIssue({ code: 'custom', path: ['targetPercent'], message: 'only one of target or targetPercent is allowed' });
  });

const sloDocumentSchema = z.strictObject(
  {
    apiVersion: z.literal(OPENSLO_API_VERSION),
    kind: z.literal('SLO'),
    metadata: metadataSchema(sloName('an SLO name')),
    spec: z
      .strictObject(
        {
          description: z.string({ error: expected('a description') }).optional(),
          service: sloName('a service name'),
          indicator: indicatorSchema.optional(),
          indicatorRef: text('the name of an SLI document').optional(),
          timeWindow: timeWindowSchema.optional(),
          budgetingMethod: z.literal('Occurrences', { error: (issue) => `only the Occurrences budgeting method is supported, got ${describeValue(issue.input)}` }).optional(),
          objectives: z.array(objectiveSchema, { error: expected('a list of objectives') }).min(1, { error: 'expected at least one objective' }),
          alertPolicies: z.array(z.unknown(), { error: expected('a list of alert policies') }).optional(),
        },
        mapping('service, indicator or indicatorRef, objectives, …'),
      )
      .superRefine((spec, ctx) => {
        if (spec.indicator === undefined && spec.indicatorRef === undefined) ctx.addIssue({ code: 'custom', message: 'expected indicator or indicatorRef' });
        if (spec.indicator !== undefined && spec.indicatorRef !== undefined) ctx.addIssue({ code: 'custom', path: ['indicatorRef'], message: 'only one of indicator or indicatorRef is allowed' });
      }),
  },
  mapping('apiVersion, kind, metadata, spec'),
);

const sliDocumentSchema = z.strictObject(
  { apiVersion: z.literal(OPENSLO_API_VERSION), kind: z.literal('SLI'), metadata: metadataSchema(text('an SLI name')), spec: sliSpecSchema },
  mapping('apiVersion, kind, metadata, spec'),
);

type SliSpecValue = z.output<typeof sliSpecSchema>;
type RatioMetric = NonNullable<SliSpecValue['ratioMetric']>;

/** Names what OpenSLO allows but the import cannot honour, rather than calling it unknown. */
function unknownKeyMessage(_parent: readonly YamlPathSegment[], key: string): string {
  const unsupported: Record<string, string> = {
    thresholdMetric: 'thresholdMetric is not supported; use a ratioMetric',
    indicatorRef: 'an objective-level indicator (composite SLO) is not supported',
    indicator: 'an objective-level indicator (composite SLO) is not supported',
    compositeWeight: 'composite SLOs are not supported',
    timeSliceTarget: 'only the Occurrences budgeting method is supported (no time slices)',
    timeSliceWindow: 'only the Occurrences budgeting method is supported (no time slices)',
    op: 'op and value belong to thresholdMetric SLIs, which are not supported',
    value: 'op and value belong to thresholdMetric SLIs, which are not supported',
    calendar: 'only rolling time windows are supported',
  };
  return unsupported[key] ?? `unknown field "${key}"`;
}

const PLAIN_SELECTOR = /^\s*(?:[a-zA-Z_:][a-zA-Z0-9_:]*\s*(?:\{(?:[^{}"'`]|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)*\})?|\{(?:[^{}"'`]|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)*\})\s*$/;

/** A query with its window placed by the window rule (see the module), or the reason it cannot be. */
function windowed(query: string, counter: boolean): { query: string } | { problem: string } {
  if (query.includes('{{')) {
    const problem = sliQueryProblem(query);
    return problem === undefined ? { query: query.trim() } : { problem };
  }
  if (counter && PLAIN_SELECTOR.test(query)) return { query: `sum(rate(${query.trim()}[{{.window}}]))` };
  return {
    problem: counter
      ? 'a query without {{.window}} must be a plain counter selector such as http_requests_total{code=~"5.."}; otherwise write the range yourself, e.g. sum(rate(x[{{.window}}]))'
      : 'with counter: false the query must contain {{.window}} where the range goes (only counters are windowed automatically)',
  };
}

/** Whether a query is one term (a selector or a single call), so that it needs no parentheses in `a - b`. */
function isSingleTerm(query: string): boolean {
  if (PLAIN_SELECTOR.test(query)) return true;
  const call = /^[a-zA-Z_][a-zA-Z0-9_]*\s*\(/.exec(query);
  if (!call) return false;
  let depth = 0;
  let quote: string | undefined;
  for (let i = call[0].length - 1; i < query.length; i++) {
    const c = query[i];
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i === query.length - 1;
  }
  return false;
}

const term = (query: string): string => (isSingleTerm(query) ? query : `(${query})`);

/** PascalCase of a name: `requests-availability` → `RequestsAvailability`. */
function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => (part[0] ?? '').toUpperCase() + part.slice(1))
    .join('');
}

/** The SLI of a ratio metric, or the problems with its queries (`path` leads to the ratioMetric). */
function sliOf(ratio: RatioMetric, yaml: LocatedYaml, path: readonly YamlPathSegment[]): { sli: Slo['sli'] } | { problems: YamlProblem[] } {
  const counter = ratio.counter ?? true;
  const problems: YamlProblem[] = [];
  const place = (key: 'good' | 'bad' | 'total' | 'raw', isCounter: boolean): string => {
    const metric = ratio[key];
    if (metric === undefined) return '';
    const result = windowed(metric.metricSource.spec.query, isCounter);
    if ('problem' in result) {
      problems.push(yamlProblem(yaml, [...path, key, 'metricSource', 'spec', 'query'], result.problem));
      return '';
    }
    return result.query;
  };
  if (ratio.raw !== undefined) {
    // A raw ratio is a gauge, never a counter: only a query with its own {{.window}} says how to window it.
    const raw = place('raw', false);
    if (problems.length > 0) return { problems };
    return { sli: { kind: 'raw', errorRatioQuery: ratio.rawType === 'success' ? `1 - (${raw})` : raw } };
  }
  const total = place('total', counter);
  const bad = place('bad', counter);
  const good = place('good', counter);
  if (problems.length > 0) return { problems };
  const errorQuery = ratio.bad !== undefined ? bad : `${term(total)} - ${term(good)}`;
  return { sli: { kind: 'events', errorQuery, totalQuery: total } };
}

/** The objective in percent; `target * 100` is rounded to 12 digits so that 0.999 gives 99.9, not 99.89999999999999. */
function objectivePercent(objective: { target?: number | undefined; targetPercent?: number | undefined }): number {
  return objective.targetPercent ?? Number(((objective.target ?? 0) * 100).toPrecision(12));
}

/**
 * Imports the OpenSLO documents of a file (already parsed with {@link parseLocatedYamlDocuments}).
 *
 * @returns one spec per service, or the problems found (never both)
 */
export function openSloFromDocuments(documents: readonly LocatedYaml[]): { specs: SloSpec[]; problems: YamlProblem[] } {
  const problems: YamlProblem[] = [];
  const slis = new Map<string, SliSpecValue>();
  const slos: Array<{ yaml: LocatedYaml; doc: z.output<typeof sloDocumentSchema> }> = [];

  for (const yaml of documents) {
    const value: unknown = yaml.document.toJS();
    if (!isMap(yaml.document.contents) || typeof value !== 'object' || value === null) {
      problems.push(yamlProblem(yaml, [], `expected an OpenSLO document (apiVersion: ${OPENSLO_API_VERSION}, kind, metadata, spec), got ${describeValue(value)}`));
      continue;
    }
    const { apiVersion, kind } = value as { apiVersion?: unknown; kind?: unknown };
    if (apiVersion !== OPENSLO_API_VERSION) {
      problems.push(yamlProblem(yaml, ['apiVersion'], `only ${OPENSLO_API_VERSION} is supported, got ${describeValue(apiVersion)}`));
      continue;
    }
    if (typeof kind !== 'string' || !OPENSLO_KINDS.includes(kind)) {
      problems.push(yamlProblem(yaml, ['kind'], `expected one of ${OPENSLO_KINDS.join(', ')}, got ${describeValue(kind)}`));
      continue;
    }
    if (kind === 'SLI') {
      const parsed = sliDocumentSchema.safeParse(value);
      if (!parsed.success) problems.push(...zodIssueProblems(yaml, parsed.error.issues, unknownKeyMessage));
      else slis.set(parsed.data.metadata.name, parsed.data.spec);
    } else if (kind === 'SLO') {
      const parsed = sloDocumentSchema.safeParse(value);
      if (!parsed.success) problems.push(...zodIssueProblems(yaml, parsed.error.issues, unknownKeyMessage));
      else slos.push({ yaml, doc: parsed.data });
    }
  }

  const byService = new Map<string, Slo[]>();
  for (const { yaml, doc } of slos) {
    const { metadata, spec } = doc;
    let indicator = spec.indicator?.spec;
    let indicatorPath: YamlPathSegment[] = ['spec', 'indicator', 'spec', 'ratioMetric'];
    if (spec.indicatorRef !== undefined) {
      indicator = slis.get(spec.indicatorRef);
      // A referenced SLI's problems are reported in its own document; here only a missing one is.
      indicatorPath = ['spec', 'indicatorRef'];
      if (indicator === undefined) {
        problems.push(yamlProblem(yaml, indicatorPath, `no SLI document named "${spec.indicatorRef}" in this file`));
        continue;
      }
    }
    const ratio = indicator?.ratioMetric;
    if (ratio === undefined) continue; // already reported by the schema
    const sli = sliOf(ratio, yaml, indicatorPath);
    if ('problems' in sli) {
      problems.push(...sli.problems);
      continue;
    }
    const list = byService.get(spec.service) ?? [];
    byService.set(spec.service, list);
    spec.objectives.forEach((objective, i) => {
      const name = spec.objectives.length === 1 ? metadata.name : `${metadata.name}-${i}`;
      if (list.some((slo) => slo.name === name)) {
        problems.push(yamlProblem(yaml, ['metadata', 'name'], `another SLO of service "${spec.service}" is already named "${name}"`));
        return;
      }
      const description = spec.description ?? spec.indicator?.spec.description;
      list.push({
        name,
        objective: objectivePercent(objective),
        ...(description === undefined ? {} : { description }),
        labels: metadata.labels,
        sli: sli.sli,
        alerting: {
          name: `${pascalCase(spec.service)}${pascalCase(name)}SLO`,
          labels: {},
          annotations: {},
          pageAlert: { disable: false, labels: {}, annotations: {} },
          ticketAlert: { disable: false, labels: {}, annotations: {} },
        },
      });
    });
  }
  if (problems.length > 0) return { specs: [], problems };
  return { specs: [...byService].map(([service, list]) => ({ service, labels: {}, slos: list })), problems: [] };
}

/**
 * Imports an OpenSLO `openslo/v1` file: its SLO documents, grouped by service.
 *
 * @throws InvalidInputError `slo.invalid` listing every problem as `file:line: dotted.field: message`, or if the
 * file holds no SLO document
 * @example
 * const [spec] = importOpenSlo(await readFile('checkout.openslo.yaml', 'utf8'), 'checkout.openslo.yaml');
 */
export function importOpenSlo(text: string, fileName: string): SloSpec[] {
  const { documents, problems } = parseLocatedYamlDocuments(text, fileName);
  if (problems.length > 0) throw sloProblemsError(problems);
  const result = openSloFromDocuments(documents);
  if (result.problems.length > 0) throw sloProblemsError(result.problems);
  if (result.specs.length === 0) throw sloProblemsError([{ line: 1, text: `${fileName}:1: no OpenSLO document of kind SLO found` }]);
  return result.specs;
}
