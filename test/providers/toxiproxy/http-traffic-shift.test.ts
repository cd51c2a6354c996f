import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { isSimianError } from '../../../src/core/errors.js';
import { HttpTrafficShift } from '../../../src/providers/toxiproxy/http-traffic-shift.js';
import { Cleanup, evacuatedRegions, listenHttp, STACK_TOKEN, startFrontDoor } from './fixtures.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('HttpTrafficShift', () => {
  it('evacuates and restores a region of the real front door; both are idempotent', async () => {
    const { url } = await startFrontDoor(cleanup, ['us-east', 'us-west']);
    const shift = new HttpTrafficShift(`${url}/`, { token: STACK_TOKEN });
    await shift.evacuate('us-east');
    await shift.evacuate('us-east');
    expect(await evacuatedRegions(url)).toEqual({ 'us-east': true, 'us-west': false });
    await shift.restore('us-east');
    await shift.restore('us-east');
    expect(await evacuatedRegions(url)).toEqual({ 'us-east': false, 'us-west': false });
  });

  it('says provider.unknownRegion for a region the front door does not have', async () => {
    const { url } = await startFrontDoor(cleanup, ['us-east']);
    const error = await new HttpTrafficShift(url, { token: STACK_TOKEN }).evacuate('mars-1').catch((e: unknown) => e);
    expect(isSimianError(error, 'provider.unknownRegion')).toBe(true);
    expect((error as Error).message).toContain(`${url}/admin/regions/mars-1/evacuate`);
  });

  it('is refused by the front door without its stack token, or with another one', async () => {
    const { url } = await startFrontDoor(cleanup, ['us-east']);
    for (const shift of [new HttpTrafficShift(url), new HttpTrafficShift(url, { token: `${STACK_TOKEN}-not` })]) {
      const error = await shift.evacuate('us-east').catch((e: unknown) => e);
      expect(isSimianError(error, 'provider.trafficShiftFailed')).toBe(true);
      expect((error as Error).message).toContain('HTTP 401');
    }
    expect(await evacuatedRegions(url)).toEqual({ 'us-east': false });
  });

  it('says provider.trafficShiftFailed with the URL and status for another failure, provider.unreachable without an answer', async () => {
    const url = await listenHttp(
      cleanup,
      createServer((_req, res) => {
        res.statusCode = 503;
        res.end('busy');
      }),
    );
    const failed = await new HttpTrafficShift(url).restore('us-east').catch((e: unknown) => e);
    expect(isSimianError(failed, 'provider.trafficShiftFailed')).toBe(true);
    expect((failed as Error).message).toContain(`${url}/admin/regions/us-east/restore`);
    expect((failed as Error).message).toContain('503');

    await cleanup.run();
    const unreachable = await new HttpTrafficShift(url).evacuate('us-east').catch((e: unknown) => e);
    expect(isSimianError(unreachable, 'provider.unreachable')).toBe(true);
  });
});
