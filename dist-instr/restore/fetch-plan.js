// Ranged pack reads for many blobs (restore, cat, dump): the blobs wanted are
// grouped by pack, sorted by offset and merged into ranges (gaps of at most
// `maxGap` bytes are read and thrown away, a range stays under `maxRange`
// unless one blob is larger), then read with several requests in flight. Each
// blob of a range goes through the one decode path (PackReader.decodeBlob:
// verified bytes only); a damaged blob fails alone, an unreadable range fails
// the blobs in it, and everything else proceeds.
import { StrataError } from '../errors.js';
import { sharedBuffer } from './write-buffers.js';
export const DEFAULT_LIMITS = { maxGap: 256 << 10, maxRange: 8 << 20 };
/** Group by pack, sort by offset, merge nearby blobs: the fewest reads under the limits. */
export function planRanges(wants, limits = DEFAULT_LIMITS) {
    const byPack = new Map();
    for (const w of wants) {
        const k = w.loc.pack.toString('latin1');
        const list = byPack.get(k);
        if (list)
            list.push(w);
        else
            byPack.set(k, [w]);
    }
    const out = [];
    for (const list of byPack.values()) {
        list.sort((a, b) => a.loc.offset - b.loc.offset);
        let cur;
        for (const w of list) {
            const end = w.loc.offset + w.loc.length;
            if (cur && w.loc.offset - (cur.offset + cur.length) <= limits.maxGap && end - cur.offset <= limits.maxRange) {
                cur.length = Math.max(cur.length, end - cur.offset);
                cur.blobs.push(w);
                continue;
            }
            cur = { pack: w.loc.pack, offset: w.loc.offset, length: w.loc.length, blobs: [w] };
            out.push(cur);
        }
    }
    return out;
}
/** A count of range reads in flight shared by several fetches. */
export class Slots {
    free;
    waiters = [];
    constructor(n) {
        this.free = Math.max(1, n);
    }
    async take() {
        while (this.free === 0)
            await new Promise((r) => this.waiters.push(r));
        this.free--;
    }
    give() {
        this.free++;
        this.waiters.shift()?.();
    }
}
/** decoded bytes handed to the workers in one job */
const OFF_THREAD_BATCH = 8 << 20;
/**
 * Read `ranges` with `inFlight` requests at once and hand every blob to
 * `onBlob`. Range buffers are reused (fresh memory is slow to touch here).
 * Throws only E_ABORTED; every other failure is a blob's.
 */
export async function fetchRanges(reader, ranges, onBlob, opts) {
    const buffers = opts.rangeBuffers ?? [];
    const slots = opts.slots ?? new Slots(opts.inFlight);
    let decodeBuf = Buffer.allocUnsafe(1 << 20);
    let next = 0;
    const worker = async () => {
        while (next < ranges.length) {
            // a turn of the event loop per range: local reads complete at once, and signals are handled there
            await new Promise((r) => setImmediate(r));
            if (opts.signal?.aborted)
                throw new StrataError('E_ABORTED', 'restore interrupted');
            if (next >= ranges.length)
                break; // another worker took the last one meanwhile
            {const __t0=performance.now(); await slots.take(); (globalThis.W??={}).slots=(globalThis.W.slots||0)+performance.now()-__t0;}
            if (next >= ranges.length) {
                slots.give();
                break;
            }
            const r = ranges[next++];
            const pooled = buffers.pop();
            const size = Math.max(r.length, DEFAULT_LIMITS.maxRange);
            const buf = pooled && pooled.length >= r.length ? pooled : opts.offThread ? sharedBuffer(size) : Buffer.allocUnsafe(size);
            let bytes;
            let failure;
            try {
                {const __t0=performance.now(); bytes = await reader.readPackRange(r.pack, r.offset, r.length, buf); (globalThis.W??={}).read=(globalThis.W.read||0)+performance.now()-__t0; globalThis.W.nread=(globalThis.W.nread||0)+1;}
            }
            catch (e) {
                failure = e;
            }
            finally {
                slots.give(); // decoding is not a read in flight: the next request may start meanwhile
            }
            try {
                if (bytes && opts.offThread && reader.decodeRange && bytes.buffer instanceof SharedArrayBuffer) {
                    await decodeOffThread(reader, r, bytes, onBlob, opts.offThread);
                    await opts.afterRange?.();
                    continue;
                }
                for (const w of r.blobs) {
                    if (!bytes) {
                        onBlob(w, undefined, failure);
                        continue;
                    }
                    const held = opts.into ? await opts.into(w.loc.rawLength) : undefined;
                    let data;
                    try {
                        const at = w.loc.offset - r.offset;
                        data = reader.decodeBlob(w.hash, w.loc, bytes.subarray(at, at + w.loc.length), held ?? decodeBuf);
                        // the caller keeps `held`: bytes returned in place (stored plain) are copied there, off the range buffer
                        if (held && data.buffer !== held.buffer)
                            data = data.length <= held.length ? held.subarray(0, data.copy(held)) : Buffer.from(data);
                    }
                    catch (e) {
                        onBlob(w, undefined, e, held);
                        continue;
                    }
                    onBlob(w, data, undefined, held);
                    if (!held && w.loc.rawLength > decodeBuf.length)
                        decodeBuf = Buffer.allocUnsafe(w.loc.rawLength); // big enough next time
                }
            }
            finally {
                buffers.push(buf);
            }
            await opts.afterRange?.();
        }
    };
    // twice as many workers as reads in flight: while one decodes the range it read, another reads
    const n = Math.max(1, Math.min(opts.inFlight * 2, ranges.length));
    await Promise.all(Array.from({ length: n }, worker));
}
/**
 * The blobs of range `r` (read into shared `bytes`) decoded by the reader's workers, in batches of
 * about OFF_THREAD_BATCH raw bytes, each into a buffer of `pool` handed to `onBlob` as `held`. A batch
 * is sent before waiting for more room in the pool (its buffers come back once written), so fetches
 * never wait on each other's buffers. Should the workers fail, the batch is decoded here.
 */
