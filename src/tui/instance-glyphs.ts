/**
 * @module
 * How an instance's condition looks on the map: a distinct glyph for each, so the map reads without colour, and a
 * colour for each, so it reads at a glance.
 */
import type { InstanceCondition } from '../engine/drill/drill-controls.js';

/** The glyph and colour of one condition. */
export interface ConditionStyle {
  readonly glyph: string;
  readonly color: string;
  /** The legend's word for it. */
  readonly label: string;
}

/** Every condition's style, in the legend's order. */
export const CONDITION_STYLES: Readonly<Record<InstanceCondition, ConditionStyle>> = {
  up: { glyph: '●', color: 'green', label: 'up' },
  down: { glyph: '✕', color: 'red', label: 'down' },
  replacing: { glyph: '↻', color: 'blue', label: 'replacing' },
  isolated: { glyph: '⊘', color: 'magenta', label: 'isolated' },
  slowed: { glyph: '~', color: 'cyan', label: 'slowed' },
  sick: { glyph: '!', color: 'yellow', label: 'sick' },
};

/** The conditions in the legend's order. */
export const CONDITIONS = Object.keys(CONDITION_STYLES) as readonly InstanceCondition[];
