/**
 * Listening sockets from /proc: the table parser on known rows, and real node processes, one listening on every
 * interface and one on loopback, told apart through their pids' socket inodes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeProcAddress, listeningSockets, parseProcNetTcp } from '../../../src/monkeys/audit/proc-listeners.js';
import { killAll } from '../../support/processes.js';

const children: ChildProcess[] = [];
afterEach(async () => {
  killAll(children.map((c) => c.pid));
  await Promise.all(children.splice(0).map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : undefined)));
});

/** A node process listening on `host`, port 0; resolves with its pid and port once it listens. */
async function listener(host: string): Promise<{ pid: number; port: number }> {
  const child = spawn(process.execPath, ['-e', `const s = require('node:net').createServer().listen(0, ${JSON.stringify(host)}, () => console.log(s.address().port));`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { pid: child.pid!, port: Number(line.toString().trim()) };
}

describe('parseProcNetTcp', () => {
  it('reads the LISTEN rows with their address, port and inode, and skips the others', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0',
      '   1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0000000000000000 100 0 0 10 0',
      '   2: 0100007F:1F90 0100007F:A2B4 01 00000000:00000000 00:00000000 00000000  1000        0 4444 1 0000000000000000 20 4 30 10 -1',
    ].join('\n');
    expect(parseProcNetTcp(tcp, 'IPv4')).toEqual([
      { address: '127.0.0.1', port: 8080, family: 'IPv4', inode: '4242' },
      { address: '0.0.0.0', port: 80, family: 'IPv4', inode: '4343' },
    ]);
  });

  it('decodes IPv6 addresses word by word into their short form', () => {
    expect(decodeProcAddress('00000000000000000000000000000000')).toBe('::');
    expect(decodeProcAddress('00000000000000000000000001000000')).toBe('::1');
    // The URL parser's canonical form writes an IPv4-mapped address in hex.
    expect(decodeProcAddress('0000000000000000FFFF00000100007F')).toBe('::ffff:7f00:1');
    expect(decodeProcAddress('0000000000000000FFFF000000000000')).toBe('::ffff:0:0');
    expect(decodeProcAddress('B80D0120000000000000000001000000')).toBe('2001:db8::1');
  });
});

describe.runIf(process.platform === 'linux')('listeningSockets', () => {
  it('finds a real process on 0.0.0.0 and another on 127.0.0.1 by their pids, each with only its own socket', async () => {
    const [open, loopback] = await Promise.all([listener('0.0.0.0'), listener('127.0.0.1')]);
    expect(await listeningSockets(open.pid)).toEqual([{ address: '0.0.0.0', port: open.port, family: 'IPv4' }]);
    expect(await listeningSockets(loopback.pid)).toEqual([{ address: '127.0.0.1', port: loopback.port, family: 'IPv4' }]);
  });

  it('reads IPv6 listeners from tcp6: :: for every interface, ::1 for loopback', async () => {
    const [any, local] = await Promise.all([listener('::'), listener('::1')]);
    expect(await listeningSockets(any.pid)).toEqual([{ address: '::', port: any.port, family: 'IPv6' }]);
    expect(await listeningSockets(local.pid)).toEqual([{ address: '::1', port: local.port, family: 'IPv6' }]);
  });

  it('rejects for a process that is not there', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    await once(gone, 'exit');
    await expect(listeningSockets(gone.pid!)).rejects.toThrow();
  });
});
