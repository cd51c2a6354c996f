/**
 * @module
 * Doctor Monkey: health checks over the inventory (HTTP health, service-discovery registration, restart loops),
 * a report, and the treatment of the sick through the safety pipeline.
 */
export { DoctorMonkey } from './doctor-monkey.js';
export type { DoctorMonkeyOptions, DoctorReport, DoctorTotals, InstanceReport, TerminationPipeline, Treatment } from './doctor-monkey.js';
export { CHECK_TIMEOUT, checkTimeoutError, isCheckTimeout, verdictOf } from './health-checks.js';
export type { CheckContext, CheckName, CheckOk, CheckOutcome, Finding, HealthCheck, InstanceProbe, Verdict } from './health-checks.js';
export { runWithDeadline } from './deadline.js';
export type { DeadlineResult } from './deadline.js';
export { mapBounded } from './bounded-map.js';
export { httpHealthCheck } from './http-health-check.js';
export type { HttpHealthCheckOptions } from './http-health-check.js';
export { registrationCheck } from './registration-check.js';
export type { RegisteredInstances, RegistrationCheckOptions } from './registration-check.js';
export {
  localRegistrationCheck,
  localRegistrations,
  matchRegistrations,
  registersInDiscovery,
  serviceOf,
  UNREGISTERED_SERVICES,
} from './local-registrations.js';
export type { LocalRegistrationOptions, RegistrationEntry } from './local-registrations.js';
export { DEFAULT_RESTART_LOOP_POLICY, judgeRestartLoop, restartLoopCheck } from './restart-loop-check.js';
export type { RestartLoopPolicy } from './restart-loop-check.js';
export { instancesUnderFaults } from './under-fault.js';
