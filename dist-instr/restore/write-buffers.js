// Where a restore decodes blobs that are then written to files off the main
// thread (libuv's pool): buffers held until their writes are done, reused
// afterwards (freshly allocated memory is slow to touch on these machines,
// docs/bench.md), and bounded in bytes: `take` waits while the buffers out
// would exceed the limit, so a restore holds at most `limit` bytes of decoded
// data however fast the packs arrive. Sizes are rounded up to a power of two
// (at least 16 KiB), so a buffer given back fits many later blobs.
import * as fs from 'node:fs';
const MIN = 16 << 10;
function sizeClass(n) {
    let s = MIN;
    while (s < n)
        s *= 2;
    return s;
}
/** `n` bytes of shared memory, which a decode worker can write into (store/decode-pool.ts). */
export function sharedBuffer(n) {
    return Buffer.from(new SharedArrayBuffer(n));
}
export class BufferPool {
    limit;
    shared;
    free = new Map();
    out = 0;
    cached = 0;
    waiters = [];
    /** `shared`: buffers in shared memory (decoded on worker threads) */
    constructor(limit, shared = false) {
        this.limit = limit;
        this.shared = shared;
    }
    /** A buffer of at least `n` bytes; waits while `limit` bytes are out (one buffer may always be had, however large). */
    async take(n) {
        const __t0=performance.now(); while (!this.fits(n))
            await new Promise((r) => this.waiters.push(r)); (globalThis.W??={}).pool=(globalThis.W.pool||0)+performance.now()-__t0;
        return this.takeNow(n);
    }
    /** `take` without waiting: undefined when it would wait. */
    tryTake(n) {
        return this.fits(n) ? this.takeNow(n) : undefined;
    }
    fits(n) {
        return this.out === 0 || this.out + sizeClass(n) <= this.limit;
    }
    takeNow(n) {
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
    give(b) {
        this.out -= b.length;
        let list = this.free.get(b.length);
        if (!list)
            this.free.set(b.length, (list = []));
        if (this.out + this.cached + b.length <= this.limit) {
            list.push(b);
            this.cached += b.length;
        }
        const w = this.waiters.splice(0);
        for (const r of w)
            r();
    }
}
/** `data[from, to)` at file offset `pos + from`, synchronously (a short write continues). */
export function writeAtSync(fd, data, pos, from = 0, to = data.length) {
    let off = from;
    while (off < to)
        off += fs.writeSync(fd, data, off, to - off, pos + off);
}
/** All of `data` at file offset `pos`, by the thread pool (a short write continues). */
export function writeAt(fd, data, pos) {
    return new Promise((resolve, reject) => {
        if (data.length === 0)
            return resolve();
        const step = (off) => {
            fs.write(fd, data, off, data.length - off, pos + off, (err, n) => {
                if (err)
                    return reject(err);
                if (off + n >= data.length)
                    return resolve();
                step(off + n);
            });
        };
        step(0);
    });
}
//# sourceMappingURL=write-buffers.js.map