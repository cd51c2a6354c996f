/**
 * @module
 * What the daemon's API may ask of the running daemon. The API only translates HTTP to these calls and their
 * answers to status codes; the daemon decides, through the engine and its safety pipeline.
 */
import type { OnDemandChaosRequest } from './api/on-demand-chaos.js';
import type { JanitorState } from '../engine/janitor-marks.js';
import type { JanitorOptOut } from '../state/janitor-records.js';
import type { PlanView } from './plan-book.js';

/** The answer to an on-demand fault, each mapped to SimianArmy's status code by the API. */
export type OnDemandOutcome =
  /** 200: the fault happened; `event` is what `GET /v1/chaos` lists. */
  | { readonly outcome: 'executed'; readonly event: ChaosEvent }
  /** 403: on-demand faults are off (`daemon.onDemand: false`), or the safety pipeline refused this one. */
  | { readonly outcome: 'refused'; readonly reason: string; readonly detail: string }
  /** 404: no such group. */
  | { readonly outcome: 'notFound'; readonly detail: string }
  /** 410: the group has no instance left to hit. */
  | { readonly outcome: 'gone'; readonly detail: string }
  /** 500: the fault was attempted and failed. */
  | { readonly outcome: 'failed'; readonly detail: string }
  /** 503: this daemon does not lead; only the leader acts. */
  | { readonly outcome: 'notLeader'; readonly detail: string };

/** A termination, in the shape of SimianArmy's `CHAOS_TERMINATION` events. */
export interface ChaosEvent {
  readonly monkeyType: 'CHAOS';
  readonly eventId: string;
  readonly eventType: 'CHAOS_TERMINATION';
  /** Epoch milliseconds. */
  readonly eventTime: number;
  readonly region?: string;
  readonly groupType: string;
  readonly groupName: string;
  readonly chaosType: string;
  /** How it came, when this daemon knows: the day's plan or a request to the API. */
  readonly source?: 'schedule' | 'on-demand';
  /** The instance hit. */
  readonly instanceId?: string;
  /** The leader's fencing token when it acted. */
  readonly fencingToken?: number;
}

/** The kill switch as the API reports it. */
export interface KillSwitchState {
  readonly engaged: boolean;
  readonly file: string;
  readonly reason?: string;
  /** What engaging it reverted, by fault id. */
  readonly reverted?: ReadonlyArray<{ readonly faultId: string; readonly outcome: string }>;
}

/** The running daemon, as its API sees it. */
export interface DaemonControl {
  /** Whether this daemon holds the lease and acts. */
  isLeader(): boolean;
  /** Whether the daemon's loop is alive (`/healthz`), and why not. */
  health(): { readonly ok: boolean; readonly detail: string };
  /** Today's plan, with each entry's status. */
  plan(): PlanView;
  /** The daemon's recent events (bounded), oldest first, after `since` (epoch ms). */
  events(since: number): readonly unknown[];
  /** What the state store remembers, newest first. */
  history(limit: number): readonly unknown[];
  /** The terminations since `since` (epoch ms), for SimianArmy's `GET /v1/chaos`. */
  chaosEvents(since: number): readonly ChaosEvent[];
  /** Hits `request.groupName` now, through the safety pipeline. */
  chaos(request: OnDemandChaosRequest): Promise<OnDemandOutcome>;
  killSwitch(): Promise<KillSwitchState>;
  /** Engages the kill switch and reverts every fault in force. */
  engageKillSwitch(by: string): Promise<KillSwitchState>;
  releaseKillSwitch(): Promise<KillSwitchState>;
  /** The Janitor's open marks and hand-made opt-outs on the daemon's provider. */
  janitor(): JanitorState;
  /** Opts `resource` of the daemon's provider out of the Janitor (never marked nor cleaned). */
  optOutOfJanitor(resource: string, reason?: string): JanitorOptOut;
  /** Undoes an opt-out made by hand; whether there was one. */
  optInToJanitor(resource: string): boolean;
  /** The Prometheus text of `/metrics`. */
  metrics(): Promise<string>;
}
