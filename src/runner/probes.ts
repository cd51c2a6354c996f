/**
 * @module
 * Running an HTTP call or a process and judging it against its tolerance (accepted statuses or exit codes, text
 * the output must contain or match). Probes, stop conditions, method actions and rollbacks all run through here,
 * so a `status: 200-299` means the same thing everywhere. Timeouts run on the injected clock.
 */
import { execFile } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Activity, CodeRanges, HttpSpec, ProcessSpec } from './experiment.js';
import type { ProcessOutcome, RunProcess } from './runner-deps.js';
import { interpolateAll } from './variables.js';

/** What one HTTP call or process did, as the journal keeps it. */
export interface ActivityResult {
  readonly name: string;
  readonly kind: 'http' | 'process';
  /** The tolerance held. */
  readonly ok: boolean;
  /** One sentence: what happened, and why it does not pass when it does not. */
  readonly detail: string;
  /** The HTTP status, when there was a response. */
  readonly status?: number;
  /** The exit code, when the process exited. */
  readonly exitCode?: number;
  readonly durationMs: number;
  /** The outer signal cut the call short (the run was interrupted or the method ended): not a verdict. */
  readonly aborted?: boolean;
}

/** What running an activity needs. */
export interface ActivityContext {
  readonly clock: Clock;
  readonly variables: Readonly<Record<string, string>>;
  readonly fetch: typeof fetch;
  readonly runProcess: RunProcess;
  /** Where relative process paths resolve, and processes run. */
  readonly baseDir: string;
  /** Aborts the call (the run was interrupted); absent for rollbacks, which always run to their own timeout. */
  readonly signal?: AbortSignal;
}

/** How much of a body or stdout is kept to match against: enough for any health answer, bounded for a stream. */
const MAX_TEXT = 1_000_000;

const DEFAULT_HTTP_STATUS: CodeRanges = [[100, 399]];

/** A shell word as people would type it: bare when safe, else single-quoted. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./${}-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * What an activity will do, as people read it: `process sh -c 'kill 1234'` or `http POST ${frontDoor}/admin/…`
 * (variables as written, so `experiment validate` shows the file, not a secret).
 *
 * @example
 * describeActivity({ kind: 'process', name: 'x', process: { path: 'sh', arguments: ['-c', 'kill 1'], ... } }); // "process sh -c 'kill 1'"
 */
export function describeActivity(activity: Activity): string {
  if (activity.kind === 'http') return `http ${activity.http.method} ${activity.http.url}`;
  return `process ${[activity.process.path, ...activity.process.arguments].map(shellWord).join(' ')}`;
}

/** Whether `code` is in one of `ranges`. */
export function inRanges(code: number, ranges: CodeRanges): boolean {
  return ranges.some(([low, high]) => code >= low && code <= high);
}

