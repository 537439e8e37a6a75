// Consolidated index segments, written by prune and repair under the
// exclusive lock: every pack the cache knows, with the entries the cache has
// for it, in segments of bounded size. The caller deletes the superseded
// segments only after these are durable, so a reader listing `index/` at any
// moment finds every entry in one set or the other.
import { decodeLoc } from '../store/blob-location.js';
import { chunkSegments, encodeSegment, isSegmentName, segmentName } from '../store/index-segment.js';
const BATCH = 10_000;
export async function listSegments(repo) {
    const out = new Set();
    for await (const name of repo.store.list('index/'))
        if (isSegmentName(name))
            out.add(name.slice('index/'.length));
    return out;
}
/** Write segments for every pack in the cache; returns the ids of `before` that the new set supersedes. */
export async function writeConsolidatedSegments(repo, before) {
    const byPack = new Map();
    for (const hex of repo.index.packIds())
        byPack.set(hex, []);
    let start;
    for (;;) {
        let n = 0;
        let last;
        for (const { key, value } of repo.index.blobRows(start, BATCH + 1)) {
            if (start && key.equals(start))
                continue;
            const loc = decodeLoc(value);
            byPack.get(loc.pack.toString('hex'))?.push({ hash: key, type: loc.type, comp: loc.comp, offset: loc.offset, length: loc.length, rawLength: loc.rawLength });
            last = key;
            if (++n === BATCH)
                break;
        }
        if (n < BATCH)
            break;
        start = last;
    }
    const packs = [];
    for (const [hex, entries] of [...byPack].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const size = repo.index.packMeta(hex)?.size ?? 0;
        packs.push({ id: Buffer.from(hex, 'hex'), size, entries: entries.sort((a, b) => a.offset - b.offset) });
    }
    const written = new Set();
    for (const part of chunkSegments(packs)) {
        const { id, bytes } = encodeSegment(part, repo.cipher);
        if (!(await repo.store.put(segmentName(id), bytes))) {
            // the same segment exists: keep it only if intact (repair rewrites a damaged one)
            let same = false;
            try {
                same = (await repo.store.get(segmentName(id))).equals(bytes);
            }
            catch { }
            if (!same) {
                await repo.store.delete(segmentName(id));
                await repo.store.put(segmentName(id), bytes);
            }
        }
        written.add(id);
        await repo.lock?.refreshIfDue();
    }
    repo.index.markSegments([...written]);
    return [...before].filter((id) => !written.has(id));
}
//# sourceMappingURL=segments.js.map