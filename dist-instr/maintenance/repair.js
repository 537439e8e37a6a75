// `strata repair index`: rebuild the repository's index segments from what
// the pack trailers say, under the exclusive lock. A pack whose table is
// damaged or truncated (or, with readData, holds corrupted blobs) is salvaged
// blob by blob (salvage.ts: its table read unchecked, plus the locations the
// old index segments recorded for it): every blob that verifies is kept, in a
// new pack (a byte-identical rebuild replaces the damaged file atomically).
// Damaged snapshot files are restored from intact copies in this host's cache
// where it has them. Crash safety (docs/design.md, "Repair"): the new segments
// are durable before the old ones are removed, and damaged packs are deleted
// only after that; every cache notices and rebuilds itself. Reports per
// snapshot which paths lost data (`strata repair snapshots` drops them).
import * as path from 'node:path';
import { isIntactBlob } from '../store/blob-codec.js';
import { isManifestCopy, openManifest } from '../snapshot/manifest.js';
import { decodeSegment, segmentName } from '../store/index-segment.js';
import { acquireLock } from '../store/lock.js';
import { packObjectName, readPackEntries } from '../store/pack.js';
import { Packer } from '../store/packer.js';
import { Repository } from '../store/repository.js';
import { faultPoint } from '../fault.js';
import { breathe } from './reach.js';
import { lostPaths } from './repair-snapshots.js';
import { salvagePack } from './salvage.js';
import { listSegments, writeConsolidatedSegments } from './segments.js';
export async function repairIndex(address, opts = {}) {
    const say = opts.onProgress ?? (() => { });
    const repo = await Repository.open(address, { cacheDir: opts.cacheDir, notice: opts.notice, password: opts.password, skipSync: true });
    const store = repo.store;
    const report = { packsIndexed: 0, packsDamaged: [], blobsIndexed: 0, blobsDropped: [], packsRewritten: [], packsSalvaged: [], snapshots: 0, snapshotsRestored: [], snapshotsLost: [], snapshotsDamaged: [], oldIndex: 'none' };
    try {
        const lock = await acquireLock(store, { exclusive: true, command: 'repair index', waitMs: opts.lockWaitMs });
        repo.lock = lock;
        try {
            // 1. what the cache holds that the rebuild may need: intact snapshot copies
            const copies = new Map();
            for (const { key, value } of repo.index.snapshots.getRange())
                if (isManifestCopy(repo, key, value))
                    copies.set(key, value);
            const before = await listSegments(repo);
            // what the old segments recorded per pack: candidate blob locations for salvage (read only when needed)
            let hints;
            const hintsFor = async (hex) => (hints ??= await oldLocations(store, before, repo.cipher)).get(hex) ?? [];
            repo.index.resetIndex({ statCache: true });
            faultPoint('repair');
            // 2. packs, from their trailers; a pack that fails (or, with readData, holds corrupted blobs) is salvaged blob by blob
            say('indexing packs');
            const names = []; // listed first: salvage adds packs meanwhile
            for await (const name of store.list('packs/'))
                if (/^[0-9a-f]{64}$/.test(path.basename(name)))
                    names.push(name);
            const doomedPacks = []; // damaged packs whose verified blobs now live in new packs
            for (const name of names) {
                const hex = path.basename(name);
                let size = 0;
                let entries;
                let bytes;
                let why = '';
                try {
                    size = (await store.size(name)) ?? 0;
                    bytes = opts.readData ? await store.get(name) : undefined;
                    const b = bytes;
                    const all = await readPackEntries(name, size, b ? async (o, l) => b.subarray(o, o + l) : (o, l) => store.get(name, o, l), repo.cipher);
                    const good = b ? all.filter((e) => isIntactBlob(b.subarray(e.offset, e.offset + e.length), e, repo.cipher) || void report.blobsDropped.push({ blob: e.hash.toString('hex'), pack: hex })) : all;
                    if (good.length === all.length)
                        entries = all;
                    else
                        why = `${all.length - good.length} corrupted blob(s)`;
                }
                catch (e) {
                    why = e.message;
                }
                if (entries) {
                    repo.index.addPack(Buffer.from(hex, 'hex'), size, entries);
                    report.packsIndexed++;
                    report.blobsIndexed += entries.length;
                }
                else {
                    // salvage: keep every blob whose bytes verify, in a new pack (durable now, indexed in the new segments)
                    bytes ??= await store.get(name).catch(() => Buffer.alloc(0));
                    const found = salvagePack(bytes, await hintsFor(hex), repo.cipher);
                    if (found.kept.length) {
                        // built in memory: when every blob survived, the new pack is the original byte for byte
                        // (same name), and replaces the damaged file atomically instead of being skipped as present
                        const mem = new Map();
                        const built = [];
                        const packer = new Packer(memoryStore(mem), bytes.length + 1, async (p) => void built.push({ name: packObjectName(p.id), ...p }), repo.cipher);
                        const src = bytes;
                        for (const e of found.kept)
                            await packer.add(e.hash, e.type, e.comp, src.subarray(e.offset, e.offset + e.length), e.rawLength);
                        await packer.flush();
                        let sameName = false;
                        for (const p of built) {
                            const data = mem.get(p.name);
                            if (p.id.toString('hex') === hex) {
                                await replaceObject(store, p.name, data);
                                sameName = true;
                            }
                            else
                                await store.put(p.name, data);
                            repo.index.addPack(p.id, p.size, p.entries);
                            report.packsIndexed++;
                        }
                        if (!sameName)
                            doomedPacks.push(hex);
                        report.blobsIndexed += found.kept.length;
                        faultPoint('repair');
                    }
                    report.packsSalvaged.push({ pack: hex, error: why, kept: found.kept.length, failed: found.failed });
                    if (!found.kept.length)
                        report.packsDamaged.push({ pack: hex, error: why });
                }
                await lock.refreshIfDue();
                await breathe();
            }
            faultPoint('repair');
            // 3. the index segments: the new set is durable before the old one goes
            say('writing index segments');
            await lock.verify();
            const superseded = await writeConsolidatedSegments(repo, before);
            faultPoint('repair');
            for (const id of superseded)
                await store.delete(segmentName(id));
            report.oldIndex = `${before.size} index segment(s) replaced by ${(await listSegments(repo)).size}`;
            faultPoint('repair');
            // 4. snapshots: the files, repaired from intact copies in the cache where needed
            say('indexing snapshots');
            for await (const name of store.list('snapshots/')) {
                const id = name.slice('snapshots/'.length);
                if (!/^[0-9a-f]{64}$/.test(id))
                    continue;
                const bytes = openManifest(repo, id, await store.get(name));
                if (bytes && validManifest(bytes)) {
                    await repo.index.snapshots.put(id, bytes.toString('utf8'));
                    report.snapshots++;
                }
                else if (copies.has(id)) {
                    // replaced in one step where the store can (a crash never leaves it missing), else deleted and
                    // put again (a crash between leaves it missing, and the cache still has the copy for a rerun)
                    await replaceObject(store, name, Buffer.from(copies.get(id), 'utf8'));
                    await repo.index.snapshots.put(id, copies.get(id));
                    faultPoint('repair');
                    report.snapshotsRestored.push(id);
                    report.snapshots++;
                }
                else
                    report.snapshotsLost.push(id);
            }
            // a copy whose file is gone is a snapshot forgotten (here or on another host): never brought back
            repo.index.resetIndex();
            await repo.syncIndex();
            // 5. what each snapshot lost, by path (repair-snapshots.ts)
            say('listing what each snapshot lost');
            report.snapshotsDamaged = await lostPaths(repo);
            // 6. only now: damaged packs whose verified blobs are in new packs the new segments list
            for (const hex of doomedPacks) {
                await store.delete(packObjectName(hex));
                report.packsRewritten.push(hex);
                faultPoint('repair');
            }
        }
        finally {
            repo.lock = null;
            await lock.release().catch(() => { });
        }
    }
    finally {
        await repo.close();
    }
    return report;
}
/** Blob locations per pack recorded by the old index segments (a damaged segment gives none). */
async function oldLocations(store, segments, cipher) {
    const out = new Map();
    for (const id of segments) {
        try {
            for (const p of decodeSegment(await store.get(segmentName(id)), segmentName(id), cipher)) {
                const hex = p.id.toString('hex');
                const list = out.get(hex) ?? out.set(hex, []).get(hex);
                list.push(...p.entries);
            }
        }
        catch { }
        await breathe();
    }
    return out;
}
/** Collects the packs a Packer writes (no openWriter: it puts each whole pack). */
function memoryStore(objects) {
    return {
        location: 'memory:',
        put: async (name, data) => {
            if (objects.has(name))
                return false;
            objects.set(name, Buffer.concat(Buffer.isBuffer(data) ? [data] : [...data]));
            return true;
        },
        get: async (name, offset = 0, length) => {
            const b = objects.get(name);
            return Buffer.from(b.subarray(offset, length === undefined ? b.length : offset + length));
        },
        size: async (name) => objects.get(name)?.length,
        list: async function* (prefix) {
            for (const k of objects.keys())
                if (k.startsWith(prefix))
                    yield k;
        },
        delete: async (name) => void objects.delete(name),
        close: async () => { },
    };
}
/** Replace an object with bytes of the same name: atomically where the store can, else delete and put. */
async function replaceObject(store, name, data) {
    if (store.replace)
        return store.replace(name, data);
    await store.delete(name);
    await store.put(name, data);
}
function validManifest(bytes) {
    try {
        const m = JSON.parse(bytes.toString('utf8'));
        return typeof m?.root === 'string' && /^[0-9a-f]{64}$/.test(m.root);
    }
    catch {
        return false;
    }
}
//# sourceMappingURL=repair.js.map