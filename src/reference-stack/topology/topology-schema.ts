/**
 * @module
 * The shape of a reference-stack topology: which regions and zones exist, and how many instances of each service
 * run where. {@link topologySchema} checks and normalises what a YAML file says; `topology.ts` loads the file and
 * turns the schema's issues into `file:line: field: message` errors.
 *
 * ```yaml
 * regions:                     # at least one; names are lower-case letters, digits and dashes
 *   - name: us-east
 *     zones: [us-east-1a, us-east-1b]   # at least one; zone names are unique across the whole topology
 * services:                    # only these services run; any of gateway, discovery, user, catalog,
 *   discovery:                 #   recommendation, playback, billing, edge, origin
 *     instancesPerRegion: 1    # N per region, spread over its zones in turn (the gateway and discovery)
 *   catalog:
 *     instancesPerZone: 2      # N per zone (the default: 1 per zone when neither count is given)
 *     tags: { chaos: opt-in }  # copied onto every instance (monkeys read tags)
 *     config: { titles: 500 }  # handed to every instance as JSON, for the service to read
 * frontDoor: { instances: 2 }  # front doors for the whole stack, clients fail over between them (true: 2;
 *                              #   default: none)
 * restartDelayMs: 1000         # how long the supervisor waits before replacing a dead instance (default 1000)
 * ```
 */
import { z } from 'zod';
import { SERVICE_NAMES } from '../service-kit/identity.js';

/** The services a topology may place; the front door is not one of them (it is global, see `frontDoor`). */
export const TOPOLOGY_SERVICES = SERVICE_NAMES.filter(
  (name): name is Exclude<(typeof SERVICE_NAMES)[number], 'frontdoor'> => name !== 'frontdoor',
);

/** A service a topology may place. */
export type TopologyService = (typeof TOPOLOGY_SERVICES)[number];

/** How a service is spread: a count in every zone, or a count per region spread over its zones. */
export interface ServicePlacement {
  /** `zone`: `instances` in every zone; `region`: `instances` per region, assigned to its zones in turn. */
  readonly scope: 'zone' | 'region';
  readonly instances: number;
  /** Tags every instance of the service carries. */
  readonly tags: Readonly<Record<string, string>>;
  /** Service-specific settings, handed to each instance as JSON. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** A region and its zones. */
export interface TopologyRegion {
  readonly name: string;
  readonly zones: readonly string[];
}

/** A validated, normalised topology. */
export interface Topology {
  readonly regions: readonly TopologyRegion[];
  /** Only the services listed run; a service with 0 instances is listed but runs nowhere. */
  readonly services: Readonly<Partial<Record<TopologyService, ServicePlacement>>>;
  /** The front doors of the whole stack: `instances` 0 means none. */
  readonly frontDoor: { readonly instances: number };
  /** Delay before a dead instance is replaced, in milliseconds. */
  readonly restartDelayMs: number;
}

/** An error message that says "missing" for an absent field rather than a type mismatch with `undefined`. */
const expected =
  (what: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? `missing; expected ${what}` : `expected ${what}`;

// Names end up in instance ids, log fields and metric labels: keep them plain.
const name = z
  .string({ error: expected('a name') })
  .regex(/^[a-z][a-z0-9-]*$/, { error: 'expected lower-case letters, digits and dashes, starting with a letter' });

const count = z
  .int({ error: 'expected an integer >= 0' })
  .min(0, { error: 'expected an integer >= 0' })
  .max(1000, { error: 'expected at most 1000 instances' });

const serviceSchema = z
  .strictObject(
    {
    instancesPerZone: count.optional(),
    instancesPerRegion: count.optional(),
    tags: z
      .record(z.string(), z.string({ error: 'expected a string (quote numbers and booleans)' }), {
        error: 'expected a mapping of tag names to values',
      })
      .optional(),
    config: z.record(z.string(), z.unknown(), { error: 'expected a mapping of settings' }).optional(),
    },
    { error: 'expected a mapping with instancesPerZone or instancesPerRegion, tags, config' },
  )
  .superRefine((service, ctx) => {
    if (service.instancesPerZone !== undefined && service.instancesPerRegion !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['instancesPerRegion'],
        message: 'give either instancesPerZone or instancesPerRegion, not both',
      });
    }
  })
  .transform(
    (service): ServicePlacement => ({
      scope: service.instancesPerRegion === undefined ? 'zone' : 'region',
      instances: service.instancesPerRegion ?? service.instancesPerZone ?? 1,
      tags: service.tags ?? {},
      config: service.config ?? {},
    }),
  );

/**
 * Two front doors unless told otherwise: with one, killing it fails every viewer until it is replaced, and the
 * stack exists to show that losing any one instance costs viewers nothing.
 */
export const DEFAULT_FRONT_DOORS = 2;

const FRONT_DOOR_EXPECTED = 'expected true, false or a mapping with instances (1 to 16)';
const frontDoorSchema = z
  .union(
    [
      z.boolean(),
      z.strictObject({
        instances: z
          .int({ error: 'expected an integer from 1 to 16' })
          .min(1, { error: 'expected an integer from 1 to 16 (false for no front door)' })
          .max(16, { error: 'expected an integer from 1 to 16' })
          .optional(),
      }),
    ],
    { error: FRONT_DOOR_EXPECTED },
  )
  .transform((value) => ({ instances: value === false ? 0 : value === true ? DEFAULT_FRONT_DOORS : (value.instances ?? DEFAULT_FRONT_DOORS) }));

const regionSchema = z.strictObject({
  name,
  zones: z.array(name, { error: expected('a list of zone names') }).min(1, { error: 'expected at least one zone' }),
});

/** The schema of a topology document. Parse with `topology.ts`, which reports issues with file and line. */
export const topologySchema = z
  .strictObject(
    {
      regions: z
      .array(regionSchema, { error: expected('a list of regions') })
      .min(1, { error: 'expected at least one region' }),
    services: z
        .partialRecord(z.enum(TOPOLOGY_SERVICES), serviceSchema.nullable(), {
          error: 'expected a mapping of service names to their settings',
        })
        .optional(),
    frontDoor: frontDoorSchema.default({ instances: 0 }),
    restartDelayMs: z
      .int({ error: 'expected an integer >= 0 (milliseconds)' })
      .min(0, { error: 'expected an integer >= 0 (milliseconds)' })
      .default(1000),
    },
    { error: 'expected a mapping with regions, services, frontDoor, restartDelayMs' },
  )
  .superRefine((topology, ctx) => {
    // Zone names are unique across regions too: instance ids are `<service>-<zone>-<n>` and must not collide.
    const regions = new Set<string>();
    const zones = new Set<string>();
    topology.regions.forEach((region, r) => {
      if (regions.has(region.name)) {
        ctx.addIssue({ code: 'custom', path: ['regions', r, 'name'], message: `region "${region.name}" is listed twice` });
      }
      regions.add(region.name);
      region.zones.forEach((zone, z) => {
        if (zones.has(zone)) {
          ctx.addIssue({ code: 'custom', path: ['regions', r, 'zones', z], message: `zone "${zone}" is listed twice` });
        }
        zones.add(zone);
      });
    });
  })
  .transform(
    (topology): Topology => ({
      regions: topology.regions,
      // `catalog:` with nothing under it means "catalog with the defaults".
      services: Object.fromEntries(
        Object.entries(topology.services ?? {}).map(([service, placement]) => [
          service,
          placement ?? { scope: 'zone', instances: 1, tags: {}, config: {} },
        ]),
      ),
      frontDoor: topology.frontDoor,
      restartDelayMs: topology.restartDelayMs,
    }),
  );
