import { describe, expect, it } from 'vitest';
import { EventEmitter, InvalidInputError, SimianError, isSimianError, withoutStack } from '../../src/core/index.js';

describe('SimianError', () => {
  it('carries a stable code, a cause and an exit code', () => {
    const cause = new Error('disk full');
    const error = new SimianError('state.unwritable', 'cannot record the fault', { cause });
    expect(error.code).toBe('state.unwritable');
    expect(error.cause).toBe(cause);
    expect(error.exitCode).toBe(1);
    expect(error.name).toBe('SimianError');
    expect(isSimianError(error, 'state.unwritable')).toBe(true);
    expect(isSimianError(error, 'other')).toBe(false);
    expect(isSimianError(new Error('plain'))).toBe(false);
  });

  it('marks bad input with exit code 2', () => {
    const error = new InvalidInputError('experiment.invalid', 'bad');
    expect(error.exitCode).toBe(2);
    expect(error.name).toBe('InvalidInputError');
  });

  it('builds errors without a stack when asked, and restores the stack limit', () => {
    const limit = Error.stackTraceLimit;
    const error = withoutStack(() => new SimianError('x.y', 'm'));
    expect(error.stack?.split('\n').length).toBe(1);
    expect(Error.stackTraceLimit).toBe(limit);
  });
});

describe('EventEmitter', () => {
  it('delivers to listeners until they dispose, and survives a throwing listener', async () => {
    const emitter = new EventEmitter<number>();
    const got: number[] = [];
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onError);
    try {
      emitter.event(() => {
        throw new Error('observer bug');
      });
      const sub = emitter.event((n) => got.push(n));
      emitter.emit(1);
      sub.dispose();
      emitter.emit(2);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(got).toEqual([1]);
    expect(errors).toHaveLength(2);
  });
});
