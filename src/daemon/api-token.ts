/**
 * @module
 * The daemon API's bearer token: from an owner-only file, else from an environment variable, never a default. A
 * daemon without a token does not start, because its API can kill instances, and a token others can read is no
 * secret: a file any other user may read is refused, as ssh refuses a readable private key.
 */
import { readFileSync, statSync } from 'node:fs';
import { InvalidInputError } from '../core/errors.js';
import type { DaemonConfig } from '../config/simian-config.js';

/** Shorter tokens are refused: a guessable token guards nothing. */
export const MIN_TOKEN_LENGTH = 16;

function checked(token: string, where: string): string {
  const value = token.trim();
  if (value.length < MIN_TOKEN_LENGTH) {
    throw new InvalidInputError('daemon.token', `the API token in ${where} is ${value.length} characters long; use at least ${MIN_TOKEN_LENGTH} (e.g. openssl rand -hex 32)`);
  }
  return value;
}

/**
 * The token `config` points at, read now.
 *
 * @throws InvalidInputError `daemon.token` (exit 2) when there is none, it is too short, or its file is readable
 *   by others or cannot be read
 */
export function resolveApiToken(config: Pick<DaemonConfig, 'tokenFile' | 'tokenEnv'>, env: NodeJS.ProcessEnv = process.env): string {
  if (config.tokenFile !== undefined) {
    const file = config.tokenFile;
    let mode: number;
    let text: string;
    try {
      mode = statSync(file).mode;
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new InvalidInputError('daemon.token', `daemon.tokenFile: cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
    if ((mode & 0o077) !== 0) {
      throw new InvalidInputError('daemon.token', `daemon.tokenFile: ${file} may be read by others (mode ${(mode & 0o777).toString(8)}); make it owner-only: chmod 600 ${file}`);
    }
    return checked(text, file);
  }
  const fromEnv = env[config.tokenEnv];
  if (fromEnv === undefined || fromEnv.trim() === '') {
    throw new InvalidInputError(
      'daemon.token',
      `the daemon's API needs a bearer token, and there is no default: set ${config.tokenEnv} (e.g. export ${config.tokenEnv}=$(openssl rand -hex 32)) or daemon.tokenFile in simian.yaml (an owner-only file)`,
    );
  }
  return checked(fromEnv, `$${config.tokenEnv}`);
}
