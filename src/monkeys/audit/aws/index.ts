/**
 * @module
 * The audit monkeys on EC2: the snapshot and its collector, the Conformity, Security and Janitor rules, and the
 * Janitor's cleaner.
 */
export * from './ec2-snapshot.js';
export * from './collect-ec2-snapshot.js';
export * from './ec2-tags.js';
export * from './ec2-conformity-rules.js';
export * from './ec2-security-rules.js';
export * from './ec2-janitor-rules.js';
export * from './ec2-janitor-cleaner.js';
