/**
 * @module
 * The embedded state store: active faults with their TTL, terminations, and history, in one SQLite file.
 */
export { StateStore } from './state-store.js';
export type { StateStoreOptions } from './state-store.js';
export { StateUnwritableError, StateUnreadableError, STATE_UNWRITABLE, STATE_UNREADABLE } from './errors.js';
export { SCHEMA_VERSION } from './schema.js';
export type {
  FaultOrigin,
  FaultToRecord,
  RecordedFault,
  RevertTrigger,
  RevertResult,
  RevertRecord,
  TerminationRecord,
  HistoryDecision,
  HistoryEntry,
  FaultHistoryEntry,
  TerminationHistoryEntry,
  HistoryOptions,
  DecisionRecord,
  DecisionCounts,
} from './records.js';
export { FINISH_FROM } from './schedule-records.js';
export type {
  ClaimOptions,
  ClaimRefusal,
  ClaimResult,
  PlanToStore,
  ScheduleEntryState,
  ScheduleEntryStatus,
  StoredPlan,
} from './schedule-records.js';
export type { Fence, LeaseRow, VersionedLeaseRow } from './lease-records.js';
export type { JanitorEvent, JanitorMark, JanitorMarkRecord, JanitorMarkToRecord, JanitorOptOut } from './janitor-records.js';
