/**
 * @module
 * The experiment model: what an experiment file says once it is parsed and checked, durations in milliseconds and
 * every default filled in. The file format (kebab-case sections, durations with units) is `experiment-schema.ts`;
 * `docs/experiments.md` documents it with a full example.
 */
import type { SafetyConfig } from '../monkeys/safety/safety-config.js';
import type { ToxicSpec } from '../providers/provider.js';

/** How a measured value is compared with a threshold. */
export type Comparator = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** Inclusive ranges of accepted codes (HTTP status, exit code): `200` is `[[200, 200]]`, `200-299` is `[[200, 299]]`. */
export type CodeRanges = readonly (readonly [number, number])[];

/** An HTTP call: a probe, a stop condition, a method action or a rollback. Strings may hold `${variables}`. */
export interface HttpSpec {
  readonly url: string;
  /** @default 'GET' */
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The request body, sent as is. */
  readonly body?: string;
  /** Accepted statuses; absent: any status from 100 to 399. */
  readonly status?: CodeRanges;
  /** @default 5000 */
  readonly timeoutMs: number;
  /** The response body must contain this text. */
  readonly bodyContains?: string;
  /** The response body must match this regular expression (JavaScript syntax). */
  readonly bodyMatches?: string;
}

/** A process run with `execFile` (no shell): a probe, a stop condition, a method action or a rollback. */
export interface ProcessSpec {
  /** An absolute path, a path relative to the experiment file (with a `/`), or a command looked up on PATH. */
  readonly path: string;
  readonly arguments: readonly string[];
  /** The process is killed after this long, ms. @default 30_000 */
  readonly timeoutMs: number;
  /** Accepted exit codes. @default [[0, 0]] */
  readonly exitCode: CodeRanges;
  readonly stdoutContains?: string;
  readonly stdoutMatches?: string;
}

/** An HTTP call or a process, with the name the journal shows. */
export type Activity =
  | { readonly kind: 'http'; readonly name: string; readonly http: HttpSpec }
  | { readonly kind: 'process'; readonly name: string; readonly process: ProcessSpec };

/** SLOs of a sloth (`prometheus/v1`) file that must hold: the SLI over the scored window meets the objective. */
export interface SloCheck {
  /** The SLO file, relative to the experiment file. */
  readonly file: string;
  /** The SLOs of the file to check; absent: every SLO of the file. */
  readonly names?: readonly string[];
  /** The window scored before the method (the `window` right before it starts), ms. */
  readonly windowMs: number;
  /** The SLO period the error budget is spread over, for "budget consumed". @default 30 days */
  readonly periodMs: number;
}

/** A PromQL instant query whose every sample must satisfy `value <comparator> threshold`. */
export interface QueryCheck {
  readonly name: string;
  readonly expr: string;
  readonly comparator: Comparator;
  readonly threshold: number;
}

/** The hypothesis: what "normal" looks like, checked before, during and after the method. */
export interface SteadyState {
  readonly slos: readonly SloCheck[];
  readonly queries: readonly QueryCheck[];
  readonly probes: readonly Activity[];
}

/** Chaos Monkey: terminate instances of a group. */
export interface ChaosSpec {
  readonly group: string;
  /** How many: exactly `count`, `percent`% of the eligible, or one. */
  readonly count?: number;
  readonly percent?: number;
  /** @default 'SIGKILL' */
  readonly signal: 'SIGKILL' | 'SIGTERM';
}

/** Chaos Gorilla: cut a zone off. */
export interface GorillaSpec {
  readonly zone: string;
  readonly region?: string;
}

/** Chaos Kong: evacuate a region. */
export interface KongSpec {
  readonly region: string;
  /** Overrides the blast radius (and nothing else), as `simian monkey kong --force` does. @default false */
  readonly force: boolean;
}

/** Latency Monkey: a network toxic on the instances the given fields narrow down to. */
export interface LatencySpec {
  readonly group?: string;
  readonly zone?: string;
  readonly region?: string;
  readonly instances?: readonly string[];
  /** Only this share of the matching instances, chosen at random. */
  readonly percent?: number;
  readonly toxic: ToxicSpec;
}

/** What every method action shares. */
export interface ActionBase {
  readonly name: string;
  /** The provider the fault lands on; absent: the experiment's `target.provider`. Unused by http and process. */
  readonly provider?: string;
  /** The TTL of a reversible fault (gorilla, kong, latency), ms; required for them, refused for the others. */
  readonly durationMs?: number;
  readonly pauses: { readonly beforeMs: number; readonly afterMs: number };
}

/** One action of the method: a fault through the safety pipeline, or an HTTP call or a process. */
export type MethodAction = ActionBase &
  (
    | { readonly kind: 'chaos'; readonly chaos: ChaosSpec }
    | { readonly kind: 'gorilla'; readonly gorilla: GorillaSpec }
    | { readonly kind: 'kong'; readonly kong: KongSpec }
    | { readonly kind: 'latency'; readonly latency: LatencySpec }
    | { readonly kind: 'http'; readonly http: HttpSpec }
    | { readonly kind: 'process'; readonly process: ProcessSpec }
  );

/** The kinds of method action that inject a fault through the safety pipeline. */
export const FAULT_KINDS = ['chaos', 'gorilla', 'kong', 'latency'] as const;

/** Actions started together; the step ends when all of them have. */
export interface ParallelStep {
  readonly kind: 'parallel';
  readonly name: string;
  readonly parallel: readonly MethodAction[];
}

/** One step of the method. */
export type MethodStep = MethodAction | ParallelStep;

