#!/usr/bin/env node
/**
 * @module
 * Entry point of the `simian` binary: builds the real dependencies, runs the program, maps errors to exit codes.
 */
import { CommanderError } from 'commander';
import { isSimianError } from '../core/errors.js';
import type { Command } from 'commander';
import { SimianError } from '../core/errors.js';
import type { ProviderRegistry } from '../engine/provider-registry.js';
import { buildProgram, isCleanExit, type ProgramDeps } from './program-core.js';
import { CLOSED_PIPE_EXIT_CODE, quietWriter } from './quiet-output.js';
import { packageVersion } from './version.js';

// The AWS SDK warns once per process on Node < 22; Simian pins a release that works there (package-lock.json).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const stdout = quietWriter(process.stdout);
const stderr = quietWriter(process.stderr);
// Set on exit, not when the pipe closes: the EPIPE arrives after the write, often after the command has finished.
// A command that failed for a reason of its own keeps its code.
process.once('exit', () => {
  if ((stdout.closed() || stderr.closed()) && !process.exitCode) process.exitCode = CLOSED_PIPE_EXIT_CODE;
});

/** The stack command acts on no platform: it runs the bundled stack itself. */
const noPlatforms: ProviderRegistry = {
  create: () => {
    throw new SimianError('config.invalid', 'simian stack: no provider is loaded for the stack command');
  },
  forRevert: () => {
    throw new SimianError('config.invalid', 'simian stack: no provider is loaded for the stack command');
  },
};

/**
 * `simian stack …` loads the stack command only: the whole CLI (every command, the AWS and Kubernetes SDKs) took
 * 1.5-2 s to load on a 2-core machine, twice for `stack up --detach` (this process and the background one), which
 * was most of the time a detached small stack took to come up. Every other command line loads everything.
 */
async function programFor(argv: readonly string[], deps: ProgramDeps): Promise<Command> {
  if (argv[2] === 'stack') {
    const { stackCommand } = await import('./commands/stack.js');
    return buildProgram({ ...deps, providers: noPlatforms }, [stackCommand]);
  }
  const { createProgram } = await import('./program.js');
  return createProgram(deps);
}

try {
  const terminal = process.stdin.isTTY === true && process.stdout.isTTY === true ? { terminal: { stdin: process.stdin, stdout: process.stdout } } : {};
  const deps: ProgramDeps = { version: packageVersion(), writeOut: stdout.write, writeErr: stderr.write, stderrIsTerminal: process.stderr.isTTY === true, ...terminal };
  await (await programFor(process.argv, deps)).parseAsync(process.argv);
} catch (error) {
  if (isCleanExit(error)) {
    process.exitCode = 0;
  } else if (error instanceof CommanderError) {
    // Commander already printed the message; a usage error is bad input.
    process.exitCode = error.exitCode === 1 ? 2 : error.exitCode;
  } else if (isSimianError(error)) {
    stderr.write(`simian: ${error.message} [${error.code}]\n`);
    process.exitCode = error.exitCode;
  } else {
    stderr.write(`simian: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
}
