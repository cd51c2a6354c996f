import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { instanceEntry, writeInstanceBundle } from '../../src/reference-stack/stack/instance-bundle.js';

const exec = promisify(execFile);
const stackModule = new URL('../../src/reference-stack/stack/reference-stack.ts', import.meta.url).href;

/** Runs `entry` as an instance process would, but without the supervisor's launch info: it must say it needs one. */
async function runWithoutLaunchInfo(entry: string): Promise<string> {
  const failed = await exec(process.execPath, [entry], { env: { PATH: process.env.PATH } }).then(
    () => undefined,
    (error: { stderr: string }) => error,
  );
  return failed?.stderr ?? 'exited 0';
}

describe('instance bundle', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('runs the sources as one bundle, without tsx, and bundles them once per process', async () => {
    const entry = await instanceEntry(stackModule);
    expect(entry.path).toMatch(/node_modules\/\.cache\/simian-instance\/[0-9a-f]{16}\/service-main\.js$/);
    expect(entry.execArgv).toEqual([]);
    expect(await instanceEntry(stackModule)).toEqual(entry);
    // The instance code itself ran from the bundle: it got as far as reading its launch info.
    expect(await runWithoutLaunchInfo(entry.path)).toContain('SIMIAN_INSTANCE is not set');
  });

  it('keeps each service in a chunk of its own, so an instance loads only the service it runs', async () => {
    // Inside the package, so that what stays external (better-sqlite3) resolves as it does from dist/.
    mkdirSync(resolve('node_modules/.cache'), { recursive: true });
    const outdir = mkdtempSync(join(resolve('node_modules/.cache'), 'simian-bundle-test-'));
    dirs.push(outdir);
    await writeInstanceBundle(resolve('src/reference-stack/stack/service-main.ts'), outdir);
    const files = readdirSync(outdir);
    expect(files).toContain('service-main.js');
    const main = readFileSync(join(outdir, 'service-main.js'), 'utf8');
    for (const service of ['catalog-service', 'billing-service', 'frontdoor-service', 'discovery-service']) {
      const chunk = files.find((f) => f.startsWith(`${service}-`));
      expect(chunk, service).toBeDefined();
      // Loaded with import() when an instance of that service starts, never up front.
      expect(main).toMatch(new RegExp(`import\\("\\./${chunk!.replace('.', '\\.')}"\\)`));
      expect(main).not.toMatch(new RegExp(`from "\\./${chunk!.replace('.', '\\.')}"`));
    }
    expect(await runWithoutLaunchInfo(join(outdir, 'service-main.js'))).toContain('SIMIAN_INSTANCE is not set');
  });
});
