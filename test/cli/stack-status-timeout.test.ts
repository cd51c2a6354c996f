import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgram } from '../../src/cli/program.js';
import { ManualClock, isSimianError } from '../../src/core/index.js';
import { writeStackState } from '../../src/reference-stack/stack/stack-state.js';
import { loopbackServers } from '../support/loopback-servers.js';

const servers = loopbackServers();
const dirs: string[] = [];
afterEach(async () => {
  await servers.closeAll();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('simian stack status', () => {
  it('gives up on a stack whose admin API accepts the request and never answers, after 5 s', async () => {
    let asked = 0;
    const adminUrl = await servers.listen(createServer(() => void asked++));
    const stateDir = mkdtempSync(join(tmpdir(), 'simian-status-'));
    dirs.push(stateDir);
    // This test's own process plays the stack's: alive, and its admin API hangs.
    writeStackState(stateDir, { pid: process.pid, topology: 'small', frontDoorUrl: undefined, toxiproxyUrl: 'http://127.0.0.1:9', adminUrl, startedAt: 0 });
    const clock = new ManualClock();
    const program = createProgram({ version: '0', clock, writeOut: () => undefined, writeErr: () => undefined });
    const status = program.parseAsync(['stack', 'status', '--state-dir', stateDir], { from: 'user' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    await vi.waitFor(() => expect(asked).toBe(1));
    await clock.advance(4_999);
    expect(await Promise.race([status, Promise.resolve('still waiting')])).toBe('still waiting');
    await clock.advance(1);
    const error = await status;
    expect(isSimianError(error, 'stack.notRunning')).toBe(true);
    expect((error as Error).message).toContain('does not answer within 5 s');
  });
});
