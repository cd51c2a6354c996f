/**
 * @module
 * How every schema of Simian (simian.yaml, SLO files, experiments) words a wrong value, so that an error after
 * `file:line: field:` always reads "expected X, got Y" the same way.
 */

/** A short rendering of a wrong value for an error message: `"text"`, `12`, `a list`, `a mapping`, `nothing`. */
export function describeValue(input: unknown): string {
  if (input === null) return 'null';
  if (input === undefined) return 'nothing';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return JSON.stringify(input);
  return String(input);
}

/** A zod error function: `expected <what>, got <the value>`. */
export const expected =
  (what: string) =>
  (issue: { input?: unknown }): string =>
    `expected ${what}, got ${describeValue(issue.input)}`;
