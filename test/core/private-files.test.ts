import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPrivateFile, makePrivateDir, writePrivateFile } from '../../src/core/private-files.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('owner-only files and folders, whatever the umask', () => {
  let root = '';
  let umask = 0;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'simian-private-'));
    chmodSync(root, 0o755);
    umask = process.umask();
  });
  afterEach(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  it('creates every missing folder 0700, even under a permissive umask, and leaves an existing one as it is', () => {
    process.umask(0);
    makePrivateDir(join(root, 'a', 'b', 'c'));
    expect([mode(join(root, 'a')), mode(join(root, 'a', 'b')), mode(join(root, 'a', 'b', 'c'))]).toEqual([0o700, 0o700, 0o700]);
    expect(mode(root)).toBe(0o755);
    mkdirSync(join(root, 'shared'), { mode: 0o755 });
    makePrivateDir(join(root, 'shared'));
    expect(mode(join(root, 'shared'))).toBe(0o755);
  });

  it('writes files 0600 under a permissive umask and under one that would take the owner\'s write away', () => {
    for (const mask of [0, 0o277]) {
      process.umask(mask);
      const path = join(root, `state-${mask}.json`);
      writePrivateFile(path, '{"a":1}\n');
      expect(mode(path)).toBe(0o600);
      writePrivateFile(path, '{"a":2}\n');
      expect(readFileSync(path, 'utf8')).toBe('{"a":2}\n');
    }
    // A file someone made readable is replaced by a private one; no temporary file is left beside it.
    const shared = join(root, 'shared.json');
    writeFileSync(shared, 'old', { mode: 0o644 });
    writePrivateFile(shared, 'new');
    expect(mode(shared)).toBe(0o600);
    expect(readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('creates an empty private file once, and leaves an existing one alone', () => {
    process.umask(0);
    const path = join(root, 'store.db');
    expect(createPrivateFile(path)).toBe(true);
    expect(mode(path)).toBe(0o600);
    writeFileSync(path, 'data');
    expect(createPrivateFile(path)).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('data');
  });
});
