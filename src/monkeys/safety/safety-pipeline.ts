/**
 * @module
 * The one road every fault takes, in the fixed order of docs/architecture.md: enabled → kill switch → outage check →
 * eligibility → blast radius → the history (minimum interval, daily quota) and the test-environment guard → leash →
 * record → act → arm the automatic revert → report. Each stage may only stop the fault, never widen it, and the
 * cheap, local stages come first so that a disabled monkey asks nobody anything. Modelled on chaosmonkey's
 * `term.Terminate`, but returning a typed decision instead of logging and returning nil.
 *
 * The leash is the last guard before the record, so that a dry run (leashed) evaluates every other guard and
 * reports the first that would stop the real run: "would inject" then means it would. Faults see each other: the
 * blast radius counts only instances no fault in force has taken out of service, and the planners hear which
 * zones are isolated and which regions evacuated.
 */
import type { Clock } from '../../core/clock.js';
import { unknownNameMessage } from '../../core/did-you-mean.js';
import { EventEmitter, type Event } from '../../core/events.js';
import type { Fault, FaultKind, Group } from '../../core/model.js';
import { type Random } from '../../core/random.js';
import type { Provider, RevertHandle } from '../../providers/provider.js';
import { checkBlastRadius, maxVictims } from './blast-radius.js';
import type { SafetyDecision, SkipReason, SkippedDecision } from './decision.js';
import { eligibleInstances } from './eligibility.js';
import type { FaultLedger } from './fault-ledger.js';
import type { ActionRecorder, ReversibleFaultRequest } from './fault-plan.js';
import { faultsInForce, type FaultsInForce } from './faults-in-force.js';
import {
  DISABLED_MESSAGE,
  durationMessage,
  killSwitchMessage,
  leashedMessage,
  maxPerDayMessage,
  minIntervalMessage,
  unleashedInTestMessage,
} from './guard-messages.js';
import { fileExists, isKillSwitchEngaged, type FileExists } from './kill-switch.js';
import { noOutageCheck, outageVerdict, type OutageCheck } from './outage-check.js';
import { resolveSafetyConfig, type SafetyConfig } from './safety-config.js';
import { selectVictims, type VictimSelection } from './victim-selection.js';

/** The rolling window behind `maxFaultsPerGroupPerDay`. */
const DAY_MS = 86_400_000;

/** A request to terminate instances of one group. */
export interface TerminationRequest {
  /** Which monkey asks (`chaos`, `doctor`, `kong`): recorded with the fault and reported in events. */
  readonly monkey: string;
  readonly group: string;
  /** @default { mode: 'one' } */
  readonly selection?: VictimSelection;
  /** @default 'SIGKILL' */
  readonly signal?: 'SIGKILL' | 'SIGTERM';
  /** Overrides the blast radius, and nothing else. */
  readonly force?: boolean;
  /**
   * The fault in force this termination is a step of (Chaos Kong's kills in the region it evacuated): that fault's
   * own effects do not count against the blast radius; every other fault's do.
   */
  readonly partOf?: string;
}

/**
 * A Janitor cleanup: one resource to delete. The pipeline runs the guards every action passes (enabled, kill
 * switch, outage check, the test-environment guard, the leash); the request records the attempt (its mark in the
 * state store) and then acts. No blast radius nor interval: a cleanup touches one unused resource, and the
 * Janitor's retention is its own rate limit.
 */
export interface CleanupRequest {
  /** `janitor`. */
  readonly monkey: string;
  /** The resource, as the provider's cleaner names it. */
  readonly resource: string;
  /** The rule that found it unused. */
  readonly rule: string;
  /**
   * Records the attempt before the platform is asked; a throw (the store cannot write, the leader was fenced)
   * stops the cleanup as `record-failed`, and `false` (the mark was closed meanwhile) as `not-eligible`.
   */
  record(): boolean | Promise<boolean>;
  /** Deletes the resource. */
  act(): Promise<void>;
}

