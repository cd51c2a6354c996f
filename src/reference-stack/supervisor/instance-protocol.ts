/**
 * @module
 * What passes between the supervisor and an instance process: the launch information in one environment
 * variable (JSON), and the instance's `ready` message over the IPC channel. Both sides import this file, so it
 * stays free of heavy dependencies: every instance process loads it at start-up.
 */
import { SERVICE_NAMES, type ServiceIdentity } from '../service-kit/identity.js';

/** The environment variable that carries an instance's {@link InstanceLaunchInfo} as JSON. */
export const INSTANCE_ENV_VAR = 'SIMIAN_INSTANCE';

/** What an instance process is told about itself. */
export interface InstanceLaunchInfo {
  readonly identity: ServiceIdentity;
  /** Service-specific settings (from the topology, and from the launcher's `config` function). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** Sent by an instance over IPC once it listens. */
export interface ReadyMessage {
  readonly type: 'ready';
  /** The loopback port it listens on. */
  readonly port: number;
}

/** Encodes launch information for {@link INSTANCE_ENV_VAR}. */
export function encodeLaunchInfo(info: InstanceLaunchInfo): string {
  return JSON.stringify(info);
}

/**
 * Decodes {@link INSTANCE_ENV_VAR}.
 *
 * @throws Error naming what is wrong: an instance started by hand without it, or with a bad value, must say so
 */
export function decodeLaunchInfo(value: string | undefined): InstanceLaunchInfo {
  if (value === undefined || value === '') {
    throw new Error(`${INSTANCE_ENV_VAR} is not set: instance processes are started by the reference-stack supervisor`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new Error(`${INSTANCE_ENV_VAR} is not valid JSON`, { cause: error });
  }
  const info = parsed as { identity?: Record<string, unknown>; config?: unknown } | null;
  const identity = info?.identity;
  if (
    typeof identity !== 'object' ||
    identity === null ||
    !(SERVICE_NAMES as readonly unknown[]).includes(identity['service']) ||
    typeof identity['region'] !== 'string' ||
    typeof identity['zone'] !== 'string' ||
    typeof identity['instanceId'] !== 'string'
  ) {
    throw new Error(`${INSTANCE_ENV_VAR}: expected identity {service, region, zone, instanceId}, got ${value}`);
  }
  const config = info?.config ?? {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new Error(`${INSTANCE_ENV_VAR}: expected config to be an object, got ${JSON.stringify(config)}`);
  }
  return {
    identity: {
      service: identity['service'] as ServiceIdentity['service'],
      region: identity['region'],
      zone: identity['zone'],
      instanceId: identity['instanceId'],
    },
    config: config as Record<string, unknown>,
  };
}

/** Whether an IPC message is a well-formed {@link ReadyMessage}. */
export function isReadyMessage(message: unknown): message is ReadyMessage {
  if (typeof message !== 'object' || message === null) return false;
  const { type, port } = message as { type?: unknown; port?: unknown };
  return type === 'ready' && Number.isInteger(port) && (port as number) > 0 && (port as number) < 65_536;
}
