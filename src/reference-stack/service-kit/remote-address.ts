/**
 * @module
 * Who is at the other end of the connection, as the socket says: the one client identity a caller cannot choose.
 * Headers such as `x-forwarded-for` are whatever the client wrote, unless a proxy the service trusts replaced them;
 * the stack trusts none (every hop is a loopback address, which anyone on the machine can also connect from).
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/** The connection's remote address; `undefined` for a request with no socket (an in-process `app.request`). */
export function remoteAddressOf(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}
