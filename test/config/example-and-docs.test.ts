import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_ENV_VARS, CONFIG_FLAGS, UNLEASH_FLAG, allConfigKeys, defaultConfig, parseConfig } from '../../src/config/index.js';

const example = readFileSync('simian.example.yaml', 'utf8');
const docs = readFileSync('docs/configuration.md', 'utf8');

describe('simian.example.yaml', () => {
  it('is valid and says exactly the defaults', () => {
    const config = parseConfig(example, { baseDir: '/srv', fileName: 'simian.example.yaml', file: '/srv/simian.example.yaml' });
    expect({ ...config, source: undefined }).toEqual({ ...defaultConfig('/srv'), source: undefined });
  });

  it('stays valid with every commented-out key switched on', () => {
    const keys = new Set(allConfigKeys().map((k) => k.split('.').at(-1)));
    const uncommented = example.replace(/^(\s*)# (([a-zA-Z]+): .*)$/gm, (line, indent: string, setting: string, key: string) =>
      keys.has(key) ? `${indent}${setting}` : line,
    );
    expect(uncommented).not.toBe(example);
    const config = parseConfig(uncommented, { baseDir: '/srv' });
    expect(config.safety.environment).toBe('prod');
    expect(config.providers.trafficShiftUrl).toBeDefined();
    expect(config.providers.kubernetes.gracePeriodSeconds).toBeDefined();
  });

  it('mentions every key', () => {
    const mentioned = new Set([...example.matchAll(/^\s*(?:# )?([a-zA-Z]+):/gm)].map((m) => m[1]));
    for (const key of allConfigKeys()) expect(mentioned, key).toContain(key.split('.').at(-1));
  });
});

describe('docs/configuration.md', () => {
  it('documents every key, environment variable and flag', () => {
    for (const key of allConfigKeys().filter((k) => !['safety', 'faults', 'providers', 'providers.kubernetes', 'providers.aws', 'providers.toxiproxy'].includes(k))) {
      expect(docs, key).toContain(`| \`${key}\` |`);
    }
    for (const variable of [...CONFIG_ENV_VARS.map((v) => v.name), 'SIMIAN_CONFIG']) expect(docs, variable).toContain(`\`${variable}\``);
    for (const flag of [UNLEASH_FLAG, ...CONFIG_FLAGS]) expect(docs, flag.flag).toContain(`\`${flag.flag}\``);
  });
});
