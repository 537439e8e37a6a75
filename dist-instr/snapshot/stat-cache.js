import { hashBytes } from '../hash.js';
/** 8-byte FNV-1a of a path (two 32-bit lanes): a cheap same-path check, no cryptography needed. */
export function pathTag(p) {
    let a = 0x811c9dc5;
    let b = 0x050c5d1f;
    for (let i = 0; i < p.length; i++) {
        a = Math.imul(a ^ p[i], 0x01000193);
        b = Math.imul(b ^ p[i], 0x01000193) ^ (b >>> 15);
    }
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32LE(a >>> 0, 0);
    out.writeUInt32LE(b >>> 0, 4);
    return out;
}
/** An entry naming a chunk list: stat fields, path tag, content hash, flag, list id, prune epoch. */
const LIST_ENTRY_LEN = 65 + 32 + 4;
export class StatCache {
    index;
    epoch;
    prefix;
    constructor(index, host, source, 
    /** the index's prune epoch when this snapshot started (RepoCache.pruneEpoch) */
    epoch = 0) {
        this.index = index;
        this.epoch = epoch;
        this.prefix = hashBytes(Buffer.from(`${host}\0${source}`)).subarray(0, 8);
    }
    key(st) {
        const k = Buffer.allocUnsafe(24);
        this.prefix.copy(k, 0);
        k.writeBigUInt64BE(BigInt.asUintN(64, st.dev), 8);
        k.writeBigUInt64BE(BigInt.asUintN(64, st.ino), 16);
        return k;
    }
    /**
     * The content recorded for this file, when its stat still matches. `checkList`: the entry names a
     * chunk-list blob and was not checked in this prune epoch: the caller must find every chunk of the
     * list in the index before using it (then `store` it again to record the check).
     */
    lookup(st, relPath) {
        const v = this.index.statCache.get(this.key(st));
        if (!v || v.length < 8 + 8 + 8 + 8 + 33)
            return undefined;
        if (BigInt(v.readBigUInt64LE(0)) !== st.size || v.readBigInt64LE(8) !== st.mtimeNs)
            return undefined;
        const samePath = v.subarray(24, 32).equals(pathTag(relPath));
        if (samePath && v.readBigInt64LE(16) !== st.ctimeNs)
            return undefined;
        const hash = Buffer.from(v.subarray(32, 64));
        if (v[64] === 1) {
            // entries written before the epoch was recorded (97 bytes) are checked once too
            const checked = v.length >= LIST_ENTRY_LEN && v.readUInt32LE(97) === this.epoch >>> 0;
            return { content: { hash, chunkList: Buffer.from(v.subarray(65, 97)) }, checkList: !checked };
        }
        const chunks = [];
        for (let o = 65; o + 32 <= v.length; o += 32)
            chunks.push(Buffer.from(v.subarray(o, o + 32)));
        return { content: { hash, chunks }, checkList: false };
    }
    store(st, relPath, c) {
        const refs = c.chunkList ? [c.chunkList] : c.chunks;
        const v = Buffer.allocUnsafe(c.chunkList ? LIST_ENTRY_LEN : 65 + 32 * refs.length);
        v.writeBigUInt64LE(st.size, 0);
        v.writeBigInt64LE(st.mtimeNs, 8);
        v.writeBigInt64LE(st.ctimeNs, 16);
        pathTag(relPath).copy(v, 24);
        c.hash.copy(v, 32);
        v[64] = c.chunkList ? 1 : 0;
        refs.forEach((h, i) => h.copy(v, 65 + 32 * i));
        if (c.chunkList)
            v.writeUInt32LE(this.epoch >>> 0, 97);
        this.index.statCache.put(this.key(st), v).catch(cacheMiss);
    }
}
/**
 * Directory records by inode. A clean child directory of a re-listed parent is
 * reused only if the same inode was last seen at the same path with the same
 * subtree; anything else (a directory renamed over it, moved in) is scanned.
 *
 * A record written after a complete, notice-free listing also carries the
 * *listing digest* of that directory (every entry's name and lstat fields, the
 * subtree hashes of its subdirectories, the exclusion rules) and the prune
 * epoch it was written in. A later full scan whose listing has the same digest
 * reuses the subtree without looking at a single file (DirBuilder). Such
 * records are only written once every blob below them is durable and indexed,
 * and only count while no prune has run since (the epoch).
 */
