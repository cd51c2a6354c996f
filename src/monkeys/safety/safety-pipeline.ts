/**
 * @module
 * The one road every termination takes, in DESIGN.md's fixed order: enabled → kill switch → outage check →
 * eligibility → blast radius → leashed / test-environment guard → minimum interval and daily quota → record → act
 * → report. Each stage may only stop the fault, never widen it, and the cheap, local stages come first so that a
 * disabled monkey asks nobody anything. Modelled on chaosmonkey's `term.Terminate`, but returning a typed decision
 * instead of logging and returning nil.
 */
import type { Clock } from '../../core/clock.js';
import { EventEmitter, type Event } from '../../core/events.js';
import type { Fault, Group, Instance } from '../../core/model.js';
import { type Random } from '../../core/random.js';
import type { Provider } from '../../providers/provider.js';
import { checkBlastRadius } from './blast-radius.js';
import type { SafetyDecision, SkipReason, SkippedDecision } from './decision.js';
import { eligibleInstances } from './eligibility.js';
import type { FaultLedger } from './fault-ledger.js';
import { fileExists, isKillSwitchEngaged, type FileExists } from './kill-switch.js';
import { noOutageCheck, type OutageCheck } from './outage-check.js';
import { resolveSafetyConfig, type SafetyConfig } from './safety-config.js';
import { selectVictims, type VictimSelection } from './victim-selection.js';

/** The rolling window behind `maxFaultsPerGroupPerDay`. */
const DAY_MS = 86_400_000;

/** A request to terminate instances of one group. */
export interface TerminationRequest {
  /** Which monkey asks (`chaos`, `doctor`): recorded with the fault and reported in events. */
  readonly monkey: string;
  readonly group: string;
  /** @default { mode: 'one' } */
  readonly selection?: VictimSelection;
  /** @default 'SIGKILL' */
  readonly signal?: 'SIGKILL' | 'SIGTERM';
}

/** Emitted once per {@link SafetyPipeline.terminate} call, whatever the outcome. */
export interface DecisionEvent {
  readonly monkey: string;
  readonly provider: string;
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
}

function skip(reason: SkipReason, detail: string, extra: Partial<Omit<SkippedDecision, 'outcome' | 'reason' | 'detail'>> = {}): SkippedDecision {
  return { outcome: 'skipped', reason, detail, ...extra };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs terminations through the safety guards.
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

  private async decide(request: TerminationRequest): Promise<SafetyDecision> {
    const { config } = this;
    const { provider, ledger, clock, random } = this.options;

    if (!config.enabled) return skip('disabled', 'the monkey is disabled (enabled: false)');

    try {
      if (await isKillSwitchEngaged(config, this.fileExists)) {
        return skip('kill-switch', config.killSwitch ? 'the kill switch is set' : `kill-switch file ${config.killSwitchFile} exists`);
      }
    } catch (error) {
      return skip('check-failed', `cannot check the kill-switch file: ${describeError(error)}`, { error });
    }

    try {
      if (await this.outageCheck.inOutage()) return skip('outage', 'an outage is in progress');
    } catch (error) {
      // When we cannot see, we do not break things.
      return skip('check-failed', `the outage check failed: ${describeError(error)}`, { error });
    }

    let group: Group | undefined;
    try {
      group = (await provider.inventory.groups()).find((g) => g.name === request.group);
    } catch (error) {
      return skip('check-failed', `cannot read the inventory: ${describeError(error)}`, { error });
    }
    if (!group) return skip('not-eligible', `no group ${request.group} in provider ${provider.name}`);
    if (config.exceptGroups.includes(group.name)) return skip('not-eligible', `group ${group.name} is an exception`);
    const eligible = eligibleInstances(group, config);
    if (eligible.length === 0) {
      return skip('not-eligible', `no running instance of group ${group.name} is opted in (${config.optInTag}=true)`);
    }

    const victims = selectVictims(random, eligible, request.selection ?? { mode: 'one' });
    if (victims.length === 0) return skip('no-victims', `the selection picked none of ${eligible.length} eligible instance(s)`);
    const radius = checkBlastRadius(group, victims.length, config);
    const fault = this.buildFault(request, victims);
    if (!radius.ok) return skip('blast-radius', radius.detail, { fault });

    if (config.leashed) return skip('leashed', `leashed: would terminate ${fault.targets.join(', ')}`, { fault });
    if (config.environment === 'test' && !config.allowUnleashedInTest) {
      return skip('unleashed-in-test', 'refusing to run unleashed in the test environment', { fault });
    }

    const now = clock.now();
    try {
      const last = await ledger.lastFaultAt(group.name);
      if (last !== undefined && now - last < config.minIntervalMs) {
        return skip('min-interval', `group ${group.name} had a fault ${now - last} ms ago (minimum ${config.minIntervalMs} ms)`, {
          fault,
        });
      }
      const today = await ledger.faultsSince(group.name, now - DAY_MS);
      if (today >= config.maxFaultsPerGroupPerDay) {
        return skip('max-per-day', `group ${group.name} had ${today} fault(s) in 24 h (maximum ${config.maxFaultsPerGroupPerDay})`, {
          fault,
        });
      }
    } catch (error) {
      return skip('check-failed', `cannot read the fault history: ${describeError(error)}`, { error, fault });
    }

    try {
      await ledger.record({ ...fault, group: group.name, monkey: request.monkey });
    } catch (error) {
      // An unrecorded fault would escape the rate limits and the reverts: better none at all.
      return skip('record-failed', `cannot record the fault: ${describeError(error)}`, { error, fault });
    }

    const affected: string[] = [];
    for (const victim of victims) {
      try {
        await provider.actuator.terminate(victim, { signal: request.signal ?? 'SIGKILL' });
      } catch (error) {
        // Stop at the first failure: a platform that misbehaves is no place to keep pushing.
        return { outcome: 'failed', fault, affected, error };
      }
      affected.push(victim.id);
    }
    return { outcome: 'executed', fault };
  }

  private buildFault(request: TerminationRequest, victims: readonly Instance[]): Fault {
    const now = this.options.clock.now();
    // Clock time plus random bits: unique enough across monkeys, and replayable from a seed in tests.
    const suffix = Math.floor(this.options.random.next() * 0x1_0000_0000).toString(16).padStart(8, '0');
    return {
      id: `${request.monkey}-${now.toString(36)}-${suffix}`,
      kind: 'terminate',
      targets: victims.map((v) => v.id),
      startedAt: now,
      parameters: {
        group: request.group,
        monkey: request.monkey,
        signal: request.signal ?? 'SIGKILL',
        selection: request.selection ?? { mode: 'one' },
      },
    };
  }
}