/** `200`, `200-299`, `200, 204` for messages. */
export function describeRanges(ranges: CodeRanges): string {
  return ranges.map(([low, high]) => (low === high ? String(low) : `${low}-${high}`)).join(', ');
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

/** A timeout on the injected clock, combined with the outer signal. */
function deadline(clock: Clock, timeoutMs: number, outer: AbortSignal | undefined): { signal: AbortSignal; timedOut: () => boolean; cancel: () => void } {
  const controller = new AbortController();
  let expired = false;
  const timer = clock.setTimer(
    () => {
      expired = true;
      controller.abort(new Error(`timed out after ${timeoutMs} ms`));
    },
    timeoutMs,
    { keepAlive: false },
  );
  return {
    signal: outer ? AbortSignal.any([outer, controller.signal]) : controller.signal,
    timedOut: () => expired,
    cancel: () => timer.cancel(),
  };
}

/** Whether `text` satisfies the contains / matches conditions; the reason when it does not. */
function textProblem(what: string, text: string, contains: string | undefined, matches: string | undefined): string | undefined {
  if (contains !== undefined && !text.includes(contains)) return `${what} does not contain ${JSON.stringify(contains)}`;
  if (matches !== undefined && !new RegExp(matches).test(text)) return `${what} does not match /${matches}/`;
  return undefined;
}

async function runHttp(name: string, spec: HttpSpec, context: ActivityContext): Promise<ActivityResult> {
  const http = interpolateAll(spec, context.variables);
  const started = context.clock.monotonic();
  const elapsed = () => Math.round(context.clock.monotonic() - started);
  const limit = deadline(context.clock, http.timeoutMs, context.signal);
  try {
    const response = await context.fetch(http.url, {
      method: http.method,
      headers: http.headers,
      ...(http.body !== undefined ? { body: http.body } : {}),
      signal: limit.signal,
    });
    const body = (await response.text()).slice(0, MAX_TEXT);
    const accepted = http.status ?? DEFAULT_HTTP_STATUS;
    const base = { name, kind: 'http' as const, status: response.status };
    if (!inRanges(response.status, accepted)) {
      return { ...base, ok: false, detail: `${http.method} ${http.url}: status ${response.status}, expected ${describeRanges(accepted)}`, durationMs: elapsed() };
    }
    const problem = textProblem('the body', body, http.bodyContains, http.bodyMatches);
    if (problem) return { ...base, ok: false, detail: `${http.method} ${http.url}: ${problem}`, durationMs: elapsed() };
    return { ...base, ok: true, detail: `${http.method} ${http.url}: status ${response.status}`, durationMs: elapsed() };
  } catch (error) {
    const durationMs = elapsed();
    if (limit.timedOut()) return { name, kind: 'http', ok: false, detail: `${http.method} ${http.url}: no answer within ${http.timeoutMs} ms`, durationMs };
    if (context.signal?.aborted) return { name, kind: 'http', ok: false, detail: `${http.method} ${http.url}: aborted`, durationMs, aborted: true };
    return { name, kind: 'http', ok: false, detail: `${http.method} ${http.url}: ${errorText(error)}`, durationMs };
  } finally {
    limit.cancel();
  }
}

/** A path with a slash is relative to the experiment's folder; a bare command is looked up on PATH. */
function resolveProgram(path: string, baseDir: string): string {
  return isAbsolute(path) || !path.includes('/') ? path : resolve(baseDir, path);
}

async function runProcessActivity(name: string, spec: ProcessSpec, context: ActivityContext): Promise<ActivityResult> {
  const process = interpolateAll(spec, context.variables);
  const program = resolveProgram(process.path, context.baseDir);
  const started = context.clock.monotonic();
  const elapsed = () => Math.round(context.clock.monotonic() - started);
  const limit = deadline(context.clock, process.timeoutMs, context.signal);
  const command = [process.path, ...process.arguments].join(' ');
  try {
    const outcome = await context.runProcess(program, process.arguments, { cwd: context.baseDir, signal: limit.signal });
    const durationMs = elapsed();
    if (outcome.exitCode === null) {
      if (limit.timedOut()) return { name, kind: 'process', ok: false, detail: `${command}: killed after ${process.timeoutMs} ms`, durationMs };
      if (context.signal?.aborted) return { name, kind: 'process', ok: false, detail: `${command}: aborted`, durationMs, aborted: true };
      return { name, kind: 'process', ok: false, detail: `${command}: ended by a signal`, durationMs };
    }
    const base = { name, kind: 'process' as const, exitCode: outcome.exitCode, durationMs };
    if (!inRanges(outcome.exitCode, process.exitCode)) {
      const stderr = outcome.stderr.trim().split('\n').at(-1);
      return { ...base, ok: false, detail: `${command}: exit code ${outcome.exitCode}, expected ${describeRanges(process.exitCode)}${stderr ? ` (${stderr.slice(0, 200)})` : ''}` };
    }
    const problem = textProblem('stdout', outcome.stdout.slice(0, MAX_TEXT), process.stdoutContains, process.stdoutMatches);
    if (problem) return { ...base, ok: false, detail: `${command}: ${problem}` };
    return { ...base, ok: true, detail: `${command}: exit code ${outcome.exitCode}` };
  } catch (error) {
    const durationMs = elapsed();
    if (limit.timedOut()) return { name, kind: 'process', ok: false, detail: `${command}: killed after ${process.timeoutMs} ms`, durationMs };
    if (context.signal?.aborted) return { name, kind: 'process', ok: false, detail: `${command}: aborted`, durationMs, aborted: true };
    return { name, kind: 'process', ok: false, detail: `${command}: cannot run: ${errorText(error)}`, durationMs };
  } finally {
    limit.cancel();
  }
}

/**
 * Runs an activity and judges it. Never throws for the activity's sake: a refused connection, a timeout or a
 * missing program is a result that does not pass.
 */
export function runActivity(activity: Activity, context: ActivityContext): Promise<ActivityResult> {
  return activity.kind === 'http' ? runHttp(activity.name, activity.http, context) : runProcessActivity(activity.name, activity.process, context);
}

/**
 * Runs a program with `execFile` (no shell: arguments are never re-parsed), collecting up to 1 MB of output. A
 * non-zero exit is an outcome, not an error; only a program that cannot start rejects.
 */
export const execFileProcess: RunProcess = (path, args, options) =>
  new Promise<ProcessOutcome>((resolvePromise, reject) => {
    execFile(path, [...args], { cwd: options.cwd, signal: options.signal, maxBuffer: MAX_TEXT, encoding: 'utf8', windowsHide: true }, (error, stdout, stderr) => {
      if (!error) return resolvePromise({ exitCode: 0, stdout, stderr });
      const failure = error as NodeJS.ErrnoException & { code?: unknown; signal?: NodeJS.Signals | null; killed?: boolean };
      if (typeof failure.code === 'number') return resolvePromise({ exitCode: failure.code, stdout, stderr });
      if (failure.signal || failure.name === 'AbortError') return resolvePromise({ exitCode: null, stdout, stderr });
      reject(error);
    });
  });
