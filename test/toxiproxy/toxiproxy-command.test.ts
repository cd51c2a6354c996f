import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { createToxiproxyCommand, isLoopbackHost } from '../../src/cli/commands/toxiproxy.js';
import { createProgram } from '../../src/cli/program.js';
import { isSimianError, silentLogger } from '../../src/core/index.js';
import { deferred } from '../support/deferred.js';
import { Upstream, connectPeer, portOf } from './harness.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function tempFile(name: string, content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'simian-toxiproxy-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** Starts `simian toxiproxy …`; `stop()` plays the part of SIGINT. */
function run(args: string[]) {
  let out = '';
  let err = '';
  const shutdown = deferred<string>();
  const printed = deferred<string>();
  const program = createProgram(
    {
      version: '0',
      writeOut: (text) => {
        out += text;
        printed.resolve(text.trim());
      },
      writeErr: (text) => (err += text),
    },
    [createToxiproxyCommand({ waitForShutdown: () => shutdown.promise, logger: silentLogger })],
  );
  const done = program.parseAsync(['toxiproxy', ...args], { from: 'user' }).then(
    () => undefined,
    (error: unknown) => error,
  );
  const stop = async () => {
    shutdown.resolve('SIGINT');
    return done;
  };
  cleanups.push(async () => {
    await stop();
  });
  // The URL, or whatever ended the command before it printed one.
  const url = Promise.race([printed.promise, done.then((error) => Promise.reject(error ?? new Error('ended without printing a URL')))]);
  // Tests that expect a failure never read the URL; its rejection is theirs to ignore.
  url.catch(() => undefined);
  return { url, done, stop, output: () => ({ out, err }) };
}

describe('simian toxiproxy', () => {
  it('runs standalone with proxies from --config, prints its URL and stops cleanly', async () => {
    const echo = await Upstream.start({ echo: true });
    cleanups.push(() => echo.close());
    const config = await tempFile('proxies.json', JSON.stringify([{ name: 'svc', listen: '127.0.0.1:0', upstream: echo.address }]));

    const command = run(['--host', '127.0.0.1', '--port', '0', '--config', config, '--seed', '5']);
    const url = await command.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const proxy = await new Toxiproxy(url).get('svc');
    const client = await connectPeer(portOf(proxy.listen));
    client.socket.write('through');
    await client.waitForBytes(7);
    expect(client.text()).toBe('through');

    expect(await command.stop()).toBeUndefined();
    await client.waitForClose();
    await expect(fetch(`${url}/version`)).rejects.toThrow();
    expect(command.output().err).toContain('created 1 proxies');
    expect(command.output().err).toContain('stopping (SIGINT)');
  });

  it('names a bad flag (exit 2 through commander)', async () => {
    for (const [flag, value] of [
      ['--port', '70000'],
      ['--port', 'http'],
      ['--host', ' '],
      ['--seed', '-1'],
    ] as const) {
      const command = run([flag, value]);
      const error = (await command.done) as { code?: string };
      expect(error.code).toBe('commander.invalidArgument');
      expect(command.output().err).toContain(`option '${flag}`);
    }
  });

  it('refuses a bad proxies file with exit code 2, naming the file and the field or line', async () => {
    const missing = await tempFile('missing.json', JSON.stringify([{ name: 'svc', listen: '127.0.0.1:0' }]));
    const error = await run(['--port', '0', '--config', missing]).done;
    expect(isSimianError(error, 'toxiproxy.config')).toBe(true);
    expect((error as Error).message).toBe(`${missing}: missing required field: upstream at proxy 1`);
    expect((error as { exitCode: number }).exitCode).toBe(2);

    const broken = await tempFile('broken.json', '[\n  {"name": "svc",\n  ]');
    const syntax = (await run(['--port', '0', '--config', broken]).done) as Error;
    expect(isSimianError(syntax, 'toxiproxy.config')).toBe(true);
    expect(syntax.message).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: not valid JSON`));

    const absent = (await run(['--port', '0', '--config', join(tmpdir(), 'no-such-simian-file.json')]).done) as Error;
    expect(isSimianError(absent, 'toxiproxy.config')).toBe(true);
  });

  it('warns on standard error when the API listens elsewhere than loopback, and only then', async () => {
    // 192.0.2.1 (TEST-NET-1) is no interface of this machine: the command warns before it fails to listen there.
    const exposed = run(['--host', '192.0.2.1', '--port', '0']);
    expect(isSimianError(await exposed.done, 'toxiproxy.listen')).toBe(true);
    expect(exposed.output().err).toContain('simian: warning: --host 192.0.2.1 is not loopback: the Toxiproxy API has no authentication');
    for (const host of ['127.0.0.1', 'localhost', '::1']) {
      const local = run(['--host', host, '--port', '0']);
      await local.url;
      expect(local.output().err).not.toContain('warning');
      await local.stop();
    }
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('::')).toBe(false);
    expect(isLoopbackHost('127.8.0.1')).toBe(true);
    expect(isLoopbackHost('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackHost('example.com')).toBe(false);
  });

  it('fails with exit code 1 when the port is taken', async () => {
    const first = run(['--port', '0']);
    const port = portOf(await first.url);
    const second = await run(['--port', String(port)]).done;
    expect(isSimianError(second, 'toxiproxy.listen')).toBe(true);
    expect((second as { exitCode: number }).exitCode).toBe(1);
  });
});
