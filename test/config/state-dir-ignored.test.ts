import { execFile } from 'node:child_process';
import { relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/index.js';

describe('the default state directory', () => {
  it('is ignored by git, so a run in a checkout leaves its state store and journals out of commits', async () => {
    const root = resolve('.');
    const store = relative(root, defaultConfig(root).stateStorePath);
    expect(store.startsWith('..')).toBe(false);
    // git check-ignore exits 0 for an ignored path, 1 for one that is not.
    const { stdout } = await promisify(execFile)('git', ['check-ignore', '--no-index', store]);
    expect(stdout.trim()).toBe(store);
  });
});
