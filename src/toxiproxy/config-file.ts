/**
 * @module
 * The proxies file of `simian toxiproxy --config`: Toxiproxy's `-config` format, a JSON array of
 * `{name, listen, upstream, enabled?}`.
 */
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../core/errors.js';
import { isApiError } from './api-error.js';
import { parsePopulate, type ProxySpec } from './proxy-spec.js';

/**
 * Reads and checks a proxies file. Problems are {@link InvalidInputError}s (exit code 2) naming the file and the
 * line (for JSON syntax) or the field and entry (`missing required field: upstream at proxy 2`).
 *
 * @example
 * // proxies.json: [{ "name": "catalog", "listen": "127.0.0.1:21001", "upstream": "127.0.0.1:8081" }]
 * const proxies = await readProxyConfigFile('proxies.json');
 */
export async function readProxyConfigFile(path: string): Promise<ProxySpec[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidInputError('toxiproxy.config', `${path}: cannot read the proxies file: ${(error as Error).message}`, { cause: error });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    throw new InvalidInputError('toxiproxy.config', `${path}${lineOf(text, message)}: not valid JSON: ${message}`, { cause: error });
  }
  try {
    return parsePopulate(body);
  } catch (error) {
    if (!isApiError(error)) throw error;
    throw new InvalidInputError('toxiproxy.config', `${path}: ${error.message}`, { cause: error });
  }
}

/** `:line:column` of a JSON.parse error (Node 20 reports only "at position N"). */
function lineOf(text: string, message: string): string {
  const position = /position (\d+)/.exec(message);
  if (!position) return '';
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `:${line}:${column}`;
}
