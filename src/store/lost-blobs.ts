// Forgetting blobs known to be lost: a blob whose bytes failed verification,
// or every blob of a pack file that is gone. Their index entries are removed
// so that the next snapshot, finding them "not stored", stores them again
// from the source (and a snapshot never references them anew). The prune
// epoch is bumped first, so directory records written earlier (which vouch
// for whole subtrees without looking at each blob) stop being trusted.
import type { IndexDb } from './index-db.js';
import type { BlobStore } from './blob-store.js';
import { packObjectName } from './pack.js';

const BATCH = 10_000;

/** Remove the index entries of `hashes` (those present); returns how many went. */
export function dropLostBlobs(index: IndexDb, hashes: readonly Buffer[]): number {
  const present = hashes.filter((h) => index.blobs.doesExist(h));
  if (present.length === 0) return 0;
  index.bumpPruneEpoch();
  for (let i = 0; i < present.length; i += BATCH) {
    const part = present.slice(i, i + BATCH);
    index.env.transactionSync(() => {
      for (const h of part) index.blobs.removeSync(h);
    });
  }
  return present.length;
}

/**
 * Packs the index lists whose file is gone from the store (each checked
 * again right before it is dropped, so a pack being written meanwhile is
 * never mistaken for a lost one): drop them and every blob indexed in them.
 */
export async function dropMissingPacks(index: IndexDb, store: BlobStore, candidates?: readonly string[]): Promise<{ packs: string[]; blobs: number }> {
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
  for (const { key, value } of index.blobs.getRange()) {
    if (lost.has((value as Buffer).toString('hex', 0, 32))) doomed.push(Buffer.from(key as Buffer));
  }
  const blobs = dropLostBlobs(index, doomed);
  index.env.transactionSync(() => {
    for (const hex of gone) index.packs.removeSync(hex);
  });
  return { packs: gone, blobs };
}
