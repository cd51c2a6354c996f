/**
 * @module
 * Adds a label matcher to every vector selector of a PromQL expression, so one SLO definition scores two groups:
 * `sum(rate(http_requests_total{code=~"5.."}[5m]))` becomes
 * `sum(rate(http_requests_total{code=~"5..",zone=~"us-east-1a"}[5m]))`. A small lexer, not a parser: it knows
 * strings, comments, `[ranges]`, `{{.window}}` placeholders, function calls, keywords and the label lists of
 * `by (…)`, `without (…)`, `on (…)`, `ignoring (…)`, `group_left (…)`, `group_right (…)`, which is everything a
 * selector can be confused with.
 */

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'atan2', 'inf', 'nan']);
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);

const IDENTIFIER_START = /[A-Za-z_:]/;
const IDENTIFIER_PART = /[A-Za-z0-9_:]/;

/** Escapes a value for a PromQL double-quoted string. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Escapes regular-expression metacharacters, so `us-east-1a` matches itself only. */
function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The matcher `label=~"a|b"` that selects exactly `values` (PromQL anchors regex matchers). */
export function membershipMatcher(label: string, values: readonly string[]): string {
  return `${label}=~${quote(values.map(escapeRegex).join('|'))}`;
}

function skipString(query: string, start: number): number {
  const delimiter = query[start]!;
  let i = start + 1;
  while (i < query.length && query[i] !== delimiter) i += delimiter !== '`' && query[i] === '\\' ? 2 : 1;
  return i + 1;
}

function skipSpace(query: string, start: number): number {
  let i = start;
  while (i < query.length && /\s/.test(query[i]!)) i++;
  return i;
}

/** The end (exclusive) of the bracketed block starting at `start` (`[`, `(` or `{`), strings skipped. */
function skipBlock(query: string, start: number, open: string, close: string): number {
  let depth = 0;
  let i = start;
  while (i < query.length) {
    const c = query[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(query, i);
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
    i++;
  }
  return query.length;
}

/** A `{…}` matcher block with `matcher` added before its closing brace. */
function extendBlock(block: string, matcher: string): string {
  const inner = block.slice(1, -1);
  const trimmed = inner.trimEnd();
  if (trimmed === '') return `{${matcher}}`;
  return `{${trimmed}${trimmed.endsWith(',') ? '' : ','}${matcher}}`;
}

/**
 * `query` with `matcher` (such as `zone=~"us-east-1a"`) added to every vector selector, whether it has a `{…}`
 * block or not. Template placeholders (`{{.window}}`) are left alone.
 *
 * @example
 * withLabelMatcher('sum(rate(errors_total[{{.window}}])) / sum(rate(requests_total{job="api"}[{{.window}}]))', 'zone=~"a"');
 * // 'sum(rate(errors_total{zone=~"a"}[{{.window}}])) / sum(rate(requests_total{job="api",zone=~"a"}[{{.window}}]))'
 */
export function withLabelMatcher(query: string, matcher: string): string {
  let out = '';
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const end = skipString(query, i);
      out += query.slice(i, end);
      i = end;
    } else if (c === '#') {
      const end = query.indexOf('\n', i);
      const stop = end === -1 ? query.length : end;
      out += query.slice(i, stop);
      i = stop;
    } else if (c === '[') {
      const end = skipBlock(query, i, '[', ']');
      out += query.slice(i, end);
      i = end;
    } else if (c === '{' && query[i + 1] === '{') {
      const end = query.indexOf('}}', i);
      const stop = end === -1 ? query.length : end + 2;
      out += query.slice(i, stop);
      i = stop;
    } else if (c === '{') {
      // A selector without a metric name: `{__name__=~"x"}`.
      const end = skipBlock(query, i, '{', '}');
      out += extendBlock(query.slice(i, end), matcher);
      i = end;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(query[i + 1] ?? ''))) {
      // Numbers and durations (`1e3`, `0x1f`, `5m`, `1h30m`) are never selectors.
      let end = i + 1;
      while (end < query.length && /[0-9A-Za-z_.]/.test(query[end]!)) end++;
      out += query.slice(i, end);
      i = end;
    } else if (IDENTIFIER_START.test(c)) {
      let end = i + 1;
      while (end < query.length && IDENTIFIER_PART.test(query[end]!)) end++;
      const word = query.slice(i, end);
      const next = skipSpace(query, end);
      const lower = word.toLowerCase();
      out += word;
      i = end;
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        if (query[next] === '(') {
          const close = skipBlock(query, next, '(', ')');
          out += query.slice(end, close);
          i = close;
        }
      } else if (lower === 'offset') {
        // `offset 5m` / `offset -5m`: the duration follows; the number branch takes it.
      } else if (KEYWORDS.has(lower) || query[next] === '(') {
        // A keyword, a function call or an aggregation with its arguments next.
      } else if (AGGREGATIONS.has(lower) && /^(by|without)\b/i.test(query.slice(next))) {
        // `sum by (x) (…)`: the label list is handled when the keyword comes.
      } else if (query[next] === '{') {
        const close = skipBlock(query, next, '{', '}');
        out += query.slice(end, next) + extendBlock(query.slice(next, close), matcher);
        i = close;
      } else {
        out += `{${matcher}}`;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
