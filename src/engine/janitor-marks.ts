/**
 * @module
 * The Janitor's marks and opt-outs outside a run, for every front end (`simian janitor marks|opt-out|opt-in`, the
 * daemon's API): read the marks without touching the platform, opt a resource out (it is then never marked nor
 * cleaned, and an open mark is dropped on the next run) or back in.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Clock } from '../core/clock.js';
import { InvalidInputError } from '../core/errors.js';
import { makePrivateDir } from '../core/private-files.js';
import type { SimianConfig } from '../config/simian-config.js';
import type { JanitorMark, JanitorOptOut } from '../state/janitor-records.js';
import { StateStore } from '../state/state-store.js';

/** The open marks and the opt-outs of one provider (or all), as the store holds them. */
export interface JanitorState {
  readonly marks: readonly JanitorMark[];
  readonly optOuts: readonly JanitorOptOut[];
}

type StoreConfig = Pick<SimianConfig, 'stateStorePath' | 'stateDir'>;

/** The marks and opt-outs, read without a write lock; empty when no store exists yet. */
export function readJanitorState(config: StoreConfig, options: { readonly clock: Clock; readonly provider?: string }): JanitorState {
  if (!existsSync(config.stateStorePath)) return { marks: [], optOuts: [] };
  const store = StateStore.open(config.stateStorePath, { clock: options.clock, readOnly: true });
  try {
    return { marks: store.janitorMarks(options.provider), optOuts: store.janitorOptOuts(options.provider) };
  } finally {
    store.close();
  }
}

function withStore<T>(config: StoreConfig, clock: Clock, body: (store: StateStore) => T): T {
  if (resolve(dirname(config.stateStorePath)) === resolve(config.stateDir)) makePrivateDir(config.stateDir);
  const store = StateStore.open(config.stateStorePath, { clock });
  try {
    return body(store);
  } finally {
    store.close();
  }
}

function checkResource(resource: string): string {
  const trimmed = resource.trim();
  if (trimmed === '' || trimmed.length > 512) throw new InvalidInputError('janitor.invalidResource', `resource: expected a resource name such as vol-0abc or configmap/default/old, got ${JSON.stringify(resource)}`);
  return trimmed;
}

/**
 * Opts `resource` of `provider` out of the Janitor.
 *
 * @throws InvalidInputError `janitor.invalidResource` (exit 2); SimianError `state.unwritable`
 */
export function optOutOfJanitor(config: StoreConfig, options: { readonly clock: Clock; readonly provider: string; readonly resource: string; readonly by: string; readonly reason?: string }): JanitorOptOut {
  const resource = checkResource(options.resource);
  return withStore(config, options.clock, (store) =>
    store.optOutOfJanitor({ provider: options.provider, resource, by: options.by, ...(options.reason === undefined ? {} : { reason: options.reason }) }),
  );
}

/** Opts `resource` back in; whether it had been opted out by hand (a tag or label opt-out stays). */
export function optInToJanitor(config: StoreConfig, options: { readonly clock: Clock; readonly provider: string; readonly resource: string }): boolean {
  const resource = checkResource(options.resource);
  return withStore(config, options.clock, (store) => store.optInToJanitor(options.provider, resource));
}
