import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram, isCleanExit } from '../../src/cli/program.js';

const run = async (args: string[]) => {
  let out = '';
  let err = '';
  const program = createProgram({ version: '9.9.9', writeOut: (t) => (out += t), writeErr: (t) => (err += t) });
  let error: unknown;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    error = e;
  }
  return { out, err, error };
};

describe('simian program', () => {
  it('prints its version without exiting the process', async () => {
    const { out, error } = await run(['--version']);
    expect(out.trim()).toBe('9.9.9');
    expect(isCleanExit(error)).toBe(true);
  });

  it('explains itself in --help', async () => {
    const { out, error } = await run(['--help']);
    expect(out).toContain('Usage: simian');
    expect(out).toContain('simian-army/resilience');
    expect(isCleanExit(error)).toBe(true);
  });

  it('describes the product in --help: what it does, the leash, where the docs are', async () => {
    const { out } = await run(['--help']);
    const description = out.split('\n\n')[1]!.replace(/\s+/g, ' ');
    expect(description).toContain('monkeys kill instances');
    expect(description).toContain('leashed (a dry run that reports what would happen) unless --unleash is given');
    expect(description).toContain('Docs: README.md and docs/');
    expect(out).not.toMatch(/as they land/);
  });

  it('rejects an unknown option as an error, not a clean exit', async () => {
    const { err, error } = await run(['--bogus']);
    expect(err).toContain("unknown option '--bogus'");
    expect(isCleanExit(error)).toBe(false);
  });
});

describe('usage errors', () => {
  it('a misspelt required option is unknown, with the nearest spelling, not "required option missing"', async () => {
    const { err, error } = await run(['monkey', 'chaos', '--provder', 'local']);
    expect((error as CommanderError).code).toBe('commander.unknownOption');
    expect(err).toContain("unknown option '--provder'\n(Did you mean --provider?)");
    expect(err).not.toContain('required option');
  });

  it('does so for every command, checking required options after unknown ones', async () => {
    const { err, error } = await run(['load', '--targt', 'http://127.0.0.1:9']);
    expect((error as CommanderError).code).toBe('commander.unknownOption');
    expect(err).toContain('(Did you mean --target?)');
  });

  it('still reports a required option that is missing, before anything runs', async () => {
    let ran = false;
    const factory = () =>
      new Command('deploy').requiredOption('--to <where>', 'where').action(() => {
        ran = true;
      });
    let err = '';
    const program = createProgram({ version: '1', writeOut: () => undefined, writeErr: (t) => (err += t) }, [factory]);
    const error = await program.parseAsync(['deploy'], { from: 'user' }).catch((e: unknown) => e);
    expect((error as CommanderError).code).toBe('commander.missingMandatoryOptionValue');
    expect(err).toContain("error: required option '--to <where>' not specified");
    expect(ran).toBe(false);
    const real = await run(['monkey', 'chaos']);
    expect(real.err).toContain("required option '--provider <name>' not specified");
  });

  it('points at the --help of the command that failed', async () => {
    expect((await run(['monkey', 'chaos', '--provder', 'local'])).err).toContain('(run "simian monkey chaos --help" for usage)');
    expect((await run(['monkey', 'bogus'])).err).toContain('(run "simian monkey --help" for usage)');
    expect((await run(['--bogus'])).err).toContain('(run "simian --help" for usage)');
  });
});

describe('the simian binary', () => {
  const exec = promisify(execFile);
  const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

  it('runs from the built package as npm installs it (bin/simian.js)', async () => {
    // npm install runs the "prepare" script, which builds dist/; the binary must work from that build.
    expect(existsSync('dist/cli/main.js'), 'dist/ is missing: run npm install (or npm run build)').toBe(true);
    const { stdout } = await exec(process.execPath, ['bin/simian.js', '--version']);
    expect(stdout.trim()).toBe(version);
  });

  it('exits 2 on a usage error', async () => {
    const failure = await exec(process.execPath, ['bin/simian.js', '--bogus']).catch((e: { code: number; stderr: string }) => e);
    expect((failure as { code: number }).code).toBe(2);
    expect((failure as { stderr: string }).stderr).toContain('--bogus');
  });
});

describe('commands added by factories', () => {
  it('inherit exit override and output, down to nested subcommands', async () => {
    let err = '';
    const factory = () => {
      const stack = new Command('stack').description('the reference stack');
      stack.command('up').option('--topology <name>').action(() => undefined);
      return stack;
    };
    const program = createProgram({ version: '1', writeErr: (t) => (err += t), writeOut: () => undefined }, [factory]);
    const error = await program.parseAsync(['stack', 'up', '--bogus'], { from: 'user' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).code).toBe('commander.unknownOption');
    expect(err).toContain("unknown option '--bogus'");
  });
});
