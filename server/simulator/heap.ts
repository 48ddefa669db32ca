/**
 * Min-heap of timed simulation events. Ties on time break by insertion order, so the run is deterministic and
 * independent of how advanceTo is chunked.
 */
interface Entry<T> {
  at: number;
  seq: number;
  item: T;
}

export class TimedQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, item: T): void {
    const h = this.heap;
    h.push({ at, seq: this.seq++, item });
    let i = h.length - 1;
    const e = h[i] as Entry<T>;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent] as Entry<T>;
      if (!before(e, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = e;
  }

  /** Time of the earliest entry, or Infinity when empty. */
  peekTime(): number {
    return this.heap[0]?.at ?? Infinity;
  }

  pop(): { at: number; item: T } | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop() as Entry<T>;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const left = h[l] as Entry<T>;
        const right = h[r];
        const child = right !== undefined && before(right, left) ? r : l;
        const c = h[child] as Entry<T>;
        if (!before(c, last)) break;
        h[i] = c;
        i = child;
      }
      h[i] = last;
    }
    return { at: top.at, item: top.item };
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
