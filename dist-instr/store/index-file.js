// Guards around the LMDB files of the cache. lmdb-js does not throw on a
// damaged data.mdb: it crashes the process (SIGSEGV/SIGBUS, measured). So we
// validate the two meta pages ourselves before opening; a file that changed
// since this host last flushed it cleanly (a crash mid-write, outside damage)
// is read through by a child process (index-probe.ts) before it is trusted;
// and the files stay private to the user (lmdb-js creates them 0644).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errnoCode } from '../errors.js';
const MDB_MAGIC = 0xbeefc0de;
const MDB_DATA_VERSION = 2; // lmdb-js 3.x (mdb.master3): 24-byte page header
const P_META = 0x08;
/** written by `markClean` beside the LMDB files */
const CLEAN_FILE = 'clean.json';
export const INDEX_FILES = ['data.mdb', 'lock.mdb', CLEAN_FILE];
/** What `markClean` records of data.mdb: any write (or replacement) changes one of these. */
function fileState(file) {
    try {
        const s = fs.statSync(file, { bigint: true });
        return JSON.stringify({ dev: String(s.dev), ino: String(s.ino), size: String(s.size), mtimeNs: String(s.mtimeNs), ctimeNs: String(s.ctimeNs) });
    }
    catch {
        return null;
    }
}
/**
 * Record data.mdb's state after a flush by this process: while the file still
 * matches, nothing wrote it since (no crash mid-write, no outside damage), and
 * opening it needs no probe.
 */
export function markClean(dir) {
    const state = fileState(path.join(dir, 'data.mdb'));
    if (!state)
        return;
    const file = path.join(dir, CLEAN_FILE);
    try {
        fs.writeFileSync(file + '.tmp', state + '\n', { mode: 0o600 });
        fs.renameSync(file + '.tmp', file);
    }
    catch {
        // a read-only cache folder: the next open probes, which is only slower
    }
}
/** True when data.mdb is exactly as the last `markClean` saw it. */
export function isMarkedClean(dir) {
    const state = fileState(path.join(dir, 'data.mdb'));
    try {
        return state !== null && fs.readFileSync(path.join(dir, CLEAN_FILE), 'utf8').trim() === state;
    }
    catch {
        return false;
    }
}
/** Why the LMDB file at `dir` cannot be opened safely, or null when it looks sound (or does not exist yet). */
export function indexFileProblem(dir) {
    const file = path.join(dir, 'data.mdb');
    let fd;
    try {
        fd = fs.openSync(file, 'r');
    }
    catch (e) {
        if (errnoCode(e) === 'ENOENT')
            return null;
        return `cannot open ${file}: ${e.message}`;
    }
    try {
        const size = fs.fstatSync(fd).size;
        if (size === 0)
            return `${file} is empty`;
        const head = Buffer.alloc(Math.min(size, 2 * 65536));
        fs.readSync(fd, head, 0, head.length, 0);
        if (head.length < 160)
            return `${file} is truncated (${size} bytes)`;
        const psize = head.readUInt32LE(48);
        if (psize < 512 || psize > 65536 || (psize & (psize - 1)) !== 0)
            return `${file}: bad page size in its header (not an LMDB file?)`;
        if (size < 2 * psize)
            return `${file} is truncated (${size} bytes)`;
        let best = null;
        for (const off of [0, psize]) {
            const flags = head.readUInt16LE(off + 18);
            if (head.readUInt32LE(off + 24) !== MDB_MAGIC || !(flags & P_META))
                return `${file}: meta page ${off / psize} is damaged (bad magic)`;
            if (head.readUInt32LE(off + 28) !== MDB_DATA_VERSION)
                return `${file}: unsupported LMDB data version ${head.readUInt32LE(off + 28)}`;
            const last = head.readBigUInt64LE(off + 144);
            const txn = head.readBigUInt64LE(off + 152);
            if (!best || txn > best.txn)
                best = { last, txn };
        }
        const need = (best.last + 1n) * BigInt(psize);
        // another process may be committing (the meta page can run ahead of the file size for a
        // moment): the file only grows, so give it up to a second before calling it truncated
        let sizeNow = fs.fstatSync(fd).size;
        const nap = new Int32Array(new SharedArrayBuffer(4));
        for (let i = 0; i < 20 && need > BigInt(sizeNow); i++) {
            Atomics.wait(nap, 0, 0, 50);
            sizeNow = fs.fstatSync(fd).size;
        }
        // a file written in the last seconds has a live writer: LMDB itself guards that case
        const recent = Date.now() - fs.fstatSync(fd).mtimeMs < 10_000;
        if (need > BigInt(sizeNow) && !recent)
            return `${file} is truncated (${sizeNow} bytes, its header needs ${need})`;
        return null;
    }
    finally {
        fs.closeSync(fd);
    }
}
/** chmod 0600 the LMDB files (and 0700 their directory). */
export function privatizeIndexFiles(dir) {
    try {
        fs.chmodSync(dir, 0o700);
    }
    catch { }
    for (const f of INDEX_FILES) {
        try {
            fs.chmodSync(path.join(dir, f), 0o600);
        }
        catch { }
    }
}
//# sourceMappingURL=index-file.js.map