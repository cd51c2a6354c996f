/**
 * @module
 * The ids of every audit rule, in one place the configuration can check `audit.disabledRules` against without
 * importing the rules themselves (which read providers and the reference stack).
 */

/** The Conformity Monkey's rules on the local provider. */
export const LOCAL_CONFORMITY_RULE_IDS = [
  'conformity.health-check',
  'conformity.discovery-registration',
  'conformity.single-zone',
  'conformity.circuit-breaker',
  'conformity.timeout',
  'conformity.instance-age',
] as const;

/** The Security Monkey's rules on the local provider. */
export const LOCAL_SECURITY_RULE_IDS = ['security.all-interfaces', 'security.unauthenticated-write', 'security.gateway-rate-limit'] as const;

/** Every rule id `audit.disabledRules` may name. */
export const AUDIT_RULE_IDS: readonly string[] = [...LOCAL_CONFORMITY_RULE_IDS, ...LOCAL_SECURITY_RULE_IDS];
