import { describe, expect, it } from 'vitest';
import { isSimianError } from '../../../src/core/errors.js';
import { formatRevertId, parseRevertId, type RevertAction } from '../../../src/providers/toxiproxy/revert-id.js';

describe('revert ids', () => {
  it('formats each action and reads it back', () => {
    const cases: Array<[RevertAction, string]> = [
      [{ kind: 'toxic', proxy: 'catalog-us-east-1a-0', toxic: 'simian-abc123' }, 'toxic:catalog-us-east-1a-0:simian-abc123'],
      [{ kind: 'proxies-down', proxies: ['a-0', 'b-1'] }, 'proxies-down:a-0,b-1'],
      [{ kind: 'proxies-down', proxies: [] }, 'proxies-down:'],
      [{ kind: 'evacuate', region: 'us-east' }, 'evacuate:us-east'],
    ];
    for (const [action, id] of cases) {
      expect(formatRevertId(action)).toBe(id);
      expect(parseRevertId(id)).toEqual(action);
    }
  });

  it('escapes separators inside names', () => {
    const action: RevertAction = { kind: 'toxic', proxy: 'odd:name,1', toxic: 't:%' };
    const id = formatRevertId(action);
    expect(id).toBe('toxic:odd%3Aname%2C1:t%3A%25');
    expect(parseRevertId(id)).toEqual(action);
    expect(parseRevertId(formatRevertId({ kind: 'proxies-down', proxies: ['a,b', 'c'] }))).toEqual({ kind: 'proxies-down', proxies: ['a,b', 'c'] });
  });

  it('refuses anything else with provider.badRevertId', () => {
    for (const id of ['', 'x', 'toxic:', 'toxic:p', 'toxic:p:', 'toxic:p:t:u', 'proxies-down:a,,b', 'evacuate:', 'terminate:i-1', 'evacuate:%E0%A4%A']) {
      const error = (() => {
        try {
          parseRevertId(id);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(isSimianError(error, 'provider.badRevertId'), id).toBe(true);
    }
  });
});
