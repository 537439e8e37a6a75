// Where a restore decodes blobs that are then written to files off the main
// thread (libuv's pool): buffers held until their writes are done, reused
// afterwards (freshly allocated memory is slow to touch on these machines,
// docs/bench.md), and bounded in bytes: `take` waits while the buffers out
// would exceed the limit, so a restore holds at most `limit` bytes of decoded
// data however fast the packs arrive. Sizes are rounded up to a power of two
// (at least 16 KiB), so a buffer given back fits many later blobs.
import * as fs from 'node:fs';

const MIN = 16 << 10;

function sizeClass(n: number): number {
  let s = MIN;
  while (s < n) s *= 2;
  return s;
}

/** `n` bytes of shared memory, which a decode worker can write into (store/decode-pool.ts). */
export function sharedBuffer(n: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(n));
}

export class BufferPool {
  private readonly free = new Map<number, Buffer[]>();
  private out = 0;
  private cached = 0;
  private readonly waiters: (() => void)[] = [];

  /** `shared`: buffers in shared memory (decoded on worker threads) */
  constructor(
    readonly limit: number,
    readonly shared = false,
  ) {}

  /** A buffer of at least `n` bytes; waits while `limit` bytes are out (one buffer may always be had, however large). */
  async take(n: number): Promise<Buffer> {
    while (!this.fits(n)) await new Promise<void>((r) => this.waiters.push(r));
    return this.takeNow(n);
  }

  /** `take` without waiting: undefined when it would wait. */
  tryTake(n: number): Buffer | undefined {
    return this.fits(n) ? this.takeNow(n) : undefined;
  }

  private fits(n: number): boolean {
    return this.out === 0 || this.out + sizeClass(n) <= this.limit;
  }

  private takeNow(n: number): Buffer {
    const size = sizeClass(n);
    this.out += size;
    const b = this.free.get(size)?.pop();
    if (b) {
      this.cached -= size;
      return b;
    }
    // room for a new one: drop cached buffers of other sizes first
    for (const [s, list] of this.free) {
      while (list.length > 0 && this.out + this.cached > this.limit) {
        list.pop();
        this.cached -= s;
      }
    }
    return this.shared ? sharedBuffer(size) : Buffer.allocUnsafe(size);
  }

  give(b: Buffer): void {
    this.out -= b.length;
    let list = this.free.get(b.length);
    if (!list) this.free.set(b.length, (list = []));
    if (this.out + this.cached + b.length <= this.limit) {
      list.push(b);
      this.cached += b.length;
    }
    const w = this.waiters.splice(0);
    for (const r of w) r();
  }
}

/** `data[from, to)` at file offset `pos + from`, synchronously (a short write continues). */
export function writeAtSync(fd: number, data: Buffer, pos: number, from = 0, to = data.length): void {
  let off = from;
  while (off < to) off += fs.writeSync(fd, data, off, to - off, pos + off);
}

/** All of `data` at file offset `pos`, by the thread pool (a short write continues). */
export function writeAt(fd: number, data: Buffer, pos: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (data.length === 0) return resolve();
    const step = (off: number): void => {
      fs.write(fd, data, off, data.length - off, pos + off, (err, n) => {
        if (err) return reject(err);
        if (off + n >= data.length) return resolve();
        step(off + n);
      });
    };
    step(0);
  });
}
