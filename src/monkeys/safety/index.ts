/**
 * @module
 * The safety pipeline and the seams it reads: decisions, configuration, eligibility, blast radius, victim
 * selection, the kill switch, the outage check and the fault ledger.
 */
export { SafetyPipeline } from './safety-pipeline.js';
export type { SafetyPipelineOptions, TerminationRequest, DecisionEvent } from './safety-pipeline.js';
export { SKIP_REASONS } from './decision.js';
export type { SafetyDecision, ExecutedDecision, SkippedDecision, FailedDecision, SkipReason } from './decision.js';
export { DEFAULT_SAFETY_CONFIG, resolveSafetyConfig } from './safety-config.js';
export type { SafetyConfig } from './safety-config.js';
export { eligibleInstances, isEligible, isOptedIn } from './eligibility.js';
export type { EligibilityConfig } from './eligibility.js';
export { checkBlastRadius, maxVictims } from './blast-radius.js';
export type { BlastRadiusConfig, BlastRadiusVerdict } from './blast-radius.js';
export { selectVictims, victimCount } from './victim-selection.js';
export type { VictimSelection } from './victim-selection.js';
export { fileExists, isKillSwitchEngaged } from './kill-switch.js';
export type { FileExists } from './kill-switch.js';
export { noOutageCheck } from './outage-check.js';
export type { OutageCheck } from './outage-check.js';
export { MemoryFaultLedger } from './fault-ledger.js';
export type { FaultLedger, LedgerFault } from './fault-ledger.js';
export { StateStoreLedger } from './state-store-ledger.js';
export { logDecisions } from './decision-log.js';
export { refuse } from './fault-plan.js';
export type { FaultPlan, PlannedFault, ReversibleFaultKind, ReversibleFaultRequest } from './fault-plan.js';
