/**
 * The README and docs/ ship with the package: what they show must work for a user who has only the package. Code
 * examples import only what it exports, and every path they point at is inside the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, unknown>; dependencies: Record<string, string> };
const docs = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];

/** The fenced code blocks of a Markdown text, and the text outside them. */
function split(markdown: string): { code: string[]; prose: string } {
  const code: string[] = [];
  const prose = markdown.replace(/^```[^\n]*\n([\s\S]*?)^```/gm, (_block, body: string) => {
    code.push(body);
    return '';
  });
  return { code, prose };
}

/** The module specifiers of `import … from '…'`, `import('…')` and `require('…')` in `code`. */
function specifiers(code: string): string[] {
  return [...code.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

/**
 * Relative paths the prose points at: link targets, which must exist, and code spans that climb out with `../`,
 * which must stay in the repository (`./simian.yaml` is the user's, in their working directory).
 */
function pathsPointedAt(prose: string): { links: string[]; climbing: string[] } {
  const links = [...prose.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/i.test(t));
  const climbing = [...prose.matchAll(/`(\.\.\/[^`\s]+)`/g)].map((m) => m[1]!);
  return { links, climbing };
}

describe('the docs that ship with the package', () => {
  const exported = Object.keys(manifest.exports)
    .filter((path) => path !== './package.json')
    .map((path) => (path === '.' ? 'simian-army' : `simian-army/${path.slice(2)}`));
  /** What an example may import: the package's entry points, Node's modules, packages a user installs by name. */
  const importable = (specifier: string) =>
    exported.includes(specifier) || specifier.startsWith('node:') || (specifier in manifest.dependencies && !specifier.startsWith('simian-army'));

  it('finds what it checks (a check of the scan)', () => {
    const sample = "```ts\nimport { a } from './src/x.js';\nconst b = require('simian-army/resilience');\n```\nSee [y](../y.md) and `../shared/z.md`.\n";
    const { code, prose } = split(sample);
    expect(code.flatMap(specifiers)).toEqual(['./src/x.js', 'simian-army/resilience']);
    expect(pathsPointedAt(prose)).toEqual({ links: ['../y.md'], climbing: ['../shared/z.md'] });
    expect(exported).toEqual(['simian-army', 'simian-army/resilience']);
  });

  it('import in their examples only what the package exports', () => {
    const deep = docs.flatMap((file) =>
      split(readFileSync(file, 'utf8')).code.flatMap(specifiers).filter((s) => !importable(s)).map((s) => `${file}: ${s}`),
    );
    expect(deep).toEqual([]);
  });

  it('point only at files inside the repository, and link only to files that exist', () => {
    const root = resolve('.');
    const wrong = docs.flatMap((file) => {
      const { links, climbing } = pathsPointedAt(split(readFileSync(file, 'utf8')).prose);
      const inside = (path: string) => !relative(root, resolve(dirname(file), path)).startsWith('..');
      return [
        ...links.filter((path) => !inside(path) || !existsSync(resolve(dirname(file), path))),
        ...climbing.filter((path) => !inside(path)),
      ].map((path) => `${file}: ${path}`);
    });
    expect(wrong).toEqual([]);
  });
});
