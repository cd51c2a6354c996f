/**
 * @module
 * The Security Monkey's rules on the local provider: what a process of the stack exposes (sockets on every
 * interface, routes that change state without credentials, a gateway without rate limits), as pure functions of a
 * {@link LocalSnapshot}. Security Monkey's auditors score cloud configurations; these score the stack's processes.
 */
import type { AuditConfig } from './audit-config.js';
import type { LocalSnapshot } from './local-snapshot.js';
import { configureRule, type Rule, type RuleDefinition, type Violation } from './rule.js';
import type { LOCAL_SECURITY_RULE_IDS } from './rule-ids.js';

type SecurityRuleId = (typeof LOCAL_SECURITY_RULE_IDS)[number];

/** Addresses that mean "every interface" (an IPv4-mapped any as decoded, and as usually written). */
const ANY_ADDRESSES = new Set(['0.0.0.0', '::', '::ffff:0:0', '::ffff:0.0.0.0']);

/** Whether `address` (as `/proc/net/tcp{,6}` gives it, decoded) binds every interface. */
export function isAnyAddress(address: string): boolean {
  return ANY_ADDRESSES.has(address);
}

/** `security.all-interfaces`: no process of the stack listens on 0.0.0.0 or ::. */
export const allInterfacesRule: RuleDefinition<LocalSnapshot> = {
  id: 'security.all-interfaces' satisfies SecurityRuleId,
  monkey: 'security',
  severity: 'high',
  description: 'a process of the stack listening on every interface (0.0.0.0 or ::), reachable from other machines',
  evaluate: (snapshot) =>
    snapshot.listeners.flatMap((p): Violation[] => {
      const open = (p.sockets ?? []).filter((s) => isAnyAddress(s.address));
      if (open.length === 0) return [];
      const where = open.map((s) => (s.family === 'IPv6' ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`)).join(', ');
      return [{ resource: p.resource, ...(p.owner === undefined ? {} : { owner: p.owner }), why: `pid ${p.pid} listens on every interface: ${where}` }];
    }),
};

/** `security.unauthenticated-write`: a route that changes state refuses a request without credentials (401/403). */
export const unauthenticatedWriteRule: RuleDefinition<LocalSnapshot> = {
  id: 'security.unauthenticated-write' satisfies SecurityRuleId,
  monkey: 'security',
  severity: 'high',
  description: 'a route that changes state and serves a request without credentials instead of refusing it (401/403)',
  evaluate: (snapshot) =>
    snapshot.probes.flatMap((p): Violation[] => {
      if (p.status === undefined || p.routeFound === false) return [];
      const ran = (p.status >= 200 && p.status < 300) || p.openStatuses.includes(p.status);
      if (!ran) return [];
      return [
        {
          resource: p.resource,
          ...(p.owner === undefined ? {} : { owner: p.owner }),
          why: `${p.method} ${p.url} without credentials answered HTTP ${p.status} (the route ran) instead of 401 or 403`,
        },
      ];
    }),
};

/** `security.gateway-rate-limit`: every gateway limits each client's request rate. */
export const gatewayRateLimitRule: RuleDefinition<LocalSnapshot> = {
  id: 'security.gateway-rate-limit' satisfies SecurityRuleId,
  monkey: 'security',
  severity: 'medium',
  description: 'a gateway instance that reports no per-client rate limit (gateway_client_rate_limit in its /metrics)',
  evaluate: (snapshot) =>
    snapshot.instances.flatMap((i): Violation[] => {
      if (i.service !== 'gateway' || i.rateLimit === undefined) return [];
      const limit = i.rateLimit;
      const unlimited = limit === null || !(limit.ratePerSecond > 0 && Number.isFinite(limit.ratePerSecond)) || !(limit.burst > 0 && Number.isFinite(limit.burst));
      if (!unlimited) return [];
      const seen = limit === null ? 'its /metrics has no gateway_client_rate_limit' : `its rate limit is ${limit.ratePerSecond}/s, burst ${limit.burst}`;
      return [{ resource: i.id, ...(i.owner === undefined ? {} : { owner: i.owner }), why: `${seen}: one client can take the gateway from every other` }];
    }),
};

/** Every local Security rule, configured by the `audit:` section. */
export function localSecurityRules(config: AuditConfig): Rule<LocalSnapshot>[] {
  return [configureRule(allInterfacesRule, config), configureRule(unauthenticatedWriteRule, config), configureRule(gatewayRateLimitRule, config)];
}
