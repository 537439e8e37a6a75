// Bringing the per-host cache up to date with the repository's index segments
// (docs/format.md §8): ingest the segments not seen yet; when one the cache
// ingested is gone, a prune or repair consolidated them (the "prune
// generation", §8.1), so the cache's index, directory records and epoch are
// reset and everything is ingested again. A segment that fails to decode is
// handed to `damaged` and skipped, never marked as ingested.
import { StrataError, isStrataError } from '../errors.js';
import { decodeSegment, isSegmentName, segmentName } from './index-segment.js';
export async function syncSegments(ctx) {
    const { store, index, cipher } = ctx;
    const out = { segments: 0, reset: false };
    for (let attempt = 0;; attempt++) {
        const listed = [];
        for await (const name of store.list('index/'))
            if (isSegmentName(name))
                listed.push(name.slice('index/'.length));
        const present = new Set(listed);
        let known = index.segmentIds();
        if ([...known].some((id) => !present.has(id))) {
            if (ctx.writing())
                throw new StrataError('E_LOCKED', `the repository was pruned while this process was writing to it; nothing was committed, run it again`);
            index.resetIndex();
            ctx.notice(`the repository was pruned or repaired since this cache was updated: rebuilding its index`);
            out.reset = true;
            known = new Set();
        }
        let vanished = false;
        for (const id of listed) {
            if (known.has(id))
                continue;
            let bytes;
            try {
                bytes = await store.get(segmentName(id));
            }
            catch (e) {
                // removed by a prune after we listed: it wrote its consolidated segments first, so list again
                if (isStrataError(e, 'E_OBJECT_MISSING') && attempt < 5) {
                    vanished = true;
                    break;
                }
                throw e;
            }
            let packs;
            try {
                packs = decodeSegment(bytes, segmentName(id), cipher);
            }
            catch (e) {
                if (!isStrataError(e, 'E_CORRUPT'))
                    throw e;
                ctx.damaged(id, e.message);
                continue;
            }
            index.addPacks(packs);
            index.markSegments([id]);
            out.segments++;
        }
        if (!vanished)
            return out;
    }
}
//# sourceMappingURL=index-sync.js.map