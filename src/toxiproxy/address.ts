/**
 * @module
 * `host:port` addresses as Toxiproxy writes them (`127.0.0.1:8474`, `[::1]:8474`, `:8474`).
 */
import { isIP } from 'node:net';
import { ApiError } from './api-error.js';

/** A parsed address. An empty host means every interface. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `host:port` (IPv6 hosts in brackets). Throws a 400 {@link ApiError} naming `field` when the value is
 * not an address, so the caller learns which of `listen` or `upstream` was wrong.
 */
export function parseHostPort(value: string, field: string): HostPort {
  const fail = (why: string): never => {
    throw ApiError.badRequestBody(`${field}: ${why}, got "${value}"`);
  };
  let host: string;
  let portText: string;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0 || value[close + 1] !== ':') return fail('expected [ipv6]:port');
    host = value.slice(1, close);
    portText = value.slice(close + 2);
  } else {
    const colon = value.lastIndexOf(':');
    if (colon < 0) return fail('missing port in address');
    host = value.slice(0, colon);
    // An unbracketed IPv6 literal is ambiguous, as in Go's net.SplitHostPort ("too many colons").
    if (host.includes(':')) return fail('too many colons in address');
    portText = value.slice(colon + 1);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65_535) return fail('port must be a number from 0 to 65535');
  if (/\s/.test(host)) return fail('host must not contain spaces');
  return { host, port: Number(portText) };
}

/** Writes an address the way Go does: IPv6 hosts in brackets. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The host to bind for a requested listen host. `localhost` becomes `127.0.0.1`: Node 20 resolves names in
 * the resolver's order and may pick `::1`, while Toxiproxy users expect the IPv4 loopback. An empty host binds
 * every interface, as Go's `net.Listen("tcp", ":port")` does.
 */
export function bindHost(host: string): string | undefined {
  if (host === '') return undefined;
  return host.toLowerCase() === 'localhost' ? '127.0.0.1' : host;
}

const ANY_HOSTS = new Set(['', '0.0.0.0', '::']);

/**
 * Whether two listen hosts name the same place: `localhost` is `127.0.0.1`, and the empty host, `0.0.0.0` and
 * `::` are all "every interface". Names are compared as written; Toxiproxy 2.12 stopped restarting proxies
 * whose listen address was given by name, and so do we.
 */
export function sameListenHost(a: string, b: string): boolean {
  const norm = (h: string): string => {
    const bound = bindHost(h) ?? '';
    return ANY_HOSTS.has(bound) ? '*' : bound.toLowerCase();
  };
  return norm(a) === norm(b);
}
