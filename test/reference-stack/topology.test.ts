import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError, isSimianError } from '../../src/core/index.js';
import { BUILT_IN_TOPOLOGY_NAMES } from '../../src/reference-stack/topology/built-in-topologies.js';
import { TOPOLOGY_SERVICES } from '../../src/reference-stack/topology/topology-schema.js';
import { loadTopology, parseTopology } from '../../src/reference-stack/topology/topology.js';
import { desiredInstances } from '../../src/reference-stack/topology/desired-instances.js';

/** The message of the error `parseTopology(text)` throws; fails the test if it does not throw one. */
function problems(text: string): string {
  try {
    parseTopology(text, 'topology.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ code: 'topology.invalid', exitCode: 2 });
    return (error as Error).message;
  }
  throw new Error('expected the topology to be rejected');
}

describe('built-in topologies', () => {
  it.each(BUILT_IN_TOPOLOGY_NAMES)('%s is valid and runs every service once per zone', async (name) => {
    const topology = await loadTopology(name);
    expect(Object.keys(topology.services).sort()).toEqual([...TOPOLOGY_SERVICES].sort());
    for (const placement of Object.values(topology.services)) {
      expect(placement).toEqual({ scope: 'zone', instances: 1, tags: {}, config: {} });
    }
    expect(topology.frontDoor).toEqual({ instances: 2 });
    expect(topology.restartDelayMs).toBe(1000);
  });

  it('small is one region of two zones, default two regions of three', async () => {
    expect((await loadTopology('small')).regions).toEqual([{ name: 'us-east', zones: ['us-east-1a', 'us-east-1b'] }]);
    const regions = (await loadTopology('default')).regions;
    expect(regions.map((r) => r.name)).toEqual(['us-east', 'us-west']);
    expect(regions.map((r) => r.zones.length)).toEqual([3, 3]);
  });
});

describe('topology files', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('loads a file and fills in the defaults', async () => {
    dir = await mkdtemp(join(tmpdir(), 'simian-topology-'));
    const file = join(dir, 'stack.yaml');
    await writeFile(
      file,
      [
        'regions:',
        '  - name: eu-west',
        '    zones: [eu-west-1a]',
        'services:',
        '  catalog:',
        '  discovery: { instancesPerRegion: 2, tags: { team: core }, config: { leaseMs: 3000 } }',
        '  billing: { instancesPerZone: 0 }',
      ].join('\n'),
    );
    expect(await loadTopology(file)).toEqual({
      regions: [{ name: 'eu-west', zones: ['eu-west-1a'] }],
      services: {
        catalog: { scope: 'zone', instances: 1, tags: {}, config: {} },
        discovery: { scope: 'region', instances: 2, tags: { team: 'core' }, config: { leaseMs: 3000 } },
        billing: { scope: 'zone', instances: 0, tags: {}, config: {} },
      },
      frontDoor: { instances: 0 },
      restartDelayMs: 1000,
    });
  });

  it.each([
    ['frontDoor: true', 2],
    ['frontDoor: false', 0],
    ['frontDoor: {}', 2],
    ['frontDoor: { instances: 3 }', 3],
    ['', 0],
  ])('reads "%s" as %i front doors, each a slot of its own', (line, instances) => {
    const topology = parseTopology(['regions: [{ name: us-east, zones: [us-east-1a] }]', line].join('\n'), 'topology.yaml');
    expect(topology.frontDoor).toEqual({ instances });
    expect(desiredInstances(topology).map((s) => s.id)).toEqual(Array.from({ length: instances }, (_, i) => `frontdoor-global-${i}`));
  });

  it('refuses a front-door count of 0 or a field it does not know', () => {
    const problemOf = (line: string) => problems(['regions: [{ name: us-east, zones: [us-east-1a] }]', line].join('\n'));
    expect(problemOf('frontDoor: { instances: 0 }')).toBe('topology.yaml:2: frontDoor.instances: expected an integer from 1 to 16 (false for no front door)');
    expect(problemOf('frontDoor: { replicas: 2 }')).toBe('topology.yaml:2: frontDoor.replicas: unknown field "replicas"');
  });

  it('names the file, the line and the field of a bad value', () => {
    const text = [
      '# a stack with a typo',
      'regions:',
      '  - name: us-east',
      '    zones: [us-east-1a]',
      'services:',
      '  discovery: {}',
      '  catalog: { instancesPerZone: -1 }',
    ].join('\n');
    expect(problems(text)).toBe('topology.yaml:7: services.catalog.instancesPerZone: expected an integer >= 0');
  });

  it('names an unknown service and lists the known ones', () => {
    const text = 'regions: [{ name: us-east, zones: [us-east-1a] }]\nservices:\n  catalog: {}\n  catelog: {}\n';
    expect(problems(text)).toBe(
      `topology.yaml:4: services.catelog: unknown service "catelog"; expected one of ${TOPOLOGY_SERVICES.join(', ')}`,
    );
  });

  it('reports invalid YAML with its line', () => {
    const message = problems('regions:\n  - name: us-east\n    zones: [us-east-1a\nservices: {}\n');
    expect(message).toMatch(/^topology\.yaml:\d+: invalid YAML: /);
    expect(message).not.toContain('\n');
  });

  it('reports every problem, in line order, each with its field', () => {
    const text = [
      'regions:',
      '  - name: US East',
      '    zones: []',
      '  - name: us-west',
      '    zones: [us-west-2a]',
      'services:',
      '  gateway: { instancesPerZone: 1, instancesPerRegion: 1 }',
      '  user: { instancesPerZone: 1.5, replicas: 2 }',
      '  edge: { tags: { tier: 1 } }',
      'frontDoor: yes please',
      'restartDelay: 10',
    ].join('\n');
    expect(problems(text).split('\n')).toEqual([
      'topology.yaml:2: regions[0].name: expected lower-case letters, digits and dashes, starting with a letter',
      'topology.yaml:3: regions[0].zones: expected at least one zone',
      'topology.yaml:7: services.gateway.instancesPerRegion: give either instancesPerZone or instancesPerRegion, not both',
      'topology.yaml:8: services.user.instancesPerZone: expected an integer >= 0',
      'topology.yaml:8: services.user.replicas: unknown field "replicas"',
      'topology.yaml:9: services.edge.tags.tier: expected a string (quote numbers and booleans)',
      'topology.yaml:10: frontDoor: expected true, false or a mapping with instances (1 to 16)',
      'topology.yaml:11: restartDelay: unknown field "restartDelay"',
    ]);
  });

  it('rejects a zone or region listed twice', () => {
    const text = [
      'regions:',
      '  - name: us-east',
      '    zones: [us-east-1a, us-east-1b]',
      '  - name: us-east',
      '    zones: [us-east-1b]',
    ].join('\n');
    expect(problems(text).split('\n')).toEqual([
      'topology.yaml:4: regions[1].name: region "us-east" is listed twice',
      'topology.yaml:5: regions[1].zones[0]: zone "us-east-1b" is listed twice',
    ]);
  });

  it('points a missing field at its parent, and an empty file at line 1', () => {
    expect(problems('services: {}\n')).toBe('topology.yaml:1: regions: missing; expected a list of regions');
    expect(problems('regions:\n  - name: us-east\n')).toBe('topology.yaml:2: regions[0].zones: missing; expected a list of zone names');
    expect(problems('')).toBe('topology.yaml:1: expected a mapping with regions, services, frontDoor, restartDelayMs');
  });

  it('rejects a missing file, naming the built-in topologies', async () => {
    const error: unknown = await loadTopology('no/such/topology.yaml').catch((e: unknown) => e);
    expect(isSimianError(error, 'topology.notFound')).toBe(true);
    expect(error).toMatchObject({ exitCode: 2 });
    expect((error as Error).message).toBe(
      'topology "no/such/topology.yaml": no such file, and not a built-in topology (small, default)',
    );
  });
});
