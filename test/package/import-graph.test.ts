/**
 * No import cycles in src/. A cycle makes load order matter (a class read before its module ran is `undefined`),
 * and it usually means a type sits in the wrong layer. Type-only imports count: they are erased at run time, but
 * a type borrowed from a module that imports you back tangles the two all the same.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildImportGraph, findImportCycles, type ImportGraph } from '../support/import-graph.js';

const srcDir = fileURLToPath(new URL('../../src', import.meta.url));

describe('import graph of src/', () => {
  it('is built from every file of src/', () => {
    const graph = buildImportGraph(srcDir);
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('index.ts')).toEqual(['core/index.ts', 'resilience/index.ts']);
  });

  it('has no import cycles', () => {
    expect(findImportCycles(buildImportGraph(srcDir))).toEqual([]);
  });
});

describe('buildImportGraph', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'simian-import-graph-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function plant(files: Record<string, string>): void {
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), source);
    }
  }

  it('follows every kind of import, type-only ones included, from `.js` specifiers to `.ts` and `.tsx` files', () => {
    plant({
      'a.ts': [
        "import { b } from './b.js';",
        "import type { C } from './sub/c.js';",
        "export * from './d.js';",
        "export type { E } from './e.js';",
        "import './side-effect.js';",
        "const lazy = () => import('./lazy.js');",
        "type View = typeof import('./view.js');",
        "import { readFileSync } from 'node:fs';",
        "import { Registry } from 'prom-client';",
        "import data from './data.json' with { type: 'json' };",
        "// import { commented } from './commented.js';",
        "const text = \"import { quoted } from './quoted.js'\";",
        "import { missing } from './missing.js';",
      ].join('\n'),
      'b.ts': '', 'sub/c.ts': "import { a } from '../a.js';", 'd.ts': '', 'e.ts': '', 'side-effect.ts': '',
      'lazy.ts': '', 'view.tsx': '', 'data.json': '{}', 'commented.ts': '', 'quoted.ts': '', 'types.d.ts': '',
    });
    const graph = buildImportGraph(root);
    expect([...graph.keys()].sort()).toEqual(
      ['a.ts', 'b.ts', 'commented.ts', 'd.ts', 'e.ts', 'lazy.ts', 'quoted.ts', 'side-effect.ts', 'sub/c.ts', 'view.tsx'],
    );
    expect(graph.get('a.ts')).toEqual(['b.ts', 'sub/c.ts', 'd.ts', 'e.ts', 'side-effect.ts', 'lazy.ts', 'view.tsx']);
    expect(graph.get('sub/c.ts')).toEqual(['a.ts']);
    expect(findImportCycles(graph)).toEqual(['a.ts -> sub/c.ts -> a.ts']);
  });
});

describe('findImportCycles', () => {
  it('reports a planted cycle as a closed path, and the rest of its tangle', () => {
    const planted: ImportGraph = new Map([
      ['engine/run.ts', ['monkeys/monkey.ts', 'core/clock.ts']],
      ['monkeys/monkey.ts', ['providers/provider.ts']],
      ['providers/provider.ts', ['engine/run.ts', 'core/clock.ts']],
      ['core/clock.ts', []],
      ['resilience/a.ts', ['resilience/b.ts']],
      ['resilience/b.ts', ['resilience/a.ts', 'resilience/c.ts']],
      ['resilience/c.ts', ['resilience/b.ts']],
      ['state/self.ts', ['state/self.ts']],
    ]);
    expect(findImportCycles(planted)).toEqual([
      'engine/run.ts -> monkeys/monkey.ts -> providers/provider.ts -> engine/run.ts',
      'resilience/a.ts -> resilience/b.ts -> resilience/a.ts (and, in the same tangle: resilience/c.ts)',
      'state/self.ts -> state/self.ts',
    ]);
  });

  it('finds none in a graph without cycles, however the arrows cross', () => {
    const diamond: ImportGraph = new Map([
      ['cli/main.ts', ['engine/run.ts', 'core/clock.ts']],
      ['engine/run.ts', ['core/clock.ts', 'monkeys/monkey.ts']],
      ['monkeys/monkey.ts', ['core/clock.ts']],
      ['core/clock.ts', []],
    ]);
    expect(findImportCycles(diamond)).toEqual([]);
  });

  it('finds a cycle whose files are read in any order', () => {
    const reversed: ImportGraph = new Map([
      ['z.ts', ['y.ts']],
      ['y.ts', ['x.ts']],
      ['x.ts', ['z.ts']],
    ]);
    expect(findImportCycles(reversed)).toEqual(['x.ts -> z.ts -> y.ts -> x.ts']);
  });
});
