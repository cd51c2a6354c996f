import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProgram } from '../../src/cli/program.js';
import { isSimianError } from '../../src/core/index.js';
import { writeStackState } from '../../src/reference-stack/stack/stack-state.js';

/** A front door whose process was killed behind its proxy: it accepts connections and closes them at once. */
async function startDeadFrontDoor(): Promise<{ url: string; server: TcpServer; connections: () => number }> {
  let connections = 0;
  const server = createTcpServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, connections: () => connections };
}

/**
 * A minimal front door on a real loopback socket, answering the journey's requests; with `applyTwice`, billing
 * acknowledges each write and lists it twice, under two subscriptions.
 */
async function startFakeFrontDoor(options: { applyTwice?: boolean } = {}): Promise<{ url: string; server: ServerType }> {
  const app = new Hono();
  const written: string[] = [];
  app.post('/api/login', (c) => c.json({ token: 't' }));
  app.get('/api/home', (c) => c.json({ rows: [] }));
  app.post('/api/subscriptions', (c) => {
    written.push(c.req.header('idempotency-key')!);
    return c.json({}, 201);
  });
  app.get('/api/subscriptions', (c) =>
    c.json({
      subscriptions: written.flatMap((key, i) =>
        [{ subscriptionId: `sub-${i}`, idempotencyKey: key }, ...(options.applyTwice ? [{ subscriptionId: `sub-${i}-again`, idempotencyKey: key }] : [])],
      ),
    }),
  );
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, server }),
    );
  });
}

