/**
 * @module
 * The Conformity Monkey's rules on the local provider (SimianArmy's `InstanceHasHealthCheckUrl`,
 * `InstanceIsHealthyInEureka`, `SameZonesInElbAndAsg` and `InstanceTooOld`, on the reference stack): pure
 * functions of a {@link LocalSnapshot}.
 */
import { formatDuration } from '../../core/durations.js';
import { GLOBAL_LOCATION } from '../../reference-stack/topology/desired-instances.js';
import type { AuditConfig } from './audit-config.js';
import type { InstanceFacts, LocalSnapshot } from './local-snapshot.js';
import { configureRule, type Rule, type RuleDefinition, type Violation } from './rule.js';
import type { LOCAL_CONFORMITY_RULE_IDS } from './rule-ids.js';

const own = (i: InstanceFacts) => (i.owner === undefined ? {} : { owner: i.owner });

/** `conformity.health-check`: every running instance answers `GET /health` with 200. */
export const healthCheckRule: RuleDefinition<LocalSnapshot> = {
  id: 'conformity.health-check' satisfies (typeof LOCAL_CONFORMITY_RULE_IDS)[number],
  monkey: 'conformity',
  severity: 'high',
  description: 'a running instance whose health endpoint (GET <address>/health) does not answer 200',
  evaluate: (snapshot) =>
    snapshot.instances.flatMap((i): Violation[] => {
      const health = i.health;
      if (health === undefined || health.status === 200) return [];
      const answer = health.status === undefined ? `no answer (${health.error ?? 'unknown error'})` : `HTTP ${health.status}`;
      return [{ resource: i.id, ...own(i), why: `its health check ${health.url} gave ${answer}, not 200` }];
    }),
};

/** `conformity.discovery-registration`: every running instance of a service that registers is in discovery. */
export const registrationRule: RuleDefinition<LocalSnapshot> = {
  id: 'conformity.discovery-registration' satisfies (typeof LOCAL_CONFORMITY_RULE_IDS)[number],
  monkey: 'conformity',
  severity: 'medium',
  description: "a running instance that its region's discovery does not list (it takes no traffic)",
  evaluate: (snapshot) =>
    snapshot.instances
      .filter((i) => i.registered === false)
      .map((i) => ({ resource: i.id, ...own(i), why: `it runs (pid ${i.pid ?? '?'}) but no discovery instance of region ${i.region} lists it` })),
};

