import { describe, expect, it } from 'vitest';
import { parseStackInstanceConfig } from '../../src/reference-stack/stack/stack-config.js';

const valid = {
  tokenSecret: 'x'.repeat(16),
  stackToken: 's'.repeat(32),
  regions: ['us-east-1'],
  discoveryUrls: { 'us-east-1': ['http://127.0.0.1:4001'] },
  publicAddress: 'http://127.0.0.1:4002',
  toxiproxyUrl: 'http://127.0.0.1:8474',
  proxyName: 'catalog-us-east-1a-0',
  dataDir: '/tmp/data',
  warmUp: false,
};

describe('parseStackInstanceConfig', () => {
  it('reads a whole config', () => {
    expect(parseStackInstanceConfig(valid)).toEqual(valid);
  });

  it('leaves out what was not given', () => {
    const { publicAddress: _p, toxiproxyUrl: _t, proxyName: _n, warmUp: _w, ...bare } = valid;
    expect(parseStackInstanceConfig(bare)).toEqual(bare);
  });

  it.each([
    ['tokenSecret', { tokenSecret: 'short' }],
    ['stackToken', { stackToken: undefined }],
    ['regions', { regions: [] }],
    ['discoveryUrls.us-east-1.0', { discoveryUrls: { 'us-east-1': ['not a url'] } }],
    ['discoveryUrls.us-east-1', { discoveryUrls: { 'us-east-1': [] } }],
    ['publicAddress', { publicAddress: 'nope' }],
    ['warmUp', { warmUp: 'yes' }],
    ['dataDir', { dataDir: 7 }],
  ])('names the bad field %s', (field, change) => {
    expect(() => parseStackInstanceConfig({ ...valid, ...change })).toThrow(`stack config: ${field}:`);
  });
});
