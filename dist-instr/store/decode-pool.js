// Blob decoding (open, decompress, verify) on worker threads for readers of
// many blobs (a full restore): the main thread keeps reading packs and
// writing files while the workers decode, so both cores work. A job is one
// pack range in shared memory and its blobs, each decoded straight into a
// shared buffer of the caller's. Started lazily, one worker per core (at
// most MAX_WORKERS); workers hold the process only while a job is out. A
// worker that dies fails the jobs it had, and the pool stops taking jobs
// (callers decode on their own thread then).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { StrataError } from '../errors.js';
const MAX_WORKERS = 4;
/** Buffers a worker can use: views of a SharedArrayBuffer (restore/write-buffers.ts sharedBuffer). */
export const isShared = (b) => b.buffer instanceof SharedArrayBuffer;
const shared = (b) => ({ sab: b.buffer, off: b.byteOffset, len: b.length });
/** The worker's module beside this one: .js when built, .ts under tsx (tests), which the worker loads with this process's flags. */
function workerUrl() {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    return new URL(`./decode-worker${ext}`, import.meta.url);
}
export class DecodePool {
    spec;
    size;
    workers = [];
    load = [];
    pending = new Map();
    nextId = 0;
    broken;
    constructor(spec, size = Math.min(MAX_WORKERS, Math.max(1, availableParallelism()))) {
        this.spec = spec;
        this.size = size;
    }
    /** False once a worker failed: decode on the caller's thread. */
    get usable() {
        return !this.broken;
    }
    /**
     * Decode the blobs of `range` (shared) into their `out` buffers (shared).
     * Resolves per blob: undefined (done) or why it failed verification;
     * rejects only when the pool itself failed.
     */
    decode(range, items, where) {
        if (this.broken)
            return Promise.reject(this.broken);
        if (!isShared(range) || items.some((it) => !isShared(it.out)))
            return Promise.reject(new StrataError('E_USAGE', 'decode pool: buffers must be shared memory'));
        this.start();
        let w = 0;
        for (let i = 1; i < this.workers.length; i++)
            if (this.load[i] < this.load[w])
                w = i;
        const id = this.nextId++;
        const job = {
            id,
            range: shared(range),
            where,
            items: items.map((it) => ({ at: it.at, length: it.length, hash: it.hash, type: it.type, comp: it.comp, rawLength: it.rawLength, out: shared(it.out) })),
        };
        return new Promise((resolve, reject) => {
            this.pending.set(id, { resolve, reject, worker: w });
            if (this.load[w]++ === 0)
                this.workers[w].ref();
            this.workers[w].postMessage(job);
        });
    }
    async close() {
        const ws = this.workers.splice(0);
        this.broken ??= new StrataError('E_IO', 'decode pool closed');
        this.failAll(this.broken);
        await Promise.all(ws.map((w) => w.terminate()));
    }
    /** Start the workers (else the first decode does). */
    start() {
        if (this.workers.length > 0 || this.broken)
            return;
        for (let i = 0; i < this.size; i++) {
            const w = new Worker(workerUrl(), { workerData: { spec: this.spec }, execArgv: [...process.execArgv] });
            w.on('message', (a) => this.answer(i, a));
            w.on('error', (e) => this.fail(e));
            w.on('exit', (code) => {
                if (!this.broken)
                    this.fail(new StrataError('E_IO', `decode worker exited (${code})`));
            });
            w.unref();
            this.workers.push(w);
            this.load.push(0);
        }
    }
    answer(w, a) {
        const p = this.pending.get(a.id);
        if (!p)
            return;
        this.pending.delete(a.id);
        if (--this.load[w] === 0)
            this.workers[w]?.unref();
        p.resolve(a.failed);
    }
    fail(e) {
        this.broken ??= e instanceof StrataError ? e : new StrataError('E_IO', `decode worker failed: ${e.message}`, { cause: e });
        this.failAll(this.broken);
    }
    failAll(e) {
        for (const [id, p] of this.pending) {
            this.pending.delete(id);
            p.reject(e);
        }
        for (let i = 0; i < this.load.length; i++)
            this.load[i] = 0;
        for (const w of this.workers)
            w.unref();
    }
}
//# sourceMappingURL=decode-pool.js.map