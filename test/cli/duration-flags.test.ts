import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProgram } from '../../src/cli/program.js';

/** Runs `simian …` in-process with its own output; returns what it wrote and what it threw. */
async function run(args: string[]): Promise<{ err: string; error: unknown }> {
  let err = '';
  const program = createProgram({ version: '0', writeOut: () => undefined, writeErr: (t) => (err += t) });
  const error = await program.parseAsync(args, { from: 'user' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { err, error };
}

describe('a duration flag without a unit', () => {
  let stateDir = '';
  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'simian-duration-flags-'));
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  it('simian monkey latency --latency 300 is refused before anything starts, showing the units', async () => {
    const { err, error } = await run(['monkey', 'latency', '--provider', 'local', '--group', 'catalog', '--latency', '300', '--state-dir', stateDir]);
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).code).toBe('commander.invalidArgument');
    expect(err).toContain("option '--latency <duration>' argument '300' is invalid");
    expect(err).toContain('"300" has no unit: write 300ms, 300s or 5m');
    // Nothing was opened: no state store, no journal, no stack file.
    expect(readdirSync(stateDir)).toEqual([]);
  });

  it.each([
    [['monkey', 'latency', '--provider', 'local', '--group', 'catalog', '--jitter', '50'], '--jitter <duration>', '"50" has no unit: write 50ms or 50s'],
    [['monkey', 'latency', '--provider', 'local', '--group', 'catalog', '--type', 'timeout', '--timeout', '5'], '--timeout <duration>', '"5" has no unit: write 5ms or 5s'],
    [['monkey', 'gorilla', '--provider', 'local', '--zone', 'z', '--duration', '30'], '--duration <duration>', '"30" has no unit: write 30ms or 30s'],
    [['monkey', 'kong', '--provider', 'local', '--region', 'r', '--duration', '120'], '--duration <duration>', '"120" has no unit: write 120ms, 120s or 2m'],
    [['monkey', 'doctor', '--provider', 'local', '--timeout', '2'], '--timeout <duration>', '"2" has no unit: write 2ms or 2s'],
    [['load', '--target', 'http://127.0.0.1:9', '--duration', '30'], '--duration <time>', '"30" has no unit: write 30ms or 30s'],
    [['slo', 'check', 'slos.yaml', '--window', '600'], '--window <duration>', '"600" has no unit: write 600ms, 600s or 10m'],
  ])('simian %j is refused, naming %s', async (args, flag, message) => {
    const { err, error } = await run([...args, ...(args[0] === 'load' ? [] : ['--state-dir', stateDir])]);
    expect((error as CommanderError).code).toBe('commander.invalidArgument');
    expect(err).toContain(`option '${flag}' argument`);
    expect(err).toContain(message);
    expect(readdirSync(stateDir)).toEqual([]);
  });

  it('a zero needs no unit where zero means something (a jitter, a timeout that holds forever)', async () => {
    const { error } = await run(['monkey', 'latency', '--provider', 'local', '--group', 'catalog', '--type', 'timeout', '--timeout', '0', '--jitter', '0', '--state-dir', stateDir]);
    // The flags are fine: the command gets as far as looking for the stack.
    expect((error as { code?: string }).code).not.toBe('commander.invalidArgument');
    expect(String((error as Error).message)).toContain('no stack is running');
  });

  it('a zero --duration is refused: a fault that reverts at once is a typo', async () => {
    const { err, error } = await run(['monkey', 'gorilla', '--provider', 'local', '--zone', 'z', '--duration', '0', '--state-dir', stateDir]);
    expect((error as CommanderError).code).toBe('commander.invalidArgument');
    expect(err).toContain('must be longer than 0, got "0"');
  });

  it('the built binary exits 2 with the message on stderr', async () => {
    expect(existsSync('dist/cli/main.js'), 'dist/ is missing: run npm run build').toBe(true);
    const failure = await promisify(execFile)(process.execPath, ['bin/simian.js', 'monkey', 'latency', '--provider', 'local', '--group', 'catalog', '--latency', '300', '--state-dir', stateDir]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure.code).toBe(2);
    expect(failure.stderr).toContain('"300" has no unit: write 300ms, 300s or 5m');
    expect(readdirSync(stateDir)).toEqual([]);
  });
});
