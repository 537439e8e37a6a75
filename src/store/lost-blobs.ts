// Forgetting blobs known to be lost: a blob whose bytes failed verification,
// or every blob of a pack file that is gone. Their entries leave the cache's
// blob index so that the next snapshot, finding them "not stored", stores
// them again from the source (and a snapshot never references them anew).
// The prune epoch is bumped first, so directory records written earlier
// (which vouch for whole subtrees without looking at each blob) stop being
// trusted.
//
// The repository's index segments are not rewritten here (a reader or a
// snapshot holds no exclusive lock): a cache rebuilt from them finds a missing
// pack again at the next snapshot (dropMissingPacks lists packs/), and a
// corrupted blob again at its next verified read. `strata repair index`
// writes segments without them.
import type { ObjectStore } from './object-store.js';
import { packObjectName } from './pack.js';
import type { RepoCache } from './ports.js';

const BATCH = 10_000;

/** Remove the index entries of `hashes` (those present); returns how many went. */
export function dropLostBlobs(index: RepoCache, hashes: readonly Buffer[]): number {
  const present = hashes.filter((h) => index.hasBlob(h));
  if (present.length === 0) return 0;
  index.bumpPruneEpoch();
  for (let i = 0; i < present.length; i += BATCH) index.removeBlobs(present.slice(i, i + BATCH));
  return present.length;
}

/**
 * Packs the index lists whose file is gone from the store (each checked
 * again right before it is dropped, so a pack being written meanwhile is
 * never mistaken for a lost one): drop them and every blob indexed in them.
 */
export async function dropMissingPacks(index: RepoCache, store: ObjectStore, candidates?: readonly string[]): Promise<{ packs: string[]; blobs: number }> {
  let suspects = candidates ? [...candidates] : undefined;
  if (!suspects) {
    const present = new Set<string>();
    for await (const name of store.list('packs/')) present.add(name.slice(name.lastIndexOf('/') + 1));
    suspects = [...index.packIds()].filter((hex) => !present.has(hex));
  }
  const gone: string[] = [];
  for (const hex of suspects) if (index.hasPack(hex) && (await store.size(packObjectName(hex))) === undefined) gone.push(hex);
  if (gone.length === 0) return { packs: [], blobs: 0 };
  const lost = new Set(gone);
  const doomed: Buffer[] = [];
  let start: Buffer | undefined;
  for (;;) {
    let n = 0;
    let last: Buffer | undefined;
    for (const { key, value } of index.blobRows(start, BATCH + 1)) {
      if (start && key.equals(start)) continue;
      if (lost.has(value.toString('hex', 0, 32))) doomed.push(Buffer.from(key));
      last = key;
      if (++n === BATCH) break;
    }
    if (n < BATCH || !last) break;
    start = Buffer.from(last);
  }
  const blobs = dropLostBlobs(index, doomed);
  index.removePacks(gone);
  return { packs: gone, blobs };
}
