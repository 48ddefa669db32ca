/**
 * Group commit: requests that arrive while a transaction is in flight are merged into the next one, so many small
 * ingest requests share one fsync instead of paying one each. Every request is answered only after the transaction
 * that holds its events has committed.
 */
export interface Job<I, O> {
  input: I;
  size: number;
  resolve: (out: O) => void;
  reject: (err: unknown) => void;
}

export class GroupCommitQueue<I, O> {
  private pending: Job<I, O>[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly commit: (inputs: I[]) => Promise<O[]>,
    private readonly maxGroupSize: number,
  ) {}

  submit(input: I, size: number): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ input, size, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  /** Resolves once nothing is pending or in flight (for a graceful shutdown). */
  idle(): Promise<void> {
    if (!this.running && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.pending.length > 0) {
      const group = this.takeGroup();
      try {
        const outputs = await this.commit(group.map((j) => j.input));
        group.forEach((job, i) => job.resolve(outputs[i] as O));
      } catch (err) {
        for (const job of group) job.reject(err);
      }
    }
    this.running = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private takeGroup(): Job<I, O>[] {
    const group: Job<I, O>[] = [];
    let size = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0] as Job<I, O>;
      if (group.length > 0 && size + next.size > this.maxGroupSize) break;
      group.push(next);
      size += next.size;
      this.pending.shift();
    }
    return group;
  }
}
