/**
 * @module
 * The small part of PromQL that SLO files use, parsed and evaluated without a Prometheus server, so that the
 * direct-scrape source computes the same SLIs:
 *
 * - `sum(rate(<metric>{<matchers>}[<range>]))` and `sum(increase(…))`, with matchers `=`, `!=`, `=~`, `!~`
 *   (regexes anchored at both ends, as PromQL does);
 * - the difference of two such terms, `A - B` (a latency SLI: all requests minus those under the threshold bucket).
 *
 * Anything else is refused with `slo.unsupportedQuery` naming the query: guessing at PromQL semantics would give a
 * number that looks right and is not. The caller (the direct-scrape source) answers inconclusive instead.
 */
import { SimianError } from '../core/errors.js';

/** A label matcher operator. */
export type MatchOp = '=' | '!=' | '=~' | '!~';

/** One label matcher; the metric name is the matcher `__name__="…"`. */
export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
}

/** `sum(<fn>(<selector>[<range>]))`. */
export interface SubsetTerm {
  readonly fn: 'rate' | 'increase';
  readonly matchers: readonly LabelMatcher[];
  /** The range as written: a duration (`5m`) or the `{{.window}}` placeholder. The evaluator uses its own window. */
  readonly range: string;
}

/** A parsed query of the subset: one term, or the difference of two. */
export type SubsetQuery =
  | { readonly kind: 'term'; readonly term: SubsetTerm }
  | { readonly kind: 'difference'; readonly minuend: SubsetTerm; readonly subtrahend: SubsetTerm };

/** The error for a query outside the subset (or not PromQL at all). */
export function unsupportedQuery(query: string, why: string): SimianError {
  return new SimianError('slo.unsupportedQuery', `query not supported without Prometheus (${why}): ${query}`);
}

/**
 * Parses `query`, throwing `slo.unsupportedQuery` (naming the query and what was wrong) for anything outside the
 * subset.
 *
 * @example
 * parseSubsetQuery('sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))');
 */
export function parseSubsetQuery(query: string): SubsetQuery {
  return new Parser(query).parseQuery();
}

/** Whether a series with `labels` (including `__name__`) satisfies every matcher. A missing label reads as "". */
export function matchesAll(matchers: readonly LabelMatcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.every((m) => matches(m, labels[m.name] ?? ''));
}

const regexCache = new Map<string, RegExp>();

function anchored(pattern: string): RegExp {
  let regex = regexCache.get(pattern);
  if (!regex) {
    // PromQL anchors regex matchers and lets '.' match newlines ((?s:…) in Go's RE2).
    regex = new RegExp(`^(?:${pattern})$`, 's');
    regexCache.set(pattern, regex);
  }
  return regex;
}

function matches(matcher: LabelMatcher, value: string): boolean {
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return anchored(matcher.value).test(value);
    case '!~':
      return !anchored(matcher.value).test(value);
  }
}

/**
 * Evaluates `query` given, for each term, the sum of the counter increases of its matching series over the window
 * (`undefined` when no series matches). `rate` is that increase over `windowSeconds`. Like PromQL, a sum over no
 * series is empty, and so is a difference with an empty side: the result is then `undefined`.
 */
export function evaluateSubsetQuery(
  query: SubsetQuery,
  windowSeconds: number,
  sumOfIncreases: (term: SubsetTerm) => number | undefined,
): number | undefined {
  const value = (term: SubsetTerm): number | undefined => {
    const increase = sumOfIncreases(term);
    if (increase === undefined) return undefined;
    return term.fn === 'rate' ? increase / windowSeconds : increase;
  };
  if (query.kind === 'term') return value(query.term);
  const minuend = value(query.minuend);
  const subtrahend = value(query.subtrahend);
  return minuend === undefined || subtrahend === undefined ? undefined : minuend - subtrahend;
}

/** The metric names a query reads (for scraping only what is needed); empty when a term has no fixed name. */
export function metricNamesOf(query: SubsetQuery): string[] {
  const terms = query.kind === 'term' ? [query.term] : [query.minuend, query.subtrahend];
  return terms.flatMap((t) => t.matchers.filter((m) => m.name === '__name__' && m.op === '=').map((m) => m.value));
}

/** A recursive-descent parser over the query text; each method consumes what it recognises. */
class Parser {
  private position = 0;

  constructor(private readonly query: string) {}

  parseQuery(): SubsetQuery {
    const first = this.parseOperand();
    this.skipSpace();
    if (this.atEnd()) return { kind: 'term', term: first };
    if (this.peek() !== '-') this.fail(`expected "-" or the end at offset ${this.position}`);
    this.position++;
    const second = this.parseOperand();
    this.skipSpace();
    if (!this.atEnd()) this.fail(`only the difference of two terms is supported; unexpected text at offset ${this.position}`);
    return { kind: 'difference', minuend: first, subtrahend: second };
  }

