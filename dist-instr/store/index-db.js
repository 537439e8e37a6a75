// The LMDB index: blob hash → pack location, the snapshot list, per-source
// stat caches and small state records. It is a cache of what the repository
// files say: every record here can be rebuilt from pack trailers and snapshot
// files (`strata repair index`), so it only ever commits after the packs and
// manifests it points to are durable.
import { open } from 'lmdb';
import { privatizeIndexFiles } from './index-file.js';
const PRUNE_EPOCH_KEY = 'prune-epoch';
const LOC_LEN = 32 + 1 + 1 + 4 + 4 + 4;
function encodeLoc(pack, e) {
    const b = Buffer.allocUnsafe(LOC_LEN);
    pack.copy(b, 0);
    b[32] = e.type;
    b[33] = e.comp;
    b.writeUInt32LE(e.offset, 34);
    b.writeUInt32LE(e.length, 38);
    b.writeUInt32LE(e.rawLength, 42);
    return b;
}
export function decodeLoc(b) {
    return {
        pack: Buffer.from(b.subarray(0, 32)),
        type: b[32],
        comp: b[33],
        offset: b.readUInt32LE(34),
        length: b.readUInt32LE(38),
        rawLength: b.readUInt32LE(42),
    };
}
export class IndexDb {
    dir;
    env;
    blobs;
    packs;
    snapshots;
    /** per-source stat cache; keys are built by snapshot/stat-cache.ts */
    statCache;
    /** per-source directory records (inode → path, subtree), see snapshot/stat-cache.ts */
    dirCache;
    /** small JSON state records (dirty sets, daemon state) */
    state;
    constructor(dir) {
        this.dir = dir;
        this.env = open({ path: dir, maxDbs: 16, compression: false, mapSize: 2 ** 34 });
        privatizeIndexFiles(dir);
        this.blobs = this.env.openDB({ name: 'blobs', keyEncoding: 'binary', encoding: 'binary' });
        this.packs = this.env.openDB({ name: 'packs', encoding: 'binary' });
        this.snapshots = this.env.openDB({ name: 'snapshots', encoding: 'string' });
        this.statCache = this.env.openDB({ name: 'statcache', keyEncoding: 'binary', encoding: 'binary' });
        this.dirCache = this.env.openDB({ name: 'dircache', keyEncoding: 'binary', encoding: 'binary' });
        this.state = this.env.openDB({ name: 'state', encoding: 'msgpack' });
    }
    /**
     * How many prunes have removed blobs from this index. Caches that vouch for whole subtrees
     * without checking each blob (the snapshotter's directory digests) are only trusted when written
     * in the current epoch.
     */
    pruneEpoch() {
        const v = this.state.get(PRUNE_EPOCH_KEY);
        return typeof v === 'number' ? v : 0;
    }
    /** Called by prune before it removes any blob from the index. */
    bumpPruneEpoch() {
        this.env.transactionSync(() => {
            this.state.putSync(PRUNE_EPOCH_KEY, (this.pruneEpoch() + 1) % 2 ** 32);
        });
    }
    hasBlob(hash) {
        return this.blobs.doesExist(hash);
    }
    getBlob(hash) {
        const v = this.blobs.get(hash);
        return v ? decodeLoc(v) : undefined;
    }
    /** Record a durable pack and its blobs in one transaction; `relocate` points existing blobs at it (prune's repack). */
    addPack(id, size, entries, relocate = false) {
        const hex = id.toString('hex');
        this.env.transactionSync(() => {
            for (const e of entries)
                if (relocate || !this.blobs.doesExist(e.hash))
                    this.blobs.putSync(e.hash, encodeLoc(id, e));
            const meta = Buffer.alloc(8);
            meta.writeUInt32LE(size, 0);
            meta.writeUInt32LE(entries.length, 4);
            this.packs.putSync(hex, meta);
        });
    }
    hasPack(hex) {
        return this.packs.doesExist(hex);
    }
    /** Size and blob count recorded for a pack. */
    packMeta(hex) {
        const m = this.packs.get(hex);
        return m ? { size: m.readUInt32LE(0), count: m.readUInt32LE(4) } : undefined;
    }
    *packIds() {
        for (const k of this.packs.getKeys())
            yield k;
    }
    blobCount() {
        return this.blobs.getCount();
    }
    async close() {
        await this.env.flushed;
        await this.env.close();
    }
}
//# sourceMappingURL=index-db.js.map