/** Arms the automatic revert of a recorded fault (the {@link FaultReverter} does, on its TTL). */
export interface RevertArmer {
  arm(fault: { readonly id: string; readonly expiresAt: number }): void;
}

/** Emitted once per {@link SafetyPipeline.terminate} or {@link SafetyPipeline.inject} call, whatever the outcome. */
export interface DecisionEvent {
  readonly monkey: string;
  readonly provider: string;
  /** The group, or the zone or region scope, the decision is about. */
  readonly group: string;
  /** Clock time of the decision, epoch ms. */
  readonly at: number;
  readonly decision: SafetyDecision;
}

/** What a {@link SafetyPipeline} needs; every seam is injected. */
export interface SafetyPipelineOptions {
  readonly provider: Provider;
  readonly ledger: FaultLedger;
  readonly clock: Clock;
  readonly random: Random;
  /** Partial configs get {@link resolveSafetyConfig}'s defaults (leashed). */
  readonly config?: Partial<SafetyConfig>;
  /** @default an outage check that never sees one */
  readonly outageCheck?: OutageCheck;
  /** How the kill-switch file is looked for. @default the real filesystem */
  readonly fileExists?: FileExists;
  /** Arms the TTL of every reversible fault injected; without one, nothing in this process reverts on time. */
  readonly reverter?: RevertArmer;
  /**
   * The pid recorded as the owner of reversible faults: the next start reverts a fault whose owner died. Leave it
   * out for a detached fault, which only its TTL ends.
   */
  readonly ownerPid?: number;
}

