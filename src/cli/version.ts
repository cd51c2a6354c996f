/**
 * @module
 * The package version, read from package.json so that it is written in one place.
 */
import { readFileSync } from 'node:fs';

/** The version of the installed simian-army package. */
export function packageVersion(): string {
  // Works from src/cli (tsx) and from dist/cli (built): package.json is two levels up from both.
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}
