/**
 * @module
 * The PromQL inside Grafana dashboards, read without Grafana: load a dashboard's JSON model, walk its panels
 * (rows and the panels nested in collapsed rows included), template variables and annotations, and list every
 * query with where it comes from. {@link substituteVariables} turns Grafana's template variables into valid
 * PromQL stand-ins, so that `promtool check rules` can parse the result, and {@link selectors} lists the metric
 * names and label names a query selects, so that they can be held against the metrics the code exports.
 *
 * @example
 * const dashboard = loadDashboard('dashboards/grafana/slos.json');
 * for (const query of dashboardQueries(dashboard)) console.log(query.title, substituteVariables(query.expr));
 */
import { readFileSync } from 'node:fs';

/** A query of a panel. */
export interface GrafanaTarget {
  readonly refId?: string;
  readonly expr?: string;
  readonly datasource?: unknown;
  readonly [key: string]: unknown;
}

/** A panel, or a row whose `panels` holds its children while it is collapsed. */
export interface GrafanaPanel {
  readonly id?: number;
  readonly type?: string;
  readonly title?: string;
  readonly gridPos?: { readonly h: number; readonly w: number; readonly x: number; readonly y: number };
  readonly datasource?: unknown;
  readonly targets?: readonly GrafanaTarget[];
  readonly panels?: readonly GrafanaPanel[];
  readonly [key: string]: unknown;
}

/** A template variable (`templating.list[]`). */
export interface GrafanaVariable {
  readonly name: string;
  readonly type: string;
  /** A string, or for Prometheus query variables `{ query, refId, qryType }`. */
  readonly query?: unknown;
  readonly definition?: string;
  readonly datasource?: unknown;
  readonly [key: string]: unknown;
}

/** An annotation query (`annotations.list[]`); Prometheus ones carry `expr`, newer models `target.expr`. */
export interface GrafanaAnnotation {
  readonly name?: string;
  readonly expr?: string;
  readonly target?: { readonly expr?: string };
  readonly datasource?: unknown;
  readonly [key: string]: unknown;
}

/** The parts of Grafana's dashboard JSON model this module reads. */
export interface GrafanaDashboard {
  readonly uid?: string;
  readonly title?: string;
  readonly schemaVersion?: number;
  readonly panels: readonly GrafanaPanel[];
  readonly templating?: { readonly list?: readonly GrafanaVariable[] };
  readonly annotations?: { readonly list?: readonly GrafanaAnnotation[] };
  readonly [key: string]: unknown;
}

/** One PromQL query of a dashboard and where it sits. */
export interface DashboardQuery {
  readonly kind: 'panel' | 'variable' | 'annotation';
  /** The panel title, variable name or annotation name. */
  readonly title: string;
  /** The panel's `id`, for panel queries. */
  readonly panelId?: number;
  /** The target's `refId`, for panel queries. */
  readonly refId?: string;
  /** The PromQL as written, template variables included. */
  readonly expr: string;
}

/** Parses a dashboard's JSON text; `source` names it in errors. */
export function parseDashboard(text: string, source = 'dashboard'): GrafanaDashboard {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TypeError(`${source}: a dashboard is a JSON object`);
  }
  if (!Array.isArray((parsed as { panels?: unknown }).panels)) {
    throw new TypeError(`${source}: a dashboard has a "panels" array`);
  }
  return parsed as GrafanaDashboard;
}

/** Reads and parses the dashboard JSON file at `path`. */
export function loadDashboard(path: string): GrafanaDashboard {
  return parseDashboard(readFileSync(path, 'utf8'), path);
}

/** Every panel, depth first: each row is followed by the panels nested in it. */
export function walkPanels(panels: readonly GrafanaPanel[]): GrafanaPanel[] {
  return panels.flatMap((panel) => [panel, ...walkPanels(panel.panels ?? [])]);
}

/**
 * The PromQL of a query variable: the selector of `label_values(selector, label)`, the expression of
 * `query_result(expr)`; undefined for `label_values(label)`, `label_names()` and `metrics(regex)`.
 */
export function variableQueryExpr(query: string): string | undefined {
  const text = query.trim();
  const call = /^(label_values|query_result)\s*\(([\s\S]*)\)$/.exec(text);
  if (!call) return undefined;
  const args = call[2]!.trim();
  if (call[1] === 'query_result') return args;
  const comma = args.lastIndexOf(',');
  return comma < 0 ? undefined : args.slice(0, comma).trim();
}

function variableQueryText(variable: GrafanaVariable): string | undefined {
  if (typeof variable.query === 'string') return variable.query;
  const inner = (variable.query as { query?: unknown } | undefined)?.query;
  return typeof inner === 'string' ? inner : variable.definition;
}

/** Every PromQL query of a dashboard: panel targets, query variables and annotations. */
export function dashboardQueries(dashboard: GrafanaDashboard): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  for (const panel of walkPanels(dashboard.panels)) {
    for (const target of panel.targets ?? []) {
      if (typeof target.expr !== 'string' || target.expr.trim() === '') continue;
      queries.push({
        kind: 'panel',
        title: panel.title ?? '',
        ...(panel.id !== undefined ? { panelId: panel.id } : {}),
        ...(target.refId !== undefined ? { refId: target.refId } : {}),
        expr: target.expr,
      });
    }
  }
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const text = variableQueryText(variable);
    const expr = text === undefined ? undefined : variableQueryExpr(text);
    if (expr !== undefined) queries.push({ kind: 'variable', title: variable.name, expr });
  }
  for (const annotation of dashboard.annotations?.list ?? []) {
    const expr = annotation.expr ?? annotation.target?.expr;
    if (typeof expr === 'string' && expr.trim() !== '') queries.push({ kind: 'annotation', title: annotation.name ?? '', expr });
  }
  return queries;
}

