/**
 * @module
 * The Janitor Monkey's rules on the local provider: pure functions of a {@link LocalJanitorSnapshot} that name what
 * the reference stack leaves behind, each as the resource `LocalJanitorCleaner` deletes (`instance/<slot id>`,
 * `data/<path>`, `proxy/<name>`, `toxic/<proxy>/<toxic>`). They only report; the Janitor's lifecycle marks, waits the
 * retention out, notifies the owner, and cleans through the safety pipeline.
 */
import { formatDuration } from '../../core/durations.js';
import type { AuditConfig } from './audit-config.js';
import type { JanitorInstance, LocalJanitorSnapshot } from './local-janitor-snapshot.js';
import { configureRule, type Rule, type RuleDefinition, type Violation } from './rule.js';
import type { LOCAL_JANITOR_RULE_IDS } from './rule-ids.js';

/** `janitor.unregistered-instance`: how long a running instance may go unlisted by discovery (it is still registering). */
export const DEFAULT_REGISTRATION_GRACE_MS = 60_000;

type Owner = { owner?: string };

/** The owner to tell: the resource's `owner` tag, else `audit.janitor.defaultOwner`, else none. */
function ownerOr(owner: string | undefined, thresholdsOwner: string | undefined): Owner {
  const chosen = owner ?? thresholdsOwner;
  return chosen === undefined ? {} : { owner: chosen };
}

/** What every local Janitor rule is built with beyond its thresholds. */
interface JanitorRuleContext {
  readonly defaultOwner?: string;
}

type JanitorRuleDefinition = (context: JanitorRuleContext) => RuleDefinition<LocalJanitorSnapshot>;

const optOut = (optedOut: boolean): { optedOut?: true } => (optedOut ? { optedOut: true } : {});

function instanceViolation(i: JanitorInstance, why: string, context: JanitorRuleContext): Violation {
  return { resource: `instance/${i.id}`, ...ownerOr(i.owner, context.defaultOwner), why, ...optOut(i.optedOut) };
}

/**
 * `janitor.unregistered-instance`: a running instance of a service that registers, which its region's discovery
 * does not list although it was launched more than `registrationGraceMs` ago: it takes no traffic and only costs.
 * Instances whose registration could not be read (their service never registers, or no discovery answered) are
 * skipped, as `conformity.discovery-registration` skips them.
 */
export const unregisteredInstanceRule: JanitorRuleDefinition = (context) => ({
  id: 'janitor.unregistered-instance' satisfies (typeof LOCAL_JANITOR_RULE_IDS)[number],
  monkey: 'janitor',
  severity: 'medium',
  description: "a running instance that its region's discovery has not listed for a minute after launch (it takes no traffic)",
  evaluate: (snapshot, thresholds) => {
    const graceMs = thresholds['registrationGraceMs'] ?? DEFAULT_REGISTRATION_GRACE_MS;
    return snapshot.instances.flatMap((i): Violation[] => {
      if (i.state !== 'running' || i.registered !== false) return [];
      const age = snapshot.takenAt - i.launchedAt;
      if (age <= graceMs) return [];
      return [instanceViolation(i, `it runs (pid ${i.pid ?? '?'}, launched ${formatDuration(age)} ago) but no discovery instance of region ${i.region} lists it`, context)];
    });
  },
});

/**
 * `janitor.stopped-instance`: an instance stopped or crashed that the supervisor will not launch again.
 *
 * On today's stack this never fires, on purpose: the supervisor replaces every crashed instance (and retries a
 * failed launch) after the topology's restart delay, and an instance is `stopped` only while the whole stack stops;
 * and the admin API does not say whether a replacement is pending, so the collector leaves `restarting` unknown. The
 * rule only reports what the snapshot says outright (`restarting: false`), never a guess from the state alone: a
 * crashed instance waiting out its restart delay is not litter.
 */
