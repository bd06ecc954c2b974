/** A fixed-size FIFO: the newest `capacity` items, oldest first. Logs must never grow without bound. */
export class RingBuffer<T> {
  private readonly items: T[] = [];
  private start = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  get size(): number {
    return this.items.length;
  }

  /** Oldest first. */
  toArray(): T[] {
    return [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
  }

  /** The newest `limit` items matching `keep`, oldest first. */
  last(limit: number, keep: (t: T) => boolean = () => true): T[] {
    const out: T[] = [];
    const all = this.toArray();
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) if (keep(all[i]!)) out.push(all[i]!);
    return out.reverse();
  }
}
