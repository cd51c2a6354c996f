/**
 * @module
 * The drill's view as React state: read once, then again on every change the drill reports.
 */
import { useEffect, useState } from 'react';
import type { DrillControls, DrillView } from '../engine/drill/drill-controls.js';

/**
 * The latest `controls.view()`, re-read whenever `controls.subscribe` reports a change. (Not
 * `useSyncExternalStore`: it needs `view()` to return the same object until something changes, which the contract
 * does not promise.)
 */
export function useDrillView(controls: DrillControls): DrillView {
  const [view, setView] = useState(() => controls.view());
  useEffect(() => {
    const subscription = controls.subscribe(() => setView(controls.view()));
    // A change between the first read and the subscription would otherwise go unseen until the next one.
    setView(controls.view());
    return () => subscription.dispose();
  }, [controls]);
  return view;
}
