/**
 * @module
 * Secrets a run uses but its journal, report and log lines never show: the values of variables read from the
 * environment (`variables: { token: { env: API_TOKEN } }`) and the stack token. The run itself uses the real
 * values; only what is written down is redacted, wherever the value ended up (a URL, a header quoted in an error,
 * a command line).
 */

/** What a secret is replaced by. */
export const REDACTED = '[redacted]';

/** The secrets worth replacing, longest first, so that a secret containing another is replaced whole. */
function ordered(secrets: readonly string[]): string[] {
  return [...new Set(secrets)].filter((secret) => secret !== '').sort((a, b) => b.length - a.length);
}

/**
 * `text` with every occurrence of each secret replaced by {@link REDACTED}.
 *
 * @example
 * redactText('GET http://api/?key=s3cret: status 401', ['s3cret']); // 'GET http://api/?key=[redacted]: status 401'
 */
export function redactText(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of ordered(secrets)) redacted = redacted.split(secret).join(REDACTED);
  return redacted;
}

/** A copy of a plain value (a journal) with every string, and every key, passed through {@link redactText}. */
export function redact<T>(value: T, secrets: readonly string[]): T {
  const list = ordered(secrets);
  if (list.length === 0) return value;
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return redactText(item, list);
    if (Array.isArray(item)) return item.map(walk);
    if (typeof item === 'object' && item !== null) {
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [redactText(key, list), walk(inner)]));
    }
    return item;
  };
  return walk(value) as T;
}
