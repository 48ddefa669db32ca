/**
 * Read-only empty collections to share: most buckets and contacts the KPI engine holds never get a histogram bin, a
 * survey, an evaluation or a complaint, and an empty Map or Set costs about 150 bytes; a 5,000-agent centre holds
 * millions of each. Holders start with one of these and swap in their own on the first write (counters.ts addInto,
 * contact-state.ts); a write that forgets to swap throws instead of changing every holder at once.
 */
const readOnly = (): never => {
  throw new Error('a shared empty collection is read-only: give the holder its own before writing');
};

export class SharedEmptyMap<K, V> extends Map<K, V> {
  override set(): this {
    return readOnly();
  }
  override delete(): boolean {
    return readOnly();
  }
  override clear(): void {
    readOnly();
  }
}

export class SharedEmptySet<T> extends Set<T> {
  override add(): this {
    return readOnly();
  }
  override delete(): boolean {
    return readOnly();
  }
  override clear(): void {
    readOnly();
  }
}
