// RepoCache in memory, for tests of the engines without disk (and a model of
// what the LMDB cache promises: sorted tables, locations, segments, epochs).
import { decodeLoc, encodeLoc } from './blob-location.js';
function cmp(a, b) {
    if (Buffer.isBuffer(a) && Buffer.isBuffer(b))
        return Buffer.compare(a, b);
    return a < b ? -1 : a > b ? 1 : 0;
}
/** A sorted table over a Map (keys as hex or text). */
export class MemoryTable {
    rows = new Map();
    id(k) {
        return Buffer.isBuffer(k) ? `b${k.toString('hex')}` : `s${k}`;
    }
    get(key) {
        return this.rows.get(this.id(key))?.value;
    }
    async put(key, value) {
        this.rows.set(this.id(key), { key: (Buffer.isBuffer(key) ? Buffer.from(key) : key), value });
    }
    async remove(key) {
        this.rows.delete(this.id(key));
    }
    *getRange(opts = {}) {
        const sorted = [...this.rows.values()].sort((a, b) => cmp(a.key, b.key));
        let n = 0;
        for (const r of sorted) {
            if (opts.start !== undefined && cmp(r.key, opts.start) < 0)
                continue;
            if (opts.end !== undefined && cmp(r.key, opts.end) >= 0)
                break;
            if (opts.limit !== undefined && n++ >= opts.limit)
                break;
            yield r;
        }
    }
    get size() {
        return this.rows.size;
    }
    clear() {
        this.rows.clear();
    }
}
export class MemoryCache {
    location = 'memory:';
    scratchDir = null;
    blobs = new MemoryTable();
    packs = new Map();
    segments = new Set();
    snapshots = new MemoryTable();
    statCache = new MemoryTable();
    dirCache = new MemoryTable();
    state = new MemoryTable();
    epoch = 0;
    hasBlob(hash) {
        return this.blobs.get(hash) !== undefined;
    }
    getBlob(hash) {
        const v = this.blobs.get(hash);
        return v ? decodeLoc(v) : undefined;
    }
    addPack(id, size, entries, relocate = false) {
        for (const e of entries)
            if (relocate || !this.hasBlob(e.hash))
                void this.blobs.put(e.hash, encodeLoc(id, e));
        this.packs.set(id.toString('hex'), { size, count: entries.length });
    }
    addPacks(packs) {
        for (const p of packs)
            this.addPack(p.id, p.size, p.entries);
    }
    hasPack(hex) {
        return this.packs.has(hex);
    }
    packMeta(hex) {
        return this.packs.get(hex);
    }
    packIds() {
        return [...this.packs.keys()];
    }
    blobCount() {
        return this.blobs.size;
    }
    blobRows(start, limit) {
        return this.blobs.getRange({ start, limit });
    }
    removeBlobs(hashes) {
        for (const h of hashes)
            void this.blobs.remove(h);
    }
    removePacks(hexes) {
        for (const h of hexes)
            this.packs.delete(h);
    }
    segmentIds() {
        return new Set(this.segments);
    }
    markSegments(ids) {
        for (const id of ids)
            this.segments.add(id);
    }
    resetIndex(opts = {}) {
        if (opts.statCache)
            this.statCache.clear();
        this.blobs.clear();
        this.packs.clear();
        this.segments.clear();
        this.dirCache.clear();
        this.bumpPruneEpoch();
    }
    pruneEpoch() {
        return this.epoch;
    }
    bumpPruneEpoch() {
        this.epoch = (this.epoch + 1) % 2 ** 32;
    }
    async flushed() { }
    async close() { }
}
//# sourceMappingURL=memory-cache.js.map