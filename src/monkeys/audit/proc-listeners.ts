/**
 * @module
 * Which TCP sockets a process listens on, from Linux's `/proc`: the socket inodes among its open files
 * (`/proc/<pid>/fd/* -> socket:[<inode>]`), looked up in the LISTEN rows of `/proc/<pid>/net/tcp` and `tcp6` (the
 * tables of the process's own network namespace). What the kernel says, not what the process claims.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ListeningSocket } from './local-snapshot.js';

/** The `st` column of a LISTEN row (`include/net/tcp_states.h`: TCP_LISTEN = 10). */
const LISTEN_STATE = '0A';

/** A LISTEN row of a `/proc/net/tcp{,6}` table. */
export interface ListenRow extends ListeningSocket {
  readonly inode: string;
}

/** `0100007F` (a 32-bit word in host byte order, little-endian on every Linux Simian runs on) → its 4 bytes. */
function wordBytes(hex: string): number[] {
  const bytes: number[] = [];
  for (let i = 6; i >= 0; i -= 2) bytes.push(parseInt(hex.slice(i, i + 2), 16));
  return bytes;
}

/** The address of a `local_address` column: 8 hex digits for IPv4, 32 for IPv6, each 32-bit word little-endian. */
export function decodeProcAddress(hex: string): string {
  if (hex.length === 8) return wordBytes(hex).join('.');
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) bytes.push(...wordBytes(hex.slice(w * 8, w * 8 + 8)));
  const groups: string[] = [];
  for (let g = 0; g < 8; g++) groups.push(((bytes[2 * g]! << 8) | bytes[2 * g + 1]!).toString(16));
  // The URL parser writes an IPv6 address in its canonical short form (RFC 5952): '::', '::1', '::ffff:0:0'.
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/** The LISTEN rows of one `/proc/net/tcp` or `tcp6` table. */
export function parseProcNetTcp(text: string, family: 'IPv4' | 'IPv6'): ListenRow[] {
  const rows: ListenRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== LISTEN_STATE) continue;
    const [address, port] = fields[1]!.split(':') as [string, string];
    rows.push({ address: decodeProcAddress(address), port: parseInt(port, 16), family, inode: fields[9]! });
  }
  return rows;
}

/** The socket inodes among the open files of `pid`. */
async function socketInodes(pid: number, procRoot: string): Promise<Set<string>> {
  const dir = join(procRoot, String(pid), 'fd');
  const inodes = new Set<string>();
  for (const fd of await readdir(dir)) {
    // A descriptor may close between the listing and the read: that one is simply not a socket any more.
    const target = await readlink(join(dir, fd)).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) inodes.add(match[1]!);
  }
  return inodes;
}

/**
 * The TCP sockets `pid` listens on, IPv4 then IPv6, each sorted by port.
 *
 * @throws when `/proc/<pid>` cannot be read: no such process, another user's, or no procfs (not Linux)
 * @example
 * await listeningSockets(process.pid); // [{ address: '127.0.0.1', port: 40123, family: 'IPv4' }]
 */
export async function listeningSockets(pid: number, procRoot = '/proc'): Promise<ListeningSocket[]> {
  const inodes = await socketInodes(pid, procRoot);
  const found: ListeningSocket[] = [];
  for (const [file, family] of [['tcp', 'IPv4'], ['tcp6', 'IPv6']] as const) {
    // A kernel without IPv6 has no tcp6 table: nothing listens there.
    const text = await readFile(join(procRoot, String(pid), 'net', file), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' && file === 'tcp6') return '';
      throw error;
    });
    const rows = parseProcNetTcp(text, family).filter((row) => inodes.has(row.inode));
    found.push(...rows.sort((a, b) => a.port - b.port).map(({ address, port }) => ({ address, port, family })));
  }
  return found;
}
