/**
 * HTTP servers a test starts on 127.0.0.1, remembered so that one afterEach closes them all, even when the test
 * failed half-way, hung connections included.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts and tracks loopback servers; call `closeAll` in afterEach. */
export function loopbackServers() {
  const servers: Server[] = [];
  return {
    /** Listens on a free loopback port and resolves with the server's base URL. */
    async listen(server: Server): Promise<string> {
      servers.push(server);
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    /** Drops every connection (a hung one too) and closes every server started so far. */
    async closeAll(): Promise<void> {
      await Promise.all(
        servers.splice(0).map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}
