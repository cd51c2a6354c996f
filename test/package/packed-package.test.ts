/**
 * The package as npm ships it: packed from the build (`npm pack`), unpacked into a consumer's node_modules beside
 * only its declared `dependencies`, then loaded the ways a consumer loads it. Needs `npm run build` first.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; dependencies: Record<string, string> };

/** A folder with `node_modules/simian-army` unpacked from `tarball` and each of `dependencies` linked beside it. */
async function consumer(root: string, name: string, tarball: string, dependencies: readonly string[]): Promise<string> {
  const dir = join(root, name);
  const installed = join(dir, 'node_modules', 'simian-army');
  mkdirSync(installed, { recursive: true });
  await exec('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  for (const dependency of dependencies) {
    const link = join(dir, 'node_modules', dependency);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(realpathSync(join('node_modules', dependency)), link, 'dir');
  }
  return dir;
}

/** Runs `node` in `cwd`; resolves with its output, or rejects with the error (and its stderr) when it fails. */
const node = (cwd: string, args: string[]) => exec(process.execPath, args, { cwd });

describe('the packed package', () => {
  let root = '';
  let tarball = '';
  let full = '';
  let withoutPromClient = '';

  beforeAll(async () => {
    expect(existsSync('dist/resilience/index.js'), 'dist/ is missing: run npm run build').toBe(true);
    root = mkdtempSync(join(tmpdir(), 'simian-pack-'));
    // --ignore-scripts: pack the build that is there; "prepare" would rebuild it.
    const { stdout } = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root]);
    tarball = join(root, (JSON.parse(stdout) as [{ filename: string }])[0].filename);
    const dependencies = Object.keys(manifest.dependencies);
    full = await consumer(root, 'full', tarball, dependencies);
    withoutPromClient = await consumer(root, 'without-prom-client', tarball, dependencies.filter((d) => d !== 'prom-client'));
  }, 60_000);
  afterAll(() => {
    if (root !== '') rmSync(root, { recursive: true, force: true });
  });

  it('can be required from CommonJS (require(esm), Node >= 20.19), the library and the root alike', async () => {
    const { stdout, stderr } = await node(full, [
      '-e',
      "const r = require('simian-army/resilience'); const root = require('simian-army');" +
        'console.log(typeof r.pipeline, typeof r.retry, typeof root.pipeline, typeof root.ManualClock)',
    ]);
    expect(stdout.trim()).toBe('function function function function');
    expect(stderr).toBe('');
  });

  it('can be imported from ESM', async () => {
    const { stdout } = await node(full, [
      '--input-type=module',
      '-e',
      "const r = await import('simian-army/resilience'); const root = await import('simian-army'); console.log(typeof r.circuitBreaker, typeof root.SeededRandom)",
    ]);
    expect(stdout.trim()).toBe('function function');
  });

  it('keeps its inside to itself: a deep path is not exported', async () => {
    const failure = await node(full, ['-e', "require('simian-army/dist/resilience/retry.js')"]).catch((e: { stderr: string }) => e);
    expect((failure as { stderr: string }).stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('loads the resilience library without prom-client: it imports only its types', async () => {
    const { stdout } = await node(withoutPromClient, ['-e', "console.log(typeof require('simian-army/resilience').pipeline)"]);
    expect(stdout.trim()).toBe('function');
    const missing = await node(withoutPromClient, ['-e', "require.resolve('prom-client')"]).catch((e: { stderr: string }) => e);
    expect((missing as { stderr: string }).stderr).toContain('MODULE_NOT_FOUND'); // the check above is a real one
  });

  it('runs the simian binary with only its declared dependencies, and ships the docs its --help names', async () => {
    const installed = join(full, 'node_modules', 'simian-army');
    const { stdout } = await node(full, [resolve(installed, 'bin/simian.js'), '--version']);
    expect(stdout.trim()).toBe(manifest.version);
    for (const file of ['README.md', 'docs/configuration.md', 'docs/experiments.md', 'simian.example.yaml']) {
      expect(existsSync(join(installed, file)), file).toBe(true);
    }
  }, 30_000);
});