describe('simian load', () => {
  const servers: Array<ServerType | TcpServer> = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A live front door and a dead one, both closed after the test. */
  const twoFrontDoors = async () => {
    const live = await startFakeFrontDoor();
    const dead = await startDeadFrontDoor();
    servers.push(live.server, dead.server);
    return { live: live.url, dead };
  };
  const reportOf = (out: string) => JSON.parse(out) as { sessions: number; successRatio: number };

  const run = async (args: string[], stderrIsTerminal?: boolean) => {
    let out = '';
    let err = '';
    const program = createProgram({
      version: '0',
      writeOut: (t) => (out += t),
      writeErr: (t) => (err += t),
      ...(stderrIsTerminal === undefined ? {} : { stderrIsTerminal }),
    });
    const error = await program.parseAsync(['load', ...args], { from: 'user' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { out, err, error };
  };

  it('sends load to a real front door and prints the report as JSON', async () => {
    const { url, server } = await startFakeFrontDoor();
    servers.push(server);
    const { out, error } = await run(['--target', url, '--duration', '300ms', '--rate', '20', '--json', '--seed', '3', '--subscribe', '0']);
    expect(error).toBeUndefined();
    const report = JSON.parse(out) as { sessions: number; successRatio: number; byStep: { login: { requests: number } } };
    expect(report.sessions).toBeGreaterThanOrEqual(5);
    expect(report.successRatio).toBe(1);
    expect(report.byStep.login.requests).toBe(report.sessions);
  });

  it('fails over between front doors given as repeated --target flags or separated by commas', async () => {
    const { live, dead } = await twoFrontDoors();
    const repeated = await run(['--target', dead.url, '--target', live, '--duration', '300ms', '--rate', '20', '--json', '--subscribe', '1']);
    expect(repeated.error).toBeUndefined();
    expect(reportOf(repeated.out).successRatio).toBe(1);
    expect(dead.connections()).toBeGreaterThan(0);
    const listed = await run(['--target', `${dead.url},${live}`, '--duration', '300ms', '--rate', '20', '--json', '--subscribe', '1']);
    expect(listed.error).toBeUndefined();
    expect(reportOf(listed.out).successRatio).toBe(1);
  });

  it("uses every front door of the stack running from the state directory when no --target is given", async () => {
    const { live, dead } = await twoFrontDoors();
    const stateDir = mkdtempSync(join(tmpdir(), 'simian-load-'));
    dirs.push(stateDir);
    writeStackState(stateDir, {
      pid: process.pid,
      topology: 'test',
      frontDoorUrl: dead.url,
      frontDoorUrls: [dead.url, live],
      toxiproxyUrl: 'http://127.0.0.1:9',
      adminUrl: 'http://127.0.0.1:9',
      startedAt: 0,
    });
    const { out, error } = await run(['--state-dir', stateDir, '--duration', '300ms', '--rate', '20', '--json', '--subscribe', '0']);
    expect(error).toBeUndefined();
    expect(reportOf(out).sessions).toBeGreaterThanOrEqual(5);
    expect(reportOf(out).successRatio).toBe(1);
    expect(dead.connections()).toBeGreaterThan(0);
  });

  it('says how to start a stack when no --target is given and none runs', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'simian-load-'));
    dirs.push(stateDir);
    const { error } = await run(['--state-dir', stateDir, '--duration', '300ms']);
    expect(isSimianError(error, 'stack.notRunning')).toBe(true);
    expect((error as Error).message).toContain(`no stack runs in ${stateDir}`);
    expect((error as Error).message).toContain('simian stack up');
  });

  it('fails with exit code 1 below --fail-below', async () => {
    const { error, out } = await run(['--target', 'http://127.0.0.1:9', '--duration', '200ms', '--rate', '10', '--fail-below', '0.99']);
    expect(isSimianError(error, 'load.belowTarget')).toBe(true);
    expect(out).toContain('success 0.00%');
  });

  it('fails with exit code 1 when billing applied a write twice, and shows it in the JSON report', async () => {
    const { url, server } = await startFakeFrontDoor({ applyTwice: true });
    servers.push(server);
    const { out, error } = await run(['--target', url, '--duration', '300ms', '--rate', '20', '--json', '--seed', '3', '--subscribe', '1']);
    const report = JSON.parse(out) as { billing: { acknowledged: number; lost: number; duplicated: number } };
    expect(report.billing.acknowledged).toBeGreaterThan(0);
    expect(report.billing).toMatchObject({ lost: 0, duplicated: report.billing.acknowledged });
    expect(isSimianError(error, 'load.billingUnsound')).toBe(true);
    expect((error as Error).message).toContain('applied twice');

    const { url: honest, server: other } = await startFakeFrontDoor();
    servers.push(other);
    const clean = await run(['--target', honest, '--duration', '300ms', '--rate', '20', '--json', '--seed', '3', '--subscribe', '1']);
    expect(clean.error).toBeUndefined();
    expect(JSON.parse(clean.out)).toMatchObject({ billing: { lost: 0, duplicated: 0 } });
  });

  // The generator reports progress once a second: 1.5 s of load gives one report, whichever the output.
  it('redraws its progress line with carriage returns on a terminal', async () => {
    const { url, server } = await startFakeFrontDoor();
    servers.push(server);
    const { err, error } = await run(['--target', url, '--duration', '1500ms', '--rate', '40', '--subscribe', '0'], true);
    expect(error).toBeUndefined();
    expect(err).toMatch(/^\r\d+ sessions, \d+ requests, success 100\.00% {3}\n$/);
  });

  it('prints progress as lines, without carriage returns, when standard error is not a terminal', async () => {
    const { url, server } = await startFakeFrontDoor();
    servers.push(server);
    const { err, error } = await run(['--target', url, '--duration', '1500ms', '--rate', '40', '--subscribe', '0'], false);
    expect(error).toBeUndefined();
    expect(err).toMatch(/^1 s: \d+ sessions, \d+ requests, success 100\.00%\n$/);
  });

  it('names a bad flag', async () => {
    const { err, error } = await run(['--target', 'http://127.0.0.1:9', '--rate', '0']);
    expect((error as { code?: string }).code).toBe('commander.invalidArgument');
    expect(err).toContain("option '--rate <viewers>' argument '0' is invalid");
    const bad = await run(['--target', 'http://127.0.0.1:9,ftp://x']);
    expect(bad.err).toContain('expected an http:// or https:// URL, got "ftp://x"');
  });
});
