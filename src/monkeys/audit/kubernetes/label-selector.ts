/**
 * @module
 * Whether a Kubernetes label selector (`matchLabels` and `matchExpressions`, as a PodDisruptionBudget carries it)
 * selects a set of labels, by the API's rules: every requirement must hold, and an empty selector selects all.
 */
import type { KubeLabelSelector } from './kube-snapshot.js';

/**
 * Whether `selector` selects `labels`. An unknown operator selects nothing (the API would have refused it).
 *
 * @example
 * selects({ matchLabels: { app: 'web' }, matchExpressions: [] }, { app: 'web', tier: 'front' }); // true
 */
export function selects(selector: KubeLabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) if (labels[key] !== value) return false;
  return selector.matchExpressions.every(({ key, operator, values }) => {
    const value = labels[key];
    switch (operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        return false;
    }
  });
}
