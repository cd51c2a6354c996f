/**
 * The binary's output pipes closing under it (`simian … | head`): a real pipe whose reading end the test closes,
 * and the built `bin/simian.js` writing into it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLOSED_PIPE_EXIT_CODE } from '../../src/cli/quiet-output.js';

/** When the test closes the pipe: before the binary has written anything, or once the first chunk has arrived. */
type CloseWhen = 'before-any-write' | 'after-first-chunk';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Runs the binary with `stream` a pipe the test closes at `when`; collects the other stream and the exit. */
async function runWithClosed(stream: 'stdout' | 'stderr', when: CloseWhen, args: string[]) {
  const child = spawn(process.execPath, ['bin/simian.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const closed = child[stream]!;
  const other = stream === 'stdout' ? child.stderr! : child.stdout!;
  let otherText = '';
  other.on('data', (chunk: Buffer) => (otherText += chunk.toString()));
  // The child is still loading Node when spawn returns, so closing now closes the pipe before any write.
  if (when === 'before-any-write') closed.destroy();
  else closed.once('data', () => closed.destroy());
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal, otherText };
}

describe('the binary when its output pipe closes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simian-pipe-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--help into a pipe nobody reads any more: no stack trace, the exit code of a closed pipe', async () => {
    const { code, signal, otherText } = await runWithClosed('stdout', 'before-any-write', ['--help']);
    expect(otherText).toBe('');
    expect({ code, signal }).toEqual({ code: CLOSED_PIPE_EXIT_CODE, signal: null });
  }, 30_000);

  it('a command writing many lines stops quietly when the reader goes after the first chunk', async () => {
    // 40 SLOs give some 300 kB of rules, more than a pipe holds: most of it is written after the reader has gone.
    const slo = (i: number) =>
      `  - name: availability-${i}\n    objective: 99.9\n    sli:\n      events:\n` +
      `        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))\n` +
      `        total_query: sum(rate(http_requests_total[{{.window}}]))\n    alerting:\n      name: Availability${i}\n`;
    const file = join(dir, 'many-slos.yaml');
    writeFileSync(file, `version: prometheus/v1\nservice: many\nslos:\n${Array.from({ length: 40 }, (_, i) => slo(i)).join('')}`);
    const { code, signal, otherText } = await runWithClosed('stdout', 'after-first-chunk', ['slo', 'rules', file]);
    expect(otherText).toBe('');
    expect({ code, signal }).toEqual({ code: CLOSED_PIPE_EXIT_CODE, signal: null });
  }, 30_000);

  it('a closed standard error does not hide the failure: a usage error still exits 2', async () => {
    const { code, otherText } = await runWithClosed('stderr', 'before-any-write', ['--bogus']);
    expect(otherText).toBe('');
    expect(code).toBe(2);
  }, 30_000);
});
