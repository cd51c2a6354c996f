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

/**
 * How long a start-up call to the Toxiproxy API may take. Generous on purpose: while the 56 processes of the
 * `default` topology start on two cores, the stack's embedded proxy can take several seconds to answer (5 s was seen
 * to fail a start in CI), and a call that times out fails the whole start. It is there for a Toxiproxy that never
 * answers, not for a slow one.
 */
export const STARTUP_CALL_TIMEOUT_MS = 30_000;

/**
 * Creates (or replaces) a proxy; resolves with its listen address as bound (port 0 resolved). The request and its
 * answer get `timeoutMs` (default {@link STARTUP_CALL_TIMEOUT_MS}): a Toxiproxy that never answers fails the stack's
 * start rather than hold it.
 */
export async function createProxy(adminUrl: string, proxy: Omit<ProxyInfo, 'enabled'>, options: { timeoutMs?: number } = {}): Promise<ProxyInfo> {
  const timeoutMs = options.timeoutMs ?? STARTUP_CALL_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  const failed = (reason: string) => new Error(`toxiproxy: creating proxy "${proxy.name}" at ${adminUrl} failed: ${reason}`);
  let response: Response;
  let text: string;
  try {
    response = await fetch(new URL('/populate', adminUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ ...proxy, enabled: true }]),
      signal,
    });
    text = await response.text();
  } catch (error) {
    throw failed(signal.aborted ? `no answer within ${timeoutMs} ms` : error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) throw failed(`HTTP ${response.status} ${text}`);
  const body = JSON.parse(text) as { proxies: ProxyInfo[] };
  const created = body.proxies.find((p) => p.name === proxy.name);
  if (!created) throw new Error(`toxiproxy: proxy "${proxy.name}" missing from the populate answer`);
  return created;
}
