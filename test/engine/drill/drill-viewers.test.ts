import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import { SeededRandom } from '../../../src/core/random.js';
import { startDrillViewers, type DrillViewers } from '../../../src/engine/drill/drill-viewers.js';
import { loopbackServers } from '../../support/loopback-servers.js';

describe('startDrillViewers', () => {
  const servers = loopbackServers();
  const running: DrillViewers[] = [];
  const tcpServers: TcpServer[] = [];
  let clock = new ManualClock();
  afterEach(async () => {
    await Promise.all(tcpServers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    // Stopping waits for the arrival loop's sleep to end: move the clock past it.
    const stopped = running.splice(0).map((v) => v.stop());
    await clock.advance(1000);
    await Promise.all(stopped);
    await servers.closeAll();
  });

  /** A front door that refuses every login (each journey ends there), telling when `n` logins came. */
  async function frontDoor() {
    let logins = 0;
    const waiting: { n: number; resolve: () => void }[] = [];
    const url = await servers.listen(
      createServer((request, response) => {
        if (request.url === '/api/login') logins += 1;
        response.writeHead(503).end();
        for (const w of waiting.filter((x) => logins >= x.n)) w.resolve();
      }),
    );
    return {
      url,
      logins: () => logins,
      loginsReach: (n: number) => (logins >= n ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ n, resolve }))),
    };
  }

  it('sends viewers at the rate asked, at least one a second, and follows a rate changed live', async () => {
    clock = new ManualClock();
    const door = await frontDoor();
    const viewers = startDrillViewers({ frontDoorUrls: [door.url], rate: 0.2, clock, random: new SeededRandom(1) });
    running.push(viewers);
    expect(viewers.rate).toBe(1);
    expect(viewers.latest()).toBeUndefined();
    await door.loginsReach(1);
    viewers.setRate(2.6);
    expect(viewers.rate).toBe(3);
    // The sleep begun at 1/s ends at 1 s, where the first progress report comes; then three a second.
    await clock.advance(1000);
    await door.loginsReach(2);
    expect(viewers.latest()!.sessions).toBe(2);
    await clock.advance(1000);
    await door.loginsReach(5);
    expect(door.logins()).toBe(5);
    viewers.setRate(-4);
    expect(viewers.rate).toBe(1);
  });

  it('fails over to the next front door when the first accepts connections and closes them (its process killed)', async () => {
    clock = new ManualClock();
    const dead = createTcpServer((socket) => socket.destroy());
    tcpServers.push(dead);
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const door = await frontDoor();
    const viewers = startDrillViewers({ frontDoorUrls: [`http://127.0.0.1:${(dead.address() as AddressInfo).port}`, door.url], rate: 1, clock, random: new SeededRandom(4) });
    running.push(viewers);
    // Without failover the login would not reach the live front door before the exchange's retry pause, on a clock
    // that does not move here.
    await door.loginsReach(1);
    expect(door.logins()).toBe(1);
  });

  it('stops new arrivals on stop and resolves with the whole run', async () => {
    clock = new ManualClock();
    const door = await frontDoor();
    const viewers = startDrillViewers({ frontDoorUrls: [door.url], rate: 1, clock, random: new SeededRandom(2) });
    running.push(viewers);
    await door.loginsReach(1);
    await clock.advance(1000);
    await door.loginsReach(2);
    const stopped = viewers.stop();
    await clock.advance(5000);
    const report = await stopped;
    expect(report).toMatchObject({ sessions: 2, failures: 2 });
    expect(door.logins()).toBe(2);
  });
});