async function decodeOffThread(reader, r, bytes, onBlob, pool) {
    let batch = [];
    let raw = 0;
    const flush = async () => {
        const b = batch;
        batch = [];
        raw = 0;
        if (b.length === 0)
            return;
        let failed;
        try {
            {const __t0=performance.now(); failed = await reader.decodeRange(bytes, r.offset, b.map(({ w, out }) => ({ hash: w.hash, loc: w.loc, out }))); (globalThis.W??={}).decode=(globalThis.W.decode||0)+performance.now()-__t0;}
        }
        catch {
            failed = b.map(({ w, out }) => {
                try {
                    const at = w.loc.offset - r.offset;
                    const data = reader.decodeBlob(w.hash, w.loc, bytes.subarray(at, at + w.loc.length), out);
                    if (data.buffer !== out.buffer || data.byteOffset !== out.byteOffset)
                        data.copy(out);
                    return undefined;
                }
                catch (e) {
                    return e;
                }
            });
        }
        b.forEach(({ w, out }, i) => (failed[i] ? onBlob(w, undefined, failed[i], out) : onBlob(w, out.subarray(0, w.loc.rawLength), undefined, out)));
    };
    for (const w of r.blobs) {
        let out = pool.tryTake(w.loc.rawLength);
        if (!out) {
            await flush();
            out = await pool.take(w.loc.rawLength);
        }
        batch.push({ w, out });
        raw += w.loc.rawLength;
        if (raw >= OFF_THREAD_BATCH)
            await flush();
    }
    await flush();
}
/**
 * Blobs in the order given, each handed to `each` once read and verified: runs
 * of blobs that lie one after the other in a pack are read as one range, up to
 * `inFlight` ranges ahead (cat and dump of one file: a handful of requests).
 * Blobs the reader cannot locate are read with `get` (one request each).
 */
export async function orderedBlobs(reader, hashes, get, each, limits = DEFAULT_LIMITS) {
    const items = [];
    let cur;
    for (const h of hashes) {
        const loc = reader?.locateBlob(h);
        if (!loc) {
            items.push({ hash: h });
            cur = undefined;
            continue;
        }
        const gap = cur && cur.pack.equals(loc.pack) ? loc.offset - (cur.offset + cur.length) : -1;
        if (cur && gap >= 0 && gap <= limits.maxGap && loc.offset + loc.length - cur.offset <= limits.maxRange) {
            cur.length = loc.offset + loc.length - cur.offset;
            cur.blobs.push({ hash: h, loc });
            continue;
        }
        cur = { pack: loc.pack, offset: loc.offset, length: loc.length, blobs: [{ hash: h, loc }] };
        items.push({ range: cur });
    }
    const inFlight = Math.max(1, reader?.rangeReadsInFlight ?? 1);
    const read = (it) => (it.range ? reader.readPackRange(it.range.pack, it.range.offset, it.range.length) : get(it.hash));
    const pending = [];
    const start = (i) => {
        if (i < items.length) {
            const p = read(items[i]);
            p.catch(() => undefined); // awaited in order below
            pending[i] = p;
        }
    };
    for (let i = 0; i < inFlight; i++)
        start(i);
    for (let i = 0; i < items.length; i++) {
        const bytes = await pending[i];
        delete pending[i];
        start(i + inFlight);
        const it = items[i];
        if (!it.range) {
            await each(bytes);
            continue;
        }
        for (const w of it.range.blobs) {
            const at = w.loc.offset - it.range.offset;
            await each(reader.decodeBlob(w.hash, w.loc, bytes.subarray(at, at + w.loc.length)));
        }
    }
}
//# sourceMappingURL=fetch-plan.js.map