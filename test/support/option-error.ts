import { InvalidOptionError } from '../../src/resilience/errors.js';

/** Runs `build` and returns the InvalidOptionError it throws; fails the test if it throws nothing or something else. */
export function optionError(build: () => unknown): InvalidOptionError {
  try {
    build();
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  throw new Error('expected an InvalidOptionError');
}
