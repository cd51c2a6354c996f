import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { applyFlags, defaultConfig, findConfigFile, loadConfig, parseConfig } from '../../src/config/index.js';

/** The message of the error `parseConfig(text)` throws; fails the test if it does not throw one. */
function problems(text: string): string {
  try {
    parseConfig(text, { baseDir: '/x', fileName: 'simian.yaml' });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ code: 'config.invalid', exitCode: 2 });
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

/** The error `promise` rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<InvalidInputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  return error as InvalidInputError;
}

describe('parseConfig', () => {
  it('takes an empty file, or one of comments only, as all defaults', () => {
    expect(parseConfig('', { baseDir: '/x' })).toEqual(defaultConfig('/x'));
    expect(parseConfig('# nothing yet\n\n', { baseDir: '/x' })).toEqual(defaultConfig('/x'));
  });

  it('takes a section with nothing under it as that section\'s defaults', () => {
    expect(parseConfig('safety:\nfaults:\nproviders:\n  kubernetes:\n  local:\n', { baseDir: '/x' })).toEqual(defaultConfig('/x'));
  });

  it('reports a value out of range as file:line: dotted.path: message', () => {
    const text = ['enabled: true', 'leashed: true', 'safety:', '  optInTag: chaos', '  maxGroupShare: 2', ''].join('\n');
    expect(problems(text)).toBe('simian.yaml:5: safety.maxGroupShare: must be in (0, 1], got 2');
  });

  it('reports an unknown key at its own line, naming it, and suggests the likely key', () => {
    const text = ['safety:', '  maxGroupShare: 0.2', '  minInteval: 5m', 'provider:', '  aws: {}', ''].join('\n');
    expect(problems(text).split('\n')).toEqual([
      'simian.yaml:3: safety.minInteval: unknown field "minInteval"; did you mean "minInterval"?',
      'simian.yaml:4: provider: unknown field "provider"; did you mean "providers"?',
    ]);
  });

  it('lists the allowed keys when the unknown one is not close to any', () => {
    expect(problems('faults:\n  ttl: 5m\n')).toBe(
      'simian.yaml:2: faults.ttl: unknown field "ttl"; expected one of defaultDuration, maxDuration',
    );
    expect(problems('providers:\n  local: { port: 1 }\n')).toBe('simian.yaml:2: providers.local.port: unknown field "port"; nothing is allowed here');
  });

  it('reports a wrong type with the line and the dotted path', () => {
    const text = [
      'leashed: "no"',
      'safety:',
      '  exceptGroups: billing',
      '  minHealthyLeft: 1.5',
      'providers:',
      '  kubernetes:',
      '    namespaces: [shop, 7]',
      '    gracePeriodSeconds: -1',
      '  aws:',
      '    groupBy: autoscaling',
      '',
    ].join('\n');
    expect(problems(text).split('\n')).toEqual([
      'simian.yaml:1: leashed: expected true or false, got "no"',
      'simian.yaml:3: safety.exceptGroups: expected a list of group names, got "billing"',
      'simian.yaml:4: safety.minHealthyLeft: must be a whole number >= 0, got 1.5',
      'simian.yaml:7: providers.kubernetes.namespaces[1]: expected a namespace, got 7',
      'simian.yaml:8: providers.kubernetes.gracePeriodSeconds: must be a whole number >= 0, got -1',
      'simian.yaml:10: providers.aws.groupBy: expected "asg" or "tag:<key>", got "autoscaling"',
    ]);
  });

  it('refuses YAML 1.1 booleans rather than guessing', () => {
    expect(problems('leashed: no\n')).toBe('simian.yaml:1: leashed: expected true or false, got "no"');
  });

  it('reports bad durations, naming the field', () => {
    expect(problems('safety:\n  minInterval: an hour\n')).toBe(
      'simian.yaml:2: safety.minInterval: expected a duration with a unit (ms, s, m, h, d) such as 500ms, 30s or 5m, got "an hour"',
    );
    expect(problems('faults:\n  maxDuration: 0s\n')).toBe('simian.yaml:2: faults.maxDuration: must be longer than 0, got "0s"');
    expect(problems('faults:\n  defaultDuration: 2h\n')).toBe(
      'simian.yaml:2: faults.defaultDuration: must not be longer than faults.maxDuration (1h), got 2h',
    );
  });

  it('refuses a duration without a unit, showing the units it could have meant', () => {
    expect(problems('enabled: true\nsafety:\n  optInTag: chaos\n  minInterval: 3600000\n')).toBe(
      'simian.yaml:4: safety.minInterval: 3600000 has no unit: write 3600000ms or 1h',
    );
    expect(problems('faults:\n  defaultDuration: 300\n  maxDuration: "30"\n').split('\n')).toEqual([
      'simian.yaml:2: faults.defaultDuration: 300 has no unit: write 300ms, 300s or 5m',
      'simian.yaml:3: faults.maxDuration: "30" has no unit: write 30ms or 30s',
    ]);
  });

  it('accepts a zero minInterval (no spacing between faults) but not a negative one', () => {
    expect(parseConfig('safety: { minInterval: 0 }\n', { baseDir: '/x' }).safety.minIntervalMs).toBe(0);
    expect(problems('safety: { minInterval: -1 }\n')).toContain('simian.yaml:1: safety.minInterval: expected a duration');
  });

  it('reports bad URLs', () => {
    expect(problems('providers:\n  toxiproxy:\n    url: localhost:8474\n')).toBe(
      'simian.yaml:3: providers.toxiproxy.url: expected an http:// or https:// URL, got "localhost:8474"',
    );
  });

  it('reports a region name that is not one', () => {
    expect(problems('providers:\n  aws:\n    region: US East\n')).toBe(
      'simian.yaml:3: providers.aws.region: expected a region name such as us-east-1, got "US East"',
    );
  });

  it('refuses a root that is not a mapping', () => {
    expect(problems('- leashed: false\n')).toMatch(/^simian\.yaml:1: expected a mapping with settings .*, got a list$/);
    expect(problems('leashed\n')).toMatch(/^simian\.yaml:1: expected a mapping with settings .*, got "leashed"$/);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(problems('leashed: true\nsafety: [\n')).toMatch(/^simian\.yaml:\d+: invalid YAML: /);
    expect(problems('leashed: true\nenabled: true\nleashed: false\n')).toBe('simian.yaml:3: invalid YAML: Map keys must be unique');
  });

  it('reports every problem at once, sorted by line', () => {
    const lines = problems('safety:\n  maxGroupShare: 0\nenabled: maybe\nbogus: 1\n').split('\n');
    expect(lines.map((l) => Number(l.split(':')[1]))).toEqual([2, 3, 4]);
  });
});

describe('files on disk', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'simian-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds --config, else SIMIAN_CONFIG, else ./simian.yaml, else none', async () => {
    expect(findConfigFile({ cwd: dir, env: {} })).toBeUndefined();
    await writeFile(join(dir, 'simian.yaml'), '');
    expect(findConfigFile({ cwd: dir, env: {} })).toEqual({ path: join(dir, 'simian.yaml'), label: 'simian.yaml', chosenBy: 'cwd' });
    expect(findConfigFile({ cwd: dir, env: { SIMIAN_CONFIG: 'etc/s.yaml' } })).toEqual({
      path: join(dir, 'etc/s.yaml'),
      label: 'etc/s.yaml',
      chosenBy: 'env',
    });
    expect(findConfigFile({ cwd: dir, env: { SIMIAN_CONFIG: 'etc/s.yaml' }, configPath: '/abs.yaml' })).toEqual({
      path: '/abs.yaml',
      label: '/abs.yaml',
      chosenBy: 'flag',
    });
    expect(findConfigFile({ cwd: dir, env: { SIMIAN_CONFIG: '' } })?.chosenBy).toBe('cwd');
  });

  it('uses the defaults when there is no file at all', async () => {
    expect(await loadConfig({ cwd: dir, env: {} })).toEqual(defaultConfig(dir));
  });

  it('resolves relative paths in a file against the file folder, not the working directory', async () => {
    await mkdir(join(dir, 'etc'));
    await mkdir(join(dir, 'work'));
    await writeFile(join(dir, 'etc', 'simian.yaml'), 'stateDir: ../state\nkillSwitchFile: STOP\n');
    const config = await loadConfig({ cwd: join(dir, 'work'), env: {}, configPath: '../etc/simian.yaml' });
    expect(config.stateDir).toBe(join(dir, 'state'));
    expect(config.stateStorePath).toBe(join(dir, 'state', 'simian.db'));
    expect(config.safety.killSwitchFile).toBe(join(dir, 'etc', 'STOP'));
    expect(config.source.file).toBe(join(dir, 'etc', 'simian.yaml'));
  });

  it('keeps the default stateDir in the working directory when a file elsewhere names none; a named one resolves beside the file', async () => {
    await mkdir(join(dir, 'etc'));
    await writeFile(join(dir, 'etc', 'simian.yaml'), 'leashed: true\n');
    const config = await loadConfig({ cwd: join(dir, 'work'), env: { SIMIAN_CONFIG: join(dir, 'etc', 'simian.yaml') } });
    expect(config.stateDir).toBe(join(dir, 'work', '.simian'));
    expect(config.stateStorePath).toBe(join(dir, 'work', '.simian', 'simian.db'));
    expect(config.safety.killSwitchFile).toBe(join(dir, 'work', '.simian', 'kill-switch'));
    await writeFile(join(dir, 'etc', 'simian.yaml'), 'stateDir: .simian\n');
    const named = await loadConfig({ cwd: join(dir, 'work'), env: {}, configPath: join(dir, 'etc', 'simian.yaml') });
    expect(named.stateDir).toBe(join(dir, 'etc', '.simian'));
  });

  it('refuses a missing --config or SIMIAN_CONFIG file with exit code 2, saying which', async () => {
    const flag = await rejection(loadConfig({ cwd: dir, env: {}, configPath: 'nope.yaml' }));
    expect(flag).toMatchObject({ code: 'config.notFound', exitCode: 2, message: 'config file nope.yaml (from --config): no such file' });
    const env = await rejection(loadConfig({ cwd: dir, env: { SIMIAN_CONFIG: 'gone.yaml' } }));
    expect(env.message).toBe('config file gone.yaml (from SIMIAN_CONFIG): no such file');
    const folder = await rejection(loadConfig({ cwd: dir, env: {}, configPath: '.' }));
    expect(folder.message).toBe('config file . (from --config): is a directory');
  });

  it('names the file as it was given in errors', async () => {
    await writeFile(join(dir, 'simian.yaml'), 'enabled: true\nsafety:\n  maxGroupShare: 2\n');
    const error = await rejection(loadConfig({ cwd: dir, env: {} }));
    expect(error).toMatchObject({ code: 'config.invalid', message: 'simian.yaml:3: safety.maxGroupShare: must be in (0, 1], got 2' });
    const named = await rejection(loadConfig({ cwd: '/', env: {}, configPath: join(dir, 'simian.yaml') }));
    expect(named.message).toBe(`${join(dir, 'simian.yaml')}:3: safety.maxGroupShare: must be in (0, 1], got 2`);
  });

  it('layers defaults < file < environment < flags, each overriding the one before', async () => {
    await writeFile(
      join(dir, 'simian.yaml'),
      [
        'leashed: true',
        'enabled: true',
        'environment: staging',
        'stateDir: from-file',
        'safety: { maxGroupShare: 0.25 }',
        'providers:',
        '  toxiproxy: { url: "http://file:8474" }',
        '  aws: { region: eu-west-1 }',
      ].join('\n'),
    );
    const defaults = defaultConfig(dir);
    const file = await loadConfig({ cwd: dir, env: {} });
    // file over defaults
    expect(file.safety.maxGroupShare).toBe(0.25);
    expect(file.safety.environment).toBe('staging');
    expect(file.stateDir).toBe(join(dir, 'from-file'));
    expect(file.providers.aws.region).toBe('eu-west-1');
    expect(defaults.providers.aws.region).toBe('us-east-1');
    expect(file.source).toEqual({ file: join(dir, 'simian.yaml'), env: [], flags: [] });

    // environment over file
    const env = await loadConfig({
      cwd: dir,
      env: { SIMIAN_ENVIRONMENT: 'prod', SIMIAN_STATE_DIR: 'from-env', SIMIAN_TOXIPROXY_URL: 'http://env:8474/', SIMIAN_ENABLED: '0' },
    });
    expect(env.safety.environment).toBe('prod');
    expect(env.safety.enabled).toBe(false);
    expect(env.stateDir).toBe(join(dir, 'from-env'));
    expect(env.providers.toxiproxy.url).toBe('http://env:8474');
    expect(env.providers.aws.region).toBe('eu-west-1'); // untouched by the environment
    expect(env.safety.maxGroupShare).toBe(0.25);
    expect(env.source.env).toEqual(['SIMIAN_ENABLED', 'SIMIAN_ENVIRONMENT', 'SIMIAN_STATE_DIR', 'SIMIAN_TOXIPROXY_URL']);

    // flags over environment
    const flags = applyFlags(env, { unleash: true, environment: 'test', stateDir: 'from-flag', toxiproxy: 'http://flag:1' }, { cwd: dir });
    expect(flags.safety.leashed).toBe(false);
    expect(flags.safety.environment).toBe('test');
    expect(flags.stateDir).toBe(join(dir, 'from-flag'));
    expect(flags.stateStorePath).toBe(join(dir, 'from-flag', 'simian.db'));
    expect(flags.providers.toxiproxy.url).toBe('http://flag:1');
    expect(flags.safety.enabled).toBe(false); // from the environment, no flag for it
    expect(flags.source).toEqual({
      file: join(dir, 'simian.yaml'),
      env: ['SIMIAN_ENABLED', 'SIMIAN_ENVIRONMENT', 'SIMIAN_STATE_DIR', 'SIMIAN_TOXIPROXY_URL'],
      flags: ['--unleash', '--environment', '--state-dir', '--toxiproxy'],
    });
  });
});

describe('applyFlags', () => {
  const base = defaultConfig('/srv');

  it('changes nothing for absent or false flags', () => {
    expect(applyFlags(base, {})).toBe(base);
    expect(applyFlags(base, { unleash: false })).toBe(base);
  });

  it('overrides every setting it knows, resolving paths against cwd', () => {
    const config = applyFlags(
      base,
      {
        killSwitchFile: 'STOP',
        stateStore: 'db.sqlite',
        awsRegion: 'ap-south-1',
        kubeconfig: '~/k.yaml',
        kubeContext: 'prod',
        trafficShiftUrl: 'https://shift.example/',
      },
      { cwd: '/srv/simian', home: '/home/me' },
    );
    expect(config.safety.killSwitchFile).toBe('/srv/simian/STOP');
    expect(config.stateStorePath).toBe('/srv/simian/db.sqlite');
    expect(config.stateDir).toBe('/srv/.simian');
    expect(config.providers.aws.region).toBe('ap-south-1');
    expect(config.providers.kubernetes).toMatchObject({ kubeconfig: '/home/me/k.yaml', context: 'prod' });
    expect(config.providers.trafficShiftUrl).toBe('https://shift.example');
  });

  it('moves the state store with --state-dir, even one the file named, unless --state-store is given too', () => {
    const file = parseConfig('stateStore: /var/lib/simian.db\n', { baseDir: '/srv' });
    expect(file.stateStorePath).toBe('/var/lib/simian.db');
    expect(applyFlags(file, { stateDir: '/tmp/run' }).stateStorePath).toBe('/tmp/run/simian.db');
    expect(applyFlags(file, { stateDir: '/tmp/run', stateStore: '/tmp/db' }).stateStorePath).toBe('/tmp/db');
  });

  it('refuses a bad value, naming the flag', () => {
    expect(() => applyFlags(base, { toxiproxy: 'toxiproxy:8474' })).toThrow(
      expect.objectContaining({ code: 'config.invalid', exitCode: 2, message: '--toxiproxy: expected an http:// or https:// URL, got "toxiproxy:8474"' }),
    );
    expect(() => applyFlags(base, { environment: ' ' })).toThrow('--environment: expected a value, got " "');
    expect(() => applyFlags(base, { awsRegion: 'Frankfurt' })).toThrow('--aws-region: expected a region name such as us-east-1, got "Frankfurt"');
  });
});
