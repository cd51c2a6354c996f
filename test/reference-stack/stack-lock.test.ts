import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { isSimianError } from '../../src/core/errors.js';
import { StackLock, stackLockPath, stackOwnerPath } from '../../src/reference-stack/stack/stack-lock.js';
import { entryModule } from '../../src/reference-stack/supervisor/entry-module.js';
import { killAll } from '../support/processes.js';

const holderScript = entryModule(new URL('./fixtures/hold-stack-lock.ts', import.meta.url));

describe('the stack lock of a state directory', () => {
  let stateDir: string;
  const children: ChildProcess[] = [];
  const locks: StackLock[] = [];

  beforeEach(() => {
    stateDir = join(mkdtempSync(join(tmpdir(), 'simian-stack-lock-')), 'state');
  });

  afterEach(() => {
    for (const lock of locks.splice(0)) lock.release();
    killAll(children.splice(0).map((c) => c.pid));
    rmSync(join(stateDir, '..'), { recursive: true, force: true });
  });

  /** Another process that takes the lock; resolves once it says it holds it. */
  async function holderProcess(): Promise<ChildProcess & { pid: number }> {
    const child = spawn(process.execPath, [...holderScript.execArgv, holderScript.path, stateDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    child.stdout!.setEncoding('utf8');
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (text: string) => {
        out += text;
        if (!out.includes('\n')) return;
        if (out.startsWith('held')) resolve();
        else reject(new Error(`the holder could not take the lock: ${out}`));
      });
      child.once('exit', (code) => reject(new Error(`the holder exited (code ${code}) before taking the lock: ${out}`)));
    });
    return child as ChildProcess & { pid: number };
  }

  const acquire = async () => {
    const lock = await StackLock.acquire(stateDir, { clock: systemClock });
    locks.push(lock);
    return lock;
  };

  it('refuses a live holder, naming its pid and simian stack down, with exit code 2', async () => {
    const holder = await holderProcess();
    const refused = await acquire().catch((e: unknown) => e);
    expect(isSimianError(refused, 'stack.alreadyRunning')).toBe(true);
    expect((refused as { exitCode: number }).exitCode).toBe(2);
    expect((refused as Error).message).toBe(`a stack is already running from ${stateDir} (pid ${holder.pid}); "simian stack down --state-dir ${stateDir}" stops it`);
    expect(await StackLock.holder(stateDir, { clock: systemClock })).toMatchObject({ pid: holder.pid });
    // Asking who holds it took nothing from the holder.
    expect(await acquire().catch((e: unknown) => e)).toMatchObject({ code: 'stack.alreadyRunning' });
  });

  it('takes over the lock of a holder that died, even killed with SIGKILL and its pid still written down', async () => {
    const holder = await holderProcess();
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    expect(JSON.parse(readFileSync(stackOwnerPath(stateDir), 'utf8'))).toMatchObject({ pid: holder.pid });
    expect(await StackLock.holder(stateDir, { clock: systemClock })).toBeUndefined();

    const lock = await acquire();
    expect(JSON.parse(readFileSync(stackOwnerPath(stateDir), 'utf8'))).toMatchObject({ pid: process.pid });
    expect(await StackLock.holder(stateDir, { clock: systemClock })).toMatchObject({ pid: process.pid });
    lock.release();
    expect(await StackLock.holder(stateDir, { clock: systemClock })).toBeUndefined();
    expect(() => statSync(stackOwnerPath(stateDir))).toThrow();
  });

  it('is held once per state directory, within one process too, and free again once released', async () => {
    const first = await acquire();
    expect(await acquire().catch((e: unknown) => e)).toMatchObject({ code: 'stack.alreadyRunning' });
    first.release();
    first.release();
    await acquire();
  });

  it('keeps its files owner-only, in an owner-only state directory it creates', async () => {
    await acquire();
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(statSync(stackLockPath(stateDir)).mode & 0o777).toBe(0o600);
    expect(statSync(stackOwnerPath(stateDir)).mode & 0o777).toBe(0o600);
  });

  it('says nobody holds the lock of a state directory where no stack ever ran', async () => {
    expect(await StackLock.holder(stateDir, { clock: systemClock })).toBeUndefined();
  });
});
