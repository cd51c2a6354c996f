import { applyFlags } from '../../src/config/load-config.js';
import { describe, expect, it } from 'vitest';
import {
  allConfigKeys,
  configFromFile,
  configKeysAt,
  defaultConfig,
  parseConfig,
  resolveConfigPath,
  simianConfigSchema,
  toConfigDocument,
} from '../../src/config/index.js';
import { DEFAULT_SAFETY_CONFIG } from '../../src/monkeys/safety/safety-config.js';
import { stringify } from 'yaml';

describe('defaults', () => {
  const config = defaultConfig('/srv/chaos');

  it('are the safety defaults: leashed, enabled, the kill switch released, half a group, an hour apart', () => {
    expect(config.safety).toEqual({ ...DEFAULT_SAFETY_CONFIG, killSwitchFile: '/srv/chaos/.simian/kill-switch' });
    expect(config.safety).toMatchObject({ leashed: true, enabled: true, killSwitch: false, maxGroupShare: 0.5, minIntervalMs: 3_600_000 });
    expect(config.safety.environment).toBeUndefined();
  });

  it('keep a kill-switch file in the state directory, which moves with --state-dir unless one is named', () => {
    const moved = applyFlags(config, { stateDir: '/tmp/run-1' }, { cwd: '/' });
    expect(moved.safety.killSwitchFile).toBe('/tmp/run-1/kill-switch');
    const named = applyFlags(config, { stateDir: '/tmp/run-1', killSwitchFile: '/run/STOP' }, { cwd: '/' });
    expect(named.safety.killSwitchFile).toBe('/run/STOP');
    expect(toConfigDocument(config)).not.toHaveProperty('killSwitchFile');
  });

  it('put the state in <cwd>/.simian and the store in it', () => {
    expect(config.stateDir).toBe('/srv/chaos/.simian');
    expect(config.stateStorePath).toBe('/srv/chaos/.simian/simian.db');
  });

  it('give reversible faults five minutes, at most an hour', () => {
    expect(config.faults).toEqual({ defaultDurationMs: 300_000, maxDurationMs: 3_600_000 });
    expect(config.safety.maxFaultDurationMs).toBe(config.faults.maxDurationMs);
  });

  it('fill in every provider', () => {
    expect(config.providers).toEqual({
      local: {},
      kubernetes: { namespaces: [], excludeNamespaces: ['kube-system'], groupBy: { kind: 'owner' } },
      aws: { region: 'us-east-1', groupBy: { kind: 'asg' } },
      toxiproxy: { url: 'http://127.0.0.1:8474' },
    });
  });

  it('come from no file, no variable and no flag', () => {
    expect(config.source).toEqual({ env: [], flags: [] });
  });
});

describe('durations', () => {
  it('in a file are strings with a unit, read as the command line reads them', () => {
    const config = parseConfig('safety: { minInterval: 90s }\nfaults: { defaultDuration: 1.5m, maxDuration: 2h }\n', { baseDir: '/x' });
    expect(config.safety.minIntervalMs).toBe(90_000);
    expect(config.faults).toEqual({ defaultDurationMs: 90_000, maxDurationMs: 7_200_000 });
    expect(config.safety.maxFaultDurationMs).toBe(7_200_000);
  });
});

describe('paths', () => {
  it('resolve relative against the base folder, ~/ against home, and keep absolute ones', () => {
    expect(resolveConfigPath('/etc/simian', 'state', '/home/me')).toBe('/etc/simian/state');
    expect(resolveConfigPath('/etc/simian', '../run/STOP', '/home/me')).toBe('/etc/run/STOP');
    expect(resolveConfigPath('/etc/simian', '/var/lib/simian', '/home/me')).toBe('/var/lib/simian');
    expect(resolveConfigPath('/etc/simian', '~/.kube/config', '/home/me')).toBe('/home/me/.kube/config');
    expect(resolveConfigPath('/etc/simian', '~', '/home/me')).toBe('/home/me');
  });

  it('in a file resolve against the file folder: stateDir, stateStore, killSwitchFile, kubeconfig', () => {
    const file = simianConfigSchema.parse({
      stateDir: 'state',
      stateStore: 'db/simian.sqlite',
      killSwitchFile: 'STOP',
      providers: { kubernetes: { kubeconfig: '~/kube.yaml' } },
    });
    const config = configFromFile(file, { baseDir: '/etc/simian', file: '/etc/simian/simian.yaml', home: '/home/me' });
    expect(config.stateDir).toBe('/etc/simian/state');
    expect(config.stateStorePath).toBe('/etc/simian/db/simian.sqlite');
    expect(config.safety.killSwitchFile).toBe('/etc/simian/STOP');
    expect(config.providers.kubernetes.kubeconfig).toBe('/home/me/kube.yaml');
    expect(config.source.file).toBe('/etc/simian/simian.yaml');
  });
});

describe('toConfigDocument', () => {
  it('writes a valid simian.yaml that resolves to the same configuration', () => {
    const text = [
      'enabled: false',
      'leashed: false',
      'environment: staging',
      'killSwitchFile: /run/STOP',
      'stateDir: /var/lib/simian',
      'stateStore: /var/lib/other.db',
      'safety: { optInTag: chaos, exceptGroups: [billing], exceptInstances: [i-1], maxGroupShare: 0.25, minHealthyLeft: 2,',
      '  minInterval: 90s, maxFaultsPerGroupPerDay: 5, allowUnleashedInTest: true, minHealthyZones: 2, minHealthyRegions: 0 }',
      'faults: { defaultDuration: 1m, maxDuration: 10m }',
      'providers:',
      '  kubernetes: { kubeconfig: /k, context: c, namespaces: [shop], excludeNamespaces: [], groupBy: "label:app", gracePeriodSeconds: 5 }',
      '  aws: { region: eu-west-1, endpoint: "http://127.0.0.1:4566/", groupBy: "tag:team", profile: chaos }',
      '  toxiproxy: { url: "http://toxiproxy:8474" }',
      '  trafficShiftUrl: http://front:80/shift',
    ].join('\n');
    const config = parseConfig(text, { baseDir: '/x' });
    const again = parseConfig(stringify(toConfigDocument(config)), { baseDir: '/elsewhere' });
    expect(again).toEqual(config);
    expect(config.providers.aws.endpoint).toBe('http://127.0.0.1:4566');
    expect(config.providers.kubernetes.groupBy).toEqual({ kind: 'label', key: 'app' });
    expect(config.providers.aws.groupBy).toEqual({ kind: 'tag', key: 'team' });
  });

  it('omits the state store when it is the default one', () => {
    expect(toConfigDocument(defaultConfig('/srv'))).not.toHaveProperty('stateStore');
  });
});

describe('keys', () => {
  it('lists every key by section, in schema order', () => {
    expect(configKeysAt(['faults'])).toEqual(['defaultDuration', 'maxDuration']);
    expect(configKeysAt([])).toContain('providers');
    expect(configKeysAt(['providers', 'local'])).toEqual([]);
    expect(configKeysAt(['enabled'])).toEqual([]);
    expect(allConfigKeys()).toContain('providers.kubernetes.excludeNamespaces');
    // 69, the eight of the audit: section and the four of daemon.webhook.
    expect(allConfigKeys()).toHaveLength(89);
  });
});
