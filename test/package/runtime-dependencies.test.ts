/**
 * What `npm install simian-army` gets: only `dependencies`, never `devDependencies`. Every package the shipped code
 * (`src/`, built to `dist/`) imports must therefore be a dependency, or a user's `simian` fails with
 * ERR_MODULE_NOT_FOUND where our tests (with dev dependencies installed) pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every `.ts` file under `dir`. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The packages a file imports at run time (`import type` is erased by the compiler, so it does not count). */
function runtimeImports(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm)) {
    const specifier = match[1]!;
    if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
    const parts = specifier.split('/');
    found.push(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
  }
  return found;
}

describe('runtime dependencies', () => {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };

  it('finds the imports it checks (a sanity check of the scan)', () => {
    expect(runtimeImports("import { Toxiproxy } from 'toxiproxy-node-client';\nimport type { X } from 'vitest';\nexport { y } from '@scope/pkg/sub';")).toEqual([
      'toxiproxy-node-client',
      '@scope/pkg',
    ]);
  });

  it('every package imported by src/ is in dependencies, not only devDependencies', () => {
    const missing = new Set<string>();
    for (const file of sourceFiles('src')) {
      for (const name of runtimeImports(readFileSync(file, 'utf8'))) if (!(name in manifest.dependencies)) missing.add(`${name} (${file})`);
    }
    expect([...missing]).toEqual([]);
  });
});
