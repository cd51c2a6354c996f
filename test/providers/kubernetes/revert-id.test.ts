import { describe, expect, it } from 'vitest';
import { isSimianError } from '../../../src/core/errors.js';
import { cordonRevertId, evacuateRevertId, parseRevertId } from '../../../src/providers/kubernetes/revert-id.js';

describe('revert ids', () => {
  it('round-trips cordon and evacuation ids', () => {
    expect(parseRevertId(cordonRevertId('eu-1a', ['n1', 'ip-10-0-0-1.ec2.internal']))).toEqual({
      kind: 'cordon',
      zone: 'eu-1a',
      nodes: ['n1', 'ip-10-0-0-1.ec2.internal'],
    });
    expect(parseRevertId(cordonRevertId('eu-1a', []))).toEqual({ kind: 'cordon', zone: 'eu-1a', nodes: [] });
    expect(parseRevertId(evacuateRevertId('us-east-1'))).toEqual({ kind: 'evacuate', region: 'us-east-1' });
  });

  it('refuses malformed ids with provider.badRevertId and exit code 2', () => {
    for (const id of ['', 'kubernetes:', 'kubernetes:cordon:z:n1,,n2', 'kubernetes:cordon:z:n1:extra', 'local:cordon:z:n', 'kubernetes:evacuate:a:b']) {
      let caught: unknown;
      try {
        parseRevertId(id);
      } catch (error) {
        caught = error;
      }
      expect(isSimianError(caught, 'provider.badRevertId'), id).toBe(true);
      expect((caught as { exitCode: number }).exitCode).toBe(2);
    }
  });
});
