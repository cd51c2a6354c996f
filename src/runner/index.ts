/**
 * @module
 * Experiments: the file format and its loader, the runner, the journal and its Markdown report, and the Chaos
 * Toolkit importer.
 */
export { FAULT_KINDS, filePath, isFaultAction, methodActions } from './experiment.js';
export type {
  Activity,
  BlastRadius,
  ChaosSpec,
  CodeRanges,
  Comparator,
  ControlSpec,
  Experiment,
  ExperimentSource,
  GorillaSpec,
  HttpSpec,
  KongSpec,
  LatencySpec,
  LoadSpec,
  MethodAction,
  MethodStep,
  ParallelStep,
  PlacedAction,
  ProcessSpec,
  QueryCheck,
  RecoverySpec,
  SloCheck,
  SteadyState,
  StopCondition,
  StopConditions,
  VariableSpec,
} from './experiment.js';
export { DEFAULT_SLO_PERIOD_MS, experimentSchema } from './experiment-schema.js';
export { EXPERIMENT_INVALID, EXPERIMENT_NOT_FOUND, loadExperiment, parseExperiment } from './load-experiment.js';
export { runExperiment } from './experiment-runner.js';
export { PROMETHEUS_UNAVAILABLE, PROVIDERS_UNAVAILABLE, SLO_UNAVAILABLE, prepareExperiment, resolveSlos, resolveTargets } from './prepare.js';
export type { PreparedExperiment } from './prepare.js';
export { stateStoreFaults } from './runner-deps.js';
export type {
  FaultSeams,
  InstantSample,
  LoadSummary,
  ProcessOutcome,
  PrometheusQuery,
  ProviderResolver,
  RunnerDeps,
  RunningViewers,
  RunProcess,
  SloLoader,
  StartViewers,
  StateStoreFaultsOptions,
} from './runner-deps.js';
export { JOURNAL_SCHEMA, journalJson, reportPathFor, writeJournal } from './journal.js';
export type {
  ActionRecord,
  BudgetRecord,
  ControlComparison,
  ControlRecord,
  FaultRevertRecord,
  Journal,
  JournalDecision,
  JournalFault,
  LoadRecord,
  RecoveryRecord,
  RunStatus,
} from './journal.js';
export { markdownReport } from './report.js';
export { execFileProcess, runActivity } from './probes.js';
export type { ActivityResult } from './probes.js';
export type { CheckResult, SteadyStateResult } from './steady-state.js';
export type { StopHit, StopConditionResult } from './stop-conditions.js';
export { membershipMatcher, withLabelMatcher } from './label-matcher.js';
export { sloForGroup } from './control.js';
export { IMPORT_UNSUPPORTED, importChaosToolkit, importChaosToolkitFile } from './chaos-toolkit-import.js';
export type { ChaosToolkitImport } from './chaos-toolkit-import.js';