/** A stop condition: polled during the method; the first hit aborts it. */
export type StopCondition = { readonly name: string } & (
  | {
      readonly kind: 'burnRate';
      readonly burnRate: {
        readonly slo: string;
        /** Where the SLO is defined; absent: the files of the steady state. */
        readonly file?: string;
        readonly windowMs: number;
        /** Hit when the burn rate over the window is above this. */
        readonly above: number;
        /** Fewer events than this in the window (when the source counts them) is no hit: too little to judge. */
        readonly minEvents: number;
      };
    }
  | { readonly kind: 'query'; readonly query: { readonly expr: string; readonly comparator: Comparator; readonly threshold: number } }
  | { readonly kind: 'http'; readonly http: HttpSpec }
  | { readonly kind: 'process'; readonly process: ProcessSpec }
);

/** The stop conditions and how they are polled. */
export interface StopConditions {
  /** How often the stop conditions (and the steady state, for "during") are polled. @default 5000 */
  readonly intervalMs: number;
  /** What a condition that cannot be evaluated means: stop (the default: when we cannot see, we stop) or continue. */
  readonly onInconclusive: 'stop' | 'continue';
  readonly conditions: readonly StopCondition[];
}

/** Overrides of the safety configuration's blast radius for this experiment. */
export type BlastRadius = Partial<Pick<SafetyConfig, 'maxGroupShare' | 'minHealthyLeft' | 'minHealthyZones' | 'minHealthyRegions'>>;

/**
 * Control versus experiment (Netflix ChAP): the targets are split, faults land only on the experiment group, and
 * each SLO is scored twice over the method window, once per group, by adding `label=~"<group members>"` to its
 * queries. The experiment group's error ratio may exceed the control's by at most `maxDelta`.
 */
export interface ControlSpec {
  readonly by: 'zone' | 'region' | 'instances';
  readonly control: readonly string[];
  readonly experiment: readonly string[];
  /** The metric label that carries the split. @default zone, region or instance, after `by` */
  readonly label: string;
  /** Largest allowed excess of the experiment group's error ratio; absent: the SLO's error budget (1 − objective). */
  readonly maxDelta?: number;
}

/** How recovery is watched once the faults end. */
export interface RecoverySpec {
  /** Longest time to wait for the steady state to come back, ms. @default 120_000 */
  readonly timeoutMs: number;
  /** @default 5000 */
  readonly intervalMs: number;
}

/**
 * Viewers the run drives itself (`simian load`'s journeys through the reference stack's front door), so that SLO
 * checks that count viewers' requests have events to score: they start before the steady state before and stop
 * after the last check.
 */
export interface LoadSpec {
  /** Viewers arriving per second. */
  readonly rate: number;
  /** Video segments each viewer plays. @default 4 */
  readonly segments: number;
  /** The share of viewers who subscribe (a billing write), from 0 to 1. @default 0.2 */
  readonly subscribe: number;
}

/** A variable: a literal default, or read from the environment. The runner's own variables override both. */
export type VariableSpec = string | { readonly env: string; readonly default?: string };

/** Where an experiment came from, for relative paths and for messages that name a line. */
export interface ExperimentSource {
  /** The file as named (messages start with it). */
  readonly file: string;
  /** The folder relative paths (SLO files, processes) resolve against. */
  readonly baseDir: string;
  /** The line of a field of the file, by its path in the file (`['method', 0, 'chaos', 'group']`). */
  lineOf(path: readonly PropertyKey[]): number;
}

/** A parsed experiment. */
export interface Experiment {
  readonly title: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly target: { readonly provider: string; readonly topology?: string };
  readonly variables: Readonly<Record<string, VariableSpec>>;
  readonly steadyState: SteadyState;
  readonly method: readonly MethodStep[];
  readonly rollbacks: readonly Activity[];
  readonly stopConditions: StopConditions;
  readonly blastRadius: BlastRadius;
  readonly control?: ControlSpec;
  readonly recovery: RecoverySpec;
  /** Viewers the run starts and stops itself; absent: the traffic comes from elsewhere. */
  readonly load?: LoadSpec;
  /** Absent for experiments built in code. */
  readonly source?: ExperimentSource;
}

/** An action with where it is: its path in the file and its step number (`3`, or `2.1` inside a parallel step). */
export interface PlacedAction {
  readonly action: MethodAction;
  readonly path: readonly PropertyKey[];
  readonly step: string;
}

/** Every action of the method, parallel steps flattened, with its path in the file (`method[2].parallel[0]`). */
export function methodActions(experiment: Pick<Experiment, 'method'>): PlacedAction[] {
  return experiment.method.flatMap((step, i): PlacedAction[] =>
    step.kind === 'parallel'
      ? step.parallel.map((action, j) => ({ action, path: ['method', i, 'parallel', j], step: `${i + 1}.${j + 1}` }))
      : [{ action: step, path: ['method', i], step: `${i + 1}` }],
  );
}

/** Whether an action injects a fault through the safety pipeline (as opposed to an HTTP call or a process). */
export function isFaultAction(action: MethodAction): action is Extract<MethodAction, { kind: (typeof FAULT_KINDS)[number] }> {
  return (FAULT_KINDS as readonly string[]).includes(action.kind);
}

/** Field names of the model whose file spelling differs (sections are kebab-case in files). */
const FILE_KEYS: Readonly<Record<string, string>> = {
  steadyState: 'steady-state',
  stopConditions: 'stop-conditions',
  blastRadius: 'blast-radius',
  durationMs: 'duration',
  timeoutMs: 'timeout',
  intervalMs: 'interval',
  windowMs: 'window',
};

/** A model path as the file spells it, for {@link ExperimentSource.lineOf} and messages. */
export function filePath(path: readonly PropertyKey[]): PropertyKey[] {
  return path.map((segment) => (typeof segment === 'string' ? (FILE_KEYS[segment] ?? segment) : segment));
}
