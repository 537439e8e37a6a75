// `strata diff SNAP DIR`: the live directory as a tree, computed like a dry-run
// snapshot (unchanged files known from the stat cache are not re-read) with
// its tree objects kept in memory, and a reader that serves them before the
// repository's, so the ordinary tree diff can compare the two.
import { rootEntry } from '../snapshot/manifest.js';
import { takeSnapshot } from '../snapshot/snapshotter.js';
import type { BlobIds, BlobReader, Repository } from '../store/repository.js';
import { encodeTree, type TreeEntry } from '../tree/codec.js';
import type { TreeSink } from '../tree/trees.js';

export class MemoryTrees implements TreeSink, BlobReader {
  private readonly trees = new Map<string, Buffer>();
  constructor(private readonly repo: BlobReader) {}

  get ids(): BlobIds {
    return this.repo.ids;
  }

  async saveTree(entries: readonly TreeEntry[]): Promise<{ hash: Buffer; added: boolean }> {
    const raw = encodeTree(entries);
    const hash = this.repo.ids.blobId(raw); // the repository's ids, so unchanged subtrees compare equal
    this.trees.set(hash.toString('hex'), raw);
    return { hash, added: false };
  }

  async getBlob(hash: Buffer, into?: Buffer): Promise<Buffer> {
    return this.trees.get(hash.toString('hex')) ?? this.repo.getBlob(hash, into);
  }
}

/** The root entry of DIR as it is now, and a reader for its trees. */
export async function liveTree(repo: Repository, dir: string, host: string, exclude: string[]): Promise<{ root: TreeEntry; reader: BlobReader }> {
  const mem = new MemoryTrees(repo);
  const r = await takeSnapshot(repo, { source: dir, host, dryRun: true, treeSink: mem, exclude });
  return { root: rootEntry(r.snapshot!), reader: mem };
}
