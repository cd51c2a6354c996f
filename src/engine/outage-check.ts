/**
 * @module
 * The outage check of `simian.yaml` (`outageCheck`), wired for one run: its SLOs loaded, its SLIs read from a
 * Prometheus (the configured one, else the running stack's) or from direct scrapes of the running stack, and its
 * alerts from that Prometheus. Monkeys and experiments ask it before every fault, through the safety pipeline.
 */
import { InvalidInputError } from '../core/errors.js';
import { unknownNameMessage } from '../core/did-you-mean.js';
import { outageCheckEnabled, type SimianConfig } from '../config/simian-config.js';
import { noOutageCheck, type OutageCheck } from '../monkeys/safety/outage-check.js';
import { SloOutageCheck, type AlertSource } from '../monkeys/safety/slo-outage-check.js';
import { loadSloFile } from '../slo/load-slo-file.js';
import { PrometheusClient } from '../slo/prometheus-client.js';
import { PrometheusSliSource } from '../slo/prometheus-sli-source.js';
import type { Slo } from '../slo/slo-spec.js';
import type { Clock } from '../core/clock.js';
import { instantQuery, runningStack, scrapeStack } from './stack-sli.js';

/** The outage check of a run, and how to let go of what it watches. */
export interface OutageWiring {
  readonly check: OutageCheck;
  /** Where its SLIs come from, for people (`prometheus http://…`, `direct scrapes`, `off`). */
  readonly source: string;
  close(): Promise<void>;
}

/** The config's SLOs, by name; an unknown name is bad input (exit 2) with the names the file has. */
async function outageSlos(config: SimianConfig): Promise<Slo[]> {
  const { slosFile, names } = config.outageCheck;
  if (slosFile === undefined) return [];
  let specs;
  try {
    specs = await loadSloFile(slosFile);
  } catch (error) {
    throw new InvalidInputError('config.invalid', `outageCheck.slos: cannot load ${slosFile}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const all = specs.flatMap((spec) => spec.slos);
  if (names === undefined) return all;
  return names.map((name) => {
    const slo = all.find((s) => s.name === name);
    if (!slo) throw new InvalidInputError('config.invalid', `outageCheck.names: ${unknownNameMessage('SLO', name, all.map((s) => s.name))} in ${slosFile}`);
    return slo;
  });
}

/**
 * The outage check `config` asks for; the no-op when `outageCheck` names no SLOs and no alerts.
 *
 * @throws InvalidInputError `config.invalid` (exit 2) when the SLO file cannot be loaded or names an unknown SLO
 */
export async function outageCheckFor(deps: { readonly clock: Clock }, config: SimianConfig): Promise<OutageWiring> {
  const settings = config.outageCheck;
  if (!outageCheckEnabled(settings)) return { check: noOutageCheck, source: 'off', close: async () => undefined };
  const slos = await outageSlos(config);
  const stack = runningStack(config.stateDir);
  const base = { clock: deps.clock, slos, windowMs: settings.windowMs, maxBurnRate: settings.maxBurnRate };
  const prometheusUrl = settings.prometheusUrl ?? stack?.prometheusUrl;
  if (prometheusUrl) {
    const client = new PrometheusClient({ url: prometheusUrl, clock: deps.clock });
    const query = instantQuery(client);
    const alerts: AlertSource | undefined =
      settings.alerts === undefined ? undefined : { matchers: settings.alerts, query: (expr, time) => query(expr, { time }) };
    return {
      check: new SloOutageCheck({ ...base, sli: new PrometheusSliSource(client), ...(alerts ? { alerts } : {}) }),
      source: `prometheus ${prometheusUrl}`,
      close: async () => undefined,
    };
  }
  // Alerts live in a Prometheus: without one, they cannot be read, and a check that cannot tell skips.
  const noAlerts: AlertSource | undefined =
    settings.alerts === undefined
      ? undefined
      : { matchers: settings.alerts, query: async () => Promise.reject(new Error('outageCheck.alerts needs a Prometheus (outageCheck.prometheus, or simian stack up --prometheus)')) };
  if (!stack || slos.length === 0) {
    const why = 'outageCheck has no Prometheus (outageCheck.prometheus, or simian stack up --prometheus) and no running stack to scrape';
    return {
      check: slos.length === 0 ? new SloOutageCheck({ ...base, ...(noAlerts ? { alerts: noAlerts } : {}) }) : { inOutage: () => ({ state: 'unknown', detail: why }) },
      source: 'none',
      close: async () => undefined,
    };
  }
  const scrapes = await scrapeStack(deps, stack, slos);
  return {
    check: new SloOutageCheck({ ...base, sli: scrapes.sli, observedSince: () => scrapes.startedAt, minObservedMs: settings.observeMs, ...(noAlerts ? { alerts: noAlerts } : {}) }),
    source: 'direct scrapes of the running stack',
    close: () => scrapes.close(),
  };
}
