import { describe, expect, it } from 'vitest';
import { entryModule, siblingEntryModule } from '../../src/reference-stack/supervisor/entry-module.js';
import {
  decodeLaunchInfo,
  encodeLaunchInfo,
  isReadyMessage,
  type InstanceLaunchInfo,
} from '../../src/reference-stack/supervisor/instance-protocol.js';

describe('entry modules', () => {
  it('runs a built .js entry with plain node, and a .ts one with tsx\'s loader', () => {
    expect(entryModule('/opt/simian/dist/reference-stack/services/catalog-main.js')).toEqual({
      path: '/opt/simian/dist/reference-stack/services/catalog-main.js',
      execArgv: [],
    });
    const ts = entryModule(new URL('file:///repo/src/reference-stack/services/catalog-main.ts'));
    expect(ts.path).toBe('/repo/src/reference-stack/services/catalog-main.ts');
    expect(ts.execArgv).toEqual(['--import', expect.stringMatching(/^file:\/\/.*\/node_modules\/tsx\/dist\/esm\/index\.mjs$/)]);
  });

  it('picks the sibling with the caller\'s own extension', () => {
    expect(siblingEntryModule('file:///app/dist/reference-stack/stack.js', './services/catalog-main').path).toBe(
      '/app/dist/reference-stack/services/catalog-main.js',
    );
    expect(siblingEntryModule('file:///app/src/reference-stack/stack.ts', './services/catalog-main').path).toBe(
      '/app/src/reference-stack/services/catalog-main.ts',
    );
  });
});

describe('instance protocol', () => {
  const info: InstanceLaunchInfo = {
    identity: { service: 'catalog', region: 'us-east', zone: 'us-east-1a', instanceId: 'catalog-us-east-1a-0' },
    config: { discoveryUrls: ['http://127.0.0.1:4000'] },
  };

  it('round-trips the launch information', () => {
    expect(decodeLaunchInfo(encodeLaunchInfo(info))).toEqual(info);
  });

  it('says what is wrong with missing or malformed launch information', () => {
    expect(() => decodeLaunchInfo(undefined)).toThrow(/SIMIAN_INSTANCE is not set/);
    expect(() => decodeLaunchInfo('{')).toThrow(/not valid JSON/);
    expect(() => decodeLaunchInfo('{"identity":{"service":"nope","region":"a","zone":"b","instanceId":"c"}}')).toThrow(
      /expected identity/,
    );
    expect(() => decodeLaunchInfo(JSON.stringify({ ...info, config: [1] }))).toThrow(/expected config to be an object/);
  });

  it('accepts only well-formed ready messages', () => {
    expect(isReadyMessage({ type: 'ready', port: 4100 })).toBe(true);
    expect(isReadyMessage({ type: 'ready', port: 0 })).toBe(false);
    expect(isReadyMessage({ type: 'ready', port: '4100' })).toBe(false);
    expect(isReadyMessage('ready')).toBe(false);
  });
});