/** Stand-ins for Grafana's global variables, as Grafana would fill them in for a 1 h range at a 1 m step. */
export const GLOBAL_VARIABLE_STAND_INS: Readonly<Record<string, string>> = {
  __rate_interval: '5m',
  __rate_interval_ms: '300000',
  __interval: '1m',
  __interval_ms: '60000',
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
};

/** `${name}`, `${name:format}`, `[[name]]`, `[[name:format]]` and `$name`. */
const VARIABLE = /\$\{([A-Za-z_]\w*)(?::[^}]*)?\}|\[\[([A-Za-z_]\w*)(?::[^\]]*)?\]\]|\$([A-Za-z_]\w*)/g;

/** The names of the template variables `expr` uses, in order of first use, global ones included. */
export function referencedVariables(expr: string): string[] {
  return [...new Set([...expr.matchAll(VARIABLE)].map((m) => (m[1] ?? m[2] ?? m[3])!))];
}

function insideString(expr: string, offset: number): boolean {
  let quote: string | undefined;
  for (let i = 0; i < offset; i++) {
    const c = expr[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
    }
  }
  return quote !== undefined;
}

/**
 * `expr` with every template variable replaced so that it parses as PromQL: global variables by
 * {@link GLOBAL_VARIABLE_STAND_INS}, names in `values` by their value, and any other variable by what fits where it
 * stands: `var_<name>` inside a string (a label value or regex), `5m` in a range or offset, `var_<name>` before
 * `{` (a metric name), `1` anywhere else (a number such as a quantile or a threshold).
 */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>> = {}): string {
  return expr.replace(VARIABLE, (match: string, braced?: string, bracketed?: string, plain?: string, offset = 0) => {
    const name = (braced ?? bracketed ?? plain)!;
    const given = values[name] ?? GLOBAL_VARIABLE_STAND_INS[name];
    if (given !== undefined) return given;
    if (insideString(expr, offset)) return `var_${name}`;
    const before = expr.slice(0, offset).trimEnd();
    const after = expr.slice(offset + match.length).trimStart();
    if (/(\[|:|\boffset)$/.test(before) || /^[\]:]/.test(after)) return '5m';
    return after.startsWith('{') ? `var_${name}` : '1';
  });
}

/** A vector selector of a query: its metric name, if it has one, and the label names it matches on. */
export interface Selector {
  readonly metric?: string;
  readonly labels: string[];
}

const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const OTHER_KEYWORDS = new Set(['bool', 'and', 'or', 'unless', 'offset', 'atan2', 'inf', 'nan']);
const AGGREGATORS = new Set([
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
]);

function skipString(expr: string, start: number): number {
  const quote = expr[start]!;
  let i = start + 1;
  while (i < expr.length && expr[i] !== quote) i += expr[i] === '\\' && quote !== '`' ? 2 : 1;
  return i + 1;
}

/**
 * The vector selectors of a PromQL expression (template variables already substituted), found by a small
 * tokenizer rather than a full parser: identifiers are metric names unless they are keywords, aggregations,
 * function calls, label names inside `{…}` or inside the label lists of `by`, `without`, `on`, `ignoring`,
 * `group_left` and `group_right`. A `{__name__="x"}` selector counts as metric `x`.
 */
export function selectors(expr: string): Selector[] {
  const found: Selector[] = [];
  let braces: { metric?: string; labels: string[] } | undefined;
  let pending: { metric?: string; labels: string[] } | undefined;
  let parens = 0;
  let brackets = 0;
  let labelListAt = -1;
  let expectLabelList = false;
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      const end = expr.indexOf('\n', i);
      i = end < 0 ? expr.length : end;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
      pending = undefined;
      continue;
    }
    const word = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(expr.slice(i))?.[0];
    if (word) {
      i += word.length;
      if (braces) {
        braces.labels.push(word);
        const equal = /^\s*=\s*(["'])(.*?)\1/.exec(expr.slice(i));
        if (word === '__name__' && equal) braces.metric = equal[2]!;
        continue;
      }
      const listNext = LABEL_LIST_KEYWORDS.has(word);
      const next = expr.slice(i).trimStart()[0];
      pending = undefined;
      if (!listNext && brackets === 0 && labelListAt < 0 && next !== '(' && !OTHER_KEYWORDS.has(word) && !AGGREGATORS.has(word)) {
        pending = { metric: word, labels: [] };
        found.push(pending);
      }
      expectLabelList = listNext;
      continue;
    }
    const number = /^[0-9.][0-9A-Za-z_.]*/.exec(expr.slice(i))?.[0];
    if (number) {
      i += number.length;
      pending = undefined;
      expectLabelList = false;
      continue;
    }
    i++;
    if (c === '{') {
      if (pending) braces = pending;
      else {
        braces = { labels: [] };
        found.push(braces);
      }
    } else if (c === '}') {
      braces = undefined;
    } else if (c === '(') {
      parens++;
      if (expectLabelList) labelListAt = parens;
    } else if (c === ')') {
      if (parens === labelListAt) labelListAt = -1;
      parens--;
    } else if (c === '[') {
      brackets++;
    } else if (c === ']') {
      brackets--;
    }
    if (!braces) pending = undefined;
    expectLabelList = false;
  }
  return found;
}
