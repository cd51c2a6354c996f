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
export { faultsInForce, isHealthy, NOTHING_IN_FORCE, takesOutOfService } from './faults-in-force.js';
export type { FaultInForce, FaultsInForce } from './faults-in-force.js';
export { tightenSafetyConfig } from './safety-config.js';
export type { BlastRadiusOverrides, TightenedSafetyConfig } from './safety-config.js';
export { KILL_SWITCH_POLL_MS, killSwitchReason, watchKillSwitch } from './kill-switch-watch.js';
export type { KillSwitchWatchOptions } from './kill-switch-watch.js';
export { firingAlertsQuery, SloOutageCheck } from './slo-outage-check.js';
export type { AlertSample, AlertSource, SloOutageCheckOptions } from './slo-outage-check.js';
export { outageVerdict } from './outage-check.js';
export type { OutageAnswer, OutageVerdict } from './outage-check.js';
export type { ActionRecorder, PlanContext, PlanRefusal } from './fault-plan.js';