export const stoppedInstanceRule: JanitorRuleDefinition = (context) => ({
  id: 'janitor.stopped-instance' satisfies (typeof LOCAL_JANITOR_RULE_IDS)[number],
  monkey: 'janitor',
  severity: 'low',
  description: 'an instance stopped or crashed that the supervisor no longer restarts',
  evaluate: (snapshot) =>
    snapshot.instances
      .filter((i) => (i.state === 'stopped' || i.state === 'crashed') && i.restarting === false)
      .map((i) => instanceViolation(i, `it is ${i.state} (last launched ${formatDuration(Math.max(0, snapshot.takenAt - i.launchedAt))} ago) and the supervisor will not restart it`, context)),
});

/**
 * `janitor.orphaned-data`: a file or directory of the stack's data directory that no instance of the inventory
 * uses (a per-region ledger of an older stack, a copy left behind). Opted out by a `.simian-keep` file.
 */
export const orphanedDataRule: JanitorRuleDefinition = (context) => ({
  id: 'janitor.orphaned-data' satisfies (typeof LOCAL_JANITOR_RULE_IDS)[number],
  monkey: 'janitor',
  severity: 'low',
  description: "a file or directory in the stack's data directory that no instance of the inventory uses",
  evaluate: (snapshot) =>
    (snapshot.data ?? [])
      .filter((d) => d.usedBy.length === 0)
      .map((d) => ({
        resource: `data/${d.path}`,
        ...ownerOr(undefined, context.defaultOwner),
        why: `no instance of the stack uses this ${d.kind} (last changed ${formatDuration(Math.max(0, snapshot.takenAt - d.modifiedAt))} ago)`,
        ...optOut(d.optedOut),
      })),
});

/**
 * `janitor.orphaned-proxy`: a proxy of the stack (named like a slot id) whose instance is gone from the inventory,
 * and a toxic on one of the stack's live proxies that no active fault owns (nothing will ever revert it). A gone
 * instance's proxy is reported alone: deleting it deletes its toxics. Proxies not named like a slot are someone
 * else's and never reported.
 */
export const orphanedProxyRule: JanitorRuleDefinition = (context) => ({
  id: 'janitor.orphaned-proxy' satisfies (typeof LOCAL_JANITOR_RULE_IDS)[number],
  monkey: 'janitor',
  severity: 'medium',
  description: 'a proxy whose instance is gone from the stack, or a toxic that no active fault owns',
  evaluate: (snapshot) => {
    const owner = ownerOr(undefined, context.defaultOwner);
    const byId = new Map(snapshot.instances.map((i) => [i.id, i]));
    return (snapshot.proxies ?? []).flatMap((proxy): Violation[] => {
      if (!proxy.stackSlot) return [];
      if (!proxy.instanceKnown) {
        const toxics = proxy.toxics.length === 0 ? '' : ` (with ${proxy.toxics.length} toxic(s))`;
        return [{ resource: `proxy/${proxy.name}`, ...owner, why: `no instance ${proxy.name} is in the stack's inventory: its proxy on ${proxy.listen}${toxics} fronts nothing` }];
      }
      const instance = byId.get(proxy.name);
      return proxy.toxics
        .filter((t) => !t.ownedByFault)
        .map((t) => ({
          resource: `toxic/${proxy.name}/${t.name}`,
          ...ownerOr(instance?.owner, context.defaultOwner),
          why: `a ${t.type} toxic on proxy ${proxy.name} that no active fault owns: nothing will revert it`,
          ...optOut(instance?.optedOut ?? false),
        }));
    });
  },
});

/** Every local Janitor rule, configured by the `audit:` section (off ones by `audit.disabledRules`). */
export function localJanitorRules(config: AuditConfig): Rule<LocalJanitorSnapshot>[] {
  const context: JanitorRuleContext = config.janitor.defaultOwner === undefined ? {} : { defaultOwner: config.janitor.defaultOwner };
  return [
    configureRule(unregisteredInstanceRule(context), config, { registrationGraceMs: DEFAULT_REGISTRATION_GRACE_MS }),
    configureRule(stoppedInstanceRule(context), config),
    configureRule(orphanedDataRule(context), config),
    configureRule(orphanedProxyRule(context), config),
  ];
}