/** The instances of each service in each region, in first-seen order; the front door's `global` is left out. */
function byServiceAndRegion(instances: readonly InstanceFacts[]): Map<string, InstanceFacts[]> {
  const groups = new Map<string, InstanceFacts[]>();
  for (const i of instances) {
    if (i.region === GLOBAL_LOCATION) continue;
    const key = `${i.service}@${i.region}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  return groups;
}

/** `conformity.single-zone`: a service has running instances in at least `minZones` zones of each region it runs in. */
export const singleZoneRule: RuleDefinition<LocalSnapshot> = {
  id: 'conformity.single-zone' satisfies (typeof LOCAL_CONFORMITY_RULE_IDS)[number],
  monkey: 'conformity',
  severity: 'medium',
  description: 'a service whose running instances in a region are in fewer than audit.minZones zones (one zone outage takes it down)',
  evaluate: (snapshot, thresholds) => {
    const minZones = thresholds['minZones'] ?? 2;
    return [...byServiceAndRegion(snapshot.instances)].flatMap(([resource, instances]): Violation[] => {
      const zones = [...new Set(instances.map((i) => i.zone))].sort();
      if (zones.length >= minZones) return [];
      const owner = instances.find((i) => i.owner !== undefined)?.owner;
      const where = `${zones.length} zone${zones.length === 1 ? '' : 's'} (${zones.join(', ')})`;
      return [{ resource, ...(owner === undefined ? {} : { owner }), why: `its ${instances.length} running instance(s) are in ${where} of region ${instances[0]!.region}; at least ${minZones} wanted` }];
    });
  },
};

/**
 * The violations of "every call to another service of the stack goes through `policy`": a `name` label of
 * `resilience_calls_total` that names a service of the snapshot is a dependency (the stack's ServiceClient names
 * its policies after the target), and every instance calling it must report `policy` for it. One violation per
 * calling service and dependency, naming the instances.
 */
function missingPolicy(snapshot: LocalSnapshot, policy: string, what: string): Violation[] {
  const services = new Set(snapshot.instances.map((i) => i.service));
  const missing = new Map<string, { instances: string[]; policies: Set<string>; owner?: string }>();
  for (const i of snapshot.instances) {
    for (const use of i.policies ?? []) {
      if (!services.has(use.name) || use.policies.includes(policy)) continue;
      const key = `${i.service}\u0000${use.name}`;
      const entry = missing.get(key) ?? { instances: [], policies: new Set<string>() };
      entry.instances.push(i.id);
      for (const p of use.policies) entry.policies.add(p);
      if (entry.owner === undefined && i.owner !== undefined) entry.owner = i.owner;
      missing.set(key, entry);
    }
  }
  return [...missing].map(([key, entry]) => {
    const [caller, target] = key.split('\u0000') as [string, string];
    const seen = entry.instances.length === 1 ? entry.instances[0] : `${entry.instances[0]} and ${entry.instances.length - 1} more`;
    return {
      resource: caller,
      ...(entry.owner === undefined ? {} : { owner: entry.owner }),
      why: `calls ${target} without ${what}: resilience_calls_total{name="${target}"} shows only ${[...entry.policies].sort().join(', ')} (on ${seen})`,
    };
  });
}

/** `conformity.circuit-breaker`: calls to another service go through a circuit breaker. */
export const circuitBreakerRule: RuleDefinition<LocalSnapshot> = {
  id: 'conformity.circuit-breaker' satisfies (typeof LOCAL_CONFORMITY_RULE_IDS)[number],
  monkey: 'conformity',
  severity: 'medium',
  description: 'calls to another service of the stack that its resilience_* metrics show without a circuit breaker',
  evaluate: (snapshot) => missingPolicy(snapshot, 'circuit_breaker', 'a circuit breaker'),
};

/** `conformity.timeout`: calls to another service have a timeout. */
export const timeoutRule: RuleDefinition<LocalSnapshot> = {
  id: 'conformity.timeout' satisfies (typeof LOCAL_CONFORMITY_RULE_IDS)[number],
  monkey: 'conformity',
  severity: 'medium',
  description: 'calls to another service of the stack that its resilience_* metrics show without a timeout',
  evaluate: (snapshot) => missingPolicy(snapshot, 'timeout', 'a timeout'),
};

/** `conformity.instance-age`: no instance runs longer than `maxInstanceAgeMs` (old processes hide config drift). */
export const instanceAgeRule: RuleDefinition<LocalSnapshot> = {
  id: 'conformity.instance-age' satisfies (typeof LOCAL_CONFORMITY_RULE_IDS)[number],
  monkey: 'conformity',
  severity: 'low',
  description: 'a running instance launched longer ago than audit.maxInstanceAge',
  evaluate: (snapshot, thresholds) => {
    const maxAgeMs = thresholds['maxInstanceAgeMs'] ?? Infinity;
    return snapshot.instances.flatMap((i): Violation[] => {
      const age = snapshot.takenAt - i.launchedAt;
      return age > maxAgeMs ? [{ resource: i.id, ...own(i), why: `launched ${formatDuration(age)} ago; at most ${formatDuration(maxAgeMs)} wanted` }] : [];
    });
  },
};

/** Every local Conformity rule, configured by the `audit:` section. */
export function localConformityRules(config: AuditConfig): Rule<LocalSnapshot>[] {
  return [
    configureRule(healthCheckRule, config),
    configureRule(registrationRule, config),
    configureRule(singleZoneRule, config, { minZones: config.minZones }),
    configureRule(circuitBreakerRule, config),
    configureRule(timeoutRule, config),
    configureRule(instanceAgeRule, config, { maxInstanceAgeMs: config.maxInstanceAgeMs }),
  ];
}
