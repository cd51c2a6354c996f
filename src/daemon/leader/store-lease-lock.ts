/**
 * @module
 * A {@link LeaseLock} on a row of the state store, for daemons on one machine sharing one store. The row's
 * version makes each write conditional, as a Kubernetes Lease's `resourceVersion` does.
 */
import type { StateStore } from '../../state/index.js';
import type { LeaseLock, LeaseRecord, VersionedLease } from './lease-lock.js';

/** The lease `name` in `store`. The store must stay open while the lock is used. */
export function storeLeaseLock(store: StateStore, name: string): LeaseLock {
  return {
    get: async (): Promise<VersionedLease | undefined> => {
      const row = store.readLease(name);
      return row && { record: row.lease, version: String(row.version) };
    },
    // The store writes version 1 on create and version + 1 on a successful update (see lease-records.ts).
    create: async (record: LeaseRecord) => (store.createLease(name, record) ? '1' : undefined),
    update: async (record: LeaseRecord, version: string) => (store.updateLease(name, record, Number(version)) ? String(Number(version) + 1) : undefined),
    describe: () => `the state store's lease "${name}" (${store.path})`,
  };
}
