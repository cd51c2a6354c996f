/**
 * @module
 * The audit monkeys (Conformity and Security; Janitor to come): rules over a snapshot of a platform, findings, and
 * the `simian_findings` metric. They report and never act.
 */
export * from './findings.js';
export * from './rule.js';
export * from './rule-ids.js';
export * from './janitor-cleaner.js';
export * from './audit-config.js';
export * from './local-snapshot.js';
export * from './local-conformity-rules.js';
export * from './local-security-rules.js';
export * from './collect-local-snapshot.js';
export * from './proc-listeners.js';
export * from './findings-metrics.js';
export * from './local-janitor-snapshot.js';
export * from './local-janitor-rules.js';
export * from './collect-local-janitor-snapshot.js';
export * from './local-janitor-cleaner.js';
