// Before a restore walks a directory tree, its trees are read level by level
// by grouped ranged reads (fetch-plan.ts), several in flight, into the tree
// cache (tree/trees.ts), so the walk does not wait for one request per
// directory. Bounded: it stops after `maxEntries` entries (the cache's
// size); trees not prefetched are loaded by the walk as before. A tree that
// cannot be read or verified is left for the walk, which reports it.
import type { BlobReader } from '../store/ports.js';
import { decodeTree, type TreeEntry } from '../tree/codec.js';
import { isTreeCached, rememberTree } from '../tree/trees.js';
import { fetchRanges, planRanges, type Want } from './fetch-plan.js';

export async function prefetchTrees(reader: BlobReader, root: Buffer, signal?: AbortSignal, maxEntries = 100_000): Promise<void> {
  const packs = reader.packs;
  if (!packs) return;
  let level: Buffer[] = [root];
  let seen = 0;
  while (level.length > 0 && seen < maxEntries) {
    const wants: Want[] = [];
    const next: Buffer[] = [];
    const known = new Set<string>();
    for (const h of level) {
      const k = h.toString('latin1');
      if (known.has(k)) continue;
      known.add(k);
      const loc = isTreeCached(h) ? undefined : packs.locateBlob(h);
      if (loc) wants.push({ hash: h, loc });
    }
    if (wants.length === 0) return; // cached already (or not in the index: the walk says why)
    await fetchRanges(
      packs,
      planRanges(wants),
      (w, data) => {
        if (!data) return;
        let entries: TreeEntry[];
        try {
          entries = decodeTree(data);
        } catch {
          return;
        }
        seen += entries.length;
        rememberTree(w.hash, entries);
        for (const e of entries) if (e.kind === 'dir' && e.subtree) next.push(e.subtree);
      },
      { inFlight: packs.rangeReadsInFlight, signal },
    );
    level = next;
  }
}
