/**
 * @module
 * The instance side of the supervisor: what every instance's entry module calls to run its server.
 *
 * It listens on 127.0.0.1 on a free port, tells the supervisor `{ type: 'ready', port }` over the IPC channel,
 * shuts down gracefully on SIGTERM or SIGINT, and — the point of it all — exits when the IPC channel closes: the
 * supervisor is gone (stopped, crashed, or SIGKILLed, which leaves it no chance to clean up), and no instance may
 * outlive it.
 *
 * @example
 * // src/reference-stack/services/catalog-main.ts
 * const launch = readInstanceLaunchInfo();
 * const { app } = createCatalogService({ identity: launch.identity });
 * await runInstance({ launch, server: createAdaptorServer({ fetch: app.fetch }) });
 */
import type { AddressInfo, Server } from 'node:net';
import { decodeLaunchInfo, INSTANCE_ENV_VAR, type InstanceLaunchInfo, type ReadyMessage } from './instance-protocol.js';

/** Why an instance shuts down: a signal, or its supervisor went away. */
export type ShutdownReason = 'SIGTERM' | 'SIGINT' | 'disconnect';

/** Options of {@link runInstance}. */
export interface InstanceRuntimeOptions {
  /**
   * The server to run, not yet listening (a `node:http` server, or `createAdaptorServer` of `@hono/node-server`),
   * or a function that builds it.
   */
  server: Server | ((launch: InstanceLaunchInfo) => Server | Promise<Server>);
  /** Who this instance is. @default read from the environment ({@link readInstanceLaunchInfo}) */
  launch?: InstanceLaunchInfo;
  /**
   * Runs once the server listens and before the supervisor hears `ready`: point a proxy at the port, register in
   * discovery. The instance is ready when the rest of the stack can reach it, not merely when it listens.
   */
  onListening?: (port: number) => void | Promise<void>;
  /** Runs first on shutdown while the server still answers: deregister from discovery, fail health checks. */
  beforeClose?: (reason: ShutdownReason) => void | Promise<void>;
  /** Runs once the server has closed and in-flight requests are done: close databases, flush logs. */
  afterClose?: (reason: ShutdownReason) => void | Promise<void>;
  /** Longest graceful shutdown; then the process exits with code 1 regardless. @default 5_000 */
  shutdownTimeoutMs?: number;
  /** Ends the process; tests replace it. @default process.exit */
  exit?: (code: number) => void;
}

/** A running instance. */
export interface RunningInstance {
  readonly launch: InstanceLaunchInfo;
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly address: string;
  /** Shuts down as a SIGTERM would, then exits the process. */
  shutdown(reason?: ShutdownReason): Promise<void>;
}

/** Reads who this instance is from {@link INSTANCE_ENV_VAR}. */
export function readInstanceLaunchInfo(env: NodeJS.ProcessEnv = process.env): InstanceLaunchInfo {
  return decodeLaunchInfo(env[INSTANCE_ENV_VAR]);
}

/**
 * Runs `server` as a supervised instance (see the module documentation). Resolves once it listens and the
 * supervisor was told; rejects if the server cannot be built or cannot listen (the entry module's top-level await
 * then ends the process with an error, which the supervisor reports as a failed launch).
 */
export async function runInstance(options: InstanceRuntimeOptions): Promise<RunningInstance> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const launch = options.launch ?? readInstanceLaunchInfo();
  const supervised = typeof process.send === 'function';
  // Filled in once built; shutdown may run before that (a SIGTERM or disconnect while the server is being built).
  const current: { server?: Server } = {};
  let stopping: Promise<void> | undefined;

  const shutdown = (reason: ShutdownReason): Promise<void> => {
    stopping ??= (async () => {
      // A hook that hangs must not keep a stopped instance alive: the supervisor would escalate to SIGKILL, and an
      // orphan (reason 'disconnect') has nobody left to do that.
      const deadline = setTimeout(() => exit(1), options.shutdownTimeoutMs ?? 5_000);
      let code = 0;
      try {
        await options.beforeClose?.(reason);
        if (current.server?.listening) await closeServer(current.server);
        await options.afterClose?.(reason);
      } catch (error) {
        process.stderr.write(`${launch.identity.instanceId}: shutdown failed: ${String(error)}\n`);
        code = 1;
      }
      clearTimeout(deadline);
      exit(code);
    })();
    return stopping;
  };

  // Registered before anything slow, and checked at once: a supervisor that dies while this instance boots must
  // still take it down, and a 'disconnect' emitted before anyone listened would be lost.
  if (supervised) {
    process.once('disconnect', () => void shutdown('disconnect'));
    if (!process.connected) void shutdown('disconnect');
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  const server = typeof options.server === 'function' ? await options.server(launch) : options.server;
  current.server = server;
  const port = await listen(server);
  const address = `http://127.0.0.1:${port}`;
  await options.onListening?.(port);
  if (supervised) {
    if (process.connected && !stopping) {
      const ready: ReadyMessage = { type: 'ready', port };
      // The callback swallows a send racing a disconnect; the 'disconnect' handler is already shutting us down.
      process.send!(ready, undefined, undefined, () => {});
    }
  } else {
    process.stderr.write(`${launch.identity.instanceId} listening on ${address}\n`);
  }
  return { launch, port, address, shutdown: (reason = 'SIGTERM') => shutdown(reason) };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // Port 0: the kernel picks a free port, so any number of instances (and test runs) coexist on one machine.
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections would hold close() open until they time out; in-flight requests still finish.
    const http = server as Server & { closeIdleConnections?: () => void };
    http.closeIdleConnections?.();
  });
}
