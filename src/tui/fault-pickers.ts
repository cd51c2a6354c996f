/**
 * @module
 * What each fault key offers to pick, built from the drill's {@link DrillChoices}: a list whose entries lead to a
 * fault action, or to a second list (Latency Monkey picks a service, then an amount).
 */
import type { DrillChoices, FaultAction } from '../engine/drill/drill-controls.js';

/** One entry of a picker. */
export interface PickerOption {
  readonly label: string;
  readonly next: { readonly action: FaultAction } | { readonly picker: Picker };
}

/** A list to pick from. */
export interface Picker {
  readonly title: string;
  readonly options: readonly PickerOption[];
  /** Said instead of opening the picker when it has no options. */
  readonly empty: string;
}

/** The keys that open a fault picker. */
export const FAULT_KEYS = ['c', 'g', 'k', 'l', 'e'] as const;

/** One of {@link FAULT_KEYS}. */
export type FaultKey = (typeof FAULT_KEYS)[number];

/** Whether `input` is one of {@link FAULT_KEYS}. */
export function isFaultKey(input: string): input is FaultKey {
  return (FAULT_KEYS as readonly string[]).includes(input);
}

/** The picker behind fault key `key`. */
export function faultPicker(key: FaultKey, choices: DrillChoices): Picker {
  switch (key) {
    case 'c':
      return {
        title: 'Chaos Monkey: kill which instance?',
        empty: 'no instance is up',
        options: [
          { label: 'a random instance', next: { action: { kind: 'chaos' } } },
          ...choices.instances.map((instance) => ({ label: instance, next: { action: { kind: 'chaos', instance } as const } })),
        ],
      };
    case 'g':
      return {
        title: 'Chaos Gorilla: drop which zone?',
        empty: 'no zone to drop',
        options: choices.zones.map(({ region, zone }) => ({
          label: `${zone}  (${region})`,
          next: { action: { kind: 'zone', region, zone } as const },
        })),
      };
    case 'k':
      return {
        title: 'Chaos Kong: evacuate which region?',
        empty: 'no region to evacuate',
        options: choices.regions.map((region) => ({ label: region, next: { action: { kind: 'region', region } as const } })),
      };
    case 'l':
      return {
        title: 'Latency Monkey: slow which service?',
        empty: 'no service to slow',
        options: choices.services.map((service) => ({
          label: service,
          next: {
            picker: {
              title: `Latency Monkey: how much latency on ${service}?`,
              empty: 'no latency to offer',
              options: choices.latenciesMs.map((latencyMs) => ({
                label: `+${latencyMs}ms`,
                next: { action: { kind: 'latency', service, latencyMs } as const },
              })),
            },
          },
        })),
      };
    case 'e':
      return {
        title: 'Run which experiment?',
        empty: 'no experiment file found',
        options: choices.experiments.map((file) => ({ label: file, next: { action: { kind: 'experiment', file } as const } })),
      };
  }
}

/** A fault action in a few words, for the wait before its preview: `kill a random instance`, `+500ms on playback`. */
export function describeAction(action: FaultAction): string {
  switch (action.kind) {
    case 'chaos':
      return `kill ${action.instance ?? 'a random instance'}`;
    case 'zone':
      return `drop zone ${action.region}/${action.zone}`;
    case 'region':
      return `evacuate region ${action.region}`;
    case 'latency':
      return `+${action.latencyMs}ms on ${action.service}`;
    case 'experiment':
      return `run ${action.file}`;
  }
}
