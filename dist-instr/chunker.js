// FastCDC content-defined chunking (Xia et al. 2016/2020): a gear rolling
// hash, cut-point skipping below `min`, and normalized chunking (level N: a
// mask N bits stricter before `avg`, N bits looser after). Cut points depend
// only on content and the repository's parameters, so an edit moves at most
// the chunks around it and the rest deduplicate. The default level is 0:
// measured, normalization delays re-synchronisation after an edit (docs/design.md).
import { hashXof } from './hash.js';
export const DEFAULT_CHUNKER = {
    min: 512 * 1024,
    avg: 1024 * 1024,
    max: 8 * 1024 * 1024,
    normalization: 0,
};
export class Chunker {
    min;
    avg;
    max;
    gear;
    maskS;
    maskL;
    constructor(p) {
        if (!(p.min > 0 && p.min <= p.avg && p.avg <= p.max))
            throw new RangeError('chunker: need 0 < min <= avg <= max');
        this.min = p.min;
        this.avg = p.avg;
        this.max = p.max;
        const level = p.normalization ?? 2;
        if (!(Number.isInteger(level) && level >= 0 && level <= 3))
            throw new RangeError('chunker: normalization must be 0..3');
        // Level 0 is plain gear CDC after the skipped `min` bytes: a match every
        // 2^bits bytes on average, so bits = log2(avg - min) makes the mean chunk
        // about `avg`. Normalized levels centre the distribution on `avg` itself.
        const bits = level === 0 ? Math.round(Math.log2(Math.max(2, p.avg - p.min))) : Math.round(Math.log2(p.avg));
        // Masks use the high bits of the 32-bit gear hash: bit k depends on the
        // last k+1 bytes, so high bits see the widest window.
        const mask = (n) => (n >= 32 ? -1 : ((1 << n) - 1) << (32 - n)) | 0;
        this.maskS = mask(Math.min(31, bits + level));
        this.maskL = mask(Math.max(1, bits - level));
        const raw = hashXof(Buffer.from(`strata-gear:${p.seed}`), 1024);
        this.gear = new Int32Array(256);
        for (let i = 0; i < 256; i++)
            this.gear[i] = raw.readInt32LE(i * 4);
    }
    /**
     * Length of the next chunk of buf[start, end). When fewer than `max` bytes
     * are available and `eof` is false the caller must supply more data first;
     * this returns -1 then.
     */
    next(buf, start, end, eof) {
        const avail = end - start;
        if (avail <= 0)
            return 0;
        if (avail < this.max && !eof)
            return -1;
        if (avail <= this.min)
            return avail;
        const n = Math.min(avail, this.max);
        return this.scan(buf, start, n) || n;
    }
    /**
     * Like next(), but a cut point inside the available bytes is returned even
     * when fewer than `max` are there: whether position i is a cut depends only
     * on the bytes up to i, so more data could not move it. -1 only when no cut
     * is in sight yet, so a reader need not keep `max` bytes buffered (and copy
     * them forward) for every chunk.
     */
    nextAvailable(buf, start, end, eof) {
        const avail = end - start;
        if (eof || avail >= this.max)
            return this.next(buf, start, end, eof);
        if (avail <= this.min)
            return -1;
        return this.scan(buf, start, avail) || -1;
    }
    /** The first cut in buf[start + min, start + n) as a chunk length, or 0. */
    scan(buf, start, n) {
        const normal = Math.min(n, this.avg);
        const gear = this.gear;
        const maskS = this.maskS;
        const maskL = this.maskL;
        let h = 0;
        let i = start + this.min;
        const normalEnd = start + normal;
        const stop = start + n;
        for (; i < normalEnd; i++) {
            h = ((h << 1) + gear[buf[i]]) | 0;
            if ((h & maskS) === 0)
                return i - start + 1;
        }
        for (; i < stop; i++) {
            h = ((h << 1) + gear[buf[i]]) | 0;
            if ((h & maskL) === 0)
                return i - start + 1;
        }
        return 0;
    }
    /** All chunk lengths of an in-memory buffer (tests and benchmarks). */
    split(buf) {
        const out = [];
        let pos = 0;
        while (pos < buf.length) {
            const len = this.next(buf, pos, buf.length, true);
            out.push(len);
            pos += len;
        }
        return out;
    }
}
//# sourceMappingURL=chunker.js.map