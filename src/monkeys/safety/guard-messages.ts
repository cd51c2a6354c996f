/**
 * @module
 * What a skipped fault tells people: which setting stopped it (by its name in `simian.yaml`), with its value and
 * units, what the platform's history says, and how to go further. "Skipped (min-interval)" alone answers nothing.
 */
import type { Fault } from '../../core/model.js';
import type { SafetyConfig } from './safety-config.js';

/** A span of time as people read it: `250ms`, `36s`, `5m`, `1h30m`, `2d`. */
export function formatSpan(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  let rest = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join('');
}

/** "terminate a, b", "delete a" or "inject latency on a, b": what a leashed run would have done. */
export function describeFault(fault: Fault): string {
  if (fault.kind === 'terminate' || fault.kind === 'delete') return `${fault.kind} ${fault.targets.join(', ')}`;
  return `inject ${fault.kind} on ${fault.targets.join(', ')}`;
}

/** The leash, and how to lift it. */
export function leashedMessage(fault: Fault): string {
  return `leashed: would ${describeFault(fault)} (leashed: true is the default; --unleash or leashed: false in simian.yaml acts for real)`;
}

/** The test-environment guard. */
export function unleashedInTestMessage(config: SafetyConfig): string {
  return `environment is "${config.environment}": unleashed faults are refused there unless safety.allowUnleashedInTest: true`;
}

/** The minimum interval, with the scope's last fault. */
export function minIntervalMessage(scope: string, sinceMs: number, config: SafetyConfig): string {
  return (
    `${scope} had a fault ${formatSpan(sinceMs)} ago; safety.minInterval is ${formatSpan(config.minIntervalMs)} ` +
    `(the next one may come in ${formatSpan(config.minIntervalMs - sinceMs)}; lower safety.minInterval in simian.yaml to go sooner)`
  );
}

/** The daily quota. */
export function maxPerDayMessage(scope: string, count: number, config: SafetyConfig): string {
  return `${scope} had ${count} fault(s) in the last 24h; safety.maxFaultsPerGroupPerDay is ${config.maxFaultsPerGroupPerDay}`;
}

/** The longest TTL. */
export function durationMessage(durationMs: number, config: SafetyConfig): string {
  return `a duration of ${formatSpan(durationMs)} is outside (0, ${formatSpan(config.maxFaultDurationMs)}]: faults.maxDuration is ${formatSpan(config.maxFaultDurationMs)}`;
}

/** The master switch. */
export const DISABLED_MESSAGE = 'the monkeys are disabled (enabled: false in simian.yaml, or SIMIAN_ENABLED=false)';

/** The kill switch, and how it was engaged. */
export function killSwitchMessage(config: SafetyConfig): string {
  return config.killSwitch
    ? 'the kill switch is set (killSwitch): no new fault until it is released'
    : `the kill switch is engaged: ${config.killSwitchFile} exists (killSwitchFile); remove it to let faults run again`;
}
