/**
 * @module
 * The instance entry as one bundle (esbuild): what every reference-stack instance process runs. Loaded module by
 * module, an instance spent most of its start resolving and compiling about 200 files (zod alone is 94), times
 * every process of the stack; bundled, the shared part is compiled once per process from a few files, and each
 * service's code stays in a chunk of its own that only its own instances import (code splitting keeps
 * `build-service.ts`'s dynamic imports).
 *
 * - The built package carries the bundle in `dist/instance/` (`npm run build` writes it, `scripts/bundle-instance.js`).
 * - From the sources (tests, tsx), the stack bundles `src/` on its first start in a process, into
 *   `node_modules/.cache/simian-instance/<content hash>/`, instead of having tsx compile every file in every
 *   instance process.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../core/clock.js';
import type { EntryModule } from '../supervisor/entry-module.js';
import { siblingEntryModule } from '../supervisor/entry-module.js';

/** The bundle's entry file name, in the directory it is written to. */
const ENTRY_FILE = 'service-main.js';

/** Where the built package keeps the bundle, relative to this module in `dist/reference-stack/stack/`. */
const BUILT_BUNDLE_DIR = new URL('../../instance/', import.meta.url);

/** Cached source bundles older than this are removed when a new one is written (one per change of `src/`). */
const STALE_CACHE_MS = 24 * 60 * 60 * 1000;

/**
 * The module every instance process runs, for a stack whose code is at `fromUrl` (pass `import.meta.url`): the
 * built bundle in the package, a fresh bundle of the sources when running from TypeScript, or the unbundled
 * `service-main.js` when a build left the bundle out.
 */
export async function instanceEntry(fromUrl: string): Promise<EntryModule> {
  if (/\.[cm]?ts$/.test(fromUrl)) return { path: await bundleSources(new URL('./service-main.ts', fromUrl)), execArgv: [] };
  const built = fileURLToPath(new URL(ENTRY_FILE, BUILT_BUNDLE_DIR));
  return existsSync(built) ? { path: built, execArgv: [] } : siblingEntryModule(fromUrl, './service-main');
}

/**
 * Bundles the instance entry `entry` (a `.ts` or `.js` file) into `outdir`, replacing what was there. The build
 * (`scripts/bundle-instance.js`) calls it on `dist/`.
 */
export async function writeInstanceBundle(entry: string, outdir: string): Promise<void> {
  const files = await bundle(entry, outdir);
  rmSync(outdir, { recursive: true, force: true });
  writeFiles(files, outdir, outdir);
}

/** One output file of esbuild: its absolute path and contents. */
interface OutputFile {
  readonly path: string;
  readonly contents: Uint8Array;
}

async function bundle(entry: string, outdir: string): Promise<readonly OutputFile[]> {
  // esbuild is a build tool (a devDependency): the built package never reaches this, its bundle is in dist/.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: { 'service-main': entry },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    // A native addon finds its .node file next to its package, so it is loaded from node_modules as it is.
    external: ['better-sqlite3'],
    // CommonJS packages in the bundle (prom-client, pino, opossum) call require(); an ES module has none.
    banner: { js: "import { createRequire as __simianCreateRequire } from 'node:module'; const require = __simianCreateRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  return result.outputFiles;
}

let sourceBundle: Promise<string> | undefined;

/**
 * Bundles the sources once per process into a directory named by the bundle's contents, so that processes that
 * run the same sources (vitest's workers) share one copy, and a change of the sources gets a new one. The
 * directory is inside `node_modules` so that what stays external (`better-sqlite3`) resolves from the bundle.
 */
function bundleSources(entry: URL): Promise<string> {
  sourceBundle ??= (async () => {
    const root = join(fileURLToPath(entry), '../../../..');
    const cacheDir = join(root, 'node_modules/.cache/simian-instance');
    // esbuild needs the final directory to name the chunks; their imports of each other are relative to it.
    const staging = join(cacheDir, 'next');
    const files = await bundle(fileURLToPath(entry), staging);
    const hash = createHash('sha256');
    for (const file of files) hash.update(relative(staging, file.path)).update(file.contents);
    const target = join(cacheDir, hash.digest('hex').slice(0, 16));
    if (!existsSync(join(target, ENTRY_FILE))) {
      // Written aside and renamed into place: a concurrent process sees a whole bundle or none.
      const scratch = `${target}.${process.pid}.tmp`;
      writeFiles(files, staging, scratch);
      try {
        renameSync(scratch, target);
      } catch {
        // Another process put the same bundle there first.
        rmSync(scratch, { recursive: true, force: true });
      }
      removeStale(cacheDir, basename(target));
    }
    return join(target, ENTRY_FILE);
  })();
  return sourceBundle;
}

function writeFiles(files: readonly OutputFile[], from: string, to: string): void {
  for (const file of files) {
    const path = join(to, relative(from, file.path));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.contents);
  }
}

/** Removes bundles of older sources, leaving `keep` and anything recent (another process may still run it). */
function removeStale(cacheDir: string, keep: string): void {
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    try {
      if (name !== keep && systemClock.now() - statSync(path).mtimeMs > STALE_CACHE_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // gone already
    }
  }
}
