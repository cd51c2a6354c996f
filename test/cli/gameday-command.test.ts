/**
 * `simian gameday` refuses bad input before anything starts: no terminal and no script, `--no-ui` without a script,
 * a malformed experiment, an unknown topology, flags that do not fit the platform drilled. Each exits 2 and leaves the state directory without a stack.
 * (test/integration/gameday-script.test.ts runs real drills; test/integration/gameday-console.test.ts the console.)
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProgram } from '../../src/cli/program.js';
import { isSimianError } from '../../src/core/errors.js';
import { FakeSignals } from '../support/fake-signals.js';

describe('simian gameday, bad input', () => {
  let stateDir: string;
  let out: string;
  let err: string;

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'simian-gameday-cli-'));
    out = '';
    err = '';
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  /** Runs the command in-process with no terminal (output is captured); resolves with the exit code. */
  async function gameday(...args: string[]): Promise<number> {
    const program = createProgram({ version: 'test', writeOut: (t) => (out += t), writeErr: (t) => (err += t), signals: new FakeSignals() });
    try {
      await program.parseAsync(['gameday', '--state-dir', stateDir, ...args], { from: 'user' });
      return 0;
    } catch (error) {
      if (isSimianError(error)) {
        err += error.message;
        return error.exitCode;
      }
      throw error;
    }
  }

  it('without a terminal and without --script, says how to run a drill without one (exit 2)', async () => {
    expect(await gameday()).toBe(2);
    expect(err).toContain('needs a terminal');
    expect(err).toContain('--script FILE --no-ui');
    expect(existsSync(join(stateDir, 'stack.json'))).toBe(false);
  });

  it('--no-ui needs a script (exit 2)', async () => {
    expect(await gameday('--no-ui')).toBe(2);
    expect(err).toContain('--no-ui runs a scripted drill: give --script FILE');
  });

  it('a malformed experiment is refused with its file, line and field before the stack starts (exit 2)', async () => {
    const file = join(stateDir, 'bad.yaml');
    writeFileSync(file, 'title: bad\nmethod:\n  - name: kill\n    chaos: { grup: gateway }\n');
    expect(await gameday('--script', file, '--no-ui', '--topology', 'small')).toBe(2);
    expect(err).toMatch(/bad\.yaml:4/);
    expect(err).toContain('grup');
    expect(existsSync(join(stateDir, 'stack.json'))).toBe(false);
  });

  it('flags of the bundled stack are refused with --provider, and those of another platform without it (exit 2)', async () => {
    expect(await gameday('--provider', 'kubernetes', '--attach')).toBe(2);
    expect(err).toContain('--attach applies to the bundled stack, not to --provider kubernetes');
    err = '';
    expect(await gameday('--provider', 'aws', '--topology', 'small', '--rate', '3', '--no-prometheus')).toBe(2);
    expect(err).toContain('--topology, --rate, --no-prometheus apply to the bundled stack');
    err = '';
    expect(await gameday('--unleash')).toBe(2);
    expect(err).toContain('--unleash is for --provider');
    err = '';
    expect(await gameday('--prometheus', 'http://127.0.0.1:9090')).toBe(2);
    expect(err).toContain('--prometheus URL reads another platform');
    expect(existsSync(join(stateDir, 'stack.json'))).toBe(false);
  });

  it('an unknown topology is refused (exit 2)', async () => {
    const file = join(stateDir, 'ok.yaml');
    writeFileSync(file, 'title: ok\nmethod:\n  - name: kill\n    chaos: { group: gateway }\n');
    expect(await gameday('--script', file, '--no-ui', '--topology', 'tiny')).toBe(2);
    expect(err).toContain('not a built-in topology');
  });
});
