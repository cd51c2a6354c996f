/**
 * @module
 * The audit monkeys on Kubernetes: the snapshot and its collector, the Conformity, Security and Janitor rules, and
 * the Janitor's cleaner.
 */
export * from './kube-snapshot.js';
export * from './collect-kube-snapshot.js';
export * from './kube-conformity-rules.js';
export * from './kube-security-rules.js';
export * from './kube-janitor-rules.js';
export * from './kube-janitor-cleaner.js';
export { selects } from './label-selector.js';
