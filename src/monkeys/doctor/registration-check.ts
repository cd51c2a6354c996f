/**
 * @module
 * The registration check: an instance that runs but is missing from service discovery takes no traffic, a
 * zombie that costs capacity and hides a fault (it could not register, or its heartbeats stopped). The registry
 * is read once per examination, through a function, so any registry can feed the check.
 */
import type { Instance } from '../../core/model.js';
import type { CheckContext, HealthCheck } from './health-checks.js';

/**
 * Reads the registry: the ids (as the inventory names them) of the instances it knows, among `instances`.
 * Rejecting means the registry could not be read, and no instance is judged on it.
 */
export type RegisteredInstances = (instances: readonly Instance[], context: CheckContext) => Promise<ReadonlySet<string>>;

/** Options of {@link registrationCheck}. */
export interface RegistrationCheckOptions {
  readonly registered: RegisteredInstances;
  /** Which instances are expected to register; the others get no finding. @default every instance */
  readonly appliesTo?: (instance: Instance) => boolean;
  /** Names the registry in findings. @default 'discovery' */
  readonly registryName?: string;
}

/**
 * The registration check.
 *
 * @example
 * const check = registrationCheck({ registered: async () => new Set(await eureka.instanceIds()) });
 */
export function registrationCheck(options: RegistrationCheckOptions): HealthCheck {
  const appliesTo = options.appliesTo ?? (() => true);
  const registry = options.registryName ?? 'discovery';
  return {
    name: 'registration',
    prepare: async (instances, context) => {
      // Nobody to judge: no reason to ask the registry (nor to fail when it cannot answer).
      if (!instances.some(appliesTo)) return () => undefined;
      const registered = await options.registered(instances, context);
      return (instance) => {
        if (!appliesTo(instance)) return undefined;
        return registered.has(instance.id)
          ? { ok: true, detail: `registered in ${registry}` }
          : { ok: false, detail: `running but not registered in ${registry}` };
      };
    },
  };
}
