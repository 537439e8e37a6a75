// Compression on worker threads. zstd is the costliest stage of a snapshot
// (~0.3 GB/s per core), so a pool of workers compresses while the caller
// reads, chunks and hashes. Blobs are copied into one reused SharedArrayBuffer
// ring (no fresh memory per blob) and compressed in place. Jobs go through a
// queue in shared memory, not messages: a busy worker takes the next job
// without being woken, and results are collected whenever the caller submits
// or waits. On two busy cores every wake-up costs the waker its time slice,
// so idle workers are woken only once a batch's worth of work is queued (or
// the caller waits for results).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { JOB_WORDS, J_COMP, J_LEN, J_OFF, J_OUT, J_STATE, Q_DONE, Q_HEADER, Q_PUBLISHED, Q_SLEEPERS, Q_STOP, Q_WAITING, WORKER_SOURCE, bindingPath, } from './compress-worker.js';
import { COMP_NONE, COMP_ZSTD } from './compress.js';
/** queue slots (a power of two) */
const SLOTS = 4096;
/** idle workers are woken once this much is queued and not yet taken */
const WAKE_BYTES = 4 << 20;
const WAKE_JOBS = 256;
/** how often submit lets the event loop run (pack writes complete there) */
const YIELD_MS = 5;
/** nice value of the worker threads (STRATA_WORKER_NICE) */
const WORKER_NICE = Number(process.env.STRATA_WORKER_NICE ?? 5);
/** a wait re-checks for failures at least this often */
const WAIT_MS = 100;
const waitAsync = Atomics.waitAsync;
export class CompressPool {
    level;
    /** blobs larger than this (half the ring) are compressed by the caller */
    maxBlob;
    bytes;
    q;
    jobs = new Array(SLOTS);
    workers = [];
    published = 0; // jobs queued (sequence numbers)
    first = 0; // oldest job not yet handed to its `done`
    head = 0; // end of the newest ring allocation
    unwokenBytes = 0;
    unwokenJobs = 0;
    failure;
    referenced = false;
    closing = false;
    lastYield = 0;
    constructor(level, opts = {}) {
        this.level = level;
        const n = Math.max(1, opts.workers ?? availableParallelism());
        const ring = new SharedArrayBuffer(opts.ringBytes ?? 16 << 20);
        const queue = new SharedArrayBuffer((Q_HEADER + SLOTS * JOB_WORDS) * 4);
        this.bytes = new Uint8Array(ring);
        this.q = new Int32Array(queue);
        this.maxBlob = ring.byteLength >> 1;
        const init = { ring, queue, slots: SLOTS, level, binding: bindingPath(), nice: WORKER_NICE };
        for (let i = 0; i < n; i++) {
            const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: init });
            worker.on('error', (e) => this.fail(e));
            worker.on('exit', (code) => {
                if (!this.closing)
                    this.fail(new Error(`compression worker exited (${code})`));
            });
            worker.unref();
            this.workers.push(worker);
        }
    }
    /** Jobs submitted and not yet finished. */
    get pending() {
        return this.published - this.first;
    }
    /**
     * Copy `raw` into the pool; `done` runs later, on this thread, with the
     * compressed bytes (or the raw bytes when zstd does not save 3%). Resolves
     * once `raw` has been copied, so the caller may reuse its buffer.
     */
    async submit(raw, done) {
        if (raw.length === 0 || raw.length > this.maxBlob)
            throw new RangeError(`blob of ${raw.length} bytes: the pool takes 1..${this.maxBlob}`);
        let off = -1;
        for (;;) {
            if (this.failure)
                throw this.failure;
            if (this.pending < SLOTS && (off = this.alloc(raw.length)) >= 0)
                break;
            if (this.poll() === 0)
                await this.wait();
        }
        this.bytes.set(raw, off);
        const seq = this.published;
        const j = Q_HEADER + (seq & (SLOTS - 1)) * JOB_WORDS;
        const q = this.q;
        q[j + J_OFF] = off;
        q[j + J_LEN] = raw.length;
        q[j + J_STATE] = 1;
        this.jobs[seq & (SLOTS - 1)] = { off, len: raw.length, done };
        this.published = seq + 1;
        Atomics.store(q, Q_PUBLISHED, this.published | 0);
        this.setRef(true);
        this.unwokenBytes += raw.length;
        this.unwokenJobs++;
        if (this.unwokenBytes >= WAKE_BYTES || this.unwokenJobs >= WAKE_JOBS)
            this.wakeWorkers();
        this.poll();
        // callers often run synchronous I/O back to back: let pack writes complete
        const now = performance.now();
        if (now - this.lastYield > YIELD_MS) {
            this.lastYield = now;
            if (this.unwokenBytes >= WAKE_BYTES >> 2)
                this.wakeWorkers();
            await new Promise((resolve) => setImmediate(resolve));
        }
    }
    /** Wait until every submitted blob has been handed to its `done`. */
    async drain() {
        for (;;) {
            if (this.failure)
                throw this.failure;
            this.poll();
            if (this.failure)
                throw this.failure;
            if (this.pending === 0)
                return;
            await this.wait();
        }
    }
    async close() {
        this.closing = true;
        Atomics.store(this.q, Q_STOP, 1);
        Atomics.notify(this.q, Q_PUBLISHED);
        await Promise.all(this.workers.map((w) => w.terminate()));
        this.workers.length = 0;
    }
    /** Hand finished jobs to their `done`, oldest first; returns how many. */
    poll() {
        const q = this.q;
        let n = 0;
        while (this.first < this.published) {
            const s = this.first & (SLOTS - 1);
            const j = Q_HEADER + s * JOB_WORDS;
            if (Atomics.load(q, j + J_STATE) !== 2)
                break;
            const job = this.jobs[s];
            this.jobs[s] = undefined;
            q[j + J_STATE] = 0;
            const comp = q[j + J_COMP] === 1 ? COMP_ZSTD : COMP_NONE;
            const len = q[j + J_OUT];
            try {
                job.done(comp, this.bytes.subarray(job.off, job.off + len));
            }
            catch (e) {
                this.fail(e);
            }
            this.first++; // only now may the ring space be reused
            n++;
        }
        if (this.pending === 0)
            this.setRef(false);
        return n;
    }
    /** Sleep until a worker finishes a job (or a failure, or WAIT_MS). */
    async wait() {
        const q = this.q;
        const seen = Atomics.load(q, Q_DONE);
        this.wakeWorkers();
        Atomics.store(q, Q_WAITING, 1);
        try {
            if (Atomics.load(q, Q_DONE) !== seen)
                return;
            const r = waitAsync(q, Q_DONE, seen, WAIT_MS);
            if (r.async)
                await r.value;
        }
        finally {
            Atomics.store(q, Q_WAITING, 0);
        }
    }
    wakeWorkers() {
        this.unwokenBytes = 0;
        this.unwokenJobs = 0;
        if (Atomics.load(this.q, Q_SLEEPERS) > 0)
            Atomics.notify(this.q, Q_PUBLISHED);
    }
    setRef(on) {
        if (on === this.referenced)
            return;
        this.referenced = on;
        for (const w of this.workers) {
            if (on)
                w.ref();
            else
                w.unref();
        }
    }
    /** Ring space for `n` bytes (FIFO: space frees in allocation order); -1 when full. */
    alloc(n) {
        const size = this.bytes.length;
        if (this.pending === 0) {
            this.head = n;
            return 0;
        }
        const tail = this.jobs[this.first & (SLOTS - 1)].off;
        if (this.head > tail) {
            // used: [tail, head); free: [head, size) and [0, tail)
            if (this.head + n <= size)
                return this.take(this.head, n);
            if (n <= tail)
                return this.take(0, n);
            return -1;
        }
        // wrapped: used [tail, size) and [0, head); free: [head, tail)
        return this.head + n <= tail ? this.take(this.head, n) : -1;
    }
    take(off, n) {
        this.head = off + n;
        return off;
    }
    fail(e) {
        this.failure ??= e;
    }
}
//# sourceMappingURL=compress-pool.js.map