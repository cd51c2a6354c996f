/**
 * @module
 * Chunked list calls. A big cluster's pod list can run to tens of megabytes; asking for pages of `limit` items and
 * following `continue` keeps each answer (and the API server's work per request) bounded.
 */
import { SimianError } from '../../core/errors.js';

/** One page of a Kubernetes list, as client-node decodes it (`metadata._continue` is the `continue` token). */
export interface KubeListPage<T> {
  readonly items: readonly T[];
  readonly metadata?: { readonly _continue?: string };
}

/** The default page size: what kubectl asks for. */
export const DEFAULT_PAGE_SIZE = 500;

/** Most pages followed before giving up: a server that never stops handing out tokens must not hang us. */
const MAX_PAGES = 10_000;

/**
 * Every item of a list, page after page.
 *
 * @param fetchPage fetches one page; `token` is undefined for the first one
 * @example
 * const pods = await listAll((token) => core.listPodForAllNamespaces({ limit: 500, _continue: token }));
 */
export async function listAll<T>(fetchPage: (token: string | undefined) => Promise<KubeListPage<T>>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await fetchPage(token);
    items.push(...answer.items);
    token = answer.metadata?._continue;
    if (token === undefined || token === '') return items;
  }
  throw new SimianError('provider.kubernetesError', `a list did not end after ${MAX_PAGES} pages of continue tokens`);
}
