/**
 * @module
 * `simian toxiproxy`: runs the Toxiproxy-compatible fault proxy on its own, for scripts, other tools and
 * Toxiproxy clients, until SIGINT or SIGTERM.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { Command, InvalidArgumentError } from 'commander';
import type { Registry } from 'prom-client';
import { createLogger, type Logger } from '../../core/logger.js';
import { SeededRandom } from '../../core/random.js';
import { readProxyConfigFile } from '../../toxiproxy/config-file.js';
import { createToxiproxyServer } from '../../toxiproxy/server.js';
import { parseCount } from '../parsers.js';
import type { CommandFactory } from '../command-deps.js';

interface ToxiproxyFlags {
  host: string;
  port: number;
  config?: string;
  seed?: number;
}

/** What tests (and embedders) may replace. */
export interface ToxiproxyCommandOptions {
  /** Resolves, with a reason to log, when the server should stop. @default the first SIGINT or SIGTERM */
  waitForShutdown?: () => Promise<string>;
  /** @default a logger writing JSON lines to standard error */
  logger?: Logger;
  /** Where `/metrics` comes from. @default a new Registry */
  registry?: Registry;
}

/** Parses a TCP port (0 picks a free one). */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65_535) throw new InvalidArgumentError(`expected a port from 0 to 65535, got "${value}"`);
  return n;
}

/** Parses a host name or IP address to listen on. */
export function parseListenHost(value: string): string {
  const host = value.trim();
  if (host === '' || /[\s/]/.test(host)) throw new InvalidArgumentError(`expected a host name or IP address, got "${value}"`);
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Whether `host` is a loopback name or address (`localhost`, 127.0.0.0/8, ::1), reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIPv4(name)) return name.startsWith('127.');
  if (isIPv6(name)) return name === '::1' || /^::ffff:127\./.test(name) || /^(0{1,4}:){7}0{0,3}1$/.test(name);
  return false;
}

/** Resolves on the first SIGINT or SIGTERM, and stops listening for both. */
function nextStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Builds the `toxiproxy` command with replaceable parts. */
export function createToxiproxyCommand(options: ToxiproxyCommandOptions = {}): CommandFactory {
  return (deps) =>
    new Command('toxiproxy')
      .description(
        "Run a TCP fault proxy that speaks Toxiproxy's HTTP API (the official toxiproxy-node-client works against it unchanged); " +
          'prints the API URL and runs until SIGINT or SIGTERM',
      )
      .option('--host <host>', 'interface of the admin API (it has no authentication: anything but loopback warns)', parseListenHost, '127.0.0.1')
      .option('--port <port>', 'port of the admin API (0 picks a free one)', parsePort, 8474)
      .option('--config <file>', 'JSON file of proxies to create at start: [{"name","listen","upstream","enabled"}]')
      .option('--seed <n>', 'seed toxicity, jitter and slice sizes to replay a run', parseCount)
      .action(async (flags: ToxiproxyFlags) => {
        // A bad file stops here, before anything listens.
        const proxies = flags.config === undefined ? [] : await readProxyConfigFile(flags.config);
        if (!isLoopbackHost(flags.host)) {
          // Toxiproxy's API has no authentication (the real one neither): whoever reaches it can cut or slow every
          // connection it proxies. It only refuses browsers.
          deps.writeErr(
            `simian: warning: --host ${flags.host} is not loopback: the Toxiproxy API has no authentication, and anyone who can reach ${flags.host}:${flags.port} can break every proxied connection; keep it on 127.0.0.1 unless that network is trusted\n`,
          );
        }
        const server = await createToxiproxyServer({
          host: flags.host,
          port: flags.port,
          clock: deps.clock,
          random: flags.seed === undefined ? deps.random : new SeededRandom(flags.seed),
          logger: options.logger ?? createLogger(),
          ...(options.registry ? { registry: options.registry } : {}),
          proxies,
        });
        try {
          deps.writeOut(`${server.url}\n`);
          if (flags.config !== undefined) deps.writeErr(`created ${proxies.length} proxies from ${flags.config}\n`);
          const reason = await (options.waitForShutdown ?? nextStopSignal)();
          deps.writeErr(`toxiproxy stopping (${reason})\n`);
        } finally {
          await server.close();
        }
      });
}

/** The `toxiproxy` command. */
export const toxiproxyCommand: CommandFactory = createToxiproxyCommand();