export const DIR_RECORD_LEN = 8 + 32 + 24;
export const DIR_RECORD_DIGEST_LEN = DIR_RECORD_LEN + 4 + 16 + 16;
/** both forms may end with the directory's own mtime and ctime (ns, i64 each): what a moved or re-announced directory is checked against */
export const DIR_OWN_STAT_LEN = 16;
const isShort = (n) => n === DIR_RECORD_LEN || n === DIR_RECORD_LEN + DIR_OWN_STAT_LEN;
const isLong = (n) => n === DIR_RECORD_DIGEST_LEN || n === DIR_RECORD_DIGEST_LEN + DIR_OWN_STAT_LEN;
export class DirCache {
    index;
    epoch;
    prefix;
    constructor(index, host, source, 
    /** the index's prune epoch when this snapshot started (RepoCache.pruneEpoch) */
    epoch = 0) {
        this.index = index;
        this.epoch = epoch;
        this.prefix = hashBytes(Buffer.from(`dir\0${host}\0${source}`)).subarray(0, 8);
    }
    key(st) {
        const k = Buffer.allocUnsafe(24);
        this.prefix.copy(k, 0);
        k.writeBigUInt64BE(BigInt.asUintN(64, st.dev), 8);
        k.writeBigUInt64BE(BigInt.asUintN(64, st.ino), 16);
        return k;
    }
    static decode(v) {
        return { subtree: Buffer.from(v.subarray(8, 40)), files: Number(v.readBigUInt64LE(40)), dirs: Number(v.readBigUInt64LE(48)), size: Number(v.readBigUInt64LE(56)) };
    }
    /** The record for this directory if it was last seen at `relPath`. */
    lookup(st, relPath) {
        const v = this.index.dirCache.get(this.key(st));
        if (!v || (!isShort(v.length) && !isLong(v.length)) || !v.subarray(0, 8).equals(pathTag(relPath)))
            return undefined;
        return DirCache.decode(v);
    }
    /** The record for this directory inode wherever it was last seen (path tag and own stat returned for the caller to check). */
    lookupInode(st) {
        const v = this.index.dirCache.get(this.key(st));
        if (!v || (!isShort(v.length) && !isLong(v.length)))
            return undefined;
        const known = { tag: Buffer.from(v.subarray(0, 8)), rec: DirCache.decode(v) };
        const own = isShort(v.length) ? DIR_RECORD_LEN : DIR_RECORD_DIGEST_LEN;
        if (v.length === own + DIR_OWN_STAT_LEN) {
            known.mtimeNs = v.readBigInt64LE(own);
            known.ctimeNs = v.readBigInt64LE(own + 8);
        }
        return known;
    }
    /**
     * The record for this directory inode if it carries exactly this listing digest, written in this
     * prune epoch; `digest`: the recorded digest over the listing and the subtrees of the
     * subdirectories, for the caller to compare once it has built them. Wherever the directory was
     * seen: its tree is a function of what the digests cover (names, every entry's lstat fields with
     * ctime, exclusion outcome, subtrees), not of its own path, so a directory renamed or moved with
     * its contents untouched is reused too. `samePath` false: re-record it at `relPath`.
     */
    lookupListing(st, relPath, listing) {
        const v = this.index.dirCache.get(this.key(st));
        if (!v || !isLong(v.length))
            return undefined;
        if (v.readUInt32LE(DIR_RECORD_LEN) !== this.epoch >>> 0)
            return undefined;
        if (v.compare(listing, 0, 16, DIR_RECORD_LEN + 4, DIR_RECORD_LEN + 20) !== 0)
            return undefined;
        const samePath = v.subarray(0, 8).equals(pathTag(relPath));
        return { rec: DirCache.decode(v), digest: Buffer.from(v.subarray(DIR_RECORD_LEN + 20, DIR_RECORD_DIGEST_LEN)), samePath };
    }
    /** Key and value of a record; with `digest` (listing digest ‖ digest with subtrees, 16 + 16 bytes) the long form that full scans can reuse. */
    encode(st, relPath, r, digest) {
        const own = digest ? DIR_RECORD_DIGEST_LEN : DIR_RECORD_LEN;
        const v = Buffer.allocUnsafe(own + DIR_OWN_STAT_LEN);
        pathTag(relPath).copy(v, 0);
        r.subtree.copy(v, 8);
        v.writeBigUInt64LE(BigInt(r.files), 40);
        v.writeBigUInt64LE(BigInt(r.dirs), 48);
        v.writeBigUInt64LE(BigInt(r.size), 56);
        if (digest) {
            v.writeUInt32LE(this.epoch >>> 0, DIR_RECORD_LEN);
            digest.copy(v, DIR_RECORD_LEN + 4, 0, 32);
        }
        v.writeBigInt64LE(st.mtimeNs, own);
        v.writeBigInt64LE(st.ctimeNs, own + 8);
        return [this.key(st), v];
    }
    store(st, relPath, r) {
        const [k, v] = this.encode(st, relPath, r);
        this.index.dirCache.put(k, v).catch(cacheMiss);
    }
    /** Write records encoded earlier (asynchronous batched puts, like every cache write). */
    storeEncoded(kv) {
        for (let i = 0; i + 1 < kv.length; i += 2)
            this.index.dirCache.put(kv[i], kv[i + 1]).catch(cacheMiss);
    }
}
/**
 * A cache record whose commit failed (a full disk) is only a later cache miss;
 * the failure itself surfaces in the snapshot's own synchronous index writes
 * and its manifest commit. Not catching it would crash the process.
 */
function cacheMiss() { }
//# sourceMappingURL=stat-cache.js.map