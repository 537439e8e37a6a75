// Key/value records held until a snapshot's blobs are durable (the directory
// records of dir-builder.ts), copied into a few large buffers. Held as they
// come, each record (~120 bytes from Buffer.allocUnsafe) kept the whole 8 KiB
// slab of Node's buffer pool it was cut from alive, the rest of the slab
// being long-gone garbage: a 10M-file first snapshot (111,110 directories)
// held ~400 MiB of slabs for ~25 MiB of records (a heap snapshot of the
// running process, docs/bench.md "Ten million files").

/** arena chunk size: large enough that the views' own overhead dominates nothing */
const CHUNK = 256 << 10;

export class RecordArena {
  private chunk = Buffer.allocUnsafeSlow(0);
  private used = 0;
  private views: Buffer[] = [];
  private chunks = 0;

  /** Copy `k` and `v` in (the caller may reuse its buffers). */
  push(k: Uint8Array, v: Uint8Array): void {
    this.views.push(this.copy(k), this.copy(v));
  }

  /** Records pushed so far as key, value, key, value… (views of the arena); empties it. */
  take(): Buffer[] {
    const out = this.views;
    this.views = [];
    this.chunk = Buffer.allocUnsafeSlow(0);
    this.used = 0;
    this.chunks = 0;
    return out;
  }

  /** Records held. */
  get size(): number {
    return this.views.length >> 1;
  }

  /** Bytes of arena memory held (chunks allocated since the last take). */
  get retainedBytes(): number {
    return this.chunks * CHUNK;
  }

  private copy(b: Uint8Array): Buffer {
    if (b.length > CHUNK >> 4) return Buffer.from(b); // rare: a record this large gets memory of its own
    if (this.used + b.length > this.chunk.length) {
      this.chunk = Buffer.allocUnsafeSlow(CHUNK);
      this.used = 0;
      this.chunks++;
    }
    const view = this.chunk.subarray(this.used, this.used + b.length);
    view.set(b);
    this.used += b.length;
    return view;
  }
}
