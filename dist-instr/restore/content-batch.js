// The content of many files restored at once. Files are added as the
// restorer walks the tree; their chunks fill a window (bounded in files,
// chunks and bytes, never by the repository's size) whose blobs are fetched
// by grouped ranged reads (fetch-plan.ts) while the walk fills the next
// window; up to WINDOWS_IN_FLIGHT windows fetch at once, sharing one count of
// reads in flight. Each verified blob is decoded into a buffer of a bounded
// pool (write-buffers.ts) and written to every file offset that needs it (a
// blob may occur in several files, or twice in one) by positional writes off
// the main thread. A file is finished (its `done` called) once all its
// chunks are written and the whole file checks against its size and BLAKE3 —
// hashed in order, reading back from the temporary (once written) what
// arrived ahead of its turn. A damaged or missing blob fails the files that
// need it; the others proceed. Files marked sparse get their all-zero chunks
// as holes (written synchronously).
//
// Memory: the windows' bookkeeping, range buffers (one per read in flight or
// range being decoded, each ≤ 8 MiB or one blob), and decoded blobs waiting
// for their writes (DEFAULT_WRITE_BYTES).
import { openFileLimit } from '../fs/fd-limit.js';
import * as fs from 'node:fs';
import { StrataError } from '../errors.js';
import { fileChunks } from '../tree/trees.js';
import { writeSparse } from './content.js';
import { Slots, fetchRanges, planRanges } from './fetch-plan.js';
import { BufferPool, writeAt, writeAtSync } from './write-buffers.js';
import { ReadBack, newJob, verifyJob } from './file-job.js';
/**
 * files: with WINDOWS_IN_FLIGHT windows fetching and one filling, up to three windows' files have
 * their temporaries open at once: at most ~1,000, and never more than about two thirds of the
 * process's open-file limit (with 1,024, the usual soft limit: 288 per window, ~860 open).
 */
