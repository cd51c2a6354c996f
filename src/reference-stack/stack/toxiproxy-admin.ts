/**
 * @module
 * The few Toxiproxy admin calls the stack makes, over plain HTTP, so the stack runs the same against the embedded
 * proxy or a real Toxiproxy server.
 */

/** A proxy as the admin API describes it. */
export interface ProxyInfo {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
}

/** Creates (or replaces) a proxy; resolves with its listen address as bound (port 0 resolved). */
export async function createProxy(adminUrl: string, proxy: Omit<ProxyInfo, 'enabled'>): Promise<ProxyInfo> {
  const response = await fetch(new URL('/populate', adminUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ ...proxy, enabled: true }]),
  });
  if (!response.ok) throw new Error(`toxiproxy: creating proxy "${proxy.name}" failed: HTTP ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { proxies: ProxyInfo[] };
  const created = body.proxies.find((p) => p.name === proxy.name);
  if (!created) throw new Error(`toxiproxy: proxy "${proxy.name}" missing from the populate answer`);
  return created;
}
