// A strata repository built from parts: an ObjectStore holding the config,
// packs, index segments and snapshot manifests (the only source of truth), and
// a RepoCache (the per-host index, rebuilt from the index segments whenever it
// is missing, damaged, foreign or outdated). This is the store layer's front
// door; engines see it through the ports in store/ports.ts.
import * as os from 'node:os';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { CompressPool } from './compress-pool.js';
import { COMP_NONE } from '../compress.js';
import { plainCipher } from '../crypto/repo-cipher.js';
import { StrataError, isStrataError } from '../errors.js';
import { faultPoint } from '../fault.js';
import { decodeStoredBlob } from './blob-codec.js';
import { DecodePool } from './decode-pool.js';
import { cacheRoot, openCacheDir } from './cache-dir.js';
import { newConfig, readConfigUnlocked } from './config.js';
import { chunkSegments, encodeSegment, segmentName } from './index-segment.js';
import { syncSegments } from './index-sync.js';
import { openStore, prepareInit } from './open-store.js';
import { BLOB_DATA, packObjectName, readPackEntries } from './pack.js';
import { Packer } from './packer.js';
import { newConfigObjects } from './repo-keys.js';
import { MarkSet } from './mark-set.js';
import { blobIdsOf } from './blob-ids.js';
export { PLAIN_IDS, blobIdsOf, sameBlobIds } from './blob-ids.js';
export { FORMAT_VERSION, READABLE_VERSIONS, configCheck, parseConfig, readConfig, readConfigUnlocked } from './config.js';
import { dropLostBlobs, dropMissingPacks } from './lost-blobs.js';
import { classifyWriteError } from './space.js';
const POOL_AFTER = 4 << 20;
/** compression worker threads (STRATA_COMPRESS_WORKERS; 0: compress on the calling thread) */
const POOL_WORKERS = Number(process.env.STRATA_COMPRESS_WORKERS ?? availableParallelism());
/** new blobs held unlisted before an index segment is written mid-snapshot (~5 MB of segment) */
const SEGMENT_EARLY_BLOBS = Number(process.env.STRATA_SEGMENT_BLOBS) || 100_000;
export class Repository {
    dataPacker;
    treePacker;
    writeStats = { blobsAdded: 0, bytesAdded: 0, rawBytesAdded: 0 };
    /** The repository lock this process holds (store/lock.ts): refreshed as packs are written, verified before a snapshot commits. */
    lock = null;
    /** zstd on worker threads, started once a process has written enough to make it pay */
    pool = null;
    rawSinceFlush = 0;
    /** packs written by this process that no index segment lists yet, and how many blobs they hold */
    unsegmented = [];
    unsegmentedBlobs = 0;
    /** segments being written (their packs are in neither list nor index segment yet) */
    segmentWrites = 0;
    notice;
    store;
    config;
    /** the per-host cache (blob index, snapshot list, stat/dir caches, daemon state) */
    index;
    /** how blobs and objects are sealed and named (plain for unencrypted repositories) */
    cipher;
    /** how blobs are named (keyed BLAKE3 in an encrypted repository) */
    ids;
    /** the master key and the key object that opened it (encrypted repositories) */
    unlocked;
    constructor(parts) {
        this.store = parts.store;
        this.config = parts.config;
        this.cipher = parts.cipher ?? plainCipher();
        this.ids = blobIdsOf(this.cipher);
        this.unlocked = parts.unlocked;
        this.index = parts.cache;
        this.notice = parts.notice ?? (() => { });
        const onFlush = async (p) => {
            this.index.addPack(p.id, p.size, p.entries);
            this.unsegmented.push({ id: p.id, size: p.size, entries: p.entries });
            this.unsegmentedBlobs += p.entries.length;
            faultPoint('write'); // crash tests only (STRATA_FAULT_POINT)
            await this.lock?.refreshIfDue();
            // a long first snapshot (millions of new blobs) publishes its packs as it goes: what this process
            // holds in memory stays bounded, and the segments are correct before any snapshot uses their blobs
            if (this.unsegmentedBlobs >= SEGMENT_EARLY_BLOBS)
                await this.writeSegment();
        };
        this.dataPacker = new Packer(this.store, this.config.packSize, onFlush, this.cipher);
        this.treePacker = new Packer(this.store, Math.min(this.config.packSize, 8 << 20), onFlush, this.cipher);
    }
    /** A repository from parts (tests: a MemoryObjectStore and a MemoryCache); the cache is brought up to date. */
    static async fromParts(parts) {
        const repo = new Repository(parts);
        await repo.syncIndex();
        return repo;
    }
    /** A new config with the given options. */
    static newConfig(opts = {}) {
        return newConfig(opts);
    }
    static async init(address, opts = {}) {
        const target = await prepareInit(address); // nothing is created when a repository is there, or the store refuses us
        const config = Repository.newConfig(opts);
        // the key is derived before anything is created: a failing password source leaves nothing behind
        const made = await newConfigObjects(config, opts);
        config.encryption = made.cipher.encryption;
        const { cache } = openCacheDir(cacheRoot(opts.cacheDir), config.id, opts.notice);
        let store;
        try {
            store = await target.create();
            if (made.key)
                await store.put(made.key.name, made.key.bytes);
            if (!(await store.put('config', made.configBytes))) {
                throw new StrataError('E_REPO_EXISTS', `cannot init ${target.where}: a repository was created there meanwhile`);
            }
        }
        catch (e) {
            await cache.close();
            throw e;
        }
        return new Repository({ store, config, cache, notice: opts.notice, cipher: made.cipher, unlocked: made.unlocked });
    }
    /** Open a repository; nothing is written to it (a read-only repository opens), only to the cache. */
    static async open(address, opts = {}) {
        const { store, where } = await openStore(address);
        let config;
        let cipher;
        let unlocked;
        try {
            ({ config, cipher, unlocked } = await readConfigUnlocked(store, where, opts));
        }
        catch (e) {
            await store.close();
            throw e;
        }
        const { cache, dir, fresh, setAside } = openCacheDir(cacheRoot(opts.cacheDir), config.id, opts.notice);
        if (fresh && !setAside)
            opts.notice?.(`no cache for repository ${store.location} at ${dir} (first use here, or it was removed): building it from the repository`);
        const repo = new Repository({ store, config, cache, notice: opts.notice, cipher, unlocked });
        try {
            if (!opts.skipSync)
                await repo.syncIndex();
        }
        catch (e) {
            await repo.index.close();
            throw e;
        }
        return repo;
    }
    /**
     * Bring the cache's blob index up to date with the repository: ingest index
     * segments not seen yet. When a segment this cache ingested is gone, a prune
     * (or repair) has consolidated them and may have deleted packs: the index,
     * the directory records and the epoch are reset and everything is ingested
     * again. Format 1 repositories may also hold packs no segment lists (written
     * by the first release): their trailers are read.
     */
    async syncIndex() {
        const out = await syncSegments({
            store: this.store,
            index: this.index,
            cipher: this.cipher,
            writing: () => this.unsegmented.length > 0 || this.segmentWrites > 0,
            notice: this.notice,
            damaged: (id, message) => this.segmentDamaged(id, message),
        });
        const packsRead = this.config.version === 1 ? await this.indexMissingPacks() : 0;
        return { ...out, packsRead };
    }
    /**
     * Index segments that failed to decode (tampered, truncated): skipped, named once, never marked as
     * ingested, so the rest of the repository stays usable; the blobs only they list are unknown (reads of
     * them fail, a snapshot stores them again). Prune and `repair snapshots` refuse while any is listed.
     */
    damagedSegments = [];
    segmentDamaged(id, message) {
        if (this.damagedSegments.some((d) => d.id === id))
            return;
        const why = message.replace(/; run 'strata repair index'$/, '');
        const full = `${why}; skipped: the blobs only it lists are unknown to this command (reads of them fail, a snapshot stores them again); run 'strata repair index'`;
        this.damagedSegments.push({ id, message: full });
        this.notice?.(full);
    }
    /** E_INDEX when an index segment is damaged: what needs the whole index (prune, repair snapshots) stops first. */
    requireWholeIndex(command) {
        const d = this.damagedSegments[0];
        if (d)
            throw new StrataError('E_INDEX', `${command} refused, nothing was changed: index segment index/${d.id} is damaged${this.damagedSegments.length > 1 ? ` (and ${this.damagedSegments.length - 1} more)` : ''}; run 'strata repair index' first`);
    }
    get location() {
        return this.store.location;
    }
    hasBlob(hash) {
        const hex = hash.toString('hex');
        return this.index.hasBlob(hash) || this.dataPacker.pending.has(hex) || this.treePacker.pending.has(hex);
    }
    /** Store a blob unless present; returns true when it was added. */
    async putBlob(type, hash, raw) {
        if (this.hasBlob(hash))
            return false;
        const packer = type === BLOB_DATA ? this.dataPacker : this.treePacker;
        this.writeStats.blobsAdded++;
        this.writeStats.rawBytesAdded += raw.length;
        this.rawSinceFlush += raw.length;
        const level = this.config.compression.level;
        try {
            await packer.put(hash, type, raw, level, this.compressPool(level), (n) => (this.writeStats.bytesAdded += n));
        }
        catch (e) {
            await this.resetWriters();
            throw repositoryWriteError(e, this.store.location, raw.length);
        }
        return true;
    }
    /** After a failed write: no pack half-written, no workers left, packers ready for the next attempt. */
    async resetWriters() {
        await this.pool?.close().catch(() => undefined);
        this.pool = null;
        this.rawSinceFlush = 0;
        await this.dataPacker.abort();
        await this.treePacker.abort();
    }
    /**
     * Read, decompress and verify one blob. `into`: a buffer to return the
     * bytes in (a view of it) when large enough; callers streaming many blobs
     * reuse one and skip fresh memory, which is slow to touch on these VMs.
     */
    async getBlob(hash, into) {
        const hex = hash.toString('hex');
        let stored;
        let comp;
        let type;
        let rawLength;
        let where;
        let scratch;
        if (this.pool && (this.dataPacker.has(hex) || this.treePacker.has(hex))) {
            await this.dataPacker.settled(hex, this.pool);
            await this.treePacker.settled(hex, this.pool);
        }
        const pending = this.dataPacker.pendingBytes(hex) ?? this.treePacker.pendingBytes(hex);
        if (pending) {
            ({ comp, type, rawLength } = pending.entry);
            stored = pending.data;
            where = 'open pack';
        }
        else {
            let loc = this.index.getBlob(hash);
            if (!loc && this.unsegmented.length === 0) {
                // another writer may have committed since this process synced: look for new index segments once
                await this.syncIndex();
                loc = this.index.getBlob(hash);
            }
            if (!loc)
                throw new StrataError('E_BLOB_MISSING', `blob ${hex} is not in the index`);
            where = `pack ${loc.pack.toString('hex')}`;
            // compressed or sealed bytes land in a reused scratch buffer (free while no other read uses it), plain raw ones where they belong
            const direct = loc.comp === COMP_NONE && this.cipher.encryption === 'none';
            scratch = direct ? undefined : this.takeScratch(loc.length);
            try {
                stored = await this.readPackRange(loc.pack, loc.offset, loc.length, direct ? into : scratch);
            }
            catch (e) {
                this.releaseScratch(scratch);
                if (isStrataError(e))
                    throw new StrataError(e.code, `blob ${hex}: ${e.message}`, { cause: e });
                throw e;
            }
            ({ comp, type, rawLength } = loc);
        }
        try {
            // a sealed blob may be opened over `stored` only when it is surely this read's own (the open pack's copy):
            // never over the shared scratch (what is returned must outlive the next read), nor over memory a store
            // may keep (the ObjectStore contract does not promise a fresh buffer)
            return decodeStoredBlob(stored, { hash, type, comp, rawLength }, where, into, this.cipher, pending !== undefined);
        }
        catch (e) {
            // a blob read from a pack failed verification: it leaves the index (never one still in an open pack)
            if (!pending && isStrataError(e, 'E_CORRUPT'))
                throw this.lostBlob(hash, e);
            throw e;
        }
        finally {
            this.releaseScratch(scratch);
        }
    }
    /** This object as a PackReader (ports.ts): ranged reads for restore and cat. */
    get packs() {
        return this;
    }
    get rangeReadsInFlight() {
        return Math.max(1, Number(process.env.STRATA_READS_IN_FLIGHT) || (this.store.readsInFlight ?? 2));
    }
    /** Where a blob is stored (ports.ts PackReader); undefined when only getBlob can read it (not indexed, or in an open pack). */
    locateBlob(hash) {
        const hex = hash.toString('hex');
        if (this.dataPacker.has(hex) || this.treePacker.has(hex))
            return undefined;
        return this.index.getBlob(hash);
    }
    /**
     * Bytes of a pack in one read. A pack the index names but the store lacks
     * (a prune that ran meanwhile, or lost) leaves the index with its blobs
     * (store/lost-blobs.ts), so the next snapshot stores them again: E_PACK_MISSING.
     */
    async readPackRange(pack, offset, length, into) {
        try {
            return await this.store.get(packObjectName(pack), offset, length, into);
        }
        catch (e) {
            if (!isStrataError(e, 'E_OBJECT_MISSING'))
                throw e;
            let dropped = 0;
            try {
                dropped = (await dropMissingPacks(this.index, this.store, [pack.toString('hex')])).blobs;
            }
            catch { }
            const also = dropped ? `; its ${dropped} blobs were dropped from the index, so the next snapshot stores what its source still has again` : '';
            throw new StrataError('E_PACK_MISSING', `pack ${pack.toString('hex')} is missing from the repository (removed by a prune that ran meanwhile? run the command again)${also}`, { cause: e });
        }
    }
    /** The verified raw bytes of a blob read from a pack (blob-codec.ts); a damaged one leaves the index. */
    decodeBlob(hash, loc, stored, into) {
        try {
            return decodeStoredBlob(stored, { hash, type: loc.type, comp: loc.comp, rawLength: loc.rawLength }, `pack ${loc.pack.toString('hex')}`, into, this.cipher);
        }
        catch (e) {
            if (isStrataError(e, 'E_CORRUPT'))
                throw this.lostBlob(hash, e);
            throw e;
        }
    }
    /** decode workers of a large restore (decode-pool.ts), started by prepareDecode or the first decodeRange */
    decoder;
    prepareDecode() {
        (this.decoder ??= new DecodePool(this.cipher.spec())).start();
    }
    async decodeRange(range, rangeOffset, blobs) {
        this.decoder ??= new DecodePool(this.cipher.spec());
        const where = blobs.length > 0 ? `pack ${blobs[0].loc.pack.toString('hex')}` : '';
        const items = blobs.map(({ hash, loc, out }) => ({ at: loc.offset - rangeOffset, length: loc.length, hash, type: loc.type, comp: loc.comp, rawLength: loc.rawLength, out }));
        const failed = await this.decoder.decode(range, items, where);
        return failed.map((m, i) => (m === undefined ? undefined : this.lostBlob(blobs[i].hash, new StrataError('E_CORRUPT', m))));
    }
    /** A blob read from a pack failed verification (E_CORRUPT): drop it from the index (lost-blobs.ts) and say so. */
    lostBlob(hash, e) {
        let dropped = 0;
        try {
            dropped = dropLostBlobs(this.index, [hash]);
        }
        catch { }
        return dropped ? new StrataError('E_CORRUPT', `${e.message}; dropped from the index, so the next snapshot stores it again from its source`, { cause: e }) : e;
    }
    /** where compressed blobs are read (reused; null while a read holds it) */
    scratch = Buffer.allocUnsafe(0);
    takeScratch(n) {
        const s = this.scratch;
        if (!s)
            return undefined; // a concurrent read holds it: that one allocates
        this.scratch = null;
        return s.length >= n ? s : Buffer.allocUnsafe(Math.max(n, 1 << 20));
    }
    releaseScratch(b) {
        if (b)
            this.scratch = b;
    }
    /** Make every added blob durable and indexed. */
    async flush() {
        try {
            await this.dataPacker.flush(this.pool);
            await this.treePacker.flush(this.pool);
        }
        catch (e) {
            await this.resetWriters();
            throw repositoryWriteError(e, this.store.location);
        }
        // a long-lived process (the watch daemon) keeps no idle workers between snapshots
        await this.pool?.close();
        this.pool = null;
        this.rawSinceFlush = 0;
        await this.writeSegment();
    }
    /** Store an index segment listing the packs written since the last one (after the packs, before any manifest). */
    async writeSegment() {
        if (this.unsegmented.length === 0)
            return;
        // taken first: packs flushed while this segment is being written go into the next one
        const packs = this.unsegmented;
        this.unsegmented = [];
        this.unsegmentedBlobs = 0;
        this.segmentWrites++;
        const parts = chunkSegments(packs);
        let written = 0;
        try {
            await this.lock?.verify(); // a writer whose lock was broken (a prune ran) must not publish packs
            for (const part of parts) {
                const { id, bytes } = encodeSegment(part, this.cipher);
                await this.store.put(segmentName(id), bytes);
                faultPoint('write');
                this.index.markSegments([id]);
                written++;
            }
        }
        catch (e) {
            // not published: listed again by the next segment
            const left = parts.slice(written).flat();
            this.unsegmented = [...left, ...this.unsegmented];
            this.unsegmentedBlobs += left.reduce((n, p) => n + p.entries.length, 0);
            throw e;
        }
        finally {
            this.segmentWrites--;
        }
    }
    /** Where this repository's cache keeps scratch sets (null: in memory). */
    get scratchDir() {
        return this.index.scratchDir;
    }
    /** A new, empty mark set in the cache's scratch space (never in the repository). */
    newMarkSet() {
        return MarkSet.create(this.scratchDir ?? path.join(os.tmpdir(), 'strata-scratch'));
    }
    /** The compression pool, once POOL_AFTER raw bytes were added since the last flush (small writes stay on this thread). */
    compressPool(level) {
        if (this.pool || level <= 0 || this.rawSinceFlush < POOL_AFTER || POOL_WORKERS === 0)
            return this.pool;
        this.pool = new CompressPool(level, { workers: POOL_WORKERS });
        return this.pool;
    }
    /** Rebuild index records for packs the index does not know (another writer, a crash before indexing). */
    async indexMissingPacks(onPack) {
        let added = 0;
        for await (const name of this.store.list('packs/')) {
            const hex = path.basename(name);
            if (!/^[0-9a-f]{64}$/.test(hex) || this.index.hasPack(hex))
                continue;
            try {
                const size = (await this.store.size(name)) ?? 0;
                const entries = await readPackEntries(name, size, (o, l) => this.store.get(name, o, l), this.cipher);
                this.index.addPacks([{ id: Buffer.from(hex, 'hex'), size, entries }]);
                added++;
                onPack?.(name);
            }
            catch (e) {
                onPack?.(name, e);
            }
        }
        return added;
    }
    /**
     * Flush, then release everything (compression workers, index, files) even
     * when the flush fails: a failed write (a full disk) must not leave worker
     * threads holding the process open.
     */
    async close() {
        let failure;
        try {
            await this.flush();
        }
        catch (e) {
            failure = e;
            await this.resetWriters();
        }
        try {
            await this.index.close();
        }
        catch (e) {
            failure ??= repositoryWriteError(e, this.store.location);
        }
        await this.decoder?.close();
        await this.store.close();
        if (failure)
            throw failure;
    }
}
/** Errors raised while writing to the repository, marked so callers never blame a source file for them. */
const repoSide = new WeakSet();
export function isRepositoryWriteError(e) {
    return typeof e === 'object' && e !== null && repoSide.has(e);
}
function repositoryWriteError(e, dir, needed) {
    const c = classifyWriteError(e, dir, 'to the repository', needed);
    if (typeof c === 'object' && c !== null)
        repoSide.add(c);
    return c;
}
//# sourceMappingURL=repository.js.map