// Writes (or, for a dry run, only reads) one file's content from its chunks,
// verifying every chunk (by the store, against its id) and the whole file
// (size and plain BLAKE3 content hash).
// A file marked sparse gets its all-zero chunks as holes: the write position
// skips them and ftruncate sets the size; a zero chunk seen once is not even
// fetched again (its bytes are known).
import * as fs from 'node:fs';
import { StrataError } from '../errors.js';
import { hashBytes, newHasher } from '../hash.js';
import { fileChunks } from '../tree/trees.js';
import { writeAtSync } from './write-buffers.js';
const EMPTY = hashBytes(Buffer.alloc(0));
export class ContentWriter {
    repo;
    onBytes;
    signal;
    /** where chunks are decompressed, reused across files (fresh memory is slow here, see docs/bench.md) */
    chunkBuf = Buffer.allocUnsafe(1 << 20);
    zeroBuf = Buffer.alloc(0);
    /** hashes of all-zero chunks met so far, with their lengths */
    zeroChunks = new Map();
    constructor(repo, onBytes, signal) {
        this.repo = repo;
        this.onBytes = onBytes;
        this.signal = signal;
    }
    zeros(n) {
        if (this.zeroBuf.length < n)
            this.zeroBuf = Buffer.alloc(n);
        return this.zeroBuf.subarray(0, n);
    }
    /** Write `e`'s content to `fd` (or only read and verify when fd is null); throws E_CORRUPT / E_BLOB_MISSING. */
    async write(e, fd) {
        const c = e.content;
        const chunks = await fileChunks(this.repo, c);
        // a one-chunk file's id is its content hash only with plain ids (format.md §11.5.1)
        const whole = chunks.length > 1 || (chunks.length === 1 && !this.repo.ids.plain) ? newHasher() : undefined;
        const sparse = !!e.sparse && fd !== null;
        let pos = 0;
        let sinceYield = 0;
        for (const h of chunks) {
            // a turn of the event loop now and then: reads may complete synchronously, and signals are handled there
            if (++sinceYield >= 8) {
                sinceYield = 0;
                await new Promise((r) => setImmediate(r));
                if (this.signal?.aborted)
                    throw new StrataError('E_ABORTED', 'restore interrupted');
            }
            const key = sparse ? h.toString('latin1') : '';
            const zlen = sparse ? this.zeroChunks.get(key) : undefined;
            if (zlen !== undefined) {
                whole?.update(this.zeros(zlen));
                pos += zlen;
                this.onBytes(zlen);
                continue;
            }
            const data = await this.repo.getBlob(h, this.chunkBuf); // verifies the chunk hash; decompressed into the reused buffer
            if (data.length > this.chunkBuf.length)
                this.chunkBuf = Buffer.allocUnsafe(data.length); // big enough next time
            whole?.update(data);
            if (sparse && data.equals(this.zeros(data.length))) {
                this.zeroChunks.set(key, data.length); // a hole: nothing written
            }
            else if (sparse) {
                writeSparse(fd, data, pos);
            }
            else if (fd !== null)
                writeAtSync(fd, data, pos);
            pos += data.length;
            this.onBytes(data.length);
        }
        const got = whole ? whole.digest() : chunks.length === 1 ? chunks[0] : EMPTY;
        if (pos !== e.size || !got.equals(c.hash)) {
            throw new StrataError('E_CORRUPT', `content does not match the snapshot (size ${pos}/${e.size}, or its BLAKE3)`);
        }
        if (sparse)
            fs.ftruncateSync(fd, pos);
    }
}
const BLOCK = 4096;
/** Write `data` at file offset `pos`, leaving file-system blocks that would be all zeros unwritten (holes). */
export function writeSparse(fd, data, pos) {
    const zero = Buffer.alloc(BLOCK);
    let i = 0;
    while (i < data.length) {
        // blocks aligned to the file offset
        const end = Math.min(data.length, BLOCK - ((pos + i) % BLOCK) + i);
        const piece = data.subarray(i, end);
        if (!piece.equals(zero.subarray(0, piece.length))) {
            // extend to the end of the run of non-zero blocks: one write per run
            let j = end;
            while (j < data.length) {
                const k = Math.min(data.length, j + BLOCK);
                if (data.subarray(j, k).equals(zero.subarray(0, k - j)))
                    break;
                j = k;
            }
            writeAtSync(fd, data, pos, i, j);
            i = j;
        }
        else
            i = end;
    }
}
/** Does the file at `p` hold exactly this content already? */
export function sameFileContent(p, size, hash) {
    let fd;
    try {
        const st = fs.lstatSync(p);
        if (!st.isFile() || st.size !== size)
            return false;
        fd = fs.openSync(p, 'r');
    }
    catch {
        return false;
    }
    try {
        const h = newHasher();
        const buf = Buffer.allocUnsafe(1 << 20);
        for (;;) {
            const n = fs.readSync(fd, buf, 0, buf.length, null);
            if (n === 0)
                break;
            h.update(buf.subarray(0, n));
        }
        return h.digest().equals(hash);
    }
    finally {
        fs.closeSync(fd);
    }
}
//# sourceMappingURL=content.js.map