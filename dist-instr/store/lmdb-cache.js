// The per-host cache of one repository in LMDB: blob hash → pack location, the
// packs and index segments already ingested, the snapshot list, per-source
// stat caches and small state records. Every record can be rebuilt from the
// repository (index segments, snapshot files), so it lives outside the
// repository (store/cache-dir.ts chooses where) and may be deleted any time.
import * as path from 'node:path';
import { open } from 'lmdb';
import { markClean, privatizeIndexFiles } from './index-file.js';
import { probeIndex } from './index-probe.js';
import { decodeLoc, encodeLoc } from './blob-location.js';
const PRUNE_EPOCH_KEY = 'prune-epoch';
export class LmdbCache {
    dir;
    scratchDir;
    env;
    blobs;
    packs;
    segments;
    snapshots;
    statCache;
    dirCache;
    state;
    location;
    /** `dir`: the LMDB folder; `scratchDir`: where mark sets go. */
    constructor(dir, scratchDir = path.join(path.dirname(dir), 'tmp')) {
        this.dir = dir;
        this.scratchDir = scratchDir;
        this.location = dir;
        this.env = open({ path: dir, maxDbs: 16, compression: false, mapSize: 2 ** 34 });
        privatizeIndexFiles(dir);
        this.blobs = this.env.openDB({ name: 'blobs', keyEncoding: 'binary', encoding: 'binary' });
        this.packs = this.env.openDB({ name: 'packs', encoding: 'binary' });
        this.segments = this.env.openDB({ name: 'segments', encoding: 'msgpack' });
        this.snapshots = this.env.openDB({ name: 'snapshots', encoding: 'string' });
        this.statCache = this.env.openDB({ name: 'statcache', keyEncoding: 'binary', encoding: 'binary' });
        this.dirCache = this.env.openDB({ name: 'dircache', keyEncoding: 'binary', encoding: 'binary' });
        this.state = this.env.openDB({ name: 'state', encoding: 'msgpack' });
    }
    pruneEpoch() {
        const v = this.state.get(PRUNE_EPOCH_KEY);
        return typeof v === 'number' ? v : 0;
    }
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
    addPacks(packs) {
        this.env.transactionSync(() => {
            for (const p of packs) {
                // first location wins; one B-tree descent per entry (MDB_NOOVERWRITE) instead of a lookup and a put
                for (const e of p.entries)
                    this.blobs.putSync(e.hash, encodeLoc(p.id, e), { noOverwrite: true });
                const meta = Buffer.alloc(8);
                meta.writeUInt32LE(p.size, 0);
                meta.writeUInt32LE(p.entries.length, 4);
                this.packs.putSync(p.id.toString('hex'), meta);
            }
        });
    }
    hasPack(hex) {
        return this.packs.doesExist(hex);
    }
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
    *blobRows(start, limit) {
        for (const { key, value } of this.blobs.getRange({ start, limit }))
            yield { key: Buffer.from(key), value: Buffer.from(value) };
    }
    removeBlobs(hashes) {
        this.env.transactionSync(() => {
            for (const k of hashes)
                this.blobs.removeSync(k);
        });
    }
    removePacks(hexes) {
        this.env.transactionSync(() => {
            for (const h of hexes)
                this.packs.removeSync(h);
        });
    }
    segmentIds() {
        const out = new Set();
        for (const k of this.segments.getKeys())
            out.add(k);
        return out;
    }
    markSegments(ids) {
        this.env.transactionSync(() => {
            for (const id of ids)
                this.segments.putSync(id, true);
        });
    }
    resetIndex(opts = {}) {
        this.env.transactionSync(() => {
            if (opts.statCache)
                this.statCache.clearSync();
            this.blobs.clearSync();
            this.packs.clearSync();
            this.segments.clearSync();
            this.dirCache.clearSync();
        });
        this.bumpPruneEpoch();
    }
    probe() {
        return probeIndex(this.dir);
    }
    async flushed() {
        await this.env.flushed;
        markClean(this.dir);
    }
    async close() {
        await this.env.flushed;
        await this.env.close();
        markClean(this.dir);
    }
}
//# sourceMappingURL=lmdb-cache.js.map