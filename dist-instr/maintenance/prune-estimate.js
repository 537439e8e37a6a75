// What a prune's repack step will write, computed without writing: the same
// packs in the same order, blob for blob, through the same sealing rule as
// store/packer.ts (a pack is sealed once its data reaches the target size).
// `prune --dry-run` reports these figures so they equal what prune does.
import { ENTRY_LEN, FOOTER_LEN, PACK_MAGIC } from '../store/pack.js';
import { forEachBlob } from './prune.js';
/** Simulate repacking `repack` (in this order) keeping the blobs `live` says are live. */
export async function estimateRepack(repo, repack, live) {
    const wanted = new Set(repack);
    const byPack = new Map();
    await forEachBlob(repo, (hash, loc) => {
        const hex = loc.toString('hex', 0, 32);
        if (!wanted.has(hex) || !live(hash))
            return;
        const list = byPack.get(hex) ?? byPack.set(hex, []).get(hex);
        list.push({ offset: loc.readUInt32LE(34), length: loc.readUInt32LE(38), tree: loc[32] !== 0 });
    });
    const out = { packsWritten: 0, bytesWritten: 0, blobsRepacked: 0 };
    const targets = { data: repo.config.packSize, tree: Math.min(repo.config.packSize, 8 << 20) };
    const open = { data: { size: 0, count: 0 }, tree: { size: 0, count: 0 } };
    const seal = (k) => {
        const p = open[k];
        if (p.count === 0)
            return;
        out.packsWritten++;
        out.bytesWritten += p.size + p.count * ENTRY_LEN + FOOTER_LEN;
        open[k] = { size: 0, count: 0 };
    };
    for (const hex of repack) {
        // a pack's trailer lists its blobs in the order they were written, i.e. by offset
        for (const b of (byPack.get(hex) ?? []).sort((x, y) => x.offset - y.offset)) {
            const k = b.tree ? 'tree' : 'data';
            if (open[k].count === 0)
                open[k].size = PACK_MAGIC.length;
            open[k].size += b.length;
            open[k].count++;
            out.blobsRepacked++;
            if (open[k].size >= targets[k])
                seal(k);
        }
    }
    seal('data');
    seal('tree');
    return out;
}
//# sourceMappingURL=prune-estimate.js.map