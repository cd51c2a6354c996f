/**
 * @module
 * Files the package ships beside its code (the reference stack's SLOs, the example experiments), found from the
 * installed package rather than the working directory, so `simian gameday` works from anywhere.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A path inside the installed package: works from src/cli (tsx) and dist/cli (built), both two levels down. */
export function packagePath(...parts: string[]): string {
  return join(fileURLToPath(new URL('../../', import.meta.url)), ...parts);
}

/**
 * The experiment files to offer: `experiments/*.yaml` of the working directory when it has that folder, else the
 * package's own; paths relative to the working directory where that is shorter.
 */
export function experimentFiles(cwd: string): string[] {
  const local = resolve(cwd, 'experiments');
  const dir = existsSync(local) ? local : packagePath('experiments');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => {
      const path = join(dir, name);
      const rel = relative(cwd, path);
      return rel.startsWith('..') ? path : rel;
    });
}
