import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { CONFIG_ENV_VARS, applyEnvOverrides, defaultConfig, envOverrides, parseConfig } from '../../src/config/index.js';

/** The error `run` throws; fails the test if it throws none. */
function thrown(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ code: 'config.invalid', exitCode: 2 });
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError');
}

describe('environment overrides', () => {
  const base = defaultConfig('/srv');

  it('are exactly the documented variables', () => {
    expect(CONFIG_ENV_VARS.map((v) => v.name)).toEqual([
      'SIMIAN_ENABLED',
      'SIMIAN_LEASHED',
      'SIMIAN_ENVIRONMENT',
      'SIMIAN_KILL_SWITCH_FILE',
      'SIMIAN_STATE_DIR',
      'SIMIAN_TOXIPROXY_URL',
      'SIMIAN_AWS_REGION',
      'SIMIAN_KUBECONFIG',
    ]);
  });

  it('set each setting, resolving paths against the working directory', () => {
    const config = applyEnvOverrides(
      base,
      {
        SIMIAN_ENABLED: 'false',
        SIMIAN_LEASHED: '0',
        SIMIAN_ENVIRONMENT: 'staging',
        SIMIAN_KILL_SWITCH_FILE: 'STOP',
        SIMIAN_STATE_DIR: 'state',
        SIMIAN_TOXIPROXY_URL: 'https://toxiproxy.internal:8474/',
        SIMIAN_AWS_REGION: 'eu-central-1',
        SIMIAN_KUBECONFIG: '~/kube/config',
        PATH: '/usr/bin',
      },
      '/srv/simian',
      '/home/me',
    );
    expect(config.safety).toMatchObject({ enabled: false, leashed: false, environment: 'staging', killSwitchFile: '/srv/simian/STOP' });
    expect(config.stateDir).toBe('/srv/simian/state');
    expect(config.stateStorePath).toBe('/srv/simian/state/simian.db');
    expect(config.providers.toxiproxy.url).toBe('https://toxiproxy.internal:8474');
    expect(config.providers.aws.region).toBe('eu-central-1');
    expect(config.providers.kubernetes.kubeconfig).toBe('/home/me/kube/config');
    expect(config.source.env).toHaveLength(8);
  });

  it('override the file', () => {
    const file = parseConfig('leashed: false\nproviders: { aws: { region: us-west-2 } }\n', { baseDir: '/srv', file: '/srv/simian.yaml' });
    const config = applyEnvOverrides(file, { SIMIAN_LEASHED: 'true', SIMIAN_AWS_REGION: 'eu-west-1' }, '/srv/simian');
    expect(config.safety.leashed).toBe(true);
    expect(config.providers.aws.region).toBe('eu-west-1');
    expect(config.source).toEqual({ file: '/srv/simian.yaml', env: ['SIMIAN_LEASHED', 'SIMIAN_AWS_REGION'], flags: [] });
  });

  it.each([
    ['true', true],
    ['false', false],
    ['1', true],
    ['0', false],
    ['TRUE', true],
    [' false ', false],
  ])('read %j as %s', (value, expected) => {
    expect(envOverrides({ SIMIAN_LEASHED: value }, '/').overrides.leashed).toBe(expected);
  });

  it.each(['yes', 'no', 'on', 'off', '2', 'leashed'])('refuse %j as a boolean, naming the variable', (value) => {
    expect(thrown(() => envOverrides({ SIMIAN_LEASHED: value }, '/')).message).toBe(
      `SIMIAN_LEASHED: expected true, false, 1 or 0, got ${JSON.stringify(value)}`,
    );
  });

  it('refuse a bad URL, naming the variable', () => {
    expect(thrown(() => applyEnvOverrides(base, { SIMIAN_TOXIPROXY_URL: '127.0.0.1:8474' }, '/')).message).toBe(
      'SIMIAN_TOXIPROXY_URL: expected an http:// or https:// URL, got "127.0.0.1:8474"',
    );
  });

  it('refuse a bad region name, naming the variable', () => {
    expect(thrown(() => envOverrides({ SIMIAN_AWS_REGION: 'eu west' }, '/')).message).toBe(
      'SIMIAN_AWS_REGION: expected a region name such as us-east-1, got "eu west"',
    );
  });

  it('refuse a value of spaces only', () => {
    expect(thrown(() => envOverrides({ SIMIAN_ENVIRONMENT: '  ' }, '/')).message).toBe('SIMIAN_ENVIRONMENT: expected a value, got "  "');
  });

  it('take an empty variable as unset', () => {
    expect(applyEnvOverrides(base, { SIMIAN_LEASHED: '', SIMIAN_STATE_DIR: '' }, '/')).toBe(base);
  });

  it('move the state store with SIMIAN_STATE_DIR, even one the file named', () => {
    const file = parseConfig('stateStore: /var/lib/simian.db\n', { baseDir: '/srv' });
    expect(applyEnvOverrides(file, {}, '/').stateStorePath).toBe('/var/lib/simian.db');
    expect(applyEnvOverrides(file, { SIMIAN_STATE_DIR: '/tmp/run' }, '/').stateStorePath).toBe('/tmp/run/simian.db');
  });
});
