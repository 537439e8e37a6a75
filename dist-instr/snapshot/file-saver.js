// Reads one regular file, cuts it with FastCDC, names each chunk by the
// repository's blob id (BLAKE3, keyed when encrypted), computes the file's
// plain BLAKE3 content hash and hands new chunks to the repository. The file is fstat'ed before and after
// the read: if anything changed underneath, the read is retried and, if it
// keeps changing, what was read last is stored marked `changed` (the caller
// prefers the parent snapshot's version when there is one). A sparse file
// (allocated blocks below its size) is read by its data extents (SEEK_DATA /
// SEEK_HOLE): holes are never read, and a run of zeros a whole chunk long is
// one known chunk, hashed once per saver.
// Some files' sizes lie (procfs says 0, sysfs says 4096, FUSE may say
// anything): such a file is read until EOF, and when its stat did not move
// while its length differs from the size, what was read is stored and the
// file is flagged (`sizeLied`) so the snapshot warns once per tree.
import * as fs from 'node:fs';
import { StrataError, errnoCode, isStrataError } from '../errors.js';
import { dataExtents } from '../fs/native.js';
import { hashBytes, newHasher } from '../hash.js';
import { BLOB_DATA } from '../store/pack.js';
import { makeFileContent } from '../tree/trees.js';
const EMPTY_HASH = hashBytes(Buffer.alloc(0));
const O_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;
/** our read must not change the atime we record (allowed for the owner and root; else plain open) */
const O_NOATIME = fs.constants.O_NOATIME ?? 0;
let noatime = O_NOATIME !== 0;
const sameStat = (a, b) => a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
export class FileSaver {
    repo;
    ids;
    chunker;
    counters;
    attempts;
    buf;
    constructor(repo, // null: dry run, hash only
    ids, chunker, counters, attempts = 3) {
        this.repo = repo;
        this.ids = ids;
        this.chunker = chunker;
        this.counters = counters;
        this.attempts = attempts;
        this.buf = Buffer.allocUnsafe(2 * chunker.max);
    }
    /** Read and store `path`; `expect` is the lstat taken while listing its directory. */
    async save(path, expect, acceptChanged = false) {
        for (let attempt = 1;; attempt++) {
            const last = acceptChanged && attempt >= this.attempts;
            const r = await this.readOnce(path, expect, last);
            if (r)
                return r;
            if (attempt >= this.attempts)
                throw new StrataError('E_FILE_CHANGED', `file changed while being read (${this.attempts} attempts)`);
            try {
                expect = fs.lstatSync(path, { bigint: true });
            }
            catch (e) {
                if (errnoCode(e) === 'ENOENT')
                    throw e; // gone: a warning, not a skipped file
                throw new StrataError('E_IO', `vanished while being read (${errnoCode(e)})`, { cause: e });
            }
            if (!expect.isFile())
                throw new StrataError('E_FILE_CHANGED', 'replaced by a non-file while being read');
        }
    }
    async readOnce(path, expect, acceptChanged) {
        const fd = openFile(path);
        try {
            // One fstat per file, after the read: the listing's lstat `expect` stands for the one before.
            // That window is wider (listing → end of read), so it catches at least what an fstat after
            // open would. Something other than a regular file swapped in is caught by the read itself
            // (EISDIR, EAGAIN: see readSome) or by the fstat after; bytes it stored are unreferenced.
            let r;
            const size = Number(expect.size);
            const extents = expect.blocks !== undefined && expect.blocks * 512n < expect.size ? dataExtents(fd, size) : null;
            try {
                r = await this.chunkFd(fd, size, extents);
            }
            catch (e) {
                if (!isStrataError(e) && !fs.fstatSync(fd).isFile())
                    throw new StrataError('E_FILE_CHANGED', 'replaced by a non-file while being read');
                throw e;
            }
            const { chunks, total, wholeHash } = r;
            const after = fs.fstatSync(fd, { bigint: true });
            if (!after.isFile())
                throw new StrataError('E_FILE_CHANGED', 'replaced by a non-file while being read');
            this.counters.bytesRead += extents ? this.lastDataRead : total;
            // a length that differs from an unmoved stat is a size that lies (procfs, sysfs), not a change
            const changed = !sameStat(expect, after);
            const sizeLied = !changed && BigInt(total) !== after.size;
            if (changed && !acceptChanged)
                return undefined;
            this.counters.filesRead++;
            const content = await makeFileContent(this.repo, this.ids, wholeHash, chunks);
            return { content, size: total, stat: after, ...(extents ? { sparse: true } : {}), ...(changed ? { changed: true } : {}), ...(sizeLied ? { sizeLied: true } : {}) };
        }
        finally {
            fs.closeSync(fd);
        }
    }
    /** Fill buf[at..] from file offset `pos` of a sparse file: zeros in holes (not read), data from its extent. */
    readSparse(fd, buf, at, pos, size, extents) {
        const want = Math.min(buf.length - at, size - pos);
        if (want <= 0)
            return 0;
        const ext = extents.find((x) => x[1] > pos);
        if (!ext || pos < ext[0]) {
            const n = Math.min(want, (ext ? ext[0] : size) - pos);
            buf.fill(0, at, at + n);
            return n;
        }
        const n = readSome(fd, buf, at, pos, Math.min(want, ext[1] - pos));
        this.lastDataRead += n;
        return n;
    }
    /** bytes actually read from disk by the last sparse read */
    lastDataRead = 0;
    /** length and hash of the chunk the chunker cuts from a long run of zeros */
    zeroChunk;
    zeros() {
        if (!this.zeroChunk) {
            const z = Buffer.alloc(2 * this.chunker.max);
            const len = this.chunker.nextAvailable(z, 0, z.length, false);
            this.zeroChunk = { len, hash: this.ids.blobId(z.subarray(0, len)), bytes: z.subarray(0, len) };
        }
        return this.zeroChunk;
    }
    /**
     * Cut and store the file behind `fd`; reading stops at `size` (the fstat before), the fstat after tells if it grew.
     * `extents`: the data extents of a sparse file; the rest is zeros that are never read.
     */
    async chunkFd(fd, size, extents) {
        const buf = this.buf;
        const chunks = [];
        let start = 0;
        let end = 0;
        let eof = false;
        let total = 0;
        let readTotal = 0;
        let hasher;
        let onlyHash; // the content hash of a one-chunk file under keyed ids
        let ei = 0; // first extent that ends after the read position
        this.lastDataRead = 0;
        for (;;) {
            if (extents) {
                // a chunk starting in a hole at least `max` long is the known zero chunk: skip it unread
                const pos = readTotal - (end - start);
                while (ei < extents.length && extents[ei][1] <= pos)
                    ei++;
                const holeEnd = ei < extents.length ? extents[ei][0] : size;
                if (holeEnd - pos >= this.chunker.max && holeEnd > pos) {
                    const z = this.zeros();
                    hasher ??= newHasher();
                    hasher.update(z.bytes);
                    chunks.push(z.hash);
                    if (this.repo)
                        await this.repo.putBlob(BLOB_DATA, z.hash, z.bytes);
                    total += z.len;
                    if (end - start >= z.len)
                        start += z.len;
                    else {
                        readTotal = pos + z.len;
                        start = end = 0;
                    }
                    continue;
                }
            }
            const len = this.chunker.nextAvailable(buf, start, end, eof);
            if (len < 0) {
                // no cut in sight: move the rest (less than a chunk) to the front and read more
                if (start > 0) {
                    buf.copyWithin(0, start, end);
                    end -= start;
                    start = 0;
                }
                while (end < buf.length) {
                    // no extra read() to see EOF (a file that grows meanwhile fails the after-check), except
                    // where the size may lie: 0 (procfs) or whole pages (sysfs, and some FUSE files)
                    // (procfs refuses huge reads with ENOMEM: beyond the stated size, read a page run at a time)
                    const beyond = readTotal >= size;
                    const n = beyond
                        ? extents || !(size === 0 || size % 4096 === 0)
                            ? 0
                            : readSome(fd, buf, end, null, Math.min(PAST_SIZE_READ, buf.length - end))
                        : extents
                            ? this.readSparse(fd, buf, end, readTotal, size, extents)
                            : readSome(fd, buf, end);
                    if (n === 0) {
                        eof = true;
                        break;
                    }
                    end += n;
                    readTotal += n;
                }
                continue;
            }
            if (len === 0)
                break;
            const chunk = buf.subarray(start, start + len);
            const h = this.ids.blobId(chunk);
            // the only chunk of the file: with plain ids its id is the whole-file hash, no second pass;
            // keyed ids (encrypted) need the plain content hash beside it (format.md §11.5.1)
            const only = chunks.length === 0 && eof && start + len === end;
            if (only && !this.ids.plain)
                onlyHash = hashBytes(chunk);
            else if (!only) {
                hasher ??= newHasher();
                hasher.update(chunk);
            }
            chunks.push(h);
            if (this.repo)
                await this.repo.putBlob(BLOB_DATA, h, chunk);
            total += len;
            start += len;
        }
        // one chunk: with plain ids the chunk's id is the BLAKE3 of the whole file
        const wholeHash = chunks.length === 0 ? EMPTY_HASH : hasher ? hasher.digest() : (onlyHash ?? chunks[0]);
        return { chunks, total, wholeHash };
    }
}
/** bytes per read past a file's stated size */
const PAST_SIZE_READ = 64 << 10;
function openFile(path) {
    if (noatime) {
        try {
            return fs.openSync(path, O_FLAGS | O_NOATIME);
        }
        catch (e) {
            if (errnoCode(e) !== 'EPERM')
                throw e;
        }
    }
    return fs.openSync(path, O_FLAGS);
}
function readSome(fd, buf, at, pos = null, len = buf.length - at) {
    for (;;) {
        try {
            return fs.readSync(fd, buf, at, len, pos);
        }
        catch (e) {
            if (errnoCode(e) === 'EINTR')
                continue;
            // a regular file never says EAGAIN; a FIFO or device swapped in may, forever
            if (errnoCode(e) === 'EAGAIN' && fs.fstatSync(fd).isFile())
                continue;
            throw e;
        }
    }
}
//# sourceMappingURL=file-saver.js.map