  /** A term, possibly in parentheses. */
  private parseOperand(): SubsetTerm {
    this.skipSpace();
    if (this.peek() === '(') {
      this.position++;
      const term = this.parseOperand();
      this.expect(')');
      return term;
    }
    return this.parseTerm();
  }

  private parseTerm(): SubsetTerm {
    const aggregation = this.identifier();
    if (aggregation.toLowerCase() !== 'sum') this.fail(`expected sum(…), got "${aggregation || this.query.slice(this.position, this.position + 10)}"`);
    this.skipSpace();
    if (this.peek() !== '(') this.fail('only sum(…) without by/without is supported');
    this.position++;
    this.skipSpace();
    const fn = this.identifier();
    if (fn !== 'rate' && fn !== 'increase') this.fail(`expected rate(…) or increase(…) inside sum, got "${fn}"`);
    this.expect('(');
    const matchers = this.parseSelector();
    const range = this.parseRange();
    this.expect(')');
    this.expect(')');
    return { fn, matchers, range };
  }

  private parseSelector(): LabelMatcher[] {
    this.skipSpace();
    const matchers: LabelMatcher[] = [];
    const name = this.identifier(true);
    if (name) matchers.push({ name: '__name__', op: '=', value: name });
    this.skipSpace();
    if (this.peek() === '{') {
      this.position++;
      for (;;) {
        this.skipSpace();
        if (this.peek() === '}') {
          this.position++;
          break;
        }
        const label = this.identifier();
        if (!label) this.fail(`expected a label name at offset ${this.position}`);
        this.skipSpace();
        const op = (['=~', '!~', '!=', '='] as const).find((o) => this.query.startsWith(o, this.position));
        if (!op) this.fail(`expected =, !=, =~ or !~ after ${label}`);
        this.position += op.length;
        this.skipSpace();
        const value = this.string();
        if (op === '=~' || op === '!~') {
          try {
            anchored(value);
          } catch (error) {
            this.fail(`bad regex ${JSON.stringify(value)}: ${(error as Error).message}`);
          }
        }
        matchers.push({ name: label, op, value });
        this.skipSpace();
        if (this.peek() === ',') this.position++;
        else if (this.peek() !== '}') this.fail(`expected "," or "}" at offset ${this.position}`);
      }
    }
    if (matchers.length === 0) this.fail('expected a metric selector');
    return matchers;
  }

  private parseRange(): string {
    this.expect('[');
    this.skipSpace();
    const placeholder = /^\{\{\s*\.window\s*\}\}/.exec(this.query.slice(this.position));
    const duration = /^(?:\d+(?:ms|s|m|h|d|w|y))+/.exec(this.query.slice(this.position));
    const range = placeholder?.[0] ?? duration?.[0];
    if (!range) this.fail('expected a range such as [{{.window}}] or [5m] (subqueries are not supported)');
    this.position += range.length;
    this.expect(']');
    this.skipSpace();
    if (/^(offset|@)/.test(this.query.slice(this.position))) this.fail('offset and @ modifiers are not supported');
    return range;
  }

  private string(): string {
    const quote = this.peek();
    if (quote !== '"' && quote !== "'" && quote !== '`') this.fail(`expected a quoted string at offset ${this.position}`);
    this.position++;
    let value = '';
    for (;;) {
      const char = this.query[this.position++];
      if (char === undefined) this.fail('unterminated string');
      if (char === quote) return value;
      if (char === '\\' && quote !== '`') {
        const escaped = this.query[this.position++];
        const known: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
        // Unknown escapes are kept as written: in a regex ("5\\d\\d") the backslash belongs to the regex.
        value += escaped !== undefined && escaped in known ? known[escaped]! : `\\${escaped ?? ''}`;
      } else {
        value += char;
      }
    }
  }

  /** An identifier (metric names may contain ':'); '' when there is none here. */
  private identifier(metricName = false): string {
    this.skipSpace();
    const pattern = metricName ? /^[a-zA-Z_:][a-zA-Z0-9_:]*/ : /^[a-zA-Z_][a-zA-Z0-9_]*/;
    const match = pattern.exec(this.query.slice(this.position));
    if (!match) return '';
    this.position += match[0].length;
    return match[0];
  }

  private expect(char: string): void {
    this.skipSpace();
    if (this.peek() !== char) this.fail(`expected "${char}" at offset ${this.position}`);
    this.position++;
  }

  private skipSpace(): void {
    while (/\s/.test(this.query[this.position] ?? '')) this.position++;
  }

  private peek(): string | undefined {
    return this.query[this.position];
  }

  private atEnd(): boolean {
    return this.position >= this.query.length;
  }

  private fail(why: string): never {
    throw unsupportedQuery(this.query, why);
  }
}