function skip(reason: SkipReason, detail: string, extra: Partial<Omit<SkippedDecision, 'outcome' | 'reason' | 'detail'>> = {}): SkippedDecision {
  return { outcome: 'skipped', reason, detail, ...extra };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs faults through the safety guards.
 *
 * @example
 * const pipeline = new SafetyPipeline({ provider, ledger, clock, random, config: { leashed: false } });
 * pipeline.decisions(({ decision }) => log.info(decision));
 * const decision = await pipeline.terminate({ monkey: 'chaos', group: 'api' });
 * if (decision.outcome === 'skipped') console.log(decision.reason);
 */
export class SafetyPipeline {
  /** The resolved configuration, defaults filled in. */
  readonly config: SafetyConfig;
  private readonly emitter = new EventEmitter<DecisionEvent>();
  /** Subscribes to every decision, skipped ones included. */
  readonly decisions: Event<DecisionEvent> = this.emitter.event;
  private readonly outageCheck: OutageCheck;
  private readonly fileExists: FileExists;

  constructor(private readonly options: SafetyPipelineOptions) {
    this.config = resolveSafetyConfig(options.config);
    this.outageCheck = options.outageCheck ?? noOutageCheck;
    this.fileExists = options.fileExists ?? fileExists;
  }

  /** The provider faults land on. */
  get provider(): Provider {
    return this.options.provider;
  }

  /** Decides on a termination and, if every guard agrees, carries it out. Never throws for a guard's sake. */
  async terminate(request: TerminationRequest): Promise<SafetyDecision> {
    const decision = await this.decide(request);
    this.emitter.emit({
      monkey: request.monkey,
      provider: this.options.provider.name,
      group: request.group,
      at: this.options.clock.now(),
      decision,
    });
    return decision;
  }

  /**
   * Decides on a reversible fault (zone outage, region evacuation, network toxic) and, if every guard agrees,
   * records it with its TTL, carries it out, and arms its revert. An action that fails half-way is rolled back
   * before the decision returns. Never throws for a guard's sake.
   */
  async inject(request: ReversibleFaultRequest): Promise<SafetyDecision> {
    let scope = request.monkey;
    const decision = await this.decideReversible(request, (s) => (scope = s));
    this.emitter.emit({ monkey: request.monkey, provider: this.options.provider.name, group: scope, at: this.options.clock.now(), decision });
    return decision;
  }

  /**
   * Decides on a Janitor cleanup and, if every guard agrees, records and carries it out. A leashed pipeline (the
   * default) answers `leashed`: the Janitor then marks and notifies only. Never throws for a guard's sake.
   */
  async clean(request: CleanupRequest): Promise<SafetyDecision> {
    const decision = await this.decideCleanup(request);
    this.emitter.emit({ monkey: request.monkey, provider: this.options.provider.name, group: request.resource, at: this.options.clock.now(), decision });
    return decision;
  }

  private async decideCleanup(request: CleanupRequest): Promise<SafetyDecision> {
    const stopped = await this.preflight();
    if (stopped) return stopped;
    const fault = this.buildFault(request.monkey, 'delete', [request.resource], { rule: request.rule });
    const { config } = this;
    if (config.environment === 'test' && !config.allowUnleashedInTest) return skip('unleashed-in-test', unleashedInTestMessage(config), { fault });
    if (config.leashed) return skip('leashed', leashedMessage(fault), { fault });
    try {
      if (!(await request.record())) return skip('not-eligible', `${request.resource} is no longer marked for cleanup`, { fault });
    } catch (error) {
      return skip('record-failed', `cannot record the cleanup: ${describeError(error)}`, { error, fault });
    }
    try {
      await request.act();
    } catch (error) {
      return { outcome: 'failed', fault, affected: [], error };
    }
    return { outcome: 'executed', fault };
  }

  /** Whether the kill switch is engaged now (a check that cannot tell counts as engaged). */
  async killSwitchEngaged(): Promise<boolean> {
    try {
      return await isKillSwitchEngaged(this.config, this.fileExists);
    } catch {
      return true;
    }
  }

  /** The guards every fault passes before anyone looks at the platform; undefined when all agree. */
  private async preflight(): Promise<SkippedDecision | undefined> {
    const { config } = this;
    if (!config.enabled) return skip('disabled', DISABLED_MESSAGE);
    try {
      if (await isKillSwitchEngaged(config, this.fileExists)) return skip('kill-switch', killSwitchMessage(config));
    } catch (error) {
      return skip('check-failed', `cannot check the kill-switch file ${config.killSwitchFile}: ${describeError(error)}`, { error });
    }
    try {
      const verdict = outageVerdict(await this.outageCheck.inOutage());
      if (verdict.state === 'outage') return skip('outage', `an outage is in progress: ${verdict.detail}`);
      if (verdict.state === 'unknown') return skip('outage-unknown', `the outage check cannot tell: ${verdict.detail}`);
    } catch (error) {
      // When we cannot see, we do not break things.
      return skip('outage-unknown', `the outage check failed: ${describeError(error)}`, { error });
    }
    return undefined;
  }

  /** The effects of every fault in force on the provider's inventory. Throws when either cannot be read. */
  private async inForce(excluding?: string): Promise<FaultsInForce> {
    const [active, instances] = await Promise.all([this.options.ledger.activeFaults(), this.options.provider.inventory.instances()]);
    return faultsInForce(active, instances, { callerTimeoutMs: this.config.callerTimeoutMs, ...(excluding !== undefined ? { excluding } : {}) });
  }

  /**
   * The history limits of every scope, the test-environment guard, then the leash, for a fault about to be
   * recorded. The leash comes last so that a dry run reports what else would stop the real one.
   */
  private async permit(scopes: readonly string[], fault: Fault): Promise<SkippedDecision | undefined> {
    const { config } = this;
    const { ledger, clock } = this.options;
    if (config.environment === 'test' && !config.allowUnleashedInTest) return skip('unleashed-in-test', unleashedInTestMessage(config), { fault });
    const now = clock.now();
    try {
      for (const scope of scopes) {
        const last = await ledger.lastFaultAt(scope);
        if (last !== undefined && now - last < config.minIntervalMs) return skip('min-interval', minIntervalMessage(scope, now - last, config), { fault });
      }
      for (const scope of scopes) {
        const today = await ledger.faultsSince(scope, now - DAY_MS);
        if (today >= config.maxFaultsPerGroupPerDay) return skip('max-per-day', maxPerDayMessage(scope, today, config), { fault });
      }
    } catch (error) {
      return skip('check-failed', `cannot read the fault history: ${describeError(error)}`, { error, fault });
    }
    if (config.leashed) return skip('leashed', leashedMessage(fault), { fault });
    return undefined;
  }

  private async decideReversible(request: ReversibleFaultRequest, setScope: (scope: string) => void): Promise<SafetyDecision> {
    const { config } = this;
    const { provider, ledger } = this.options;
    const stopped = await this.preflight();
    if (stopped) return stopped;

    let plan;
    try {
      plan = await request.plan(provider, { inForce: await this.inForce() });
    } catch (error) {
      return skip('check-failed', `cannot plan the fault: ${describeError(error)}`, { error });
    }
    if (plan.outcome === 'refused') return skip(plan.reason, plan.detail);
    const planned = plan.fault;
    setScope(planned.scope);
    const fault = this.buildFault(request.monkey, planned.kind, planned.targets, { ...planned.parameters }, request.durationMs);
    if (!(request.durationMs > 0) || request.durationMs > config.maxFaultDurationMs) {
      return skip('blast-radius', durationMessage(request.durationMs, config), { fault });
    }
    if (planned.exceedsBlastRadius !== undefined && !request.force) return skip('blast-radius', planned.exceedsBlastRadius, { fault });

    const scopes = [...new Set([planned.scope, ...(planned.scopes ?? [])])];
    const refused = await this.permit(scopes, fault);
    if (refused) return refused;

    try {
      await ledger.record({
        ...fault,
        group: planned.scope,
        scopes: scopes.filter((s) => s !== planned.scope),
        monkey: request.monkey,
        ...(this.options.ownerPid !== undefined ? { ownerPid: this.options.ownerPid } : {}),
      });
    } catch (error) {
      return skip('record-failed', `cannot record the fault: ${describeError(error)}`, { error, fault });
    }

    const handles: RevertHandle[] = [];
    // Intents recorded whose action has not reported its handle yet: what a rollback must also undo.
    const open: string[] = [];
    const recorder: ActionRecorder = {
      options: {
        onIntent: async (revertId) => {
          // Unrecorded, the action could outlive a dead process: a failure here stops it before it starts.
          await ledger.attachRevert(fault.id, revertId);
          open.push(revertId);
        },
      },
      done: async (handle) => {
        handles.push(handle);
        const intent = open.pop();
        if (intent === undefined) await ledger.attachRevert(fault.id, handle.id);
        else if (intent !== handle.id) await ledger.replaceRevert(fault.id, intent, handle.id);
      },
    };
    try {
      await planned.act(fault.id, recorder);
    } catch (error) {
      return { outcome: 'failed', fault, affected: handles.map((h) => h.id), error: await this.rollBack(fault.id, handles, open, error) };
    }
    this.options.reverter?.arm({ id: fault.id, expiresAt: fault.expiresAt! });
    return { outcome: 'executed', fault };
  }

  /**
   * Undoes the actions of a fault that failed half-way, newest first, then the intents of actions that never
   * reported back (reverting those is harmless for what they did not do); returns the error to report.
   */
  private async rollBack(faultId: string, handles: readonly RevertHandle[], intents: readonly string[], cause: unknown): Promise<unknown> {
    const leftBehind: string[] = [];
    for (const intent of [...intents].reverse()) {
      try {
        await this.options.provider.actuator.revert(intent);
      } catch {
        leftBehind.push(intent);
      }
    }
    for (const handle of [...handles].reverse()) {
      try {
        await handle.revert();
      } catch {
        leftBehind.push(handle.id);
      }
    }
    if (leftBehind.length > 0) {
      // Still active in the ledger: the TTL and the next start will try again.
      return new Error(`${describeError(cause)}; the rollback could not revert ${leftBehind.join(', ')}`, { cause });
    }
    try {
      await this.options.ledger.markReverted(faultId, { outcome: 'reverted', trigger: 'abort', detail: `rolled back: ${describeError(cause)}` });
    } catch {
      // Reverted for real; the record catches up when the TTL fires (reverting twice is harmless).
    }
    return cause;
  }

  private async decide(request: TerminationRequest): Promise<SafetyDecision> {
    const { config } = this;
    const { provider, ledger, random } = this.options;

    const stopped = await this.preflight();
    if (stopped) return stopped;

    let groups: readonly Group[];
    let inForce: FaultsInForce;
    try {
      groups = await provider.inventory.groups();
      inForce = await this.inForce(request.partOf);
    } catch (error) {
      return skip('check-failed', `cannot read the inventory or the faults in force: ${describeError(error)}`, { error });
    }
    const group = groups.find((g) => g.name === request.group);
    if (!group) return skip('unknown-target', `${unknownNameMessage('group', request.group, groups.map((g) => g.name))} in provider ${provider.name}`);
    if (config.exceptGroups.includes(group.name)) return skip('not-eligible', `group ${group.name} is an exception (safety.exceptGroups)`);
    const eligible = eligibleInstances(group, config);
    if (eligible.length === 0) {
      return skip('not-eligible', `no running instance of group ${group.name} is opted in (safety.optInTag ${config.optInTag}=true) and not an exception`);
    }

    const allowed = request.force ? eligible.length : maxVictims(group, config, inForce);
    const selection = request.selection ?? { mode: 'one' };
    const victims = selectVictims(random, eligible, selection, allowed);
    const signal = request.signal ?? 'SIGKILL';
    if (victims.length === 0) {
      // "As many as allowed" found none allowed: that is the blast radius speaking, and it should say why.
      const radius = selection.mode === 'as-many-as-allowed' ? checkBlastRadius(group, 1, config, inForce) : { ok: true as const };
      if (!radius.ok) return skip('blast-radius', radius.detail);
      return skip('no-victims', `the selection picked none of ${eligible.length} eligible instance(s)`);
    }
    const fault = this.buildFault(request.monkey, 'terminate', victims.map((v) => v.id), {
      group: request.group,
      monkey: request.monkey,
      signal,
      selection,
      ...(request.partOf !== undefined ? { partOf: request.partOf } : {}),
    });
    if (!request.force) {
      const radius = checkBlastRadius(group, victims.length, config, inForce);
      if (!radius.ok) return skip('blast-radius', radius.detail, { fault });
    }

    const refused = await this.permit([group.name], fault);
    if (refused) return refused;

    try {
      await ledger.record({ ...fault, group: group.name, monkey: request.monkey });
    } catch (error) {
      // An unrecorded fault would escape the rate limits and the reverts: better none at all.
      return skip('record-failed', `cannot record the fault: ${describeError(error)}`, { error, fault });
    }

    const affected: string[] = [];
    for (const victim of victims) {
      try {
        await provider.actuator.terminate(victim, { signal });
      } catch (error) {
        // Stop at the first failure: a platform that misbehaves is no place to keep pushing.
        return { outcome: 'failed', fault, affected, error };
      }
      affected.push(victim.id);
    }
    return { outcome: 'executed', fault };
  }

  private buildFault(monkey: string, kind: FaultKind, targets: readonly string[], parameters: Record<string, unknown>, durationMs?: number): Fault {
    const now = this.options.clock.now();
    // Clock time plus random bits: unique enough across monkeys, and replayable from a seed in tests.
    const suffix = Math.floor(this.options.random.next() * 0x1_0000_0000).toString(16).padStart(8, '0');
    return {
      id: `${monkey}-${now.toString(36)}-${suffix}`,
      kind,
      targets: [...targets],
      startedAt: now,
      ...(durationMs !== undefined ? { expiresAt: now + durationMs } : {}),
      parameters,
    };
  }
}
