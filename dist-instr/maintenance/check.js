// `strata check`: is every snapshot restorable? Compares the packs with the
// index (missing packs, entries pointing outside a pack or disagreeing with
// its trailer), the snapshot files with their ids, walks every snapshot's
// trees for blobs that are not indexed or whose pack is gone, and with
// readData decompresses and re-hashes every blob. Problems name the affected
// snapshots and paths. It writes nothing but the cache's index: blobs it finds lost
// (corrupted, or in a missing pack) are dropped from it, so the next snapshot
// stores them again. Memory is bounded by one pack at a time.
import { isIntactBlob } from '../store/blob-codec.js';
import { isStrataError } from '../errors.js';
import { hashBytes } from '../hash.js';
import { isManifestCopy, listSnapshots, openManifest } from '../snapshot/manifest.js';
import { packDataEnd, readPackEntries } from '../store/pack.js';
import { dropLostBlobs, dropMissingPacks } from '../store/lost-blobs.js';
import { forEachBlob } from './prune.js';
import { Reacher, breathe } from './reach.js';
const short = (hex) => hex.slice(0, 16);
/** Problems kept in memory (and in --json); beyond this they are only counted. */
const MAX_PROBLEMS = 10_000;
export async function check(repo, opts = {}) {
    const t0 = Date.now();
    const problems = [];
    const notices = [];
    const stats = { packs: 0, blobs: 0, snapshots: 0, bytesRead: 0, readDataMs: 0, durationMs: 0 };
    let more = 0;
    const add = (p) => void (problems.length < MAX_PROBLEMS ? problems.push(p) : more++);
    const say = opts.onProgress ?? (() => { });
    const done = () => {
        if (more)
            problems.push({ kind: 'more', message: `… and ${more} more problems (only the first ${MAX_PROBLEMS} are listed)` });
        return { ok: problems.length === 0, problems, notices, stats: { ...stats, durationMs: Date.now() - t0 } };
    };
    // 0. can the index be read at all? (in a child: a damaged page crashes the reader)
    const probe = opts.probeIndex === false || !repo.index.probe ? { ok: true, error: '' } : repo.index.probe();
    if (!probe.ok) {
        add({ kind: 'damaged-index', message: `the cache at ${repo.index.location} is damaged (${probe.error}); remove it: the next command rebuilds it from the repository` });
        return done();
    }
    for (const d of repo.damagedSegments)
        add({ kind: 'damaged-segment', message: d.message });
    // 1. packs in the store against their trailers and the index
    say('checking packs');
    const dataEnd = new Map(); // pack → end of its blob bytes
    const matched = new Map();
    const corrupt = new Set();
    for await (const name of repo.store.list('packs/')) {
        const hex = name.slice(name.lastIndexOf('/') + 1);
        if (!/^[0-9a-f]{64}$/.test(hex))
            continue;
        stats.packs++;
        const size = (await repo.store.size(name)) ?? 0;
        dataEnd.set(hex, size);
        const meta = repo.index.packMeta(hex);
        if (!meta)
            notices.push(`pack ${short(hex)} is not in the index (left by an interrupted writer; indexed again by the next prune or repair)`);
        else if (meta.size !== size)
            add({ kind: 'pack-size', pack: hex, message: `pack ${short(hex)} is ${size} bytes but the index recorded ${meta.size} (truncated or replaced?)` });
        let bytes;
        let entries;
        try {
            if (opts.readData) {
                const t = Date.now();
                bytes = await repo.store.get(name);
                stats.bytesRead += bytes.length;
                if (!hashBytes(bytes).equals(Buffer.from(hex, 'hex')))
                    add({ kind: 'corrupt-pack', pack: hex, message: `pack ${short(hex)}: content does not match its name (bytes changed on disk)` });
                stats.readDataMs += Date.now() - t;
            }
            const b = bytes;
            entries = await readPackEntries(name, size, b ? async (o, l) => b.subarray(o, o + l) : (o, l) => repo.store.get(name, o, l), repo.cipher);
        }
        catch (e) {
            add({ kind: 'corrupt-pack', pack: hex, message: `pack ${short(hex)}: ${e.message}` });
            continue;
        }
        dataEnd.set(hex, packDataEnd(size, entries.length, repo.cipher));
        const id = Buffer.from(hex, 'hex');
        const t = Date.now();
        let n = 0;
        for (const e of entries) {
            if (++n % 5000 === 0)
                await breathe();
            const loc = repo.index.getBlob(e.hash);
            const indexed = !!loc && loc.pack.equals(id);
            if (indexed) {
                matched.set(hex, (matched.get(hex) ?? 0) + 1);
                if (loc.offset !== e.offset || loc.length !== e.length || loc.type !== e.type || loc.comp !== e.comp || loc.rawLength !== e.rawLength) {
                    add({ kind: 'index-mismatch', pack: hex, blob: e.hash.toString('hex'), message: `index entry of blob ${short(e.hash.toString('hex'))} disagrees with the trailer of pack ${short(hex)}` });
                }
            }
            if (!bytes)
                continue;
            const good = isIntactBlob(bytes.subarray(e.offset, e.offset + e.length), e, repo.cipher);
            if (!good) {
                if (indexed)
                    corrupt.add(e.hash.toString('hex'));
                add({ kind: 'corrupt-blob', pack: hex, blob: e.hash.toString('hex'), message: `blob ${short(e.hash.toString('hex'))} in pack ${short(hex)} is corrupted (decompress/hash mismatch)${indexed ? '' : '; the index uses another copy'}` });
            }
        }
        stats.readDataMs += opts.readData ? Date.now() - t : 0;
        await repo.lock?.refreshIfDue();
    }
    // 2. every index entry points into an existing pack, inside its blob bytes
    say('checking the index');
    const missing = new Map();
    const pointing = new Map();
    let outside = 0;
    await forEachBlob(repo, (hash, v) => {
        stats.blobs++;
        const ph = v.toString('hex', 0, 32);
        const end = dataEnd.get(ph);
        if (end === undefined)
            return void missing.set(ph, (missing.get(ph) ?? 0) + 1);
        pointing.set(ph, (pointing.get(ph) ?? 0) + 1);
        const off = v.readUInt32LE(34);
        const len = v.readUInt32LE(38);
        if (off + len > end && ++outside <= 100) {
            add({ kind: 'index-outside-pack', pack: ph, blob: hash.toString('hex'), message: `index entry of blob ${short(hash.toString('hex'))} points outside pack ${short(ph)} (bytes ${off}..${off + len}, pack data ends at ${end})` });
        }
    });
    if (outside > 100)
        add({ kind: 'index-outside-pack', message: `… and ${outside - 100} more index entries pointing outside their pack` });
    for (const hex of repo.index.packIds())
        if (!dataEnd.has(hex) && !missing.has(hex))
            missing.set(hex, 0);
    for (const [ph, n] of missing)
        add({ kind: 'missing-pack', pack: ph, message: `pack ${short(ph)} is missing (${n} blobs indexed in it)` });
    for (const [ph, n] of pointing) {
        const m = matched.get(ph) ?? 0;
        if (n > m && dataEnd.get(ph) !== undefined)
            add({ kind: 'index-mismatch', pack: ph, message: `${n - m} index entries point into pack ${short(ph)} but its trailer does not list them` });
    }
    // 3. snapshot files against their ids and the index copies
    say('checking snapshots');
    const files = new Set();
    for await (const name of repo.store.list('snapshots/')) {
        const id = name.slice('snapshots/'.length);
        if (!/^[0-9a-f]{64}$/.test(id))
            continue;
        files.add(id);
        const bytes = await repo.store.get(name);
        const opened = openManifest(repo, id, bytes);
        let fine = !!opened;
        if (opened) {
            try {
                const m = JSON.parse(opened.toString('utf8'));
                fine = typeof m.root === 'string' && /^[0-9a-f]{64}$/.test(m.root);
            }
            catch {
                fine = false;
            }
        }
        if (!fine) {
            const copy = repo.index.snapshots.get(id);
            const saved = copy !== undefined && isManifestCopy(repo, id, copy);
            add({
                kind: 'damaged-snapshot',
                snapshot: id,
                message: `snapshot file ${name} is damaged (${bytes.length} bytes, content does not match its id); ` + (saved ? `this host's cache holds an intact copy: 'strata repair index' rewrites the file` : `no intact copy remains: the snapshot is lost, remove it with 'strata forget ${id.slice(0, 12)}'`),
            });
        }
    }
    // (a cache copy without a file is a snapshot forgotten, here or on another host: listSnapshots drops it)
    // 4. walk every snapshot: every tree, chunk list and chunk must be indexed, in a present pack, intact
    const snaps = await listSnapshots(repo);
    stats.snapshots = snaps.length;
    say(`checking the trees of ${snaps.length} snapshots`);
    const visited = repo.newMarkSet();
    try {
        const reacher = new Reacher(repo, {
            visited,
            onRef: (h) => {
                const loc = repo.index.getBlob(h);
                if (!loc)
                    return 'not in the index';
                const ph = loc.pack.toString('hex');
                const end = dataEnd.get(ph);
                if (end === undefined)
                    return `its pack ${short(ph)} is missing`;
                if (loc.offset + loc.length > end)
                    return `its index entry points outside pack ${short(ph)}`;
                if (corrupt.has(h.toString('hex')))
                    return `corrupted in pack ${short(ph)}`;
                return null;
            },
            onProblem: add,
        });
        for (const s of snaps) {
            try {
                await reacher.walk(s);
            }
            catch (e) {
                if (!isStrataError(e) || e.code === 'E_NO_SPACE')
                    throw e;
                add({ kind: 'missing-tree', snapshot: s.id, message: `snapshot ${s.id.slice(0, 8)}: ${e.message}` });
            }
            await repo.lock?.refreshIfDue();
        }
    }
    finally {
        await visited.close();
    }
    // 5. what is known lost leaves the index (store/lost-blobs.ts), so the next snapshot stores it again from its source
    const lostPacks = [...missing.keys()];
    const dropped = lostPacks.length ? await dropMissingPacks(repo.index, repo.store, lostPacks) : { packs: [], blobs: 0 };
    const droppedCorrupt = dropLostBlobs(repo.index, [...corrupt].map((h) => Buffer.from(h, 'hex')));
    if (dropped.blobs || droppedCorrupt) {
        notices.push(`dropped from the index: ${droppedCorrupt} corrupted blob(s) and ${dropped.blobs} blob(s) of ${dropped.packs.length} missing pack(s); the next snapshot stores them again from the source where it still has them`);
    }
    return done();
}
//# sourceMappingURL=check.js.map