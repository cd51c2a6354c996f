/**
 * @module
 * Mapping over many items with at most a few in flight: a doctor that probes a thousand instances at once is a
 * load test of its own, and its timeouts would measure its own congestion rather than the instances' health.
 */

/**
 * Maps `items` through `fn`, with at most `limit` calls in flight, and returns the results in the items' order.
 * A rejection rejects the whole map (after the calls in flight settle); callers that must not fail catch inside
 * `fn`.
 *
 * @example
 * const statuses = await mapBounded(urls, 4, async (url) => (await fetch(url)).status);
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!(limit >= 1)) throw new RangeError(`mapBounded: limit must be >= 1, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  const workers = Array.from({ length: Math.min(Math.floor(limit), items.length) }, worker);
  const outcomes = await Promise.allSettled(workers);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
  return results;
}
