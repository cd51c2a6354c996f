/** `--unleash` is taken only by the commands that inject faults; the others refuse it as an unknown option. */
import type { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../../src/cli/program.js';

const program = () => createProgram({ version: '0', writeOut: () => undefined, writeErr: () => undefined });

/** `simian monkey chaos` for each command (at any depth) that has `--unleash`. */
function commandsTakingUnleash(command: Command, path: string[] = []): string[] {
  const here = [...path, command.name()];
  const own = command.options.some((option) => option.long === '--unleash') ? [here.join(' ')] : [];
  return [...own, ...command.commands.flatMap((sub) => commandsTakingUnleash(sub, here))];
}

const run = async (args: string[]) => {
  let err = '';
  const error = await createProgram({ version: '0', writeOut: () => undefined, writeErr: (t) => (err += t) })
    .parseAsync(args, { from: 'user' })
    .catch((e: unknown) => e);
  return { err, error: error as CommanderError | undefined };
};

describe('--unleash', () => {
  it('belongs to the monkeys (the Janitor too), experiment run, the game-day console and the daemon, and to no other command', () => {
    expect(commandsTakingUnleash(program()).sort()).toEqual(
      ['chaos', 'doctor', 'gorilla', 'kong', 'latency']
        .map((m) => `simian monkey ${m}`)
        .concat('simian experiment run', 'simian gameday', 'simian daemon', 'simian janitor')
        .sort(),
    );
  });

  it('is refused as unknown by a command that cannot act, before it reads anything', async () => {
    for (const args of [['inventory'], ['config', 'show'], ['kill-switch', 'status'], ['revert', 'some-fault-id'], ['schedule', 'show']]) {
      const { err, error } = await run([...args, '--unleash']);
      expect(error?.code, args.join(' ')).toBe('commander.unknownOption');
      expect(err).toContain("unknown option '--unleash'");
    }
  });

  it('is listed in the help of a command that injects faults', async () => {
    let out = '';
    await createProgram({ version: '0', writeOut: (t) => (out += t), writeErr: () => undefined })
      .parseAsync(['monkey', 'chaos', '--help'], { from: 'user' })
      .catch(() => undefined);
    expect(out).toContain('--unleash');
  });
});
