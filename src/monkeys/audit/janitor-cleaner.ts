/**
 * @module
 * What the Janitor Monkey deletes with: one cleaner per provider, given the `resource` of a Janitor finding. The
 * Janitor only calls it for a resource that its rules found unused in a snapshot taken in the same run, after the
 * retention period, when unleashed and not opted out, and through the safety pipeline; the cleaner itself only
 * deletes.
 *
 * Resource names, one form per provider:
 * - local: `instance/<slot id>`, `data/<path under the state directory>`, `proxy/<proxy name>`,
 *   `toxic/<proxy name>/<toxic name>`;
 * - kubernetes: `<kind>/<namespace>/<name>` with the kind in lower case: `persistentvolumeclaim`, `configmap`,
 *   `secret`, `job`, `replicaset`;
 * - aws: the EC2 id itself: `i-…`, `vol-…`, `snap-…`, `sg-…`.
 */

/** Deletes resources of one provider. */
export interface JanitorCleaner {
  /** The provider it deletes on: `local`, `kubernetes`, `aws`. */
  readonly provider: string;
  /**
   * Deletes `resource`. A resource that is already gone counts as cleaned (resolves); any other failure rejects
   * with an error saying what the platform answered, and the Janitor retries on its next run.
   *
   * @throws SimianError `janitor.unknownResource` for a name not of this provider's forms (a bug, not a retry)
   */
  clean(resource: string): Promise<void>;
}
