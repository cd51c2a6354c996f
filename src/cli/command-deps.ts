/**
 * @module
 * What every command receives from the program, in a module of its own so that commands need not import the
 * program that imports them.
 */
import type { Command } from 'commander';
import type { Clock } from '../core/clock.js';
import type { Random } from '../core/random.js';
import type { ProviderRegistry } from '../engine/provider-registry.js';
import type { SignalSource } from './signals.js';

/** What every command receives: the program's dependencies with defaults filled in. */
export interface CommandDeps {
  readonly version: string;
  readonly writeOut: (text: string) => void;
  readonly writeErr: (text: string) => void;
  readonly clock: Clock;
  readonly random: Random;
  /** Where providers come from: the real platforms, or what a test hands the program. */
  readonly providers: ProviderRegistry;
  /** This process, recorded as the owner of the faults it holds. */
  readonly pid: number;
  /** Where Ctrl-C and SIGTERM come from: the process, or a stub in tests. */
  readonly signals: SignalSource;
  /** Whether `writeErr` reaches a terminal, where progress may redraw a line; absent: it does not. */
  readonly stderrIsTerminal?: boolean;
  /** The terminal the game-day console draws on (standard input and output, both TTYs); absent: there is none. */
  readonly terminal?: Terminal;
}

/** A terminal: keys come in on `stdin`, frames go out on `stdout`. */
export interface Terminal {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
}

/** A module under `src/cli/commands/` exports one of these; the program adds the command it builds. */
export type CommandFactory = (deps: CommandDeps) => Command;
