/**
 * @module
 * A least-recently-used cache bounded by bytes rather than entries: an edge's disk holds so many bytes, and a 4K
 * segment takes the room of sixty-six 235 kbps ones, so counting entries would say nothing about capacity.
 */

/** Options of {@link ByteLruCache}. */
export interface ByteLruCacheOptions<V> {
  /** Bytes the cache may hold. */
  capacityBytes: number;
  /** The size of a value, in bytes. */
  sizeOf: (value: V) => number;
  /** Called for each entry pushed out to make room (not for an entry replaced under the same key). */
  onEvict?: (key: string, value: V) => void;
}

/**
 * An LRU cache with a byte capacity.
 *
 * @example
 * const cache = new ByteLruCache<Uint8Array>({ capacityBytes: 1_000, sizeOf: (b) => b.length });
 * cache.set('a', new Uint8Array(600));
 * cache.set('b', new Uint8Array(600)); // evicts 'a'
 */
export class ByteLruCache<V> {
  /** Insertion order is recency order: the first key is the least recently used. */
  private readonly entries = new Map<string, { readonly value: V; readonly size: number }>();
  private used = 0;

  constructor(private readonly options: ByteLruCacheOptions<V>) {
    if (!(options.capacityBytes >= 0)) throw new TypeError(`ByteLruCache: capacityBytes must be >= 0, got ${options.capacityBytes}`);
  }

  /** Bytes held. */
  get bytes(): number {
    return this.used;
  }

  /** Entries held. */
  get size(): number {
    return this.entries.size;
  }

  get capacityBytes(): number {
    return this.options.capacityBytes;
  }

  /** The value under `key`, which becomes the most recently used. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Whether `key` is held, without touching its recency. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Stores `value` as the most recently used, evicting the least recently used entries until it fits.
   * @returns false, storing nothing and evicting nothing, when the value alone is larger than the capacity
   */
  set(key: string, value: V): boolean {
    const size = this.options.sizeOf(value);
    if (size > this.options.capacityBytes) return false;
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.used -= previous.size;
    }
    while (this.used + size > this.options.capacityBytes) {
      const oldest = this.entries.entries().next();
      if (oldest.done) break;
      const [oldestKey, entry] = oldest.value;
      this.entries.delete(oldestKey);
      this.used -= entry.size;
      this.options.onEvict?.(oldestKey, entry.value);
    }
    this.entries.set(key, { value, size });
    this.used += size;
    return true;
  }
}
