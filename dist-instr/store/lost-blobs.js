import { packObjectName } from './pack.js';
const BATCH = 10_000;
/** Remove the index entries of `hashes` (those present); returns how many went. */
export function dropLostBlobs(index, hashes) {
    const present = hashes.filter((h) => index.hasBlob(h));
    if (present.length === 0)
        return 0;
    index.bumpPruneEpoch();
    for (let i = 0; i < present.length; i += BATCH)
        index.removeBlobs(present.slice(i, i + BATCH));
    return present.length;
}
/**
 * Packs the index lists whose file is gone from the store (each checked
 * again right before it is dropped, so a pack being written meanwhile is
 * never mistaken for a lost one): drop them and every blob indexed in them.
 */
export async function dropMissingPacks(index, store, candidates) {
    let suspects = candidates ? [...candidates] : undefined;
    if (!suspects) {
        const present = new Set();
        for await (const name of store.list('packs/'))
            present.add(name.slice(name.lastIndexOf('/') + 1));
        suspects = [...index.packIds()].filter((hex) => !present.has(hex));
    }
    const gone = [];
    for (const hex of suspects)
        if (index.hasPack(hex) && (await store.size(packObjectName(hex))) === undefined)
            gone.push(hex);
    if (gone.length === 0)
        return { packs: [], blobs: 0 };
    const lost = new Set(gone);
    const doomed = [];
    let start;
    for (;;) {
        let n = 0;
        let last;
        for (const { key, value } of index.blobRows(start, BATCH + 1)) {
            if (start && key.equals(start))
                continue;
            if (lost.has(value.toString('hex', 0, 32)))
                doomed.push(Buffer.from(key));
            last = key;
            if (++n === BATCH)
                break;
        }
        if (n < BATCH || !last)
            break;
        start = Buffer.from(last);
    }
    const blobs = dropLostBlobs(index, doomed);
    index.removePacks(gone);
    return { packs: gone, blobs };
}
//# sourceMappingURL=lost-blobs.js.map