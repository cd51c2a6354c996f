/**
 * @module
 * "Did you mean …?": a typo in a zone, a group or a config key must be easy to fix, not only refused.
 */

/** Levenshtein distance: insertions, deletions and substitutions, one each. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The known name `name` was most likely meant to be: the same but for case, else the nearest within two edits
 * (one for names of three characters or fewer, where two edits reach almost anything); undefined when none is close.
 *
 * @example
 * closestName('catalg', ['catalog', 'billing']); // 'catalog'
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const folded = known.find((k) => k.toLowerCase() === name.toLowerCase());
  if (folded !== undefined) return folded;
  const limit = name.length <= 3 ? 1 : 2;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(candidate, name);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/**
 * `no zone "us-east-1c"; did you mean "us-east-1a"? (known: us-east-1a, us-east-1b)`: what an unknown name is,
 * the likely fix, and every name there is.
 */
export function unknownNameMessage(what: string, name: string, known: readonly string[]): string {
  const close = closestName(name, known);
  const hint = close === undefined ? '' : `; did you mean "${close}"?`;
  return `no ${what} "${name}"${hint} (known: ${known.length > 0 ? known.join(', ') : 'none'})`;
}
