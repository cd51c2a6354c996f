import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { defaultConfig, toConfigDocument } from '../../../src/config/simian-config.js';
import { stringify } from 'yaml';

function problem(text: string): string {
  try {
    parseConfig(text, { baseDir: '/x', fileName: 'simian.yaml' });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('daemon.webhook', () => {
  it('is off by default: no url, every event, 5s', () => {
    expect(defaultConfig('/x').daemon.webhook).toEqual({ events: ['fault', 'skip', 'verdict', 'leader', 'findings', 'janitor'], timeoutMs: 5000 });
  });

  it('takes an https URL anywhere, and http only to a loopback host', () => {
    const url = (u: string) => parseConfig(`daemon:\n  webhook:\n    url: ${u}\n`, { baseDir: '/x' }).daemon.webhook.url;
    expect(url('https://hooks.slack.com/services/T0/B0/x')).toBe('https://hooks.slack.com/services/T0/B0/x');
    expect(url('http://127.0.0.1:9000/hook')).toBe('http://127.0.0.1:9000/hook');
    expect(url('http://localhost:9000/hook')).toBe('http://localhost:9000/hook');
    expect(url('http://[::1]:9000/hook')).toBe('http://[::1]:9000/hook');
  });

  it('refuses plain http to another host, naming file:line: field', () => {
    expect(problem('daemon:\n  port: 0\n  webhook:\n    url: http://hooks.example.com/x\n')).toBe(
      'simian.yaml:4: daemon.webhook.url: expected an https:// URL (http:// only to a loopback host), got "http://hooks.example.com/x"',
    );
    expect(problem('daemon:\n  webhook:\n    url: hooks.slack.com\n')).toMatch(/^simian\.yaml:3: daemon\.webhook\.url: expected an https:\/\/ URL/);
  });

  it('refuses an unknown event and a bare-number timeout, naming file:line: field', () => {
    expect(problem('daemon:\n  webhook:\n    events: [fault, pager]\n')).toMatch(/^simian\.yaml:3: daemon\.webhook\.events\[1\]: expected one of fault, skip, verdict, leader, findings, janitor, got "pager"$/);
    expect(problem('daemon:\n  webhook:\n    timeout: 5\n')).toMatch(/^simian\.yaml:3: daemon\.webhook\.timeout: /);
    expect(problem('daemon:\n  webhook:\n    token: x\n')).toMatch(/^simian\.yaml:3: daemon\.webhook\.token: unknown field "token"/);
  });

  it('is written back by toConfigDocument as a file that reads the same', () => {
    const config = parseConfig('daemon:\n  webhook:\n    url: https://hooks.example.com/x\n    events: [verdict]\n    timeout: 2s\n', { baseDir: '/x' });
    const again = parseConfig(stringify(toConfigDocument(config)), { baseDir: '/elsewhere' });
    expect(again.daemon.webhook).toEqual({ url: 'https://hooks.example.com/x', events: ['verdict'], timeoutMs: 2000 });
  });
});
