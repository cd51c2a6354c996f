import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveApiToken } from '../../src/daemon/api-token.js';

const TOKEN = '0123456789abcdef0123456789abcdef';

describe('the API token', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'simian-token-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (mode: number, text = `${TOKEN}\n`) => {
    const path = join(dir, 'token');
    writeFileSync(path, text);
    chmodSync(path, mode);
    return path;
  };

  it('comes from an owner-only file, trimmed', () => {
    expect(resolveApiToken({ tokenFile: file(0o600), tokenEnv: 'T' }, { T: 'ignored-because-a-file-is-named' })).toBe(TOKEN);
    expect(resolveApiToken({ tokenFile: file(0o400), tokenEnv: 'T' }, {})).toBe(TOKEN);
  });

  it('refuses a file others may read, saying how to fix it', () => {
    for (const mode of [0o640, 0o604, 0o644]) {
      expect(() => resolveApiToken({ tokenFile: file(mode), tokenEnv: 'T' }, {})).toThrow(/may be read by others .*chmod 600/);
    }
  });

  it('comes from the environment variable when no file is named', () => {
    expect(resolveApiToken({ tokenEnv: 'MY_TOKEN' }, { MY_TOKEN: TOKEN })).toBe(TOKEN);
  });

  it('has no default: without one, a clear error (exit 2)', () => {
    for (const env of [{}, { SIMIAN_DAEMON_TOKEN: '  ' }]) {
      let error: unknown;
      try {
        resolveApiToken({ tokenEnv: 'SIMIAN_DAEMON_TOKEN' }, env);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'daemon.token', exitCode: 2 });
      expect((error as Error).message).toContain('there is no default: set SIMIAN_DAEMON_TOKEN');
    }
  });

  it('refuses a short token and a missing file', () => {
    expect(() => resolveApiToken({ tokenEnv: 'T' }, { T: 'short' })).toThrow(/5 characters long; use at least 16/);
    expect(() => resolveApiToken({ tokenFile: join(dir, 'absent'), tokenEnv: 'T' }, {})).toThrow(/cannot read/);
  });
});