export function defaultWindow(fdLimit = openFileLimit()) {
    const files = Math.max(4, Math.min(336, Math.floor((fdLimit - 160) / 3)));
    return { files, chunks: 8192, bytes: 256 << 20 };
}
/** windows fetching at once (the walk fills the next meanwhile) */
const WINDOWS_IN_FLIGHT = 2;
/** windows before the limits apply in full: the first is 1/2^RAMP_WINDOWS of them */
const RAMP_WINDOWS = 4;
/** decoded bytes waiting for their writes */
export const DEFAULT_WRITE_BYTES = 64 << 20;
export class ContentBatch {
    reader;
    onBytes;
    signal;
    limits;
    offThread;
    window = new Map();
    windowFiles = new Set();
    windowChunks = 0;
    windowBytes = 0;
    /** windows being fetched while the walk fills the next one */
    running = new Map();
    windowDone = new Set();
    pool;
    rangeBuffers = [];
    slotsOf;
    /** writes and catch-ups in flight */
    ops = new Set();
    finished = [];
    unfinished = new Set();
    zeroChunks = new Map();
    zeroBuf = Buffer.alloc(0);
    readBack = new ReadBack();
    /** chunk lists read ahead (tree-prefetch.ts) */
    chunkLists;
    /** windows handed to the fetcher / completed: a file added before window n started is done once completed > n */
    started = 0;
    completed = 0;
    constructor(reader, onBytes, signal, limits = defaultWindow(), writeBytes = DEFAULT_WRITE_BYTES, 
    /** decode on the reader's worker threads (PackReader.decodeRange) */
    offThread = false) {
        this.reader = reader;
        this.onBytes = onBytes;
        this.signal = signal;
        this.limits = limits;
        this.offThread = offThread;
        this.pool = new BufferPool(writeBytes, offThread);
    }
    get packs() {
        return this.reader.packs;
    }
    /** Files added and not finished yet. */
    get pending() {
        return this.unfinished.size;
    }
    /** Add a file; resolves once its chunks are in a window (or it is finished), not once it is written. */
    async add(file) {
        const e = file.entry;
        let chunks;
        try {
            const listed = e.content.chunkList && this.chunkLists?.get(e.content.chunkList.toString('latin1'));
            chunks = listed || (await fileChunks(this.reader, e.content));
        }
        catch (err) {
            await file.done(err, await file.open.catch(() => undefined));
            return;
        }
        const job = newJob(file, chunks, this.reader.ids.plain);
        this.unfinished.add(job);
        job.opened = file.open.then((fd) => {
            job.fd = fd;
            job.writing--;
            this.settled(job);
        }, (err) => {
            job.writing--;
            this.fail(job, err);
        });
        this.track(job.opened); // no chunks: finished once open (settled)
        for (let i = 0; i < chunks.length && !job.failed; i++) {
            if ((i & 63) === 63) {
                await new Promise((r) => setImmediate(r));
                if (this.signal?.aborted)
                    throw new StrataError('E_ABORTED', 'restore interrupted');
            }
            const h = chunks[i];
            const zlen = this.zeroChunks.get(h.toString('latin1'));
            const loc = zlen === undefined ? this.packs?.locateBlob(h) : undefined;
            if (!loc && job.fd < 0) {
                await job.opened; // written below, now
                if (job.failed)
                    break;
            }
            if (zlen !== undefined) {
                this.written(job, i, job.pos, this.zeros(zlen), true);
                job.pos += zlen;
                continue;
            }
            if (!loc) {
                // not in the index, or still in an open pack: getBlob reads it (or says why not)
                let data;
                try {
                    data = await this.reader.getBlob(h);
                }
                catch (err) {
                    this.fail(job, err);
                    break;
                }
                this.written(job, i, job.pos, data, false);
                job.pos += data.length;
                continue;
            }
            this.want(h, loc, { job, idx: i, offset: job.pos });
            job.pos += loc.rawLength;
            if (this.full())
                await this.cycle();
        }
        await this.settle();
    }
    want(hash, loc, slot) {
        const k = hash.toString('latin1');
        let w = this.window.get(k);
        if (!w) {
            w = { hash, loc, slots: [] };
            this.window.set(k, w);
            this.windowBytes += loc.length;
        }
        w.slots.push(slot);
        this.windowChunks++;
        this.windowFiles.add(slot.job);
    }
    /**
     * The first windows are smaller (1/16 of the limits, doubling per window): the first read starts
     * after a few files were opened, not a whole window's (time to first byte on a remote repository).
     */
    full() {
        const l = this.limits;
        const shift = Math.max(0, RAMP_WINDOWS - this.started);
        return this.windowFiles.size >= Math.max(4, l.files >> shift) || this.windowChunks >= l.chunks >> shift || this.windowBytes >= l.bytes >> shift;
    }
    /** Hand the filled window to the fetcher once fewer than WINDOWS_IN_FLIGHT are fetching; the walk goes on meanwhile. */
    async cycle() {
        const wanted = this.window;
        const files = this.windowFiles;
        this.window = new Map();
        this.windowFiles = new Set();
        this.windowChunks = 0;
        this.windowBytes = 0;
        if (wanted.size === 0)
            return;
        const __t0=performance.now(); while (this.running.size >= WINDOWS_IN_FLIGHT)
            await Promise.race(this.running.values()); (globalThis.W??={}).cycle=(globalThis.W.cycle||0)+performance.now()-__t0;
        const n = this.started++;
        const run = this.fetch(wanted, files).finally(() => {
            this.running.delete(n);
            // windows may end out of order: `completed` counts those ended in a row from the first
            this.windowDone.add(n);
            while (this.windowDone.delete(this.completed))
                this.completed++;
        });
        run.catch(() => undefined); // awaited by the next cycle or drain
        this.running.set(n, run);
    }
    get slots() {
        return (this.slotsOf ??= new Slots(this.packs.rangeReadsInFlight));
    }
    async fetch(wanted, files) {
        const ranges = planRanges(wanted.values());
        const __w = this.started - 1; const __s = performance.now(); const __b = ranges.reduce((a, r) => a + r.length, 0);
        process.stderr.write(`window ${__w} start @${__s.toFixed(0)} files ${files.size} ranges ${ranges.length} bytes ${(__b/1048576).toFixed(1)}M\n`);
        try { return await this.__fetch(wanted, files, ranges); } finally { process.stderr.write(`window ${__w} end @${performance.now().toFixed(0)}\n`); }
    }
    async __fetch(wanted, files, ranges) {
        // reads start while temporaries are still being created: a blob for a file not open yet is written
        // once it is (written()); sparse files are written synchronously, so theirs must be open first
        for (const job of files)
            if (job.fd < 0 && job.sparse)
                await job.opened;
        await fetchRanges(this.packs, ranges, (w, data, err, held) => {
            const hold = held ? { buf: held, refs: 1 } : undefined;
            for (const s of w.slots) {
                if (data)
                    this.written(s.job, s.idx, s.offset, data, false, hold);
                else
                    this.fail(s.job, err);
            }
            if (hold)
                this.release(hold);
        }, { inFlight: this.packs.rangeReadsInFlight, signal: this.signal, afterRange: () => this.settle(), into: (n) => this.pool.take(n), slots: this.slots, rangeBuffers: this.rangeBuffers, ...(this.offThread ? { offThread: this.pool } : {}) });
        process.stderr.write(`  fetched @${performance.now().toFixed(0)}\n`);
        await this.quiesce();
        process.stderr.write(`  quiesced @${performance.now().toFixed(0)}\n`);
        await this.settle();
    }
    release(hold) {
        if (--hold.refs === 0)
            this.pool.give(hold.buf);
    }
    /** Every write and catch-up started so far is over. */
    async quiesce() {
        while (this.ops.size > 0)
            await Promise.all(this.ops);
    }
    track(p) {
        this.ops.add(p);
        p.finally(() => this.ops.delete(p)).catch(() => undefined); // awaited by quiesce
    }
    /** Fetch everything added so far and finish those files. */
    async drain() {
        await this.cycle();
        // a window that failed (E_ABORTED) rejects here
        while (this.running.size > 0)
            await Promise.all(this.running.values());
        await this.quiesce();
        await this.settle();
    }
    /** After E_ABORTED: let the windows in flight stop and their writes end, close what is still open (the temporaries stay tracked for the caller). */
    async stop() {
        while (this.running.size > 0)
            await Promise.all([...this.running.values()].map((p) => p.catch(() => undefined)));
        await this.quiesce();
        for (const job of this.unfinished) {
            try {
                if (job.fd >= 0)
                    fs.closeSync(job.fd);
            }
            catch { }
        }
        this.unfinished.clear();
    }
    zeros(n) {
        if (this.zeroBuf.length < n)
            this.zeroBuf = Buffer.alloc(n);
        return this.zeroBuf.subarray(0, n);
    }
    /** Chunk `idx` of `job` (verified) goes to `offset`; `hold`: the pooled buffer `data` lies in (kept until written). */
    written(job, idx, offset, data, knownZero, hold) {
        if (job.failed)
            return;
        const fd = job.fd;
        let zero = knownZero;
        let wrote;
        try {
            if (job.sparse) {
                if (!zero && data.equals(this.zeros(data.length))) {
                    zero = true;
                    this.zeroChunks.set(job.chunks[idx].toString('latin1'), data.length); // never fetched again
                }
                if (!zero)
                    writeSparse(fd, data, offset);
            }
            else if (hold) {
                hold.refs++;
                job.writing++;
                // not open yet: written once it is (job.opened never rejects; a failed open fails the job)
                const write = fd >= 0 ? writeAt(fd, data, offset) : job.opened.then(() => (job.failed ? undefined : writeAt(job.fd, data, offset)));
                wrote = write.then(() => {
                    this.release(hold);
                    job.writing--;
                    this.onBytes(data.length);
                    this.settled(job);
                }, (err) => {
                    this.release(hold);
                    job.writing--;
                    this.fail(job, err);
                });
                this.track(wrote);
            }
            else
                writeAtSync(fd, data, offset);
            if (job.hasher) {
                // in order: hashed now (the bytes are still here); ahead of its turn: read back once written
                if (idx === job.cursor && !job.catching) {
                    job.hasher.update(data);
                    job.cursor++;
                    if (job.ahead.has(job.cursor))
                        this.track(this.catchUp(job));
                }
                else
                    job.ahead.set(idx, { offset, length: data.length, zero, ...(wrote ? { wrote } : {}) });
            }
        }
        catch (err) {
            this.fail(job, err);
            return;
        }
        job.remaining--;
        if (!wrote) {
            this.onBytes(data.length);
            this.settled(job);
        }
    }
    /** Hash the chunks that arrived ahead of their turn, in order, each once its write is done. */
    async catchUp(job) {
        job.catching = true;
        try {
            for (let a = job.ahead.get(job.cursor); a && !job.failed; a = job.ahead.get(job.cursor)) {
                if (a.wrote)
                    await a.wrote; // never rejects: a failed write fails the job
                if (job.failed)
                    break;
                job.ahead.delete(job.cursor);
                job.hasher.update(a.zero ? this.zeros(a.length) : this.readBack.at(job.fd, a.offset, a.length));
                job.cursor++;
            }
        }
        catch (err) {
            job.catching = false;
            this.fail(job, err);
            return;
        }
        job.catching = false;
        this.settled(job);
    }
    /** Finish `job` once it has no write or catch-up in flight: failed, or every chunk written and hashed. */
    settled(job) {
        if (!this.unfinished.has(job) || job.writing > 0 || job.catching)
            return;
        if (job.err) {
            this.unfinished.delete(job);
            this.finished.push({ job, err: job.err });
        }
        else if (job.remaining === 0)
            this.finish(job);
    }
    /** Every chunk written: check size and content hash, then hand the file back. */
    finish(job) {
        const err = verifyJob(job);
        job.failed = !!err;
        this.unfinished.delete(job);
        this.finished.push({ job, err });
    }
    fail(job, err) {
        if (job.failed || !this.unfinished.has(job))
            return;
        job.failed = true;
        job.err = err instanceof Error ? err : new Error(String(err));
        this.settled(job); // handed over once its writes in flight are done (its fd stays open until then)
    }
    /** Call `done` of the files finished so far. */
    async settle() {
        while (this.finished.length > 0) {
            const { job, err } = this.finished.shift();
            await job.file.done(err, job.fd >= 0 ? job.fd : undefined);
        }
    }
}
//# sourceMappingURL=content-batch.js.map