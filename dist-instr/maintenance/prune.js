// `strata prune`: mark every blob reachable from the snapshots, delete packs
// with nothing live, and repack mostly-dead (and small) packs. The order makes
// a crash at any point harmless: new packs are durable and indexed before any
// old one leaves the index, and a pack leaves the index before its file is
// deleted. The caller holds the exclusive lock (repo.lock), which is verified
// before anything is removed. See docs/design.md, "Prune and concurrency".
import { isIntactBlob } from '../store/blob-codec.js';
import { StrataError } from '../errors.js';
import { listSnapshots } from '../snapshot/manifest.js';
import { writeConsolidatedSegments, listSegments } from './segments.js';
import { segmentName } from '../store/index-segment.js';
import { BLOB_DATA, PACK_MAGIC, packDataEnd, packObjectName, readPackEntries } from '../store/pack.js';
import { Packer } from '../store/packer.js';
import { faultPoint } from '../fault.js';
import { estimateRepack } from './prune-estimate.js';
import { Reacher, breathe } from './reach.js';
/** Temporary files this old are leftovers of killed writers (prune holds the exclusive lock, so none is being written). */
export const TEMP_AGE_MS = 3600_000;
const BATCH = 10_000;
/** Prune also consolidates when more index segments than this have piled up. */
const CONSOLIDATE_AFTER = 64;
/** Iterate the blob index in key order, in chunks, so writes may happen between chunks. */
export async function forEachBlob(repo, fn, between) {
    let start;
    for (;;) {
        const rows = [];
        for (const { key, value } of repo.index.blobRows(start, BATCH + 1)) {
            if (start && Buffer.compare(key, start) === 0)
                continue;
            rows.push([key, value]);
            if (rows.length === BATCH)
                break;
        }
        for (const [k, v] of rows)
            await fn(k, v);
        await between?.();
        await breathe();
        if (rows.length < BATCH)
            return;
        start = rows[rows.length - 1][0];
    }
}
export async function prune(repo, opts = {}) {
    const t0 = Date.now();
    const say = opts.onProgress ?? (() => { });
    const threshold = opts.repackThreshold ?? 0.5;
    await repo.syncIndex();
    repo.requireWholeIndex('prune');
    const segmentsBefore = await listSegments(repo);
    await repo.indexMissingPacks((name, err) => err && opts.onWarning?.(`pack ${name} cannot be indexed: ${err.message}`));
    faultPoint('prune');
    const present = new Set();
    for await (const name of repo.store.list('packs/'))
        present.add(name.slice(name.lastIndexOf('/') + 1));
    for (const hex of repo.index.packIds()) {
        if (!present.has(hex))
            throw new StrataError('E_PACK_MISSING', `prune refused, nothing was deleted: pack ${hex} is in the index but missing from the repository. Run 'strata check', then 'strata repair index'`);
    }
    // 1. the snapshots: every manifest must be readable, or we cannot know what it references
    const snaps = await listSnapshots(repo);
    const known = new Set(snaps.map((s) => s.id));
    for await (const name of repo.store.list('snapshots/')) {
        const id = name.slice('snapshots/'.length);
        if (/^[0-9a-f]{64}$/.test(id) && !known.has(id)) {
            throw new StrataError('E_CORRUPT', `prune refused: snapshot file ${name} is damaged and the index has no intact copy, so what it references is unknown. Run 'strata check'; drop it with 'strata forget ${id.slice(0, 12)}' if it cannot be recovered`);
        }
    }
    // 2. mark
    say(`marking blobs reachable from ${snaps.length} snapshots`);
    const marks = repo.newMarkSet();
    try {
        let first;
        let problems = 0;
        const reacher = new Reacher(repo, {
            visited: marks,
            onRef: (h, type) => {
                if (type === BLOB_DATA)
                    marks.add(h);
                return repo.index.hasBlob(h) ? null : 'not in the index';
            },
            onProblem: (p) => {
                first ??= p;
                problems++;
            },
        });
        for (const s of snaps) {
            await reacher.walk(s);
            await repo.lock?.refreshIfDue();
        }
        if (first) {
            throw new StrataError('E_BLOB_MISSING', `prune refused, nothing was deleted: ${problems} problem(s) in the snapshots, e.g. ${first.message}. Run 'strata check'; snapshot the source again to store what it still has, or drop the lost paths with 'strata repair snapshots'`);
        }
        marks.flush();
        faultPoint('prune');
        // 3. plan, from the packs known now (packs that appear later are never touched)
        const packs = new Map();
        for (const hex of repo.index.packIds()) {
            const m = repo.index.packMeta(hex);
            packs.set(hex, { size: m.size, count: m.count, live: 0, liveBytes: 0, tree: false });
        }
        const stats = { dryRun: !!opts.dryRun, snapshots: snaps.length, packs: packs.size, blobs: 0, liveBlobs: 0, packsDeleted: 0, packsRepacked: 0, packsWritten: 0, blobsRepacked: 0, blobsRemoved: 0, bytesBefore: 0, bytesFreed: 0, tempFilesRemoved: 0, tempBytesRemoved: 0, segmentsWritten: 0, segmentsRemoved: 0, packsRemovedIds: [], durationMs: 0 };
        for (const p of packs.values())
            stats.bytesBefore += p.size;
        await forEachBlob(repo, (hash, loc) => {
            stats.blobs++;
            const st = packs.get(loc.toString('hex', 0, 32));
            if (!st)
                return;
            if (loc[32] !== BLOB_DATA)
                st.tree = true;
            if (marks.has(hash)) {
                stats.liveBlobs++;
                st.live++;
                st.liveBytes += loc.readUInt32LE(38);
            }
        });
        const remove = [];
        const repack = [];
        const small = { data: [], tree: [] };
        for (const [hex, st] of packs) {
            const dataBytes = Math.max(1, packDataEnd(st.size, st.count, repo.cipher) - PACK_MAGIC.length);
            const target = st.tree ? Math.min(repo.config.packSize, 8 << 20) : repo.config.packSize;
            if (st.live === 0)
                remove.push(hex);
            else if (1 - st.liveBytes / dataBytes >= threshold)
                repack.push(hex);
            else if (opts.repackSmall !== false && st.size < target / 4)
                small[st.tree ? 'tree' : 'data'].push(hex);
        }
        for (const k of ['data', 'tree'])
            if (small[k].length >= 2)
                repack.push(...small[k]);
        stats.packsDeleted = remove.length;
        stats.packsRepacked = repack.length;
        say(`${stats.liveBlobs} of ${stats.blobs} blobs in use; ${remove.length} packs unused, ${repack.length} to repack`);
        if (opts.dryRun) {
            // the same figures prune reports when it runs (docs/design.md, "Prune"): see prune-estimate.ts
            const est = await estimateRepack(repo, repack, (h) => marks.has(h));
            for (const h of [...remove, ...repack])
                stats.bytesFreed += packs.get(h).size;
            stats.bytesFreed -= est.bytesWritten;
            stats.packsWritten = est.packsWritten;
            stats.packsRemovedIds = [...remove, ...repack].sort();
            stats.blobsRepacked = est.blobsRepacked;
            const swept = await repo.store.sweepTemporaries?.(TEMP_AGE_MS, true);
            if (swept) {
                stats.tempFilesRemoved = swept.files;
                stats.tempBytesRemoved = swept.bytes;
            }
            stats.durationMs = Date.now() - t0;
            return stats;
        }
        // 4. repack: live blobs go to new packs, durable and indexed (relocated) before anything is removed
        await repo.lock?.verify();
        const written = new Map();
        const onFlush = async (p) => {
            repo.index.addPack(p.id, p.size, p.entries, true);
            written.set(p.id.toString('hex'), p.size);
            faultPoint('prune');
            await repo.lock?.refreshIfDue();
        };
        const dataPacker = new Packer(repo.store, repo.config.packSize, onFlush, repo.cipher);
        const treePacker = new Packer(repo.store, Math.min(repo.config.packSize, 8 << 20), onFlush, repo.cipher);
        try {
            for (const hex of repack) {
                const name = packObjectName(hex);
                const bytes = await repo.store.get(name);
                const id = Buffer.from(hex, 'hex');
                for (const e of await readPackEntries(name, bytes.length, async (o, l) => bytes.subarray(o, o + l), repo.cipher)) {
                    if (!marks.has(e.hash) || !repo.index.getBlob(e.hash)?.pack.equals(id))
                        continue;
                    const stored = bytes.subarray(e.offset, e.offset + e.length);
                    if (!isIntactBlob(stored, e, repo.cipher))
                        throw new StrataError('E_CORRUPT', `prune stopped before deleting anything: blob ${e.hash.toString('hex')} in pack ${hex} is corrupted. Run 'strata check --read-data' and 'strata repair index --read-data'`);
                    await (e.type === BLOB_DATA ? dataPacker : treePacker).add(e.hash, e.type, e.comp, stored, e.rawLength);
                    if (++stats.blobsRepacked % 5000 === 0)
                        await breathe();
                }
            }
            await dataPacker.flush();
            await treePacker.flush();
        }
        catch (e) {
            // nothing was removed yet: drop the open packs' temporary files (a full disk must leave none behind)
            await dataPacker.abort();
            await treePacker.abort();
            throw e;
        }
        stats.packsWritten = written.size;
        // 5. the index forgets the doomed packs (every entry left pointing into them is dead)
        const doomed = new Set([...remove, ...repack].filter((h) => !written.has(h))); // same bytes → same name: keep it
        await repo.lock?.verify();
        if (doomed.size > 0)
            repo.index.bumpPruneEpoch(); // before any blob leaves the index: directory digests written earlier stop vouching
        faultPoint('prune');
        let batch = [];
        const commit = () => {
            if (batch.length === 0)
                return;
            const keys = batch;
            batch = [];
            repo.index.removeBlobs(keys);
            stats.blobsRemoved += keys.length;
            faultPoint('prune');
        };
        await forEachBlob(repo, (hash, loc) => {
            if (!doomed.has(loc.toString('hex', 0, 32)))
                return;
            if (marks.has(hash))
                throw new StrataError('E_CORRUPT', `prune stopped before deleting any pack: live blob ${hash.toString('hex')} is still indexed in pack ${loc.toString('hex', 0, 32)} (index and pack trailer disagree; run 'strata repair index')`);
            batch.push(hash);
        }, commit);
        commit();
        repo.index.removePacks([...doomed]);
        faultPoint('prune');
        // 6. consolidated index segments for every pack that stays, written before the old segments go,
        // so a reader listing meanwhile sees either set whole; other caches notice the old ones are gone
        // (also when nothing was removed but a format 1 repository has packs no segment lists, or segments piled up)
        if (doomed.size > 0 || repo.config.version === 1 || segmentsBefore.size > CONSOLIDATE_AFTER) {
            await repo.lock?.verify();
            const superseded = await writeConsolidatedSegments(repo, segmentsBefore);
            faultPoint('prune');
            for (const id of superseded)
                await repo.store.delete(segmentName(id));
            stats.segmentsWritten = [...(await listSegments(repo))].filter((id) => !segmentsBefore.has(id)).length;
            stats.segmentsRemoved = superseded.length;
            faultPoint('prune');
        }
        // 7. only now the pack files go
        for (const h of doomed) {
            await repo.store.delete(packObjectName(h));
            stats.bytesFreed += packs.get(h).size;
            faultPoint('prune');
            await repo.lock?.refreshIfDue();
        }
        for (const size of written.values())
            stats.bytesFreed -= size;
        stats.packsRemovedIds = [...doomed].sort();
        if (stats.segmentsRemoved > 0) {
            // this cache ingested the superseded segments: start it over from the consolidated ones
            repo.index.resetIndex();
            await repo.syncIndex();
        }
        const swept = await repo.store.sweepTemporaries?.(TEMP_AGE_MS);
        if (swept) {
            stats.tempFilesRemoved = swept.files;
            stats.tempBytesRemoved = swept.bytes;
        }
        stats.durationMs = Date.now() - t0;
        return stats;
    }
    finally {
        await marks.close();
    }
}
//# sourceMappingURL=prune.js.map