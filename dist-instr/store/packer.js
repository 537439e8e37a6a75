import { compressBlob } from '../compress.js';
import { plainCipher } from '../crypto/repo-cipher.js';
import { encodeTrailerFor, packMagicFor, packObjectName } from './pack.js';
import { StagePool, openSink } from './pack-sink.js';
export class Packer {
    store;
    target;
    onFlush;
    cipher;
    cur = null;
    stages = new StagePool();
    /** the pack being finished and indexed (never rejects: errors land in `failure`) */
    finishing = Promise.resolve();
    finishDone = true;
    failure;
    /** blobs in the open pack or in the pack being finished, by hex hash */
    located = new Map();
    /** blobs handed to the compression pool, not yet in a pack */
    compressing = new Set();
    compressWaiters = [];
    constructor(store, target, onFlush, 
    /** seals blobs compressed by `put` and the table (encrypted repositories); `add` takes bytes already in stored form */
    cipher = plainCipher()) {
        this.store = store;
        this.target = target;
        this.onFlush = onFlush;
        this.cipher = cipher;
    }
    get isEmpty() {
        return !this.cur && this.compressing.size === 0;
    }
    /** Blobs not yet durable, by hex hash. */
    get pending() {
        return { has: (hex) => this.has(hex) };
    }
    /** Whether blob `hex` was added and is not yet durable. */
    has(hex) {
        return this.located.has(hex) || this.compressing.has(hex);
    }
    /** Append a blob already in its stored form (compressed, and sealed in an encrypted repository). A full pack is finished in the background. */
    async add(hash, type, comp, data, rawLength) {
        if (this.failure)
            throw this.failure;
        this.append(hash, type, comp, data, rawLength);
        await this.afterAppend();
    }
    /**
     * Compress `raw` (in `pool` when given) and append it. Resolves once `raw`
     * has been copied; `onStored` gets the stored size when the blob is packed.
     */
    async put(hash, type, raw, level, pool, onStored) {
        if (this.failure)
            throw this.failure;
        if (!pool || raw.length < 64 || raw.length > pool.maxBlob || level <= 0) {
            if (this.failure)
                throw this.failure;
            const { data, comp } = compressBlob(raw, level);
            onStored(this.appendSealed(hash, type, comp, data, raw.length));
            return this.afterAppend();
        }
        const hex = hash.toString('hex');
        // `raw` is the caller's once copied: it may be reused, or detached (a transferred ArrayBuffer: length 0)
        const rawLength = raw.length;
        this.compressing.add(hex);
        await pool.submit(raw, (comp, data) => {
            this.compressing.delete(hex);
            onStored(this.appendSealed(hash, type, comp, data, rawLength));
            if (this.compressing.size === 0)
                this.wakeCompressWaiters();
        });
        await this.afterAppend();
    }
    append(hash, type, comp, data, rawLength) {
        const p = this.open();
        this.record(p, { hash, type, comp, offset: p.sink.append(data), length: data.length, rawLength });
    }
    /** Seal `data` (compressed or raw) straight into the open pack, piece by piece (no sealed copy in between); returns the stored length. */
    appendSealed(hash, type, comp, data, rawLength) {
        const p = this.open();
        const offset = p.sink.size;
        const length = this.cipher.sealBlobTo(hash, type, comp, data, (b) => void p.sink.append(b));
        this.record(p, { hash, type, comp, offset, length, rawLength });
        return length;
    }
    open() {
        return (this.cur ??= { sink: openSink(this.store, this.stages, packMagicFor(this.cipher)), entries: [] });
    }
    record(p, e) {
        p.entries.push(e);
        this.located.set(e.hash.toString('hex'), { pack: p, entry: e });
    }
    async afterAppend() {
        const p = this.cur;
        if (!p)
            return;
        if (p.sink.size >= this.target)
            await this.seal(false);
        else
            await p.sink.backpressure();
    }
    wakeCompressWaiters() {
        const w = this.compressWaiters;
        this.compressWaiters = [];
        for (const f of w)
            f();
    }
    /** Wait until blob `hex` has left the compression pool (no-op for others). */
    async settled(hex, pool) {
        while (pool && this.compressing.has(hex))
            await pool.drain();
    }
    /** Bytes of blob `hex` while its pack is not yet durable. */
    pendingBytes(hex) {
        const l = this.located.get(hex);
        return l && { entry: l.entry, data: l.pack.sink.read(l.entry.offset, l.entry.length) };
    }
    /** Close the open pack (when full, or always with `force`) and finish it in the background; one at a time. */
    async seal(force) {
        for (;;) {
            if (this.failure)
                throw this.failure;
            const p = this.cur;
            if (!p || p.entries.length === 0 || (!force && p.sink.size < this.target))
                return;
            if (this.finishDone)
                break;
            await this.finishing; // the state may change meanwhile: check again
        }
        const p = this.cur;
        this.cur = null;
        const trailer = encodeTrailerFor(p.entries, this.cipher);
        const size = p.sink.size + trailer.length;
        this.finishDone = false;
        this.finishing = (async () => {
            try {
                const id = await p.sink.finish(trailer, packObjectName);
                await this.onFlush({ id, size, entries: p.entries });
                for (const e of p.entries) {
                    const hex = e.hash.toString('hex');
                    if (this.located.get(hex)?.pack === p)
                        this.located.delete(hex);
                }
            }
            catch (e) {
                this.failure ??= e; // reported by the next add, put or flush
                await p.sink.abort().catch(() => undefined);
            }
            finally {
                this.finishDone = true;
            }
        })();
    }
    /**
     * After a failure: drop the open pack (its temporary file goes), wait for a pack being finished,
     * and start clean, so a long-lived writer (the watch daemon) can go on once space is freed.
     * Blobs that were not yet durable are forgotten: the next snapshot stores them again.
     */
    async abort() {
        const p = this.cur;
        this.cur = null;
        await p?.sink.abort().catch(() => undefined);
        while (!this.finishDone)
            await this.finishing;
        this.failure = undefined;
        this.located.clear();
        this.compressing.clear();
        this.wakeCompressWaiters();
    }
    /** Make every added blob durable and indexed. */
    async flush(pool = null) {
        while (this.compressing.size > 0 && !this.failure) {
            if (pool)
                await pool.drain();
            else
                await new Promise((resolve) => this.compressWaiters.push(resolve));
        }
        await this.seal(true);
        while (!this.finishDone)
            await this.finishing;
        if (this.failure)
            throw this.failure;
    }
}
//# sourceMappingURL=packer.js.map