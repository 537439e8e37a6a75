import { decodeChunkList, decodeTree } from '../tree/codec.js';
import { isTreeCached, rememberTree } from '../tree/trees.js';
import { fetchRanges, planRanges } from './fetch-plan.js';
const SPAN = 4 << 20;
const SPANS_TOTAL = 32 << 20;
const MAX_LISTED = 256 << 10;
export async function prefetchTrees(reader, root, signal, maxEntries = 100_000) {
    const lists = new Map();
    const packs = reader.packs;
    if (!packs)
        return lists;
    const spans = new Map();
    let spanBytes = 0;
    let listed = 0;
    let level = [root];
    let levelLists = [];
    let seen = 0;
    /** a tree (its subtrees and chunk lists go to the next level) or a chunk list */
    const take = (w, data, next, nextLists) => {
        if (!data)
            return;
        const k = w.hash.toString('latin1');
        try {
            if (wantedLists.has(k)) {
                const chunks = decodeChunkList(data);
                listed += chunks.length;
                lists.set(k, chunks);
                return;
            }
            const entries = decodeTree(data);
            seen += entries.length;
            rememberTree(w.hash, entries);
            for (const e of entries) {
                if (e.kind === 'dir' && e.subtree)
                    next.push(e.subtree);
                else if (e.kind === 'file' && e.content?.chunkList)
                    nextLists.push(e.content.chunkList);
            }
        }
        catch { }
    };
    const wantedLists = new Set();
    while ((level.length > 0 || levelLists.length > 0) && seen < maxEntries) {
        const wants = [];
        const next = [];
        const nextLists = [];
        const known = new Set();
        for (const h of level) {
            const k = h.toString('latin1');
            if (known.has(k))
                continue;
            known.add(k);
            const loc = isTreeCached(h) ? undefined : packs.locateBlob(h);
            if (loc)
                wants.push({ hash: h, loc });
        }
        for (const h of levelLists) {
            const k = h.toString('latin1');
            if (known.has(k) || lists.has(k) || listed >= MAX_LISTED)
                continue;
            known.add(k);
            const loc = packs.locateBlob(h);
            if (!loc)
                continue;
            wantedLists.add(k);
            wants.push({ hash: h, loc });
        }
        if (wants.length === 0)
            break; // cached already (or not in the index: the walk says why)
        // packs not spanned yet: one read each, ending at the last tree wanted there
        const ends = new Map();
        for (const w of wants) {
            const k = w.loc.pack.toString('latin1');
            if (spans.has(k))
                continue;
            const e = ends.get(k);
            const end = w.loc.offset + w.loc.length;
            if (!e)
                ends.set(k, { pack: w.loc.pack, end });
            else
                e.end = Math.max(e.end, end);
        }
        const fresh = [];
        for (const e of ends) {
            if (spanBytes >= SPANS_TOTAL)
                break;
            spanBytes += SPAN;
            fresh.push(e);
        }
        await readSpans(packs, fresh, spans, signal);
        const rest = [];
        for (const w of wants) {
            const s = spans.get(w.loc.pack.toString('latin1'));
            const at = s ? w.loc.offset - s.offset : -1;
            if (!s || at < 0 || at + w.loc.length > s.bytes.length) {
                rest.push(w);
                continue;
            }
            let data;
            try {
                data = packs.decodeBlob(w.hash, w.loc, s.bytes.subarray(at, at + w.loc.length));
            }
            catch {
                continue; // the walk reads it again and reports it
            }
            take(w, data, next, nextLists);
        }
        if (rest.length > 0)
            await fetchRanges(packs, planRanges(rest), (w, data) => take(w, data, next, nextLists), { inFlight: packs.rangeReadsInFlight, signal });
        level = next;
        levelLists = nextLists;
    }
    return lists;
}
/** Read the spans ending at `ends` (several in flight); a span that cannot be read is left out (its trees are read one range at a time). */
async function readSpans(packs, ends, spans, signal) {
    let i = 0;
    const worker = async () => {
        while (i < ends.length && !signal?.aborted) {
            const [k, { pack, end }] = ends[i++];
            const offset = Math.max(0, end - SPAN);
            try {
                spans.set(k, { offset, bytes: await packs.readPackRange(pack, offset, end - offset) });
            }
            catch { }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(packs.rangeReadsInFlight, ends.length)) }, worker));
}
//# sourceMappingURL=tree-prefetch.js.map