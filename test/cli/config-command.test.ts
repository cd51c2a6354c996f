import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configCommand, createConfigCommand } from '../../src/cli/commands/config.js';
import { createProgram, isCleanExit, type CommandFactory } from '../../src/cli/program.js';
import { CONFIG_ENV_VARS, defaultConfig, parseConfig, type SimianConfig } from '../../src/config/index.js';
import { InvalidInputError } from '../../src/core/errors.js';

/** Runs `simian <args>` with only the config command, capturing output and the error it ends with. */
async function run(args: string[], command: CommandFactory = configCommand) {
  let out = '';
  let err = '';
  const program = createProgram({ version: 't', writeOut: (t) => (out += t), writeErr: (t) => (err += t) }, [command]);
  const error = await program.parseAsync(args, { from: 'user' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { out, err, error };
}

describe('simian config', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'simian-config-cli-'));
    // The real environment must not leak in: an empty variable counts as unset.
    for (const name of ['SIMIAN_CONFIG', ...CONFIG_ENV_VARS.map((v) => v.name)]) vi.stubEnv(name, '');
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });

  /** The config command in `dir` with exactly `env` as its environment. */
  const isolated = (env: Record<string, string> = {}) => createConfigCommand({ cwd: () => dir, env: () => env });

  const writeConfig = async (name: string, lines: string[]) => {
    const file = join(dir, name);
    await writeFile(file, `${lines.join('\n')}\n`);
    return file;
  };

  describe('show', () => {
    it('--json prints the defaults when there is no file, variable or flag', async () => {
      const { out, error } = await run(['config', 'show', '--json'], isolated());
      expect(error).toBeUndefined();
      expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(defaultConfig(dir))));
      expect((JSON.parse(out) as SimianConfig).source).toEqual({ env: [], flags: [] });
    });

    it('--json --config prints what the file says, with paths resolved against its folder', async () => {
      const file = await writeConfig('chaos.yaml', ['leashed: false', 'stateDir: state', 'safety:', '  minInterval: 15m', 'faults: { defaultDuration: 30s }']);
      const { out, error } = await run(['config', 'show', '--config', file, '--json']);
      expect(error).toBeUndefined();
      const config = JSON.parse(out) as SimianConfig;
      expect(config.safety.leashed).toBe(false);
      expect(config.safety.minIntervalMs).toBe(900_000);
      expect(config.faults.defaultDurationMs).toBe(30_000);
      expect(config.stateDir).toBe(join(dir, 'state'));
      expect(config.stateStorePath).toBe(join(dir, 'state', 'simian.db'));
      expect(config.source.file).toBe(file);
    });

    it('layers file < environment < flags, and says where each came from', async () => {
      const file = await writeConfig('simian.yaml', ['leashed: false', 'environment: staging', 'providers: { aws: { region: us-west-2 } }']);
      vi.stubEnv('SIMIAN_CONFIG', file);
      vi.stubEnv('SIMIAN_LEASHED', 'true');
      vi.stubEnv('SIMIAN_ENVIRONMENT', 'prod');
      const { out, error } = await run(['config', 'show', '--json', '--environment', 'test', '--state-dir', join(dir, 'flag-state')]);
      expect(error).toBeUndefined();
      const config = JSON.parse(out) as SimianConfig;
      expect(config.safety.leashed).toBe(true); // environment over file
      expect(config.safety.environment).toBe('test'); // flag over environment
      expect(config.providers.aws.region).toBe('us-west-2'); // file over defaults
      expect(config.stateDir).toBe(join(dir, 'flag-state'));
      expect(config.source).toEqual({ file, env: ['SIMIAN_LEASHED', 'SIMIAN_ENVIRONMENT'], flags: ['--environment', '--state-dir'] });
    });

    it('shows an unleashed configuration from the environment; --unleash is refused, since showing acts on nothing', async () => {
      const { out } = await run(['config', 'show', '--json'], isolated({ SIMIAN_LEASHED: 'false' }));
      expect((JSON.parse(out) as SimianConfig).safety.leashed).toBe(false);
      const { error } = await run(['config', 'show', '--unleash'], isolated());
      expect((error as CommanderError).code).toBe('commander.unknownOption');
    });

    it('without --json prints the sources, then a simian.yaml that resolves to the same configuration', async () => {
      const file = await writeConfig('simian.yaml', ['leashed: false', 'killSwitchFile: STOP', 'safety: { exceptGroups: [billing], maxGroupShare: 0.3 }']);
      const { out: json } = await run(['config', 'show', '--json', '--environment', 'staging'], isolated({ SIMIAN_AWS_REGION: 'eu-west-1' }));
      const { out, error } = await run(['config', 'show', '--environment', 'staging'], isolated({ SIMIAN_AWS_REGION: 'eu-west-1' }));
      expect(error).toBeUndefined();
      expect(out).toContain(`# file:        ${file}\n`);
      expect(out).toContain('# environment: SIMIAN_AWS_REGION\n');
      expect(out).toContain('# flags:       --environment\n');
      expect(out).toContain(`# state store: ${join(dir, '.simian', 'simian.db')}\n`);
      expect(parse(out)).toMatchObject({ leashed: false, environment: 'staging', killSwitchFile: join(dir, 'STOP'), safety: { minInterval: '1h' } });
      const reparsed = parseConfig(out, { baseDir: '/elsewhere' });
      expect({ ...reparsed, source: undefined }).toEqual({ ...(JSON.parse(json) as SimianConfig), source: undefined });
    });

    it('notes that a test environment refuses unleashed runs', async () => {
      const { out } = await run(['config', 'show', '--environment', 'test'], isolated({ SIMIAN_LEASHED: 'false' }));
      expect(out).toContain('# note: environment is "test"');
      const { out: allowed } = await run(['config', 'show', '--environment', 'test'], isolated());
      expect(allowed).not.toContain('# note:');
    });

    it('exits 2 for a --config file that does not exist', async () => {
      const { error, out } = await run(['config', 'show', '--config', join(dir, 'missing.yaml')]);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ code: 'config.notFound', exitCode: 2 });
      expect((error as Error).message).toContain('missing.yaml (from --config): no such file');
      expect(out).toBe('');
    });

    it('exits 2 for an invalid file, naming file, line and field', async () => {
      const file = await writeConfig('simian.yaml', ['enabled: true', 'safety:', '  maxGroupShare: 2']);
      const { error } = await run(['config', 'show', '--config', file]);
      expect(error).toMatchObject({ code: 'config.invalid', exitCode: 2, message: `${file}:3: safety.maxGroupShare: must be in (0, 1], got 2` });
    });

    it('exits 2 for a bad environment variable or flag, naming it', async () => {
      const env = await run(['config', 'show'], isolated({ SIMIAN_ENABLED: 'yes' }));
      expect(env.error).toMatchObject({ code: 'config.invalid', exitCode: 2, message: 'SIMIAN_ENABLED: expected true, false, 1 or 0, got "yes"' });
      const flag = await run(['config', 'show', '--toxiproxy', 'nope'], isolated());
      expect(flag.error).toMatchObject({ code: 'config.invalid', exitCode: 2 });
      expect((flag.error as Error).message).toMatch(/^--toxiproxy: /);
    });

    it('rejects an unknown option through commander', async () => {
      const { error, err } = await run(['config', 'show', '--bogus'], isolated());
      expect(error).toBeInstanceOf(CommanderError);
      expect((error as CommanderError).code).toBe('commander.unknownOption');
      expect(err).toContain("unknown option '--bogus'");
    });
  });

  describe('validate', () => {
    it('prints "FILE: ok" for a valid file', async () => {
      const file = await writeConfig('good.yaml', ['leashed: true', 'faults: { maxDuration: 2h }']);
      const { out, error } = await run(['config', 'validate', file]);
      expect(error).toBeUndefined();
      expect(out).toBe(`${file}: ok\n`);
    });

    it('takes an empty file as valid', async () => {
      const file = await writeConfig('empty.yaml', []);
      expect((await run(['config', 'validate', file])).out).toBe(`${file}: ok\n`);
    });

    it('exits 2 with every problem of an invalid file', async () => {
      const file = await writeConfig('bad.yaml', ['safety:', '  maxGroupShre: 0.5', 'leashed: nope']);
      const { out, error } = await run(['config', 'validate', file]);
      expect(out).toBe('');
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ code: 'config.invalid', exitCode: 2 });
      expect((error as Error).message.split('\n')).toEqual([
        `${file}:2: safety.maxGroupShre: unknown field "maxGroupShre"; did you mean "maxGroupShare"?`,
        `${file}:3: leashed: expected true or false, got "nope"`,
      ]);
    });

    it('exits 2 for a YAML syntax error, with its line', async () => {
      const file = await writeConfig('broken.yaml', ['leashed: true', 'leashed: false']);
      const { error } = await run(['config', 'validate', file]);
      expect(error).toMatchObject({ exitCode: 2, message: `${file}:2: invalid YAML: Map keys must be unique` });
    });

    it('checks ./simian.yaml when no file is named, and names it as found', async () => {
      await writeConfig('simian.yaml', ['enabled: false']);
      const { out, error } = await run(['config', 'validate'], isolated());
      expect(error).toBeUndefined();
      expect(out).toBe('simian.yaml: ok\n');
    });

    it('checks $SIMIAN_CONFIG when no file is named', async () => {
      const file = await writeConfig('from-env.yaml', ['safety: { minHealthyLeft: -1 }']);
      const { error } = await run(['config', 'validate'], isolated({ SIMIAN_CONFIG: file }));
      expect(error).toMatchObject({ exitCode: 2, message: `${file}:1: safety.minHealthyLeft: must be a whole number >= 0, got -1` });
    });

    it('exits 2 when there is nothing to validate', async () => {
      const { error } = await run(['config', 'validate'], isolated());
      expect(error).toMatchObject({ code: 'config.notFound', exitCode: 2 });
      const missing = await run(['config', 'validate', join(dir, 'nope.yaml')]);
      expect(missing.error).toMatchObject({ code: 'config.notFound', exitCode: 2 });
    });
  });

  it('--help explains the precedence and the lookup', async () => {
    for (const args of [['config', '--help'], ['config', 'show', '--help']]) {
      const { out, error } = await run(args);
      expect(isCleanExit(error)).toBe(true);
      expect(out).toContain('built-in defaults < simian.yaml < SIMIAN_* environment variables < flags');
      expect(out).toContain('--config <file>, else $SIMIAN_CONFIG, else ./simian.yaml');
      expect(out).toContain('SIMIAN_KUBECONFIG');
    }
    const { out } = await run(['config', 'show', '--help']);
    expect(out).not.toContain('--unleash');
    expect(out).toContain('--state-dir <dir>');
  });
});
