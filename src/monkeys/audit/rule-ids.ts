/**
 * @module
 * The ids of every audit rule, in one place the configuration can check `audit.disabledRules` against without
 * importing the rules themselves (which read providers and the reference stack). A concept that several providers
 * share keeps one id (`conformity.single-zone` on the local stack, Kubernetes and EC2), so turning it off turns it
 * off everywhere.
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

/** The Janitor Monkey's rules on the local provider. */
export const LOCAL_JANITOR_RULE_IDS = ['janitor.unregistered-instance', 'janitor.stopped-instance', 'janitor.orphaned-data', 'janitor.orphaned-proxy'] as const;

/** The Conformity Monkey's rules on Kubernetes. */
export const KUBERNETES_CONFORMITY_RULE_IDS = [
  'conformity.probes',
  'conformity.resource-limits',
  'conformity.single-replica',
  'conformity.disruption-budget',
  'conformity.latest-image',
  'conformity.single-zone',
] as const;

/** The Security Monkey's rules on Kubernetes. */
export const KUBERNETES_SECURITY_RULE_IDS = [
  'security.privileged',
  'security.host-namespaces',
  'security.runs-as-root',
  'security.exposed-service',
  'security.network-policy',
] as const;

/** The Janitor Monkey's rules on Kubernetes. */
export const KUBERNETES_JANITOR_RULE_IDS = ['janitor.unused-volume-claim', 'janitor.unreferenced-config', 'janitor.finished-job', 'janitor.stale-replica-set'] as const;

/** The Conformity Monkey's rules on EC2. */
export const EC2_CONFORMITY_RULE_IDS = ['conformity.auto-scaling-group', 'conformity.single-zone', 'conformity.instance-age', 'conformity.required-tags'] as const;

/** The Security Monkey's rules on EC2. */
export const EC2_SECURITY_RULE_IDS = ['security.open-security-group'] as const;

/** The Janitor Monkey's rules on EC2. */
export const EC2_JANITOR_RULE_IDS = ['janitor.orphaned-instance', 'janitor.detached-volume', 'janitor.orphaned-snapshot', 'janitor.unused-security-group'] as const;

/** Every rule id `audit.disabledRules` may name, each once. */
export const AUDIT_RULE_IDS: readonly string[] = [
  ...new Set<string>([
    ...LOCAL_CONFORMITY_RULE_IDS,
    ...LOCAL_SECURITY_RULE_IDS,
    ...LOCAL_JANITOR_RULE_IDS,
    ...KUBERNETES_CONFORMITY_RULE_IDS,
    ...KUBERNETES_SECURITY_RULE_IDS,
    ...KUBERNETES_JANITOR_RULE_IDS,
    ...EC2_CONFORMITY_RULE_IDS,
    ...EC2_SECURITY_RULE_IDS,
    ...EC2_JANITOR_RULE_IDS,
  ]),
];
