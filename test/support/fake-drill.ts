/**
 * A {@link DrillControls} for console tests: a view the test sets (built from a realistic two regions × three zones
 * stack), and a record of every call the console makes.
 */
import type {
  ActionResult,
  DrillChoices,
  DrillControls,
  DrillView,
  FaultAction,
  FaultPreview,
  InstanceView,
  TimelineEntry,
} from '../../src/engine/drill/drill-controls.js';
import type { Disposable } from '../../src/core/events.js';

/** When the fake drill started: 2026-03-01 09:00:00 UTC. */
export const STARTED_AT = Date.UTC(2026, 2, 1, 9, 0, 0);

export const SERVICES = ['gateway', 'discovery', 'user', 'catalog', 'recommendation', 'playback', 'billing', 'edge', 'origin'];
export const REGIONS = [
  { name: 'us-east', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
  { name: 'us-west', zones: ['us-west-2a', 'us-west-2b', 'us-west-2c'] },
];

/** Every service once per zone, all up. */
export function instances(): InstanceView[] {
  return REGIONS.flatMap((region) =>
    region.zones.flatMap((zone) =>
      SERVICES.map((service) => ({ id: `${service}-${zone}-0`, service, region: region.name, zone, condition: 'up' as const, restarts: 0 })),
    ),
  );
}

/** The reference stack's two front doors, in their `global` placement, with the conditions given (default: up). */
export function frontDoors(conditions: readonly InstanceView['condition'][] = ['up', 'up']): InstanceView[] {
  return conditions.map((condition, i) => ({ id: `frontdoor-global-${i}`, service: 'frontdoor', region: 'global', zone: 'global', condition, restarts: 0 }));
}

/** `view` with the front doors added, as the drill lists them: `global` after the regions, `frontdoor` after the services. */
export function withFrontDoors(view: DrillView, doors: readonly InstanceView[] = frontDoors()): DrillView {
  return {
    ...view,
    regions: [...view.regions, { name: 'global', zones: ['global'], global: true }],
    services: [...view.services, 'frontdoor'],
    instances: [...view.instances, ...doors],
  };
}

/** `n` timeline entries of every kind, one a second from the start. */
export function timeline(n: number): TimelineEntry[] {
  const kinds = ['fault', 'revert', 'refused', 'instance', 'slo', 'note', 'experiment', 'halt', 'info', 'warning'] as const;
  return Array.from({ length: n }, (_, i) => ({ at: STARTED_AT + i * 1000, kind: kinds[i % kinds.length]!, text: `entry ${i} ${'x'.repeat(i % 3 === 0 ? 120 : 10)}` }));
}

/** A running drill 12m34s in, with four SLOs (one breached), four dependencies and a short timeline. */
export function drillView(overrides: Partial<DrillView> = {}): DrillView {
  const history = Array.from({ length: 60 }, (_, i) => (i % 10 === 0 ? undefined : 0.999 + (i % 7) * 0.0001));
  return {
    phase: 'running',
    stack: 'reference stack (default)',
    leashed: false,
    readonly: false,
    killSwitch: false,
    startedAt: STARTED_AT,
    now: STARTED_AT + 754_000,
    viewers: { rate: 5, sessions: 1234, successRatio: 0.9987 },
    sloSource: 'direct scrapes',
    regions: REGIONS,
    services: SERVICES,
    instances: instances(),
    slos: [
      { name: 'playback-availability', objective: 0.999, current: 0.9995, budgetLeft: 0.82, burnRate: 0.5, history, breached: false },
      { name: 'home-latency', objective: 0.99, current: 0.97, budgetLeft: -0.2, burnRate: 3.1, history, breached: true },
      { name: 'login-availability', objective: 0.999, current: 1, budgetLeft: 1, burnRate: 0, history, breached: false },
      { name: 'billing-durability', objective: 0.9999, budgetLeft: undefined, history: [], breached: false },
    ],
    dependencies: [
      { name: 'playback→edge', circuits: { open: 2, halfOpen: 0, total: 4 }, retriesPerSecond: 1.5, fallbacksPerSecond: 0.4 },
      { name: 'gateway→recommendation', circuits: { open: 0, halfOpen: 0, total: 6 }, retriesPerSecond: 0, fallbacksPerSecond: 0 },
      { name: 'user→billing', circuits: { open: 0, halfOpen: 1, total: 2 }, retriesPerSecond: 0, fallbacksPerSecond: 0 },
      { name: 'catalog-retry', retriesPerSecond: 12, fallbacksPerSecond: 0 },
    ],
    faults: [],
    timeline: timeline(5),
    ...overrides,
  };
}

/** A preview that names what `action` hits. */
export function previewOf(action: FaultAction, refusal?: string): FaultPreview {
  const target = action.kind === 'chaos' ? (action.instance ?? 'a random instance') : action.kind === 'zone' ? action.zone : action.kind === 'region' ? action.region : action.kind === 'latency' ? action.service : action.file;
  return {
    action,
    title: `${action.kind}: ${target}`,
    target,
    blastRadius: `1 of 2 ${target} instances`,
    healthyLeft: `1 ${target} instance left healthy`,
    duration: '5m',
    ...(refusal === undefined ? {} : { refusal }),
  };
}

/** The fake drill. */
export class FakeDrill implements DrillControls {
  readonly executed: FaultAction[] = [];
  readonly previewed: FaultAction[] = [];
  readonly notes: string[] = [];
  readonly rates: number[] = [];
  halts = 0;
  /** What execute and halt answer. */
  result: ActionResult = { outcome: 'executed', message: 'fault in force' };
  /** Set to make every preview a refusal. */
  refusal: string | undefined;
  /** Set to hold previews back until it resolves. */
  previewGate: Promise<void> | undefined;
  private current: DrillView;
  private listeners: (() => void)[] = [];

  constructor(view: DrillView = drillView()) {
    this.current = view;
  }

  /** Replaces the view and tells the subscribers. */
  setView(view: DrillView | ((view: DrillView) => DrillView)): void {
    this.current = typeof view === 'function' ? view(this.current) : view;
    for (const listener of this.listeners) listener();
  }

  view(): DrillView {
    return this.current;
  }

  subscribe(listener: () => void): Disposable {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  }

  choices(): DrillChoices {
    const up = this.current.instances.filter((i) => i.condition === 'up').map((i) => i.id);
    // Like the drill: the front doors' global placement is no zone or region to take down.
    const regions = this.current.regions.filter((r) => !r.global);
    return {
      instances: up,
      zones: regions.flatMap((r) => r.zones.map((zone) => ({ region: r.name, zone }))),
      regions: regions.map((r) => r.name),
      services: this.current.services,
      latenciesMs: [100, 500, 2000],
      experiments: ['experiments/kill-playback.yaml', 'experiments/zone-outage.yaml'],
    };
  }

  async preview(action: FaultAction): Promise<FaultPreview> {
    this.previewed.push(action);
    await this.previewGate;
    return previewOf(action, this.refusal);
  }

  async execute(action: FaultAction): Promise<ActionResult> {
    this.executed.push(action);
    return this.result;
  }

  note(text: string): void {
    this.notes.push(text);
  }

  setRate(viewersPerSecond: number): void {
    this.rates.push(viewersPerSecond);
  }

  async halt(): Promise<ActionResult> {
    this.halts++;
    return this.result;
  }
}
