/**
 * @module
 * The SLOs as the console shows them, updated once per tick from an SLI source: the success ratio of the last
 * minute, the burn rate it means, the share of the drill's error budget still left (the budget of the time since
 * the drill started), and a bounded history for the sparkline. A breach and a recovery are told once each.
 */
import type { SliSource, SliWindow } from '../../slo/sli-source.js';
import { errorBudget, type Slo } from '../../slo/slo-spec.js';
import type { SloView } from './drill-controls.js';

/** The window "now" means: long enough to hold a few hundred events at a drill's rates. */
export const LIVE_WINDOW_MS = 60_000;

/** An SLO that went under its objective, or came back. */
export interface SloTransition {
  readonly slo: string;
  readonly breached: boolean;
  /** The success ratio that crossed the objective. */
  readonly current: number;
  readonly objective: number;
}

interface SloState {
  current?: number;
  budgetLeft?: number;
  burnRate?: number;
  breached: boolean;
  history: (number | undefined)[];
}

/** Live values of a set of SLOs. */
export class LiveSlos {
  private readonly states = new Map<string, SloState>();

  constructor(
    private readonly slos: readonly Slo[],
    private readonly sli: SliSource,
    private readonly historyLength = 120,
  ) {
    for (const slo of slos) this.states.set(slo.name, { breached: false, history: [] });
  }

  /**
   * Reads every SLO at `now` (the source must hold a sample at or after it): the last minute, clipped to what has
   * been watched since `watchedSince`, and the whole drill since `drillStart`.
   */
  async update(now: number, watchedSince: number, drillStart: number): Promise<SloTransition[]> {
    const transitions: SloTransition[] = [];
    const recent: SliWindow = { start: Math.max(now - LIVE_WINDOW_MS, watchedSince), end: now };
    const drill: SliWindow = { start: Math.max(drillStart, watchedSince), end: now };
    for (const slo of this.slos) {
      const state = this.states.get(slo.name)!;
      const budget = errorBudget(slo);
      const [last, whole] = await Promise.all([this.sli.errorRatio(slo, recent), this.sli.errorRatio(slo, drill)]);
      if (last.outcome === 'measured') {
        state.current = 1 - last.errorRatio;
        state.burnRate = budget > 0 ? last.errorRatio / budget : undefined;
        // A tolerance: 99.9 / 100 is 0.9990000000000001, and a ratio of exactly 0.999 meets its objective.
        const breached = state.current < slo.objective / 100 - 1e-12;
        if (breached !== state.breached) transitions.push({ slo: slo.name, breached, current: state.current, objective: slo.objective / 100 });
        state.breached = breached;
      } else {
        delete state.current;
        delete state.burnRate;
      }
      if (whole.outcome === 'measured' && budget > 0) state.budgetLeft = 1 - whole.errorRatio / budget;
      state.history = [...state.history, state.current].slice(-this.historyLength);
    }
    return transitions;
  }

  views(): SloView[] {
    return this.slos.map((slo) => {
      const state = this.states.get(slo.name)!;
      return {
        name: slo.name,
        objective: slo.objective / 100,
        ...(state.current !== undefined ? { current: state.current } : {}),
        ...(state.budgetLeft !== undefined ? { budgetLeft: state.budgetLeft } : {}),
        ...(state.burnRate !== undefined ? { burnRate: state.burnRate } : {}),
        history: state.history,
        breached: state.breached,
      };
    });
  }
}
