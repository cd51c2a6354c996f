/**
 * @module
 * The import graph of the project's own source files, and the cycles in it. TypeScript's scanner
 * (`ts.preProcessFile`) lists every module specifier a file names: `import`, `import type`, `export … from`,
 * side-effect imports, `import()` calls and `typeof import()` types. Comments and strings are skipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** Each file (relative to the root it was built from, with `/` separators) to the project files it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

const SOURCE = /\.tsx?$/;

/** Every `.ts`/`.tsx` file under `dir`, absolute paths. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * The project file a relative specifier names, if it is one. Under NodeNext, sources import `./x.js` for `./x.ts`
 * (or `./x.tsx`); packages (`prom-client`, `node:fs`) and non-code files (`.json`) are not part of the graph.
 */
function resolveSpecifier(fromFile: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = resolve(dirname(fromFile), specifier);
  const candidates = /\.[cm]?js$/.test(target)
    ? [target.replace(/\.([cm]?)js$/, '.$1ts'), target.replace(/\.[cm]?js$/, '.tsx')]
    : [target];
  return candidates.find((candidate) => files.has(candidate));
}

/**
 * The import graph of every source file under `rootDir`. Type-only imports count: they do not run, but a type
 * borrowed from a higher layer ties the layers together all the same, and is the usual start of a runtime cycle.
 */
export function buildImportGraph(rootDir: string): ImportGraph {
  const files = sourceFiles(rootDir);
  const known = new Set(files);
  const name = (file: string) => relative(rootDir, file).split(sep).join('/');
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles.flatMap(({ fileName }) => resolveSpecifier(file, fileName, known) ?? []);
    graph.set(name(file), [...new Set(targets.map(name))]);
  }
  return graph;
}

/**
 * The import cycles of a graph: one entry per strongly connected component of two or more files (or one file
 * importing itself), each written as one closed path through it, `a.ts -> b.ts -> a.ts`, and followed by the
 * other files of the component when the path does not pass them all. Components, not every elementary cycle:
 * a tangle of twenty files has thousands of those, and breaking it is one decision.
 */
export function findImportCycles(graph: ImportGraph): string[] {
  return stronglyConnectedComponents(graph)
    .filter((component) => component.length > 1 || (graph.get(component[0]!) ?? []).includes(component[0]!))
    .map((component) => {
      const members = new Set(component);
      const path = closedPath(graph, component[0]!, members);
      const rest = component.filter((file) => !path.includes(file));
      return path.join(' -> ') + (rest.length > 0 ? ` (and, in the same tangle: ${rest.join(', ')})` : '');
    })
    .sort();
}

/** Tarjan's algorithm, iterative so that deep graphs do not overflow the stack; each component sorted by name. */
function stronglyConnectedComponents(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { node: string; next: number }[] = [{ node: start, next: 0 }];
    index.set(start, counter);
    lowLink.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = graph.get(frame.node) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!;
        if (!index.has(target)) {
          index.set(target, counter);
          lowLink.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          lowLink.set(frame.node, Math.min(lowLink.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) lowLink.set(parent.node, Math.min(lowLink.get(parent.node)!, lowLink.get(frame.node)!));
      if (lowLink.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component.sort());
      }
    }
  }
  return components;
}

/** A shortest path from `start` back to itself inside one component (breadth-first), as a list of files. */
function closedPath(graph: ImportGraph, start: string, members: ReadonlySet<string>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const target of graph.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const between: string[] = [];
        for (let at = node; at !== start; at = cameFrom.get(at)!) between.unshift(at);
        return [start, ...between, start];
      }
      if (!cameFrom.has(target) && target !== start) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start];
}
