/**
 * @module
 * Which regions are evacuated, held once for every front door of a stack. With several front doors, an
 * evacuation posted to one of them would move only the viewers that happen to come through it, and a replaced
 * front door would start knowing nothing of it. So the stack process holds the list, versioned, and sends it
 * whole (`PUT /admin/evacuations`) to every front door that runs, and to each new one once it is ready; a front
 * door keeps the newest version it was given, so two sends that cross cannot leave it behind. A front door also
 * starts with the list as it was when it was launched.
 */

import type { EvacuationState } from '../frontdoor/frontdoor-service.js';

export type { EvacuationState };

/** Sends a state to the front doors: every running one, or one by address. */
export type EvacuationSender = (state: EvacuationState) => Promise<void>;

/** The stack's evacuated regions. */
export class RegionEvacuations {
  private version = 0;
  private readonly evacuated = new Set<string>();

  constructor(
    /** Every region of the stack; others are refused. */
    readonly regions: readonly string[],
    private readonly send: EvacuationSender,
  ) {}

  /** The list as it stands. */
  get state(): EvacuationState {
    return { version: this.version, evacuated: this.regions.filter((r) => this.evacuated.has(r)) };
  }

  /**
   * Evacuates `region` and sends the new list to every running front door.
   * @returns false for a region the stack does not have
   * @throws when a running front door did not take the list (the stack keeps it; the front door gets it when it is
   * replaced, or with the next change)
   */
  evacuate(region: string): Promise<boolean> {
    return this.change(region, () => this.evacuated.add(region));
  }

  /** Restores `region`; like {@link RegionEvacuations.evacuate}. */
  restore(region: string): Promise<boolean> {
    return this.change(region, () => this.evacuated.delete(region));
  }

  private async change(region: string, apply: () => void): Promise<boolean> {
    if (!this.regions.includes(region)) return false;
    apply();
    this.version++;
    await this.send(this.state);
    return true;
  }
}
