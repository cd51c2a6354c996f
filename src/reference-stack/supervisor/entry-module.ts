/**
 * @module
 * Which file an instance process runs, and how Node must be started to run it. In the built package every entry
 * is a `dist/…/x.js` that Node runs as is; from the sources (tests, `tsx`) it is a `src/…/x.ts`, which the child
 * can only load with tsx's loader (`--import tsx/esm`). The caller's own `import.meta.url` tells which world we are in.
 * Entry modules are ES modules, as everything in this package is (`"type": "module"`).
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SimianError } from '../../core/errors.js';

/** A module to fork, with the Node options it needs. */
export interface EntryModule {
  /** Absolute file path. */
  readonly path: string;
  /** Node options for the child (`--import <tsx's ESM loader>` for TypeScript). */
  readonly execArgv: readonly string[];
}

const TYPESCRIPT = /\.[cm]?ts$/;

/**
 * Describes the module at `file` (a path or a `file:` URL): TypeScript files get tsx's loader.
 *
 * @throws SimianError (`stack.tsxMissing`) for a TypeScript file when tsx cannot be found
 */
export function entryModule(file: string | URL): EntryModule {
  const path = file instanceof URL || file.startsWith('file:') ? fileURLToPath(file) : file;
  return { path, execArgv: TYPESCRIPT.test(path) ? ['--import', tsxLoaderUrl()] : [] };
}

/**
 * The module `name` (no extension) next to the module at `fromUrl`, with the same extension: pass your own
 * `import.meta.url`, and you get `./x.ts` when you run from the sources and `./x.js` when built.
 *
 * @example
 * // in src/reference-stack/stack-launcher.ts
 * const catalog = siblingEntryModule(import.meta.url, './services/catalog-main');
 */
export function siblingEntryModule(fromUrl: string, name: string): EntryModule {
  const extension = TYPESCRIPT.test(fromUrl) ? '.ts' : '.js';
  return entryModule(new URL(`${name}${extension}`, fromUrl));
}

let tsxLoader: string | undefined;

/**
 * The `file:` URL of tsx's loader, resolved from this package rather than from the working directory: a bare
 * `--import tsx` would be resolved against whatever directory the user runs `simian` in.
 */
function tsxLoaderUrl(): string {
  if (tsxLoader === undefined) {
    try {
      // tsx/esm registers the ESM hooks only: every entry and everything it imports is ESM, and leaving out the
      // CommonJS hooks takes about a third off each instance's start-up.
      tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
    } catch (error) {
      throw new SimianError('stack.tsxMissing', 'running a TypeScript entry module needs tsx (npm install --save-dev tsx)', {
        cause: error,
      });
    }
  }
  return tsxLoader;
}
