// lstat results turned into what a tree entry needs: kind and metadata.
// Never follows symlinks; never opens special files.
import * as fs from 'node:fs';
/** Kinds of directory entries, in their on-disk code order (docs/format.md). */
export const KINDS = ['file', 'dir', 'symlink', 'fifo', 'socket', 'chardev', 'blockdev'];
const S_IFMT = BigInt(fs.constants.S_IFMT);
const S_IFREG = BigInt(fs.constants.S_IFREG);
const S_IFDIR = BigInt(fs.constants.S_IFDIR);
const S_IFLNK = BigInt(fs.constants.S_IFLNK);
const S_IFIFO = BigInt(fs.constants.S_IFIFO);
const S_IFSOCK = BigInt(fs.constants.S_IFSOCK);
const S_IFCHR = BigInt(fs.constants.S_IFCHR);
/** lstat fields per entry in a stat slot array (see SlotStat) */
export const STAT_SLOTS = 9;
/** fields per entry in the extra array (atime of a file, nlink, blocks) */
export const EXTRA_SLOTS = 3;
/**
 * Record the atime of regular files (docs/format.md §6.1a)? Off unless `--atime` or STRATA_RECORD_ATIME=1:
 * with it, any program reading a file makes the next snapshot's tree differ (borg >= 1.1 leaves atime out
 * too, and has --atime for it).
 */
export let RECORD_ATIME = process.env.STRATA_RECORD_ATIME === '1';
/** `snapshot --atime` / `watch --atime`: record atimes in this process. */
export function recordAtimes(on) {
    RECORD_ATIME = on;
}
export function toExtra(st, extra, i) {
    const o = i * EXTRA_SLOTS;
    extra[o] = RECORD_ATIME && st.isFile() ? st.atimeNs : 0n; // only files' atimes, and only when asked
    extra[o + 1] = st.nlink;
    extra[o + 2] = st.blocks;
}
/** Copy the fields of `st` into `slots` at entry `i` (BigInt64: values are stored modulo 2^64). */
export function toSlots(st, slots, i) {
    const o = i * STAT_SLOTS;
    slots[o] = st.dev;
    slots[o + 1] = st.ino;
    slots[o + 2] = st.mode;
    slots[o + 3] = st.uid;
    slots[o + 4] = st.gid;
    slots[o + 5] = st.rdev;
    slots[o + 6] = st.size;
    slots[o + 7] = st.mtimeNs;
    slots[o + 8] = st.ctimeNs;
}
/** An lstat result kept as numbers in a shared array instead of a Stats object (no per-entry garbage). */
export class SlotStat {
    dev;
    ino;
    mode;
    uid;
    gid;
    rdev;
    size;
    mtimeNs;
    ctimeNs;
    atimeNs;
    nlink;
    blocks;
    constructor(slots, i, extra) {
        const o = i * STAT_SLOTS;
        this.dev = BigInt.asUintN(64, slots[o]);
        this.ino = BigInt.asUintN(64, slots[o + 1]);
        this.mode = slots[o + 2];
        this.uid = slots[o + 3];
        this.gid = slots[o + 4];
        this.rdev = BigInt.asUintN(64, slots[o + 5]);
        this.size = slots[o + 6];
        this.mtimeNs = slots[o + 7];
        this.ctimeNs = slots[o + 8];
        if (extra) {
            const x = i * EXTRA_SLOTS;
            this.atimeNs = extra[x];
            this.nlink = extra[x + 1];
            this.blocks = extra[x + 2];
        }
    }
    isFile() {
        return (this.mode & S_IFMT) === S_IFREG;
    }
    isDirectory() {
        return (this.mode & S_IFMT) === S_IFDIR;
    }
    isSymbolicLink() {
        return (this.mode & S_IFMT) === S_IFLNK;
    }
    isFIFO() {
        return (this.mode & S_IFMT) === S_IFIFO;
    }
    isSocket() {
        return (this.mode & S_IFMT) === S_IFSOCK;
    }
    isCharacterDevice() {
        return (this.mode & S_IFMT) === S_IFCHR;
    }
}
export function kindOf(st) {
    if (st.isFile())
        return 'file';
    if (st.isDirectory())
        return 'dir';
    if (st.isSymbolicLink())
        return 'symlink';
    if (st.isFIFO())
        return 'fifo';
    if (st.isSocket())
        return 'socket';
    if (st.isCharacterDevice())
        return 'chardev';
    return 'blockdev';
}
export function lstatRaw(p) {
    return fs.lstatSync(p, { bigint: true });
}
export function readDirNames(p) {
    return fs.readdirSync(p, { encoding: 'buffer' });
}
export function metaOf(st) {
    return { mode: Number(st.mode & 4095n), uid: Number(st.uid), gid: Number(st.gid), mtimeNs: st.mtimeNs };
}
//# sourceMappingURL=dir-entry.js.map