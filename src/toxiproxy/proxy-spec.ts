/**
 * @module
 * Proxy bodies of the admin API, `{name, listen, upstream, enabled}`, checked with Toxiproxy's messages
 * (`missing required field: upstream`, `… at proxy 2` for /populate).
 */
import { ApiError } from './api-error.js';
import { parseHostPort } from './address.js';
import { expectObject, optionalBoolean, optionalString, requiredString } from './json-fields.js';

/** A proxy to create. */
export interface ProxySpec {
  readonly name: string;
  /** `host:port`; port 0 picks a free port. */
  readonly listen: string;
  /** `host:port` of the service behind the proxy. */
  readonly upstream: string;
  readonly enabled: boolean;
}

/** The changes of an update; what is left out stays as it is. */
export interface ProxyChanges {
  readonly listen?: string;
  readonly upstream?: string;
  readonly enabled?: boolean;
}

/**
 * Where a proxy listens when the body says nothing. Toxiproxy would bind every interface; a fault proxy that
 * anyone on the network can reach is a surprise, so the default is the loopback.
 */
export const DEFAULT_LISTEN = '127.0.0.1:0';

/** Checks a create body (`POST /proxies`); `where` is appended to field names (` at proxy 2`). */
export function parseProxySpec(body: unknown, where = ''): ProxySpec {
  const input = expectObject(body, `proxy${where}`);
  const name = requiredString(input, 'name', where);
  const upstream = requiredString(input, 'upstream', where);
  const listen = optionalString(input, 'listen', where) || DEFAULT_LISTEN;
  parseHostPort(listen, `listen${where}`);
  parseHostPort(upstream, `upstream${where}`);
  return { name, listen, upstream, enabled: optionalBoolean(input, 'enabled', where) ?? true };
}

/** Checks an update body (`POST|PATCH /proxies/{proxy}`). */
export function parseProxyChanges(body: unknown): ProxyChanges {
  const input = expectObject(body, 'proxy');
  const listen = optionalString(input, 'listen');
  const upstream = optionalString(input, 'upstream');
  const enabled = optionalBoolean(input, 'enabled');
  if (listen !== undefined && listen !== '') parseHostPort(listen, 'listen');
  if (upstream !== undefined && upstream !== '') parseHostPort(upstream, 'upstream');
  return {
    ...(listen ? { listen } : {}),
    ...(upstream ? { upstream } : {}),
    ...(enabled === undefined ? {} : { enabled }),
  };
}

/**
 * Checks a `/populate` body: an array of proxies. Every entry is checked before any proxy is touched, as
 * Toxiproxy does, so a bad entry changes nothing.
 */
export function parsePopulate(body: unknown): ProxySpec[] {
  if (!Array.isArray(body)) throw ApiError.badRequestBody('expected a JSON array of proxies');
  return body.map((entry, i) => parseProxySpec(entry, ` at proxy ${i + 1}`));
}
